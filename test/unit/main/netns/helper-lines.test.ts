// What the in-target helper is told for each step: the native netlink form for the operations it
// makes itself (addresses as network-order bytes, tables as numbers), the step's own argv (hex,
// byte for byte) for every other step, and never a token that could split or read as syntax.

import { describe, expect, it } from 'vitest'
import { HOST_NS } from '../../../../shared/net/model'
import { opCommands, type NetOp } from '../../../../shared/net/ops'
import { addrHex, enterLine, helperLine } from '../../../../src-main/netns/helper/lines'

/** The instruction for a one-step operation. */
function line(op: NetOp): string {
  const steps = opCommands(op)
  expect(steps).toHaveLength(1)
  return helperLine(op, steps[0]!)
}

/** Decode an exec line back into its argv. */
function execArgv(l: string): string[] {
  const [verb, ...hex] = l.split(' ')
  expect(verb).toBe('exec')
  return hex.map((h) => Buffer.from(h, 'hex').toString('utf8'))
}

describe('helper instruction lines', () => {
  it('addresses travel as their bytes in network order', () => {
    expect(addrHex('10.0.0.1')).toBe('0a000001')
    expect(addrHex('192.168.255.254')).toBe('c0a8fffe')
    expect(addrHex('fd00::1')).toBe('fd000000000000000000000000000001')
    expect(addrHex('::ffff:10.1.2.3')).toBe('00000000000000000000ffff0a010203')
    expect(addrHex('not an address')).toBe('-')
  })

  it('links: up, down, master, nomaster, delete', () => {
    expect(line({ op: 'link.set-state', ns: 'a', ifname: 'eth0', up: true })).toBe('up eth0')
    expect(line({ op: 'link.set-state', ns: 'a', ifname: 'eth0', up: false })).toBe('down eth0')
    expect(line({ op: 'link.set-master', ns: 'a', ifname: 'p1', bridge: 'br0' })).toBe(
      'master p1 br0',
    )
    expect(line({ op: 'link.set-master', ns: 'a', ifname: 'p1', bridge: null })).toBe('nomaster p1')
    expect(line({ op: 'link.delete', ns: 'a', ifname: 'p1' })).toBe('linkdel p1')
  })

  it('addresses, IPv4 and IPv6, add and delete', () => {
    expect(line({ op: 'addr.add', ns: 'a', ifname: 'eth0', cidr: '10.0.0.1/24' })).toBe(
      'addradd eth0 4 0a000001 24',
    )
    expect(line({ op: 'addr.delete', ns: 'a', ifname: 'eth0', cidr: 'fd00::2/64' })).toBe(
      'addrdel eth0 6 fd000000000000000000000000000002 64',
    )
  })

  it('routes: prefix, default (its family from the gateway), device only, named and numbered tables', () => {
    expect(
      line({ op: 'route.add', ns: 'a', dst: '10.8.0.0/16', via: '10.9.0.2', dev: 'eth0' }),
    ).toBe('routeadd 4 0a080000 16 0a090002 eth0 254')
    expect(line({ op: 'route.add', ns: 'a', dst: 'default', via: '10.9.0.2' })).toBe(
      'routeadd 4 - 0 0a090002 - 254',
    )
    expect(line({ op: 'route.add', ns: 'a', dst: 'default', via: 'fd00::1' })).toBe(
      'routeadd 6 - 0 fd000000000000000000000000000001 - 254',
    )
    expect(line({ op: 'route.delete', ns: 'a', dst: '10.7.0.0/16', dev: 'eth0' })).toBe(
      'routedel 4 0a070000 16 - eth0 254',
    )
    expect(
      line({ op: 'route.add', ns: 'a', dst: '10.7.0.0/16', dev: 'eth0', table: 'local' }),
    ).toBe('routeadd 4 0a070000 16 - eth0 255')
    expect(
      line({ op: 'route.add', ns: 'a', dst: '10.7.0.0/16', dev: 'eth0', table: '100000' }),
    ).toBe('routeadd 4 0a070000 16 - eth0 100000')
  })

  it('sysctls and forwarding are written under /proc/sys by key', () => {
    expect(line({ op: 'forwarding.set', ns: 'a', enabled: true })).toBe(
      'sysctl net.ipv4.ip_forward 1',
    )
    expect(
      line({ op: 'sysctl.set', ns: 'a', key: 'net.ipv4.conf.eth0.rp_filter', value: '2' }),
    ).toBe('sysctl net.ipv4.conf.eth0.rp_filter 2')
  })

  it('every other step runs its own argv, byte for byte, whatever it holds', () => {
    const ops: NetOp[] = [
      { op: 'nat.masquerade', ns: 'a', source: '10.0.0.0/24', outIf: 'eth0' },
      {
        op: 'nat.port-forward',
        ns: 'a',
        protocol: 'tcp',
        port: 8080,
        toAddr: '10.0.0.2',
        toPort: 80,
      },
      { op: 'netem.set', ns: 'a', ifname: 'eth0', delayMs: 50 },
      { op: 'bridge.add', ns: 'a', name: 'br0' },
    ]
    for (const nat of ['iptables', 'nft'] as const)
      for (const op of ops)
        for (const step of opCommands(op, nat)) {
          const l = helperLine(op, step)
          expect(l).toMatch(/^exec( [0-9a-f]+)+$/)
          expect(execArgv(l)).toEqual(step.argv)
        }
    // An nft rule's text, with spaces, braces and quotes, survives as one argument.
    const nft = opCommands({ op: 'nat.masquerade', ns: 'a', source: '10.0.0.0/24' }, 'nft')
    const chain = nft.find((s) => s.argv.some((a) => a.includes('{')))!
    expect(
      execArgv(helperLine({ op: 'nat.masquerade', ns: 'a', source: '10.0.0.0/24' }, chain)),
    ).toContain('{ type nat hook postrouting priority 100 ; }')
  })

  it('enters namespaces by their kernel name, never the root', () => {
    expect(enterLine('red')).toBe('N red')
    expect(() => enterLine(HOST_NS)).toThrow(/not in the root/)
    expect(() => enterLine('a b')).toThrow(/not a namespace name/)
  })
})

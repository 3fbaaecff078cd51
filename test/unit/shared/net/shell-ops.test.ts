// The one quoting function, checked against a real POSIX shell, and the exact commands each
// operation runs (what the Actions forms show before the user clicks).

import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { exportScript, type LogEntry } from '../../../../shared/net/command-log'
import { HOST_NS } from '../../../../shared/net/model'
import {
  NFT_DELETE_BY_COMMENT,
  opCommands,
  validateOp,
  type NetOp,
} from '../../../../shared/net/ops'
import { shQuote, toShellLine } from '../../../../shared/net/shell'

const lines = (op: NetOp, nat?: 'iptables' | 'nft'): string[] =>
  opCommands(op, nat).map((s) => toShellLine(s.argv))

describe('shQuote', () => {
  it('survives a real sh for every awkward string, byte for byte', () => {
    const nasty = [
      "it's",
      '$(reboot)',
      '`id`',
      'a;b',
      'a b',
      '"q"',
      '\\',
      '',
      '*',
      '\n',
      "''",
      'ä ö',
      '-n',
      '${IFS}',
      '!x',
    ]
    const script = `for a in ${nasty.map(shQuote).join(' ')}; do printf '%s\\0' "$a"; done`
    const out = execFileSync('sh', ['-c', script]).toString('utf8')
    expect(out.split('\0').slice(0, -1)).toEqual(nasty)
  })

  it('leaves plain words unquoted so logged commands read like the tutorials', () => {
    expect(toShellLine(['ip', '-n', 'ns1', 'addr', 'add', '10.0.0.1/28', 'dev', 'veth0'])).toBe(
      'ip -n ns1 addr add 10.0.0.1/28 dev veth0',
    )
    expect(shQuote('{ type nat hook postrouting priority 100 ; }')).toBe(
      "'{ type nat hook postrouting priority 100 ; }'",
    )
  })
})

describe('opCommands', () => {
  it("builds the tutorials' commands exactly", () => {
    expect(lines({ op: 'ns.add', name: 'ns1' })).toEqual(['ip netns add ns1'])
    expect(
      lines({ op: 'veth.add', name: 'veth0', peer: 'veth1', ns: 'ns1', peerNs: 'ns2' }),
    ).toEqual(['ip -n ns1 link add veth0 type veth peer name veth1 netns ns2'])
    expect(lines({ op: 'bridge.add', ns: HOST_NS, name: 'br0' })).toEqual([
      'ip link add name br0 type bridge',
      'ip link set dev br0 up',
    ])
    expect(lines({ op: 'link.set-master', ns: HOST_NS, ifname: 'veth0', bridge: 'br0' })).toEqual([
      'ip link set dev veth0 master br0',
    ])
    expect(lines({ op: 'link.set-state', ns: 'ns1', ifname: 'lo', up: true })).toEqual([
      'ip -n ns1 link set dev lo up',
    ])
    expect(lines({ op: 'route.add', ns: 'ns1', dst: 'default', via: '192.168.15.1' })).toEqual([
      'ip -n ns1 route add default via 192.168.15.1',
    ])
    expect(lines({ op: 'route.add', ns: 'ns1', dst: 'default', via: 'fd00::1' })).toEqual([
      'ip -n ns1 -6 route add default via fd00::1',
    ])
    expect(lines({ op: 'forwarding.set', ns: HOST_NS, enabled: true })).toEqual([
      'sysctl -w net.ipv4.ip_forward=1',
    ])
    expect(
      lines({ op: 'nat.masquerade', ns: HOST_NS, source: '192.168.15.0/24', outIf: 'eth0' }),
    ).toEqual([
      'iptables -t nat -A POSTROUTING -s 192.168.15.0/24 -o eth0 -j MASQUERADE -m comment --comment netns-studio',
    ])
  })

  it('uses nft where iptables is missing, in a table of its own', () => {
    const nft = lines(
      {
        op: 'nat.port-forward',
        ns: HOST_NS,
        protocol: 'tcp',
        port: 8080,
        toAddr: '10.0.0.2',
        toPort: 80,
      },
      'nft',
    )
    expect(nft[0]).toBe('nft add table ip netns_studio')
    expect(nft).toContain(
      `nft add rule ip netns_studio prerouting fib daddr type local tcp dport 8080 dnat to 10.0.0.2:80 comment '"netns-studio fib daddr type local tcp dport 8080 dnat to 10.0.0.2:80"'`,
    )
  })

  it('nft removal deletes that one rule (found by its comment), never the whole table', () => {
    const masq: NetOp = { op: 'nat.masquerade', ns: 'r1', source: '10.0.0.0/24', outIf: 'eth0' }
    const steps = opCommands({ ...masq, remove: true }, 'nft')
    expect(steps).toHaveLength(1)
    expect(steps[0]!.argv.slice(0, 6)).toEqual(['ip', 'netns', 'exec', 'r1', 'sh', '-c'])
    // The chain and the comment are arguments of the script, not part of its code.
    expect(steps[0]!.argv.slice(6)).toEqual([
      NFT_DELETE_BY_COMMENT,
      'sh',
      'postrouting',
      'netns-studio ip saddr 10.0.0.0/24 oifname eth0 masquerade',
    ])
    expect(NFT_DELETE_BY_COMMENT).not.toMatch(/delete table/)
    expect(NFT_DELETE_BY_COMMENT).toMatch(/nft delete rule ip netns_studio "\$1" handle "\$h"/)
    // The comment it looks for is the one the add wrote.
    expect(lines(masq, 'nft').at(-1)).toBe(
      `ip netns exec r1 nft add rule ip netns_studio postrouting ip saddr 10.0.0.0/24 oifname eth0 masquerade comment '"netns-studio ip saddr 10.0.0.0/24 oifname eth0 masquerade"'`,
    )
    const fwd: NetOp = {
      op: 'nat.port-forward',
      ns: 'r1',
      protocol: 'udp',
      port: 53,
      toAddr: '10.0.0.2',
      toPort: 5353,
      remove: true,
    }
    expect(opCommands(fwd, 'nft').map((s) => s.argv.slice(-2))).toEqual([
      ['prerouting', 'netns-studio fib daddr type local udp dport 53 dnat to 10.0.0.2:5353'],
      ['output', 'netns-studio fib daddr type local udp dport 53 dnat to 10.0.0.2:5353'],
    ])
  })

  it('iptables removal deletes the one matching rule (-D with the same spec)', () => {
    expect(
      lines({ op: 'nat.masquerade', ns: HOST_NS, source: '10.0.0.0/24', remove: true }),
    ).toEqual([
      'iptables -t nat -D POSTROUTING -s 10.0.0.0/24 -j MASQUERADE -m comment --comment netns-studio',
    ])
  })

  it('runs non-ip commands inside the namespace with ip netns exec', () => {
    expect(lines({ op: 'forwarding.set', ns: 'r1', enabled: false })).toEqual([
      'ip netns exec r1 sysctl -w net.ipv4.ip_forward=0',
    ])
  })
})

describe('validateOp', () => {
  it('names the field that is wrong', () => {
    expect(validateOp({ op: 'addr.add', ns: 'ns1', ifname: 'veth0', cidr: '10.0.0.1' })).toEqual({
      field: 'cidr',
      message: 'Address "10.0.0.1" needs a prefix length, like 10.0.0.1/24.',
    })
    expect(validateOp({ op: 'veth.add', name: 'v0', peer: 'v0' })?.field).toBe('peer')
    expect(validateOp({ op: 'route.add', ns: 'ns1', dst: '10.0.0.0/24' })?.message).toMatch(
      /gateway/,
    )
    expect(
      validateOp({ op: 'route.add', ns: 'ns1', dst: '10.0.0.0/24', via: 'fd00::1' })?.message,
    ).toMatch(/different IP families/)
    expect(validateOp({ op: 'rm -rf /' })).toEqual({
      field: 'op',
      message: 'Unknown operation "rm -rf /".',
    })
    expect(validateOp('ns.add')?.field).toBe('op')
    expect(validateOp(null)?.field).toBe('op')
    expect(validateOp({ op: 'ns.add', name: 'ns1' })).toBeNull()
  })
})

describe('exportScript', () => {
  const entry = (over: Partial<LogEntry>): LogEntry => ({
    id: 1,
    at: 0,
    durationMs: 1,
    argv: ['ip', 'netns', 'add', 'ns1'],
    line: '',
    exitCode: 0,
    stderr: '',
    source: 'Create namespace',
    mutating: true,
    ...over,
  })

  it('keeps successful changes only, in order, as a runnable script', () => {
    const script = exportScript([
      entry({}),
      entry({ argv: ['ip', '-n', 'ns1', 'link', 'set', 'dev', 'lo', 'up'] }),
      entry({ argv: ['ip', 'netns', 'add', 'bad'], exitCode: 1 }),
      entry({ argv: ['ip', '-j', 'addr', 'show'], mutating: false }),
    ])
    expect(script.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([
      'set -e',
      'ip netns add ns1',
      'ip -n ns1 link set dev lo up',
    ])
    expect(() => execFileSync('sh', ['-n', '-c', script])).not.toThrow()
  })
})

// "Don't cut the branch you sit on": the facts parsed from the branch script's real output (a
// Vagrant-like NAT guest, a routed client, IPv6, the loopback sshd, this machine), and which
// operations cut the connection they describe, with the sentence the user reads.
import { describe, expect, it } from 'vitest'
import {
  CUT_CONNECTION,
  CUTTING_OPS,
  branchCut,
  mayCut,
  netemCut,
  parseBranchFacts,
  parseSshConnection,
  type BranchFacts,
} from '../../../../shared/net/branch'
import { OP_TITLES, validateOp, type NetOp, type NetOpName } from '../../../../shared/net/ops'
import { LOCAL, LOOPBACK, UNTRACED, VM_NAT, VM_ROUTED, VM_V6 } from './branch.fixtures'

const vm = (out: string): BranchFacts =>
  parseBranchFacts(out, { target: 'vm', label: 'vagrant@127.0.0.1:2222' })
const ssh = (out: string): BranchFacts =>
  parseBranchFacts(out, { target: 'ssh', label: 'root@127.0.0.1:37555' })
const local = parseBranchFacts(LOCAL, { target: 'local', label: 'this machine' })

const cut = (op: NetOp, f: BranchFacts): string | null => branchCut(op, f)?.consequence ?? null

describe('branch facts from the target', () => {
  it('a NAT guest: the connection arrives on eth0 at 10.0.2.15 over the on-link route', () => {
    expect(vm(VM_NAT)).toEqual({
      target: 'vm',
      label: 'vagrant@127.0.0.1:2222',
      source: 'connection',
      links: ['eth0'],
      addresses: [{ ifname: 'eth0', address: '10.0.2.15' }],
      routes: [{ dst: '10.0.2.0/24', table: 'main', dev: 'eth0', family: 'inet' }],
      connection: { client: '10.0.2.2', clientPort: 53412, server: '10.0.2.15', serverPort: 22 },
    })
  })

  it('a routed client: the default route through the gateway carries it', () => {
    expect(vm(VM_ROUTED).routes).toEqual([
      { dst: 'default', table: 'main', dev: 'eth0', gateway: '10.0.2.2', family: 'inet' },
    ])
  })

  it('IPv6: the connected /64 and the server address', () => {
    const f = vm(VM_V6)
    expect(f.routes).toEqual([
      { dst: 'fd17:625c:f037:2::/64', table: 'main', dev: 'eth0', family: 'inet6' },
    ])
    expect(f.addresses).toEqual([{ ifname: 'eth0', address: 'fd17:625c:f037:2::15' }])
  })

  it('the test sshd on 127.0.0.1: lo, and the host route of the local table', () => {
    const f = ssh(LOOPBACK)
    expect(f.links).toEqual(['lo'])
    expect(f.addresses).toEqual([{ ifname: 'lo', address: '127.0.0.1' }])
    expect(f.routes).toEqual([{ dst: '127.0.0.1', table: 'local', dev: 'lo', family: 'inet' }])
  })

  it('an SSH connection that cannot be traced falls back to the default routes', () => {
    const f = vm(UNTRACED)
    expect(f.source).toBe('default-routes')
    expect(f.links).toEqual(['eth0'])
    expect(f.routes.map((r) => `${r.dst} via ${r.gateway}`)).toEqual([
      'default via 10.0.2.2',
      'default via fd17:625c:f037:2::2',
    ])
    expect(f.connection).toBeUndefined()
  })

  it('this machine: the NICs with a default route, their global addresses (not link-local)', () => {
    expect(local.source).toBe('default-routes')
    expect(local.links).toEqual(['eth0'])
    expect(local.addresses).toEqual([
      { ifname: 'eth0', address: '192.0.2.2' },
      { ifname: 'eth0', address: 'fd00::2' },
    ])
    expect(local.routes).toHaveLength(2)
  })

  it('reads $SSH_CONNECTION strictly', () => {
    expect(parseSshConnection('10.0.2.2 53412 10.0.2.15 22\n')).toEqual({
      client: '10.0.2.2',
      clientPort: 53412,
      server: '10.0.2.15',
      serverPort: 22,
    })
    for (const bad of [
      '',
      '10.0.2.2 53412 10.0.2.15',
      'a b c d',
      '10.0.2.2 0 10.0.2.15 22',
      '1.2.3.4 5 6.7.8.9 99999',
      '10.0.2.2 053412 10.0.2.15 22',
    ])
      expect(parseSshConnection(bad)).toBeNull()
  })

  it('output that is not what ip prints gives no facts rather than wrong ones', () => {
    const f = parseBranchFacts('@@conn\n10.0.2.2 1 10.0.2.15 22\n@@get\nError: nope\n@@addrs\n{', {
      target: 'ssh',
      label: 'x',
    })
    expect(f).toMatchObject({ source: 'default-routes', links: [], addresses: [], routes: [] })
  })
})

describe('which operations cut it, and the sentence that says so', () => {
  const f = vm(VM_NAT)
  const host = 'host'

  it('setting the interface down names the consequence', () => {
    expect(cut({ op: 'link.set-state', ns: host, ifname: 'eth0', up: false }, f)).toBe(
      "Setting eth0 down cuts the app's SSH connection to the VM (it arrives on eth0 at 10.0.2.15): the app will lose the VM until it is rebooted (which also deletes every namespace).",
    )
    expect(branchCut({ op: 'link.set-state', ns: host, ifname: 'eth0', up: false }, f)?.field).toBe(
      'up',
    )
  })

  it.each<[string, NetOp, string]>([
    ['delete', { op: 'link.delete', ns: 'host', ifname: 'eth0' }, 'Deleting eth0 cuts'],
    [
      'move',
      { op: 'link.move', ns: 'host', ifname: 'eth0', toNs: 'ns1' },
      'Moving eth0 to ns1 cuts',
    ],
    [
      'enslave',
      { op: 'link.set-master', ns: 'host', ifname: 'eth0', bridge: 'br0' },
      'Attaching eth0 to the bridge br0 cuts',
    ],
    [
      'address',
      { op: 'addr.delete', ns: 'host', ifname: 'eth0', cidr: '10.0.2.15/24' },
      'Deleting 10.0.2.15 from eth0 cuts',
    ],
    [
      'route',
      { op: 'route.delete', ns: 'host', dst: '10.0.2.0/24', dev: 'eth0' },
      'Deleting the route 10.0.2.0/24 dev eth0 cuts',
    ],
  ])('%s of what carries it is marked', (_what, op, start) => {
    expect(cut(op, f)).toMatch(new RegExp(`^${start} the app's SSH connection to the VM`))
  })

  it.each<[string, NetOp]>([
    ['bringing it up', { op: 'link.set-state', ns: 'host', ifname: 'eth0', up: true }],
    [
      'the same name in a namespace',
      { op: 'link.set-state', ns: 'ns1', ifname: 'eth0', up: false },
    ],
    ['another interface', { op: 'link.set-state', ns: 'host', ifname: 'lo', up: false }],
    [
      'detaching from a bridge',
      { op: 'link.set-master', ns: 'host', ifname: 'eth0', bridge: null },
    ],
    ['another address', { op: 'addr.delete', ns: 'host', ifname: 'eth0', cidr: '10.0.2.16/24' }],
    [
      'the IPv6 address of a v4 connection',
      { op: 'addr.delete', ns: 'host', ifname: 'eth0', cidr: 'fd17:625c:f037:2::15/64' },
    ],
    // The client is on the link: the default route is not what the connection uses.
    [
      'the default route of an on-link client',
      { op: 'route.delete', ns: 'host', dst: 'default', via: '10.0.2.2' },
    ],
    [
      'the route in another table',
      { op: 'route.delete', ns: 'host', dst: '10.0.2.0/24', dev: 'eth0', table: '100' },
    ],
    ['a namespace', { op: 'ns.delete', name: 'ns1' }],
  ])('%s is not marked', (_what, op) => {
    expect(branchCut(op, f)).toBeNull()
  })

  it('a routed client: deleting the default route cuts, with or without its gateway', () => {
    const r = vm(VM_ROUTED)
    expect(cut({ op: 'route.delete', ns: 'host', dst: 'default', via: '10.0.2.2' }, r)).toMatch(
      /^Deleting the route default via 10\.0\.2\.2 cuts the app's SSH connection to the VM \(it arrives on eth0 at 10\.0\.2\.15\)/,
    )
    expect(cut({ op: 'route.delete', ns: 'host', dst: 'default', dev: 'eth0' }, r)).not.toBeNull()
    // ...but not an IPv6 default route, nor one through another gateway.
    expect(
      cut({ op: 'route.delete', ns: 'host', dst: 'default', via: 'fd17:625c:f037:2::2' }, r),
    ).toBeNull()
    expect(cut({ op: 'route.delete', ns: 'host', dst: 'default', via: '10.0.2.3' }, r)).toBeNull()
  })

  it('a more specific route that leads elsewhere diverts the connection; one that does not, does not', () => {
    const r = vm(VM_ROUTED)
    expect(cut({ op: 'route.add', ns: 'host', dst: '192.168.1.0/24', via: '10.0.2.3' }, r)).toBe(
      "Adding the route 192.168.1.0/24 via 10.0.2.3 diverts the app's SSH connection to the VM (it arrives on eth0 at 10.0.2.15): the app will lose the VM until it is rebooted (which also deletes every namespace).",
    )
    expect(
      cut({ op: 'route.add', ns: 'host', dst: '192.168.1.50/32', dev: 'veth0' }, r),
    ).not.toBeNull()
    expect(
      cut({ op: 'route.add', ns: 'host', dst: '192.168.1.0/24', via: '10.0.2.2' }, r),
    ).toBeNull()
    expect(
      cut({ op: 'route.add', ns: 'host', dst: '192.168.2.0/24', via: '10.0.2.3' }, r),
    ).toBeNull()
    expect(
      cut({ op: 'route.add', ns: 'host', dst: '192.168.1.0/24', via: '10.0.2.3', table: '100' }, r),
    ).toBeNull()
    expect(
      cut({ op: 'route.add', ns: 'ns1', dst: '192.168.1.0/24', via: '10.0.2.3' }, r),
    ).toBeNull()
  })

  it('IPv6 addresses match in any spelling', () => {
    const r = vm(VM_V6)
    expect(
      cut(
        { op: 'addr.delete', ns: 'host', ifname: 'eth0', cidr: 'fd17:625c:f037:2:0:0:0:15/64' },
        r,
      ),
    ).toMatch(/^Deleting fd17:625c:f037:2:0:0:0:15 from eth0 cuts/)
    expect(
      cut({ op: 'route.delete', ns: 'host', dst: 'fd17:625c:f037:2::/64', dev: 'eth0' }, r),
    ).not.toBeNull()
  })

  it('an SSH host (the test sshd): lo carries it, and the sentence names the host', () => {
    const r = ssh(LOOPBACK)
    expect(cut({ op: 'link.set-state', ns: 'host', ifname: 'lo', up: false }, r)).toBe(
      "Setting lo down cuts the app's SSH connection to root@127.0.0.1:37555 (it arrives on lo at 127.0.0.1): the app will lose root@127.0.0.1:37555 until someone at its console can set lo up again, or it is rebooted.",
    )
    expect(
      cut({ op: 'route.delete', ns: 'host', dst: '127.0.0.1/32', dev: 'lo', table: 'local' }, r),
    ).not.toBeNull()
    expect(cut({ op: 'link.set-state', ns: 'host', ifname: 'eth0', up: false }, r)).toBeNull()
  })

  it('an untraced connection says the default route is only the likely one', () => {
    expect(cut({ op: 'link.set-state', ns: 'host', ifname: 'eth0', up: false }, vm(UNTRACED))).toBe(
      "Setting eth0 down cuts the app's SSH connection to the VM (eth0 carries the default route, which the connection most likely uses): the app will lose the VM until it is rebooted (which also deletes every namespace).",
    )
  })

  it('this machine: its real NIC, its addresses and default routes; nothing else', () => {
    expect(cut({ op: 'link.set-state', ns: 'host', ifname: 'eth0', up: false }, local)).toBe(
      "Setting eth0 down cuts this machine's own network (eth0 carries the default route): every program here, not only the app, loses the network through it until you set eth0 up again.",
    )
    expect(
      cut({ op: 'addr.delete', ns: 'host', ifname: 'eth0', cidr: '192.0.2.2/24' }, local),
    ).not.toBeNull()
    expect(
      cut({ op: 'route.delete', ns: 'host', dst: 'default', via: 'fd00::1' }, local),
    ).not.toBeNull()
    expect(cut({ op: 'route.delete', ns: 'host', dst: 'default' }, local)).not.toBeNull()
    expect(cut({ op: 'link.delete', ns: 'host', ifname: 'ifb0' }, local)).toBeNull()
    expect(
      cut({ op: 'addr.delete', ns: 'host', ifname: 'eth0', cidr: 'fe80::fc:ff:fe00:1/64' }, local),
    ).toBeNull()
    // No connection to divert on this machine.
    expect(cut({ op: 'route.add', ns: 'host', dst: '10.9.0.0/16', dev: 'ifb0' }, local)).toBeNull()
  })

  it('an impairment as an engine operation (netem.set) is decided the same way', () => {
    const op = { op: 'netem.set', ns: 'host', ifname: 'eth0', lossPct: 100 } as unknown as NetOp
    expect(mayCut(op)).toBe(true)
    expect(branchCut(op, f)).toEqual({
      field: 'ifname',
      consequence:
        "Adding the impairment 100% loss to eth0 breaks the app's SSH connection to the VM (it arrives on eth0 at 10.0.2.15): the app will lose the VM until it is rebooted (which also deletes every namespace).",
    })
    const clear = { op: 'netem.clear', ns: 'host', ifname: 'eth0' } as unknown as NetOp
    expect(mayCut(clear)).toBe(false)
  })

  it('an impairment (netem) on the interface that carries it is marked', () => {
    const r = ssh(LOOPBACK)
    expect(netemCut({ ns: 'host', ifname: 'lo', delayMs: 200, lossPct: 5 }, r)).toBe(
      "Adding the impairment 200ms · 5% loss to lo breaks the app's SSH connection to root@127.0.0.1:37555 (it arrives on lo at 127.0.0.1): the app will lose root@127.0.0.1:37555 until someone at its console can remove the impairment from lo, or it is rebooted.",
    )
    expect(netemCut({ ns: 'host', ifname: 'lo', delayMs: 200 }, r)).toMatch(
      /^Adding the impairment 200ms to lo slows or breaks/,
    )
    expect(netemCut({ ns: 'ns1', ifname: 'lo', lossPct: 100 }, r)).toBeNull()
    expect(netemCut({ ns: 'host', ifname: 'eth0', lossPct: 100 }, r)).toBeNull()
  })
})

describe('the confirmation flag', () => {
  /**
   * A valid operation of each kind, in the root namespace; the impairment and sysctl operations
   * are typed loosely so this file builds where the engine does not have them yet.
   */
  const sample: Record<string, NetOp> = {
    'netem.set': { op: 'netem.set', ns: 'host', ifname: 'eth0', lossPct: 100 } as unknown as NetOp,
    'netem.clear': { op: 'netem.clear', ns: 'host', ifname: 'eth0' } as unknown as NetOp,
    'sysctl.set': {
      op: 'sysctl.set',
      ns: 'host',
      key: 'net.ipv4.ip_forward',
      value: '1',
    } as unknown as NetOp,
    'ns.add': { op: 'ns.add', name: 'ns1' },
    'ns.delete': { op: 'ns.delete', name: 'ns1' },
    'veth.add': { op: 'veth.add', name: 'a', peer: 'b' },
    'bridge.add': { op: 'bridge.add', ns: 'host', name: 'br0' },
    'link.delete': { op: 'link.delete', ns: 'host', ifname: 'eth0' },
    'link.set-state': { op: 'link.set-state', ns: 'host', ifname: 'eth0', up: false },
    'link.move': { op: 'link.move', ns: 'host', ifname: 'eth0', toNs: 'ns1' },
    'link.set-master': { op: 'link.set-master', ns: 'host', ifname: 'eth0', bridge: 'br0' },
    'addr.add': { op: 'addr.add', ns: 'host', ifname: 'eth0', cidr: '10.0.0.1/24' },
    'addr.delete': { op: 'addr.delete', ns: 'host', ifname: 'eth0', cidr: '10.0.0.1/24' },
    'route.add': { op: 'route.add', ns: 'host', dst: 'default', via: '10.0.0.1' },
    'route.delete': { op: 'route.delete', ns: 'host', dst: 'default', via: '10.0.0.1' },
    'forwarding.set': { op: 'forwarding.set', ns: 'host', enabled: true },
    'nat.masquerade': { op: 'nat.masquerade', ns: 'host', source: '10.0.0.0/24' },
    'nat.port-forward': {
      op: 'nat.port-forward',
      ns: 'host',
      protocol: 'tcp',
      port: 80,
      toAddr: '10.0.0.2',
      toPort: 80,
    },
  }

  it('is accepted exactly on the operations that can cut, and refused on every other', () => {
    for (const name of Object.keys(OP_TITLES) as NetOpName[]) {
      expect(sample[name], `a sample ${name} operation in this test`).toBeDefined()
      const p = validateOp({ ...sample[name]!, confirm: CUT_CONNECTION })
      if (CUTTING_OPS.includes(name)) {
        expect(p, name).toBeNull()
        expect(mayCut(sample[name]!), name).toBe(true)
      } else {
        expect(p, name).toEqual({
          field: 'confirm',
          message: `Operation ${name} has an unknown field "confirm".`,
        })
        expect(mayCut(sample[name]!), name).toBe(false)
      }
    }
  })

  it('takes only the one value', () => {
    for (const v of ['yes', true, 1, 'CUT-CONNECTION', 'cut-connection ', null])
      expect(validateOp({ ...sample['link.delete'], confirm: v })).toEqual({
        field: 'confirm',
        message:
          'confirm must be "cut-connection" (it lets this operation cut the app\'s own connection).',
      })
  })
})

// planLab on snapshots: create, change and delete entries with the exact commands they run; only
// what the lab owns is ever deleted; the execution order batches the root namespace's steps and
// then each namespace's. labToScript and labFromSnapshot over the same snapshots.

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../../../shared/errors'
import { BUILTIN_LABS } from '../../../../shared/lab/builtin/index'
import { parseIptablesNat, parseNftNat, parseSysctlOutput } from '../../../../shared/lab/live'
import { emptyOwned, parseOwned, type LabOwned } from '../../../../shared/lab/owned'
import { parseLab } from '../../../../shared/lab/parse'
import {
  labFromSnapshot,
  labFromSnapshotReport,
  labToScript,
  planLab,
} from '../../../../shared/lab/plan'
import { cleanSnapshot } from '../../../../shared/lab/script'
import type { Lab } from '../../../../shared/lab/types'
import type {
  NetAddress,
  NetLink,
  NetNamespace,
  NetRoute,
  Snapshot,
} from '../../../../shared/net/model'

const load = (text: string): Lab => {
  const r = parseLab(text)
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  return r.lab
}
const builtin = (n: number): Lab => load(BUILTIN_LABS[n - 1]!.yaml)
const fixture = (f: string): string =>
  readFileSync(new URL(`../../../fixtures/labs/${f}`, import.meta.url), 'utf8')

// --- a small snapshot builder: what readSnapshot would return for a hand-described state ---

let nextIndex = 100
function link(ifname: string, o: Partial<NetLink> = {}): NetLink {
  return {
    ifindex: nextIndex++,
    ifname,
    kind: 'veth',
    rawKind: o.kind ?? 'veth',
    flags: o.flags ?? ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    operstate: 'UP',
    mtu: 1500,
    mac: '02:00:00:00:00:01',
    master: null,
    isBridgePort: !!o.master,
    peer: null,
    linkNetnsid: null,
    linkIndex: null,
    qdisc: 'noqueue',
    ...o,
  }
}
const lo = (up = true): NetLink =>
  link('lo', { kind: 'loopback', flags: up ? ['LOOPBACK', 'UP', 'LOWER_UP'] : ['LOOPBACK'] })
const veth = (ifname: string, peerNs: string, peer: string, o: Partial<NetLink> = {}): NetLink =>
  link(ifname, { peer: { namespace: peerNs, ifname: peer, ifindex: null }, ...o })
const addr = (ifname: string, cidr: string, scope = 'global'): NetAddress => {
  const [local = '', len = ''] = cidr.split('/')
  return {
    ifname,
    family: local.includes(':') ? 'inet6' : 'inet',
    local,
    prefixlen: Number(len),
    scope,
    broadcast: null,
    flags: [],
  }
}
const route = (o: Partial<NetRoute> & { dst: string }): NetRoute => ({
  family: o.dst.includes(':') || o.gateway?.includes(':') ? 'inet6' : 'inet',
  table: 'main',
  type: 'unicast',
  gateway: null,
  dev: null,
  protocol: 'boot',
  scope: null,
  prefsrc: null,
  metric: null,
  flags: [],
  ...o,
})
function ns(
  name: string,
  links: NetLink[],
  addresses: NetAddress[] = [],
  routes: NetRoute[] = [],
): NetNamespace {
  return {
    name,
    isHost: name === 'host',
    nsid: null,
    links,
    addresses,
    routes,
    neighbours: [],
    ipForward: false,
  }
}
const snap = (...namespaces: NetNamespace[]): Snapshot => ({
  takenAt: 0,
  durationMs: 0,
  namespaces,
  vanished: [],
})

/** The VM's own root namespace: eth0 with its address and default route (never the lab's). */
const vmHost = (...extra: NetLink[]): NetNamespace =>
  ns(
    'host',
    [lo(), link('eth0', { kind: 'ether', rawKind: 'ether' }), ...extra],
    [addr('eth0', '10.0.2.15/24'), addr('eth0', 'fe80::1/64', 'link')],
    [route({ dst: 'default', gateway: '10.0.2.2', dev: 'eth0', protocol: 'dhcp' })],
  )

/** Tutorial 2 as the kernel shows it once applied. */
function tutorial2Applied(): Snapshot {
  return snap(
    vmHost(
      link('bridge1', { kind: 'bridge', rawKind: 'bridge' }),
      veth('veth-r', 'red', 'eth0-r', { master: 'bridge1', isBridgePort: true }),
      veth('veth-g', 'green', 'eth0-g', { master: 'bridge1', isBridgePort: true }),
    ),
    ns(
      'green',
      [lo(), veth('eth0-g', 'host', 'veth-g')],
      [addr('eth0-g', '10.0.0.2/24'), addr('eth0-g', 'fe80::2/64', 'link')],
      [route({ dst: '10.0.0.0/24', dev: 'eth0-g', protocol: 'kernel', scope: 'link' })],
    ),
    ns(
      'red',
      [lo(), veth('eth0-r', 'host', 'veth-r')],
      [addr('eth0-r', '10.0.0.1/24')],
      [route({ dst: '10.0.0.0/24', dev: 'eth0-r', protocol: 'kernel', scope: 'link' })],
    ),
  )
}

/** What tutorial 2 records when applied: its namespaces and every link it made. */
const tutorial2Owned = (): LabOwned =>
  parseOwned(
    [
      'ns red',
      'ns green',
      'link host bridge1',
      'link red eth0-r',
      'link host veth-r',
      'link green eth0-g',
      'link host veth-g',
    ].join('\n'),
  )

const summary = (p: ReturnType<typeof planLab>): string[] =>
  p.changes.map((c) => `${c.action} ${c.kind} ${c.name}: ${c.commands.join(' ; ')}`)

describe('planLab', () => {
  it('plans tutorial 2 on a clean target: every create with its exact commands', () => {
    const p = planLab(builtin(2), snap(vmHost()), { nat: 'iptables' })
    expect(summary(p)).toEqual([
      'create namespace red: ip netns add red ; ip -n red link set dev lo up',
      'create namespace green: ip netns add green ; ip -n green link set dev lo up',
      'create bridge host/bridge1: ip link add name bridge1 type bridge ; ip link set dev bridge1 up',
      'create link red:eth0-r — host:veth-r: ip link add veth-r type veth peer name eth0-r netns red ; ip -n red link set dev eth0-r up ; ip link set dev veth-r master bridge1 ; ip link set dev veth-r up',
      'create link green:eth0-g — host:veth-g: ip link add veth-g type veth peer name eth0-g netns green ; ip -n green link set dev eth0-g up ; ip link set dev veth-g master bridge1 ; ip link set dev veth-g up',
      'create address red:eth0-r 10.0.0.1/24: ip -n red addr add 10.0.0.1/24 dev eth0-r',
      'create address green:eth0-g 10.0.0.2/24: ip -n green addr add 10.0.0.2/24 dev eth0-g',
    ])
    expect(p.records).toEqual([])
  })

  it('orders the operations for batching: the root namespace first, then each namespace in turn', () => {
    const p = planLab(builtin(2), snap(vmHost()), { nat: 'iptables' })
    const where = p.ops.map((op) =>
      'ns' in op && op.ns !== undefined && op.op !== 'veth.add' ? op.ns : 'host',
    )
    expect(where).toEqual([
      'host',
      'host',
      'host',
      'host',
      'host',
      'host',
      'host',
      'host',
      'host',
      'red',
      'red',
      'red',
      'green',
      'green',
      'green',
    ])
    expect(new Set(p.ops)).toEqual(new Set(p.changes.flatMap((c) => c.ops)))
    expect(p.ops).toHaveLength(p.changes.flatMap((c) => c.ops).length)
  })

  it('finds nothing to do once the lab is applied (link-local addresses and kernel routes ignored)', () => {
    expect(
      planLab(builtin(2), tutorial2Applied(), { nat: 'iptables', owned: tutorial2Owned() }).changes,
    ).toEqual([])
  })

  it("changes what drifted: a port down, an address replaced, an extra address on the lab's own end", () => {
    const s = tutorial2Applied()
    const host = s.namespaces[0]!
    host.links.find((l) => l.ifname === 'veth-r')!.flags = ['BROADCAST', 'MULTICAST']
    const red = s.namespaces.find((n) => n.name === 'red')!
    red.addresses = [addr('eth0-r', '10.0.0.9/24'), addr('eth0-r', '10.0.0.10/24')]
    const p = planLab(builtin(2), s, { nat: 'iptables', owned: tutorial2Owned() })
    expect(summary(p)).toEqual([
      'delete address red:eth0-r 10.0.0.9/24: ip -n red addr del 10.0.0.9/24 dev eth0-r',
      'delete address red:eth0-r 10.0.0.10/24: ip -n red addr del 10.0.0.10/24 dev eth0-r',
      'create address red:eth0-r 10.0.0.1/24: ip -n red addr add 10.0.0.1/24 dev eth0-r',
      'change link host:veth-r up: ip link set dev veth-r up',
    ])
    // Deletes run first, one after the other; then the root namespace; then red.
    expect(p.ops.map((o) => o.op)).toEqual([
      'addr.delete',
      'addr.delete',
      'link.set-state',
      'addr.add',
    ])
  })

  it("deletes only what the lab owns: its namespace and host link that left the lab, never the user's", () => {
    const s = tutorial2Applied()
    s.namespaces.push(ns('users-own', [lo()]))
    s.namespaces[0]!.links.push(link('docker0', { kind: 'bridge', rawKind: 'bridge' }))
    const lab = builtin(2)
    lab.namespaces = { red: {} }
    lab.links = lab.links.slice(0, 1)
    const p = planLab(lab, s, { nat: 'iptables', owned: tutorial2Owned() })
    expect(summary(p)).toEqual(['delete namespace green: ip netns delete green'])
    // The root end of green's cable goes with green, a moment later: the apply waits for it.
    expect(p.vanishing).toEqual(['host/veth-g'])
    expect(p.deletes).toBe(1)
    // Without the record nothing is deleted at all: the lab never owned them.
    expect(planLab(lab, s, { nat: 'iptables' }).changes).toEqual([])
  })

  it('destroys through an empty lab: everything recorded, nothing else', () => {
    const empty: Lab = {
      name: 'tutorial-2',
      kind: 'lab',
      namespaces: {},
      bridges: [],
      links: [],
      routes: [],
      nat: [],
    }
    const p = planLab(empty, tutorial2Applied(), { nat: 'iptables', owned: tutorial2Owned() })
    expect(summary(p)).toEqual([
      'delete namespace red: ip netns delete red',
      'delete namespace green: ip netns delete green',
      'delete link host:bridge1: ip link delete dev bridge1',
    ])
    expect(p.vanishing).toEqual(['host/veth-r', 'host/veth-g'])
  })

  it('refuses to take over a root-namespace interface it did not create, naming it', () => {
    const s = snap(
      vmHost(link('bridge1', { peer: { namespace: 'x', ifname: 'y', ifindex: null } })),
    )
    let err: unknown
    try {
      planLab(builtin(2), s, { nat: 'iptables' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('INVALID_ARGUMENT')
    expect((err as AppError).message).toBe(
      'Namespace host already has an interface "bridge1" (veth to x:y) that lab tutorial-2 did not create; the lab wants a bridge there. Rename it in the lab, or delete it on the target.',
    )
  })

  it('replaces an interface of its own namespace that has the wrong shape', () => {
    const s = tutorial2Applied()
    const red = s.namespaces.find((n) => n.name === 'red')!
    // eth0-r became a bridge (by hand), and its old host end was removed with it.
    red.links[1] = link('eth0-r', { kind: 'bridge', rawKind: 'bridge' })
    const host = s.namespaces[0]!
    host.links = host.links.filter((l) => l.ifname !== 'veth-r')
    const p = planLab(builtin(2), s, { nat: 'iptables', owned: tutorial2Owned() })
    expect(summary(p)).toEqual([
      'delete link red:eth0-r (replaced): ip -n red link delete dev eth0-r',
      'create link red:eth0-r — host:veth-r: ip link add veth-r type veth peer name eth0-r netns red ; ip -n red link set dev eth0-r up ; ip link set dev veth-r master bridge1 ; ip link set dev veth-r up',
      'create address red:eth0-r 10.0.0.1/24: ip -n red addr add 10.0.0.1/24 dev eth0-r',
    ])
  })

  it('tutorial 3: routes, sysctls and NAT, with records of what outlives its namespaces', () => {
    const live = { sysctls: { host: { 'net.ipv4.ip_forward': '0' } }, nat: { host: [] } }
    const p = planLab(builtin(3), snap(vmHost()), { nat: 'iptables', live })
    const tail = summary(p).filter((l) => /route|sysctl|nat/.test(l.split(':')[0]!))
    expect(tail).toEqual([
      'create route red: default via 192.168.15.5: ip -n red route add default via 192.168.15.5',
      'create route blue: default via 192.168.15.5: ip -n blue route add default via 192.168.15.5',
      'create nat host: masquerade 192.168.15.0/24: iptables -t nat -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE -m comment --comment netns-studio',
      'create nat host: forward tcp 8080 → 192.168.15.2:80: iptables -t nat -A PREROUTING -p tcp -m addrtype --dst-type LOCAL --dport 8080 -j DNAT --to-destination 192.168.15.2:80 -m comment --comment netns-studio ; iptables -t nat -A OUTPUT -p tcp -m addrtype --dst-type LOCAL --dport 8080 -j DNAT --to-destination 192.168.15.2:80 -m comment --comment netns-studio',
      'change sysctl host: net.ipv4.ip_forward=1: sysctl -w net.ipv4.ip_forward=1',
    ])
    expect(p.records).toEqual([
      'sysctl host net.ipv4.ip_forward 0',
      'nat host masquerade 192.168.15.0/24 -',
      'nat host forward tcp 8080 192.168.15.2:80',
    ])
    const nft = planLab(builtin(3), snap(vmHost()), { nat: 'nft', live })
    expect(nft.changes.find((c) => c.kind === 'nat')!.commands).toContain(
      `nft add rule ip netns_studio postrouting ip saddr 192.168.15.0/24 masquerade comment '"netns-studio ip saddr 192.168.15.0/24 masquerade"'`,
    )
  })

  it('reads NAT back from iptables and nft as the engine writes them: nothing left to add', () => {
    const lab = load(
      [
        'name: nat',
        'nat:',
        '  - { ns: host, masquerade: { source: 192.168.15.0/24 } }',
        '  - { ns: host, masquerade: { source: 10.9.0.0/16, out: eth0 } }',
        '  - { ns: host, forward: { protocol: tcp, port: 8080, to: 192.168.15.2:80 } }',
      ].join('\n'),
    )
    const ipt = parseIptablesNat(fixture('nat-iptables-S.txt'), 'host')
    const nft = parseNftNat(fixture('nat-nft-list.txt'), 'host')
    const sorted = (xs: unknown[]): string[] => xs.map((x) => JSON.stringify(x)).sort()
    expect(sorted(ipt)).toEqual(sorted(lab.nat))
    expect(sorted(nft)).toEqual(sorted(lab.nat))
    for (const [nat, rules] of [
      ['iptables', ipt],
      ['nft', nft],
    ] as const)
      expect(planLab(lab, snap(vmHost()), { nat, live: { nat: { host: rules } } }).changes).toEqual(
        [],
      )
    // Removed from the lab, a recorded rule is deleted; one the lab never added is not.
    const owned = parseOwned('nat host masquerade 10.9.0.0/16 eth0\n')
    const fewer = { ...lab, nat: lab.nat.slice(0, 1) }
    expect(
      summary(
        planLab(fewer, snap(vmHost()), { nat: 'iptables', owned, live: { nat: { host: ipt } } }),
      ),
    ).toEqual([
      'delete nat host: masquerade 10.9.0.0/16 out eth0: iptables -t nat -D POSTROUTING -s 10.9.0.0/16 -o eth0 -j MASQUERADE -m comment --comment netns-studio',
    ])
  })

  it('sets back a sysctl the lab changed once it leaves the lab, from the recorded value', () => {
    const owned = parseOwned('sysctl host net.ipv4.ip_forward 0\n')
    const p = planLab(builtin(1), snap(vmHost()), {
      nat: 'iptables',
      owned,
      live: {
        sysctls: {
          host: parseSysctlOutput(fixture('sysctl-output.txt').replace(' = 0', ' = 1')),
        },
      },
    })
    expect(summary(p)).toContain(
      'change sysctl host: net.ipv4.ip_forward=0 (as before the lab): sysctl -w net.ipv4.ip_forward=0',
    )
  })

  it('compares IPv6 as the kernel prints it, /32 host routes, and other tables', () => {
    const lab = load(
      [
        'name: six',
        'namespaces: { a: {} }',
        'links:',
        '  - endpoints:',
        '      - { ns: a, name: e0, addresses: ["FD00:0:0::1/64", 10.1.0.1/24] }',
        '      - { name: v0 }',
        'routes:',
        '  - { ns: a, to: "fd00:9:0::/48", via: "fd00::fe", table: 7 }',
        '  - { ns: a, to: 10.7.0.9/32, via: 10.1.0.254 }',
        '  - { ns: a, to: default, via: "fd00::fe" }',
      ].join('\n'),
    )
    const s = snap(
      vmHost(veth('v0', 'a', 'e0')),
      ns(
        'a',
        [lo(), veth('e0', 'host', 'v0')],
        [addr('e0', 'fd00::1/64'), addr('e0', '10.1.0.1/24')],
        [
          route({ dst: 'fd00:9::/48', gateway: 'fd00::fe', dev: 'e0', table: '7' }),
          route({ dst: '10.7.0.9', gateway: '10.1.0.254', dev: 'e0' }),
          route({ dst: 'default', gateway: 'fd00::fe', dev: 'e0' }),
        ],
      ),
    )
    const owned = parseOwned('ns a\nlink a e0\nlink host v0\n')
    expect(planLab(lab, s, { nat: 'iptables', owned }).changes).toEqual([])
    // An IPv4 default route is another route than the IPv6 one, and the user's extra route in the
    // lab's namespace goes (the namespace is the lab's).
    s.namespaces[1]!.routes.push(route({ dst: '10.8.0.0/16', gateway: '10.1.0.254', dev: 'e0' }))
    expect(summary(planLab(lab, s, { nat: 'iptables', owned }))).toEqual([
      'delete route a: 10.8.0.0/16 via 10.1.0.254 dev e0: ip -n a route del 10.8.0.0/16 via 10.1.0.254 dev e0',
    ])
  })

  it('sets netem where it differs and leaves it where it matches', () => {
    const lab = load(
      [
        'name: slow',
        'namespaces: { a: {} }',
        'links:',
        '  - endpoints:',
        '      - { ns: a, name: e0, netem: { delayMs: 100, jitterMs: 10, lossPct: 1, rateKbit: 1000 } }',
        '      - { name: v0 }',
      ].join('\n'),
    )
    const s = snap(
      vmHost(veth('v0', 'a', 'e0')),
      ns('a', [lo(), veth('e0', 'host', 'v0', { qdisc: 'netem' })]),
    )
    const owned = parseOwned('ns a\n')
    const same = { netem: { 'a/e0': { delayMs: 100, jitterMs: 10, lossPct: 1, rateKbit: 1000 } } }
    expect(planLab(lab, s, { nat: 'iptables', owned, live: same }).changes).toEqual([])
    const other = { netem: { 'a/e0': { delayMs: 50 } } }
    expect(summary(planLab(lab, s, { nat: 'iptables', owned, live: other }))).toEqual([
      'change netem a:e0 100ms ±10ms · 1% loss · 1 Mbit/s: ip netns exec a tc qdisc replace dev e0 root netem delay 100ms 10ms loss 1% rate 1000kbit',
    ])
  })
})

describe('labToScript', () => {
  it('is the plan for a clean target as plain sh: tutorial 1', () => {
    expect(labToScript(builtin(1))).toBe(
      [
        '#!/bin/sh',
        '# Lab tutorial-1: Two namespaces joined by a veth cable',
        '# The commands netns-studio runs to build it on a clean target. Run as root (set -e: stops at the first failure).',
        'set -e',
        '',
        'ip netns add ns1',
        'ip netns add ns2',
        'ip -n ns1 link add veth0 type veth peer name veth1 netns ns2',
        'ip -n ns1 link set dev lo up',
        'ip -n ns1 link set dev veth0 up',
        'ip -n ns1 addr add 10.10.10.1/28 dev veth0',
        'ip -n ns2 link set dev lo up',
        'ip -n ns2 link set dev veth1 up',
        'ip -n ns2 addr add 10.10.10.2/28 dev veth1',
        '',
      ].join('\n'),
    )
  })
})

describe('labFromSnapshot', () => {
  it("saves the namespaces and what reaches them, not the VM's own NIC, routes or link-local addresses", () => {
    const s = tutorial2Applied()
    s.namespaces
      .find((n) => n.name === 'red')!
      .routes.push(route({ dst: 'default', gateway: '10.0.0.254', dev: 'eth0-r' }))
    const { lab, skipped } = labFromSnapshotReport(s, 'saved')
    expect(skipped).toEqual([])
    expect(lab).toEqual({
      name: 'saved',
      kind: 'lab',
      namespaces: { green: {}, red: {} },
      bridges: [{ name: 'bridge1' }],
      links: [
        {
          endpoints: [
            { ns: 'green', name: 'eth0-g', addresses: ['10.0.0.2/24'] },
            { bridge: 'bridge1', name: 'veth-g' },
          ],
        },
        {
          endpoints: [
            { ns: 'red', name: 'eth0-r', addresses: ['10.0.0.1/24'] },
            { bridge: 'bridge1', name: 'veth-r' },
          ],
        },
      ],
      routes: [{ ns: 'red', to: 'default', via: '10.0.0.254' }],
      nat: [],
    })
  })

  it('saves what re-plans to nothing on the same state', () => {
    const s = tutorial2Applied()
    const lab = labFromSnapshot(s, 'again')
    expect(
      planLab(lab, s, {
        nat: 'iptables',
        owned: parseOwned(
          'ns red\nns green\nlink host bridge1\nlink host veth-r\nlink host veth-g\n',
        ),
      }).changes,
    ).toEqual([])
  })

  it('says what it leaves out', () => {
    const s = snap(
      vmHost(),
      ns('odd', [lo(false), link('vx0', { kind: 'vxlan', rawKind: 'vxlan' })]),
    )
    const { lab, skipped } = labFromSnapshotReport(s, 'odd')
    expect(lab.namespaces).toEqual({ odd: { lo: false } })
    expect(skipped).toEqual(['odd:vx0: a vxlan link (labs hold veth pairs and bridges)'])
  })
})

describe('the record and live parsers', () => {
  it('ignores record lines that do not pass the checks (the file lives in the target)', () => {
    const o = parseOwned(
      [
        'ns red',
        'ns $(reboot)',
        'link host br0',
        'link host -n',
        'sysctl host net.ipv4.ip_forward 0',
        'sysctl host kernel.modprobe /x',
        'nat host forward tcp 80 10.0.0.2:80',
        'garbage',
      ].join('\n'),
    )
    expect(o).toEqual({
      ...emptyOwned(),
      namespaces: new Set(['red']),
      links: new Set(['host/br0']),
      sysctls: new Map([
        ['host net.ipv4.ip_forward', { ns: 'host', key: 'net.ipv4.ip_forward', value: '0' }],
      ]),
      nat: [{ ns: 'host', forward: { protocol: 'tcp', port: 80, to: '10.0.0.2:80' } }],
    })
  })

  it('reads sysctl output', () => {
    expect(parseSysctlOutput(fixture('sysctl-output.txt'))).toEqual({
      'net.ipv4.ip_forward': '0',
      'net.ipv4.conf.all.rp_filter': '0',
      'net.ipv6.conf.default.accept_dad': '1',
    })
  })

  it('plans nothing for an empty lab on a clean target', () => {
    const empty: Lab = {
      name: 'e',
      kind: 'lab',
      namespaces: {},
      bridges: [],
      links: [],
      routes: [],
      nat: [],
    }
    expect(planLab(empty, cleanSnapshot(), { nat: 'iptables' })).toEqual({
      lab: 'e',
      changes: [],
      ops: [],
      records: [],
      deletes: 0,
      vanishing: [],
    })
  })
})

// "Save the current state as a lab" on a state made by hand (the engine's operations, as a user
// clicking makes them), then re-applied on a clean target: the kernel holds the same state again
// (snapshots compared without volatile fields: indexes, MACs, nsids, neighbours, timings).

import { afterAll, describe, expect, it } from 'vitest'
import { parseLab, stringifyLab } from '../../../shared/lab/parse'
import { HOST_NS, type NetNamespace, type Snapshot } from '../../../shared/net/model'
import type { NetOp } from '../../../shared/net/ops'
import { LabService } from '../../../src-main/lab/lab-service'
import { NetnsEngine } from '../../../src-main/netns/engine'
import {
  cleanupPrefix,
  hostLinksWithPrefix,
  namespacesWithPrefix,
  runPrefix,
  sh,
} from '../../support/netns'
import { sshTargetForSuite } from '../../support/ssh-target'
import { integrationSkipReason } from '../../support/sshd'

const skip = integrationSkipReason()
if (skip) console.warn(`SKIP lab save integration: ${skip}`)

const P = runPrefix()
const [A, B, C] = [`${P}a`, `${P}b`, `${P}c`]
const BR = `${P}br`

/** The hand-made state: bridges (root and in a namespace), veths of all three kinds, IPv4 and IPv6, routes in two tables, lo down, forwarding, NAT. */
const HAND_MADE: NetOp[] = [
  { op: 'ns.add', name: A },
  { op: 'ns.add', name: B },
  { op: 'ns.add', name: C },
  { op: 'bridge.add', ns: HOST_NS, name: BR },
  { op: 'addr.add', ns: HOST_NS, ifname: BR, cidr: '10.231.0.254/24' },
  { op: 'veth.add', name: 'e0', ns: A, peer: `${P}va`, up: true },
  { op: 'link.set-master', ns: HOST_NS, ifname: `${P}va`, bridge: BR },
  { op: 'link.set-state', ns: A, ifname: 'lo', up: true },
  { op: 'addr.add', ns: A, ifname: 'e0', cidr: '10.231.0.1/24' },
  { op: 'addr.add', ns: A, ifname: 'e0', cidr: 'fd31:0:0::1/64' },
  { op: 'route.add', ns: A, dst: 'default', via: '10.231.0.254' },
  // a and b: a cable of their own, IPv6 and a route in table 100
  { op: 'veth.add', name: 'ab', ns: A, peer: 'ba', peerNs: B, up: true },
  { op: 'addr.add', ns: A, ifname: 'ab', cidr: '10.232.0.1/30' },
  { op: 'addr.add', ns: B, ifname: 'ba', cidr: '10.232.0.2/30' },
  { op: 'addr.add', ns: B, ifname: 'ba', cidr: 'fd32::2/64' },
  { op: 'route.add', ns: B, dst: '10.231.0.0/24', via: '10.232.0.1', table: '100' },
  { op: 'route.add', ns: B, dst: 'fd31::/64', via: 'fd32::1' },
  { op: 'forwarding.set', ns: A, enabled: true },
  { op: 'nat.masquerade', ns: A, source: '10.232.0.0/30', outIf: 'e0' },
  // c: a bridge inside the namespace with a port, and a cable to the root namespace (down in c)
  { op: 'bridge.add', ns: C, name: 'brc' },
  { op: 'addr.add', ns: C, ifname: 'brc', cidr: '10.233.0.1/24' },
  { op: 'veth.add', name: 'p0', ns: C, peer: 'p1', peerNs: C, up: true },
  { op: 'link.set-master', ns: C, ifname: 'p1', bridge: 'brc' },
  { op: 'veth.add', name: `${P}vc`, peer: 'c0', peerNs: C },
  { op: 'link.set-state', ns: HOST_NS, ifname: `${P}vc`, up: true },
  { op: 'addr.add', ns: HOST_NS, ifname: `${P}vc`, cidr: '10.234.0.1/24' },
  { op: 'addr.add', ns: C, ifname: 'c0', cidr: '10.234.0.2/24' },
  { op: 'route.add', ns: HOST_NS, dst: '10.233.0.0/24', via: '10.234.0.2' },
]

/** The state of this run's names, without what changes from one build to the next. */
function stable(s: Snapshot): unknown {
  const mine = (n: NetNamespace): boolean => n.name.startsWith(P)
  const hostLinks = new Set(
    s.namespaces
      .find((n) => n.isHost)!
      .links.filter((l) => l.ifname.startsWith(P))
      .map((l) => l.ifname),
  )
  const keep = (n: NetNamespace, ifname: string | null): boolean =>
    !n.isHost || (!!ifname && hostLinks.has(ifname))
  return s.namespaces
    .filter((n) => n.isHost || mine(n))
    .map((n) => ({
      name: n.name,
      ipForward: n.isHost ? undefined : n.ipForward,
      links: n.links
        .filter((l) => keep(n, l.ifname))
        .map((l) => ({
          ifname: l.ifname,
          kind: l.kind,
          up: l.flags.includes('UP'),
          master: l.master,
          peer: l.peer ? `${l.peer.namespace}:${l.peer.ifname}` : null,
        }))
        .sort((x, y) => x.ifname.localeCompare(y.ifname)),
      addresses: n.addresses
        .filter((a) => keep(n, a.ifname) && a.scope !== 'link')
        .map((a) => `${a.ifname} ${a.local}/${a.prefixlen}`)
        .sort(),
      routes: n.routes
        .filter(
          (r) =>
            keep(n, r.dev) &&
            r.table !== 'local' &&
            !(r.family === 'inet6' && /^(fe80|ff00)/.test(r.dst)),
        )
        .map(
          (r) =>
            `${r.table} ${r.dst} via ${r.gateway ?? '-'} dev ${r.dev ?? '-'} proto ${r.protocol ?? '-'}`,
        )
        .sort(),
    }))
}

const natIn = (ns: string): string[] =>
  sh(['ip', 'netns', 'exec', ns, 'iptables', '-t', 'nat', '-S'])
    .split('\n')
    .filter((l) => l.includes('netns-studio'))

describe.skipIf(!!skip)('a lab saved from a hand-made state', () => {
  const ssh = sshTargetForSuite()

  afterAll(() => {
    cleanupPrefix(P)
    sh(['sh', '-c', `rm -f /run/netns-studio/lab-${P}* /run/netns-studio/owned-${P}*`])
  })

  it('re-applies to the same state on a clean target, and destroys to nothing', async () => {
    const engine = new NetnsEngine(ssh.target, undefined, {
      ownedFile: `/run/netns-studio/owned-${P}hand`,
    })
    for (const op of HAND_MADE) await engine.apply(op)
    const before = stable(await engine.snapshot())
    const natBefore = natIn(A)
    expect(natBefore).toHaveLength(1)

    const labs = new LabService(ssh.target)
    const saved = await labs.save(`${P}saved`)
    // The file is what a user keeps: it loads again, and it holds this run's names only.
    const text = stringifyLab(saved)
    const again = parseLab(text)
    expect(again.ok, text).toBe(true)
    if (!again.ok) return
    const lab = again.lab
    const mine = Object.keys(lab.namespaces).filter((n) => n.startsWith(P))
    expect(mine.sort()).toEqual([A, B, C])
    expect(lab.bridges).toContainEqual({ name: BR, addresses: ['10.231.0.254/24'] })
    expect(lab.bridges).toContainEqual({ name: 'brc', ns: C, addresses: ['10.233.0.1/24'] })
    expect(lab.routes).toContainEqual({ ns: B, to: '10.231.0.0/24', via: '10.232.0.1', table: 100 })
    expect(lab.nat).toContainEqual({ ns: A, masquerade: { source: '10.232.0.0/30', out: 'e0' } })
    expect(lab.namespaces[A]).toEqual({ sysctls: { 'net.ipv4.ip_forward': 1 } })
    expect(lab.namespaces[B]).toEqual({ lo: false })

    // Other people's namespaces on this machine are in the snapshot too: keep this run's only.
    const only: typeof lab = {
      ...lab,
      namespaces: Object.fromEntries(
        Object.entries(lab.namespaces).filter(([n]) => n === HOST_NS || n.startsWith(P)),
      ),
      links: lab.links.filter((l) =>
        l.endpoints.every((e) => (e.ns ?? HOST_NS) === HOST_NS || e.ns!.startsWith(P)),
      ),
      bridges: lab.bridges.filter((b) =>
        (b.ns ?? HOST_NS) === HOST_NS ? b.name.startsWith(P) : b.ns!.startsWith(P),
      ),
      routes: lab.routes.filter(
        (r) => r.ns.startsWith(P) || r.dev?.startsWith(P) || r.to === '10.233.0.0/24',
      ),
      nat: lab.nat.filter((n) => n.ns.startsWith(P)),
    }
    // No root-namespace sysctl: the hand-made state never changed one.
    delete only.namespaces[HOST_NS]

    await engine.reset()
    cleanupPrefix(P)
    expect(namespacesWithPrefix(P)).toEqual([])
    expect(hostLinksWithPrefix(P)).toEqual([])

    const applied = await labs.apply(only)
    expect(applied.changes.length).toBeGreaterThan(0)
    expect(stable(await engine.snapshot())).toEqual(before)
    expect(natIn(A)).toEqual(natBefore)
    const ping = (from: string, to: string): string =>
      sh(['ip', 'netns', 'exec', from, 'ping', '-c', '1', '-W', '2', to])
    expect(ping(A, '10.231.0.254')).toMatch(/1 received/)
    expect(ping(B, '10.232.0.1')).toMatch(/1 received/)
    expect((await labs.plan(only)).changes).toEqual([])

    await labs.destroy(only.name)
    expect(namespacesWithPrefix(P)).toEqual([])
    expect(hostLinksWithPrefix(P)).toEqual([])
    expect(sh(['ip', 'route', 'show', '10.233.0.0/24'])).toBe('')
  })
})

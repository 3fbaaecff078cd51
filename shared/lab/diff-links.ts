// Lab planning for namespaces and interfaces: delete what the lab created and no longer has (or has
// in another shape), create namespaces, bridges and veth pairs, converge state, addresses, netem.

import { AppError } from '../errors'
import type { NetemSettings } from '../net/netem'
import { describeNetem } from '../net/netem'
import { HOST_NS, type NetLink, type NetNamespace } from '../net/model'
import type { NetOp } from '../net/ops'
import { checkNamespaceName } from '../net/validate'
import { canonIp } from './addr'
import type { PlanContext } from './diff-context'
import { ifaceKey } from './resolve'
import type { LabNetem } from './types'

const isUp = (l: NetLink | null): boolean => !!l && l.flags.includes('UP')

/** Global addresses of an interface, canonical (link-local and loopback left out). */
function currentAddresses(ns: NetNamespace | undefined, ifname: string): string[] {
  return (ns?.addresses ?? [])
    .filter((a) => a.ifname === ifname && a.scope !== 'link' && a.scope !== 'host')
    .map((a) => `${canonIp(a.local) ?? a.local}/${a.prefixlen}`)
}

function sameNetem(want: LabNetem, got: NetemSettings): boolean {
  const near = (a = 0, b = 0, rel = 0): boolean =>
    Math.abs(a - b) <= Math.max(0.01, Math.abs(a) * rel)
  return (
    near(want.delayMs, got.delayMs) &&
    near(want.jitterMs, got.jitterMs) &&
    near(want.lossPct, got.lossPct) &&
    near(want.rateKbit, got.rateKbit, 0.005)
  )
}

/**
 * Deletes, which run first: namespaces the lab created and no longer has, links it created and no
 * longer lists, and its interfaces that exist with another shape (a conflict when not the lab's).
 */
export function planRemovals(ctx: PlanContext): void {
  const { lab, owned, want, snapNs, wantedNs, deletedNs, doomed, vanishing, sched, change } = ctx
  const { linkIn, doom, converge, ownsLink } = ctx
  // Namespaces the lab created and no longer has: everything in them goes with them.
  for (const ns of owned.namespaces) {
    const n = snapNs.get(ns)
    if (wantedNs.has(ns) || !n) continue
    deletedNs.add(ns)
    change('delete', 'namespace', ns, [sched.first('ns', { op: 'ns.delete', name: ns })])
  }
  // veth ends outside a deleted namespace go when the kernel dismantles it, a moment later
  // (all at once: far faster than deleting each); the apply waits for them.
  for (const ns of deletedNs)
    for (const l of snapNs.get(ns)?.links ?? []) {
      const peer = l.kind === 'veth' ? l.peer : null
      const where = peer?.namespace
      if (
        where &&
        peer.ifname &&
        !deletedNs.has(where) &&
        (where === HOST_NS || checkNamespaceName(where).ok)
      )
        vanishing.push(ifaceKey(where, peer.ifname))
      doom(ns, l)
    }
  // Links the lab created elsewhere, and unlisted links in its own namespaces.
  const linkDeletes = new Map<string, { ns: string; link: NetLink }>()
  for (const key of owned.links) {
    const slash = key.indexOf('/')
    const [ns, name] = [key.slice(0, slash), key.slice(slash + 1)]
    if (!want.byKey.has(key)) {
      const l = linkIn(ns, name)
      if (l) linkDeletes.set(key, { ns, link: l })
    }
  }
  for (const ns of want.namespaces)
    if (converge(ns))
      for (const l of snapNs.get(ns)?.links ?? [])
        if (l.kind !== 'loopback' && !want.byKey.has(ifaceKey(ns, l.ifname)))
          linkDeletes.set(ifaceKey(ns, l.ifname), { ns, link: l })
  for (const [key, { ns, link }] of linkDeletes) {
    if (doomed.has(key)) continue // its veth peer's deletion takes it along
    doom(ns, link)
    change('delete', 'link', `${ns}:${link.ifname}`, [
      sched.first('link', { op: 'link.delete', ns, ifname: link.ifname }),
    ])
  }
  // Interfaces of the lab that exist with another shape: replace them, if they are the lab's.
  for (const w of want.ifaces) {
    const l = linkIn(w.ns, w.name)
    if (!l) continue
    const right =
      w.kind === 'bridge'
        ? l.kind === 'bridge'
        : l.kind === 'veth' && l.peer?.namespace === w.peer!.ns && l.peer?.ifname === w.peer!.name
    if (right) continue
    if (!ownsLink(w.ns, w.name))
      throw new AppError(
        'INVALID_ARGUMENT',
        `Namespace ${w.ns} already has an interface "${w.name}" (${l.kind}${l.peer?.ifname ? ` to ${l.peer.namespace ?? '?'}:${l.peer.ifname}` : ''}) that lab ${lab.name} did not create; the lab wants ${w.kind === 'bridge' ? 'a bridge' : `a veth to ${w.peer!.ns}:${w.peer!.name}`} there. Rename it in the lab, or delete it on the target.`,
        { data: { ns: w.ns, ifname: w.name } },
      )
    doom(w.ns, l)
    change('delete', 'link', `${w.ns}:${w.name} (replaced)`, [
      sched.first('link', { op: 'link.delete', ns: w.ns, ifname: w.name }),
    ])
  }
}

/** Namespaces to create (with their loopback), then loopback state of the others. */
export function planNamespaces(ctx: PlanContext): void {
  const { lab, want, snapNs, created, sched, change } = ctx
  for (const ns of want.namespaces) {
    const lo = lab.namespaces[ns]?.lo !== false
    if (!snapNs.has(ns)) {
      created.add(ns)
      const ops = [sched.put(HOST_NS, 'ns', { op: 'ns.add', name: ns })]
      if (lo) ops.push(sched.put(ns, 'lo', { op: 'link.set-state', ns, ifname: 'lo', up: true }))
      change('create', 'namespace', ns, ops)
    } else {
      const l = snapNs.get(ns)?.links.find((x) => x.kind === 'loopback')
      if (l && isUp(l) !== lo)
        change('change', 'link', `${ns}:lo ${lo ? 'up' : 'down'}`, [
          sched.put(ns, 'lo', { op: 'link.set-state', ns, ifname: 'lo', up: lo }),
        ])
    }
  }
}

/**
 * Bridges and veth pairs to create (with master and state), then each interface's state,
 * addresses and netem.
 */
export function planInterfaces(ctx: PlanContext): void {
  const { want, snapNs, live, fresh, sched, change, linkIn, ownsLink } = ctx
  // Bridges and veth pairs that do not exist (or were just removed), with master and state.
  for (const w of want.ifaces) {
    if (w.kind !== 'bridge' || linkIn(w.ns, w.name)) continue
    fresh.add(ifaceKey(w.ns, w.name))
    change('create', 'bridge', `${w.ns}/${w.name}`, [
      sched.put(w.ns, 'bridge', { op: 'bridge.add', ns: w.ns, name: w.name, up: w.up }),
    ])
  }
  for (const [a, b] of want.pairs) {
    if (linkIn(a.ns, a.name) && linkIn(b.ns, b.name)) continue
    fresh.add(ifaceKey(a.ns, a.name))
    fresh.add(ifaceKey(b.ns, b.name))
    const ops: NetOp[] = [
      sched.put(HOST_NS, 'veth', {
        op: 'veth.add',
        name: a.name,
        ...(a.ns !== HOST_NS ? { ns: a.ns } : {}),
        peer: b.name,
        ...(b.ns !== HOST_NS ? { peerNs: b.ns } : {}),
      }),
    ]
    for (const w of [a, b]) {
      if (w.master)
        ops.push(
          sched.put(w.ns, 'master', {
            op: 'link.set-master',
            ns: w.ns,
            ifname: w.name,
            bridge: w.master,
          }),
        )
      if (w.up)
        ops.push(
          sched.put(w.ns, 'state', { op: 'link.set-state', ns: w.ns, ifname: w.name, up: true }),
        )
    }
    change('create', 'link', `${a.ns}:${a.name} — ${b.ns}:${b.name}`, ops)
  }

  // Each interface: bridge, state, addresses, netem.
  for (const w of want.ifaces) {
    const key = ifaceKey(w.ns, w.name)
    const isFresh = fresh.has(key)
    const l = isFresh ? null : linkIn(w.ns, w.name)
    const label = `${w.ns}:${w.name}`
    if (!isFresh && l) {
      const ops: NetOp[] = []
      if (w.kind === 'veth' && (l.master ?? null) !== w.master)
        ops.push(
          sched.put(w.ns, 'master', {
            op: 'link.set-master',
            ns: w.ns,
            ifname: w.name,
            bridge: w.master,
          }),
        )
      if (isUp(l) !== w.up)
        ops.push(
          sched.put(w.ns, 'state', { op: 'link.set-state', ns: w.ns, ifname: w.name, up: w.up }),
        )
      change(
        'change',
        w.kind === 'bridge' ? 'bridge' : 'link',
        `${label}${ops.some((o) => o.op === 'link.set-state') ? (w.up ? ' up' : ' down') : ''}`,
        ops,
      )
    }
    const have = isFresh ? [] : currentAddresses(snapNs.get(w.ns), w.name)
    for (const a of w.addresses)
      if (!have.includes(a))
        change('create', 'address', `${label} ${a}`, [
          sched.put(w.ns, 'addr', { op: 'addr.add', ns: w.ns, ifname: w.name, cidr: a }),
        ])
    if (ownsLink(w.ns, w.name))
      for (const a of have)
        if (!w.addresses.includes(a))
          change('delete', 'address', `${label} ${a}`, [
            sched.first('addr', { op: 'addr.delete', ns: w.ns, ifname: w.name, cidr: a }),
          ])
    const qdiscNetem = !isFresh && l?.qdisc === 'netem'
    const got = qdiscNetem ? live.netem?.[key] : null
    if (w.netem && (!got || !sameNetem(w.netem, got)))
      change(qdiscNetem ? 'change' : 'create', 'netem', `${label} ${describeNetem(w.netem)}`, [
        sched.put(w.ns, 'netem', { op: 'netem.set', ns: w.ns, ifname: w.name, ...w.netem }),
      ])
    if (!w.netem && qdiscNetem && ownsLink(w.ns, w.name))
      change('delete', 'netem', label, [
        sched.first('netem', { op: 'netem.clear', ns: w.ns, ifname: w.name }),
      ])
  }
}

// The difference between a lab and a live snapshot as create/change/delete entries, each with the
// engine's own operations and the exact commands they run, plus one execution order that lets the
// engine batch: deletes, then every root-namespace step, then each namespace's own.

import { AppError } from '../errors'
import type { NetemSettings } from '../net/netem'
import { describeNetem } from '../net/netem'
import { HOST_NS, type NetLink, type NetNamespace, type Snapshot } from '../net/model'
import { opCommands, type NatBackend, type NetOp } from '../net/ops'
import { toShellLine } from '../net/shell'
import { checkNamespaceName, ipFamily } from '../net/validate'
import { canonCidr, canonIp } from './addr'
import { sameNat, type LabLive } from './live'
import { emptyOwned, natRecord, routeRecord, sysctlRecord, type LabOwned } from './owned'
import { ifaceKey, resolveLab } from './resolve'
import type { Lab, LabNat, LabNetem, LabRoute } from './types'

export type PlanAction = 'create' | 'change' | 'delete'
export type PlanKind =
  'namespace' | 'bridge' | 'link' | 'address' | 'route' | 'sysctl' | 'nat' | 'netem'

/** One entry of a plan: what changes, the operations that change it and their exact commands. */
export interface PlanChange {
  action: PlanAction
  kind: PlanKind
  /** What it is about, e.g. "red", "host/bridge1", "red:eth0 — host:veth-r", "red: default via 10.0.0.254". */
  name: string
  ops: NetOp[]
  /** The shell lines of `ops`, as the engine runs them (with the plan's NAT backend). */
  commands: string[]
}

export interface LabPlan {
  lab: string
  changes: PlanChange[]
  /** Every change's operations in the order to run them (the same objects as in `changes`). */
  ops: NetOp[]
  /** Lines to append to the lab's record on the target before applying (what outlives its namespaces). */
  records: string[]
  /** How many of `ops`, from the first, remove things (run, and waited for, before the rest). */
  deletes: number
  /** "NS/IFNAME" of veth ends that vanish with a deleted namespace (asynchronously, in the kernel). */
  vanishing: string[]
}

export interface PlanOptions {
  nat: NatBackend
  /** The lab's record on the target: what it created (deletes are only ever of these). */
  owned?: LabOwned
  /** sysctls, NAT rules and netem read from the target (the snapshot does not hold them). */
  live?: LabLive
}

const PRE = ['nat', 'route', 'addr', 'netem', 'master', 'link', 'ns', 'sysctl'] as const
const HOST = [
  'ns',
  'bridge',
  'veth',
  'master',
  'state',
  'addr',
  'route',
  'sysctl',
  'nat',
  'netem',
] as const
const LANE = ['lo', 'bridge', 'master', 'state', 'addr', 'route', 'sysctl', 'netem', 'nat'] as const
type Slot = (typeof HOST)[number] | (typeof LANE)[number]

/**
 * The execution order: deletes first (one after the other), then every step in the root
 * namespace (one `ip -batch`), then each namespace's own steps (one batch per namespace, which
 * the engine may run side by side: they touch nothing outside their namespace).
 */
class Schedule {
  private readonly pre = new Map<string, NetOp[]>()
  private readonly host = new Map<string, NetOp[]>()
  private readonly lanes = new Map<string, Map<string, NetOp[]>>()

  constructor(nsOrder: string[]) {
    for (const ns of nsOrder) this.lanes.set(ns, new Map())
  }

  first(slot: (typeof PRE)[number], op: NetOp): NetOp {
    this.pre.set(slot, [...(this.pre.get(slot) ?? []), op])
    return op
  }

  put(ns: string, slot: Slot, op: NetOp): NetOp {
    const m = ns === HOST_NS ? this.host : (this.lanes.get(ns) ?? new Map<string, NetOp[]>())
    if (ns !== HOST_NS) this.lanes.set(ns, m)
    m.set(slot, [...(m.get(slot) ?? []), op])
    return op
  }

  /** How many operations run before the first that is not a delete. */
  deletes(): number {
    return [...this.pre.values()].reduce((n, ops) => n + ops.length, 0)
  }

  ops(): NetOp[] {
    const pick = (m: Map<string, NetOp[]>, order: readonly string[]): NetOp[] =>
      order.flatMap((s) => m.get(s) ?? [])
    return [
      ...pick(this.pre, PRE),
      ...pick(this.host, HOST),
      ...[...this.lanes.values()].flatMap((m) => pick(m, LANE)),
    ]
  }
}

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

const tableOf = (r: LabRoute): string => String(r.table ?? 'main')
const routeFamily = (r: LabRoute): string | null =>
  r.to === 'default' ? (r.via ? ipFamily(r.via) : 'inet') : ipFamily(r.to)

/** Does kernel route `k` (of namespace ns) stand for lab route `r`? */
function routeMatches(r: LabRoute, k: NetNamespace['routes'][number]): boolean {
  if (k.type !== 'unicast' || k.table !== tableOf(r) || k.family !== routeFamily(r)) return false
  const dst = k.dst === 'default' ? 'default' : canonCidr(k.dst)
  if (dst !== (r.to === 'default' ? 'default' : canonCidr(r.to))) return false
  if (r.via !== undefined && k.gateway !== canonIp(r.via)) return false
  if (r.dev !== undefined && k.dev !== r.dev) return false
  return true
}

function routeName(r: LabRoute): string {
  return `${r.ns}: ${r.to}${r.via ? ` via ${r.via}` : ''}${r.dev ? ` dev ${r.dev}` : ''}${r.table !== undefined && tableOf(r) !== 'main' ? ` table ${tableOf(r)}` : ''}`
}

function routeOp(op: 'route.add' | 'route.delete', r: LabRoute): NetOp {
  return {
    op,
    ns: r.ns,
    dst: r.to,
    ...(r.via !== undefined ? { via: r.via } : {}),
    ...(r.dev !== undefined ? { dev: r.dev } : {}),
    ...(r.table !== undefined && tableOf(r) !== 'main' ? { table: tableOf(r) } : {}),
  }
}

function natOp(n: LabNat, remove: boolean): NetOp {
  if (n.masquerade)
    return {
      op: 'nat.masquerade',
      ns: n.ns,
      source: n.masquerade.source,
      ...(n.masquerade.out ? { outIf: n.masquerade.out } : {}),
      ...(remove ? { remove: true } : {}),
    }
  const f = n.forward!
  const [toAddr = '', toPort = ''] = f.to.split(':')
  return {
    op: 'nat.port-forward',
    ns: n.ns,
    protocol: f.protocol,
    port: f.port,
    toAddr,
    toPort: Number(toPort),
    ...(remove ? { remove: true } : {}),
  }
}

function natName(n: LabNat): string {
  return n.masquerade
    ? `${n.ns}: masquerade ${n.masquerade.source}${n.masquerade.out ? ` out ${n.masquerade.out}` : ''}`
    : `${n.ns}: forward ${n.forward!.protocol} ${n.forward!.port} → ${n.forward!.to}`
}

/**
 * The plan that takes the target from `snapshot` to `lab`. Only what the lab owns (its record in
 * `opts.owned`, and everything inside namespaces it created) is ever deleted or replaced; a
 * root-namespace interface in the way that the lab did not create is a conflict (INVALID_ARGUMENT).
 */
export function planLab(lab: Lab, snapshot: Snapshot, opts: PlanOptions): LabPlan {
  const owned = opts.owned ?? emptyOwned()
  const live = opts.live ?? {}
  const want = resolveLab(lab)
  const snapNs = new Map(snapshot.namespaces.map((n) => [n.name, n]))
  const changes: PlanChange[] = []
  const records: string[] = []
  const sched = new Schedule(want.namespaces)
  const change = (action: PlanAction, kind: PlanKind, name: string, ops: NetOp[]): void => {
    if (ops.length) changes.push({ action, kind, name, ops, commands: [] })
  }
  const wantedNs = new Set(want.namespaces)
  const deletedNs = new Set<string>()
  const doomed = new Set<string>()
  const linkIn = (ns: string, name: string): NetLink | null => {
    if (deletedNs.has(ns) || doomed.has(ifaceKey(ns, name))) return null
    return snapNs.get(ns)?.links.find((l) => l.ifname === name) ?? null
  }
  const doom = (ns: string, l: NetLink): void => {
    doomed.add(ifaceKey(ns, l.ifname))
    if (l.kind === 'veth' && l.peer?.namespace && l.peer.ifname)
      doomed.add(ifaceKey(l.peer.namespace, l.peer.ifname))
  }
  // A namespace is the lab's to converge when the lab created it (or is about to).
  const converge = (ns: string): boolean =>
    ns !== HOST_NS && wantedNs.has(ns) && (owned.namespaces.has(ns) || !snapNs.has(ns))
  const ownsLink = (ns: string, name: string): boolean =>
    converge(ns) || owned.links.has(ifaceKey(ns, name))

  // 1. Namespaces the lab created and no longer has: everything in them goes with them.
  for (const ns of owned.namespaces) {
    const n = snapNs.get(ns)
    if (wantedNs.has(ns) || !n) continue
    deletedNs.add(ns)
    change('delete', 'namespace', ns, [sched.first('ns', { op: 'ns.delete', name: ns })])
  }
  // veth ends outside a deleted namespace go when the kernel dismantles it, a moment later
  // (all at once: far faster than deleting each); the apply waits for them.
  const vanishing: string[] = []
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
  // 2. Links the lab created elsewhere, and unlisted links in its own namespaces.
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
  // 3. Interfaces of the lab that exist with another shape: replace them, if they are the lab's.
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

  // 4. Namespaces to create (with their loopback), then loopback state of the others.
  const created = new Set<string>()
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

  // 5. Bridges and veth pairs that do not exist (or were just removed), with master and state.
  const fresh = new Set<string>()
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

  // 6. Each interface: bridge, state, addresses, netem.
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

  // 7. Routes: add what is missing; remove the lab's own that it no longer lists.
  const routesIn = (ns: string): NetNamespace['routes'] =>
    created.has(ns) || deletedNs.has(ns)
      ? []
      : (snapNs.get(ns)?.routes ?? []).filter((k) => !k.dev || !doomed.has(ifaceKey(ns, k.dev)))
  for (const r of lab.routes) {
    if (routesIn(r.ns).some((k) => routeMatches(r, k))) continue
    if (r.ns === HOST_NS || !converge(r.ns)) records.push(routeRecord(r))
    change('create', 'route', routeName(r), [sched.put(r.ns, 'route', routeOp('route.add', r))])
  }
  for (const ns of want.namespaces) {
    if (!converge(ns)) continue
    for (const k of routesIn(ns)) {
      if (
        k.type !== 'unicast' ||
        k.table === 'local' ||
        !['boot', 'static'].includes(k.protocol ?? '')
      )
        continue
      if (lab.routes.some((r) => r.ns === ns && routeMatches(r, k))) continue
      if (!/^(main|default|local|\d+)$/.test(k.table)) continue
      const r: LabRoute = {
        ns,
        to: k.dst === 'default' ? 'default' : canonCidr(k.dst),
        ...(k.gateway ? { via: k.gateway } : {}),
        ...(k.dev ? { dev: k.dev } : {}),
        ...(k.table !== 'main' ? { table: k.table } : {}),
      }
      change('delete', 'route', routeName(r), [sched.first('route', routeOp('route.delete', r))])
    }
  }
  for (const r of owned.routes) {
    if (
      deletedNs.has(r.ns) ||
      converge(r.ns) ||
      lab.routes.some((x) => x.ns === r.ns && routeMatches(x, toKernelRoute(r)))
    )
      continue
    if (!routesIn(r.ns).some((k) => routeMatches(r, k))) continue
    change('delete', 'route', routeName(r), [sched.first('route', routeOp('route.delete', r))])
  }

  // 8. sysctls: set what differs, keeping the first value seen outside the lab's own namespaces.
  for (const [ns, d] of Object.entries(lab.namespaces)) {
    for (const [key, v] of Object.entries(d.sysctls ?? {})) {
      const value = String(v)
      const now = created.has(ns) ? undefined : live.sysctls?.[ns]?.[key]
      if (now === value) continue
      if (!converge(ns) && now !== undefined && !owned.sysctls.has(`${ns} ${key}`))
        records.push(sysctlRecord(ns, key, now))
      change(now === undefined ? 'create' : 'change', 'sysctl', `${ns}: ${key}=${value}`, [
        sched.put(ns, 'sysctl', { op: 'sysctl.set', ns, key, value }),
      ])
    }
  }
  for (const s of owned.sysctls.values()) {
    if (
      deletedNs.has(s.ns) ||
      !snapNs.has(s.ns) ||
      lab.namespaces[s.ns]?.sysctls?.[s.key] !== undefined
    )
      continue
    if (live.sysctls?.[s.ns]?.[s.key] === s.value) continue
    change('change', 'sysctl', `${s.ns}: ${s.key}=${s.value} (as before the lab)`, [
      sched.first('sysctl', { op: 'sysctl.set', ns: s.ns, key: s.key, value: s.value }),
    ])
  }

  // 9. NAT: add what is missing; remove what the lab added and no longer lists.
  for (const n of lab.nat) {
    const have = created.has(n.ns) ? [] : (live.nat?.[n.ns] ?? [])
    if (have.some((x) => sameNat(x, n))) continue
    records.push(natRecord(n))
    change('create', 'nat', natName(n), [sched.put(n.ns, 'nat', natOp(n, false))])
  }
  for (const n of owned.nat) {
    if (deletedNs.has(n.ns) || lab.nat.some((x) => sameNat(x, n))) continue
    if (!(live.nat?.[n.ns] ?? []).some((x) => sameNat(x, n))) continue
    change('delete', 'nat', natName(n), [sched.first('nat', natOp(n, true))])
  }

  const order = sched.ops()
  for (const c of changes)
    c.commands = c.ops.flatMap((op) => opCommands(op, opts.nat).map((s) => toShellLine(s.argv)))
  const rank = { delete: 0, create: 1, change: 2 }
  const kinds: PlanKind[] = [
    'namespace',
    'bridge',
    'link',
    'address',
    'route',
    'sysctl',
    'nat',
    'netem',
  ]
  changes.sort(
    (a, b) => rank[a.action] - rank[b.action] || kinds.indexOf(a.kind) - kinds.indexOf(b.kind),
  )
  return {
    lab: lab.name,
    changes,
    ops: order,
    records: [...new Set(records)],
    deletes: sched.deletes(),
    vanishing,
  }
}

/** A recorded route as the kernel would show it, to compare with the lab's routes. */
function toKernelRoute(r: LabRoute): NetNamespace['routes'][number] {
  return {
    family: (routeFamily(r) ?? 'inet') as 'inet' | 'inet6',
    table: tableOf(r),
    type: 'unicast',
    dst: r.to === 'default' ? 'default' : canonCidr(r.to),
    gateway: r.via ? canonIp(r.via) : null,
    dev: r.dev ?? null,
    protocol: 'boot',
    scope: null,
    prefsrc: null,
    metric: null,
    flags: [],
  }
}

// Lab planning for per-namespace settings: routes, sysctls and NAT rules. Each adds what is missing
// and removes (or restores) only what the lab itself set and no longer lists.

import { HOST_NS, type NetNamespace } from '../net/model'
import type { NetOp } from '../net/ops'
import { ipFamily } from '../net/validate'
import { canonCidr, canonIp } from './addr'
import type { PlanContext } from './diff-context'
import { sameNat } from './live'
import { natRecord, routeRecord, sysctlRecord } from './owned'
import { ifaceKey } from './resolve'
import type { LabNat, LabRoute } from './types'

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

/** Routes: add what is missing; remove the lab's own that it no longer lists. */
export function planRoutes(ctx: PlanContext): void {
  const { lab, owned, want, snapNs, deletedNs, doomed, created, records, sched, change } = ctx
  const { converge } = ctx
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
}

/** sysctls: set what differs, keeping the first value seen outside the lab's own namespaces. */
export function planSysctls(ctx: PlanContext): void {
  const { lab, owned, live, snapNs, deletedNs, created, records, sched, change, converge } = ctx
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
}

/** NAT: add what is missing; remove what the lab added and no longer lists. */
export function planNat(ctx: PlanContext): void {
  const { lab, owned, live, deletedNs, created, records, sched, change } = ctx
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
}

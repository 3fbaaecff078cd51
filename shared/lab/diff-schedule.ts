// The order of a lab plan: an execution order that lets the engine batch (deletes, then every
// root-namespace step, then each namespace's own), and the reading order of its entries.

import { HOST_NS } from '../net/model'
import type { NetOp } from '../net/ops'
import type { PlanChange, PlanKind } from './diff-types'

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

/** A place in a batch: which kind of step, so steps run kind by kind. */
export type Slot = (typeof HOST)[number] | (typeof LANE)[number]

/**
 * The execution order: deletes first (one after the other), then every step in the root
 * namespace (one `ip -batch`), then each namespace's own steps (one batch per namespace, which
 * the engine may run side by side: they touch nothing outside their namespace).
 */
export class Schedule {
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

/** Sort a plan's entries for reading, in place: deletes, creates, then changes; by kind within. */
export function sortChanges(changes: PlanChange[]): void {
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
}

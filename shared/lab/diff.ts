// The difference between a lab and a live snapshot as create/change/delete entries, each with the
// engine's own operations and the exact commands they run, plus one execution order that lets the
// engine batch (diff-schedule). The steps: diff-links (namespaces, interfaces), diff-settings.

import type { Snapshot } from '../net/model'
import { opCommands } from '../net/ops'
import { toShellLine } from '../net/shell'
import { planContext } from './diff-context'
import { planInterfaces, planNamespaces, planRemovals } from './diff-links'
import { sortChanges } from './diff-schedule'
import { planNat, planRoutes, planSysctls } from './diff-settings'
import type { LabPlan, PlanOptions } from './diff-types'
import type { Lab } from './types'

export type { LabPlan, PlanAction, PlanChange, PlanKind, PlanOptions } from './diff-types'

/**
 * The plan that takes the target from `snapshot` to `lab`. Only what the lab owns (its record in
 * `opts.owned`, and everything inside namespaces it created) is ever deleted or replaced; a
 * root-namespace interface in the way that the lab did not create is a conflict (INVALID_ARGUMENT).
 */
export function planLab(lab: Lab, snapshot: Snapshot, opts: PlanOptions): LabPlan {
  const ctx = planContext(lab, snapshot, opts)
  planRemovals(ctx)
  planNamespaces(ctx)
  planInterfaces(ctx)
  planRoutes(ctx)
  planSysctls(ctx)
  planNat(ctx)
  const { changes, records, sched, vanishing } = ctx

  const order = sched.ops()
  for (const c of changes)
    c.commands = c.ops.flatMap((op) => opCommands(op, opts.nat).map((s) => toShellLine(s.argv)))
  sortChanges(changes)
  return {
    lab: lab.name,
    changes,
    ops: order,
    records: [...new Set(records)],
    deletes: sched.deletes(),
    vanishing,
  }
}

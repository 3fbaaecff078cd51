// What every step of lab planning shares: the lab and snapshot, the entries and records so far, the
// schedule, and which namespaces and links the plan deletes, dooms, creates or owns.

import type { NetLink, NetNamespace, Snapshot } from '../net/model'
import { HOST_NS } from '../net/model'
import type { NetOp } from '../net/ops'
import type { PlanAction, PlanChange, PlanKind, PlanOptions } from './diff-types'
import { Schedule } from './diff-schedule'
import type { LabLive } from './live'
import { emptyOwned, type LabOwned } from './owned'
import { ifaceKey, resolveLab, type ResolvedLab } from './resolve'
import type { Lab } from './types'

/** The state of one planning run, filled in step by step (namespaces, links, settings). */
export interface PlanContext {
  lab: Lab
  owned: LabOwned
  live: LabLive
  want: ResolvedLab
  snapNs: Map<string, NetNamespace>
  changes: PlanChange[]
  /** Lines to append to the lab's record on the target. */
  records: string[]
  sched: Schedule
  wantedNs: Set<string>
  /** Namespaces the plan deletes. */
  deletedNs: Set<string>
  /** "NS/IFNAME" of links the plan deletes (or that go with something it deletes). */
  doomed: Set<string>
  /** Namespaces the plan creates. */
  created: Set<string>
  /** "NS/IFNAME" of links the plan creates. */
  fresh: Set<string>
  /** veth ends outside a deleted namespace that vanish with it. */
  vanishing: string[]
  /** Add an entry (when it has operations). */
  change: (action: PlanAction, kind: PlanKind, name: string, ops: NetOp[]) => void
  /** A link as the snapshot has it, unless the plan deletes it first. */
  linkIn: (ns: string, name: string) => NetLink | null
  /** Mark a link (and its veth peer) as deleted by the plan. */
  doom: (ns: string, l: NetLink) => void
  /** A namespace is the lab's to converge when the lab created it (or is about to). */
  converge: (ns: string) => boolean
  /** The lab may delete or replace this link. */
  ownsLink: (ns: string, name: string) => boolean
}

/** A fresh planning state for taking the target from `snapshot` to `lab`. */
export function planContext(lab: Lab, snapshot: Snapshot, opts: PlanOptions): PlanContext {
  const owned = opts.owned ?? emptyOwned()
  const live = opts.live ?? {}
  const want = resolveLab(lab)
  const snapNs = new Map(snapshot.namespaces.map((n) => [n.name, n]))
  const changes: PlanChange[] = []
  const records: string[] = []
  const sched = new Schedule(want.namespaces)
  const change: PlanContext['change'] = (action, kind, name, ops) => {
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
  const converge = (ns: string): boolean =>
    ns !== HOST_NS && wantedNs.has(ns) && (owned.namespaces.has(ns) || !snapNs.has(ns))
  const ownsLink = (ns: string, name: string): boolean =>
    converge(ns) || owned.links.has(ifaceKey(ns, name))
  return {
    lab,
    owned,
    live,
    want,
    snapNs,
    changes,
    records,
    sched,
    wantedNs,
    deletedNs,
    doomed,
    created: new Set<string>(),
    fresh: new Set<string>(),
    vanishing: [],
    change,
    linkIn,
    doom,
    converge,
    ownsLink,
  }
}

// The shapes of a lab plan: its create/change/delete entries (each with the engine's operations and
// their exact commands), the whole plan, and the options planning takes.

import type { NatBackend, NetOp } from '../net/ops'
import type { LabLive } from './live'
import type { LabOwned } from './owned'

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

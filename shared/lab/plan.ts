// Plans of labs against targets: planLab (lab vs snapshot), labToScript (a lab as a plain sh
// script for a clean target) and labFromSnapshot (the current state saved as a lab).

export {
  planLab,
  type LabPlan,
  type PlanAction,
  type PlanChange,
  type PlanKind,
  type PlanOptions,
} from './diff'
export { labFromSnapshot, labFromSnapshotReport } from './from-snapshot'
export { labToScript } from './script'

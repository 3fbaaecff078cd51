// What the lab commands share: a LabService on the opened target, its progress on stderr, and
// --cut-connection for the operations that could cut the connection the CLI itself runs over.

import { CUT_CONNECTION, mayCut } from '../../shared/net/branch'
import type { NetOp } from '../../shared/net/ops'
import { LabService, type LabProgress } from '../lab/lab-service'
import type { Target } from '../target/target'
import type { Progress } from './io'

/** A LabService on `target`. */
export function labService(target: Target): LabService {
  return new LabService(target)
}

/** Print each progress message of an apply or destroy once (the counts change, the words repeat). */
export function labProgress(progress: Progress): (p: LabProgress) => void {
  let last = ''
  return (p) => {
    const line =
      p.phase === 'applying' && p.total ? `${p.message} ${p.done ?? 0}/${p.total}` : p.message
    if (line !== last) progress(line)
    last = line
  }
}

/**
 * Mark the operations of lab `name` that could cut the connection as confirmed
 * (`confirm: 'cut-connection'`) before the engine checks them: what --cut-connection means. The
 * engine still refuses them without it (CONFIRM_REQUIRED, exit 3). Wraps the lab's engine from
 * LabService.engineFor, until LabService takes a confirmation itself.
 */
export function confirmCuts(service: LabService, name: string): void {
  const engine = service.engineFor(name)
  const apply = engine.apply.bind(engine)
  const confirm = (op: NetOp): NetOp =>
    mayCut(op) ? ({ ...op, confirm: CUT_CONNECTION } as NetOp) : op
  engine.apply = (ops, opts) => apply(Array.isArray(ops) ? ops.map(confirm) : confirm(ops), opts)
}

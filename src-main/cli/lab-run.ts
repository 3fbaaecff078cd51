// What the lab commands share: a LabService on the opened target, its progress on stderr, and
// --cut-connection for the operations that could cut the connection the CLI itself runs over.

import { CUT_CONNECTION } from '../../shared/net/branch'
import { LabService, type LabProgress, type LabRunOptions } from '../lab/lab-service'
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

/** `--cut-connection` as LabService's run option: the lab's operations that may cut are confirmed. */
export function cutOption(flags: { cutConnection?: boolean }): LabRunOptions {
  return flags.cutConnection ? { confirm: CUT_CONNECTION } : {}
}

// Follows one vagrant operation's output: step progress from machine-readable lines, the text a
// user would have seen (bounded), Vagrant's error-exit, and the failure details at the end.

import type { VmFailure } from '../../shared/vm/failure'
import { failureHint, FAILURE_TAIL_LINES, tailLines } from '../../shared/vm/failure'
import { displayText, parseMachineLine } from '../../shared/vm/machine-readable'
import type { VmOperation, VmProgress } from '../../shared/vm/progress'
import { ProgressTracker } from '../../shared/vm/progress'

const KEEP = 400

export class OpOutput {
  readonly tracker: ProgressTracker
  private readonly shown: string[] = []
  private errorExit: { type: string; message: string } | null = null
  /** The step running when the user cancelled (vagrant's cleanup steps come after it). */
  private cancelledAt: VmProgress['step'] | null = null

  constructor(
    readonly op: VmOperation,
    readonly startedAt: number,
  ) {
    this.tracker = new ProgressTracker(op, startedAt)
  }

  /** Take one output line; returns a progress update when the step or percent changed. */
  line(raw: string, now: number): VmProgress | null {
    const m = parseMachineLine(raw)
    if (!m) {
      if (raw.trim()) this.keep(raw)
      return null
    }
    if (m.type === 'error-exit')
      this.errorExit = { type: m.data[0] ?? '', message: (m.data[1] ?? '').trim() }
    else {
      const text = displayText(m)
      if (text !== null) this.keep(text)
    }
    return this.tracker.feed(m, now)
  }

  /** Remember the step the user cancelled in. */
  markCancelled(now: number): void {
    this.cancelledAt ??= this.tracker.current(now).step
  }

  /** The last lines as shown (at most `n`). */
  tail(n = FAILURE_TAIL_LINES): string[] {
    return tailLines(this.shown, n)
  }

  /** Failure details for an exit that was not a success. */
  failure(
    end: { code: number | null; signal: string | null; cancelled: boolean },
    now: number,
  ): VmFailure {
    const tail = this.tail()
    const errorMessage = end.cancelled
      ? this.errorExit?.message || 'Cancelled.'
      : this.errorExit?.message || lastErrorLike(tail)
    return {
      op: this.op,
      step: (end.cancelled ? this.cancelledAt : null) ?? this.tracker.current(now).step,
      exitCode: end.code,
      signal: end.signal,
      cancelled: end.cancelled,
      errorType: this.errorExit?.type || null,
      errorMessage,
      tail,
      hint: end.cancelled ? null : failureHint(this.errorExit?.type ?? null, errorMessage, tail),
      at: now,
      durationMs: Math.max(0, now - this.startedAt),
    }
  }

  private keep(text: string): void {
    for (const l of text.split('\n')) this.shown.push(l)
    if (this.shown.length > KEEP) this.shown.splice(0, this.shown.length - KEEP)
  }
}

function lastErrorLike(tail: string[]): string | null {
  for (let i = tail.length - 1; i >= 0; i--)
    if (/error|failed|cannot|could not/i.test(tail[i] ?? '')) return tail[i] ?? null
  return null
}

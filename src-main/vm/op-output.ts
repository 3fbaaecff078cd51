// Follows one vagrant operation's output: step progress from machine-readable lines, the text a
// user would have seen (bounded), Vagrant's error-exit, and the failure details at the end.

import type { VmFailure } from '../../shared/vm/failure'
import {
  failureHint,
  FAILURE_TAIL_LINES,
  isStackFrame,
  parseRubyCrash,
  tailLines,
} from '../../shared/vm/failure'
import { displayText, parseMachineLine } from '../../shared/vm/machine-readable'
import type { VmOperation, VmProgress } from '../../shared/vm/progress'
import { ProgressTracker } from '../../shared/vm/progress'

const KEEP = 400
const BOOTS: ReadonlySet<VmOperation> = new Set(['up', 'resume'])
const CLEANUP: ReadonlySet<VmProgress['step']> = new Set(['stopping', 'destroying'])

export class OpOutput {
  readonly tracker: ProgressTracker
  private readonly shown: string[] = []
  /** Vagrant's `error-exit`, or the first uncaught Ruby exception when vagrant crashed. */
  private errorExit: { type: string; message: string } | null = null
  private crash: { type: string; message: string } | null = null
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
      const crash = parseRubyCrash(raw)
      this.crash ??= crash
      if (raw.trim() && !isStackFrame(raw)) this.keep(raw)
      // Plain output (e.g. "    box: Progress: 45% (...)") still tells steps and percent.
      return crash || isStackFrame(raw) ? null : this.tracker.feedPlain(raw, now)
    }
    if (m.type === 'error-exit')
      this.errorExit = { type: m.data[0] ?? '', message: (m.data[1] ?? '').trim() }
    else {
      const text = displayText(m)
      if (text !== null) this.keep(text)
    }
    return this.tracker.feed(m, now)
  }

  /** Vagrant's error class so far (error-exit or crash), e.g. to accept BoxAlreadyExists. */
  errorType(): string | null {
    return (this.errorExit ?? this.crash)?.type ?? null
  }

  /** Forget the error of a step that turned out fine (the next command's error counts). */
  clearError(): void {
    this.errorExit = null
    this.crash = null
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
    const error = this.errorExit ?? this.crash
    const errorMessage = end.cancelled
      ? error?.message || 'Cancelled.'
      : error?.message || lastErrorLike(tail)
    return {
      op: this.op,
      step: (end.cancelled ? this.cancelledAt : null) ?? this.failedStep(now),
      exitCode: end.code,
      signal: end.signal,
      cancelled: end.cancelled,
      errorType: error?.type || null,
      errorMessage,
      tail,
      hint: end.cancelled ? null : failureHint(error?.type ?? null, errorMessage, tail),
      at: now,
      durationMs: Math.max(0, now - this.startedAt),
    }
  }

  /**
   * The step that failed. A failed boot is rolled back by vagrant (halting or removing the
   * domain): those cleanup steps come after the failure, so the step before them is the one.
   */
  private failedStep(now: number): VmProgress['step'] {
    const p = this.tracker.current(now)
    if (!BOOTS.has(this.op) || !CLEANUP.has(p.step)) return p.step
    return [...p.steps].reverse().find((s) => !CLEANUP.has(s)) ?? p.step
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

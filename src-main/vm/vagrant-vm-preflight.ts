// One preflight at a time for a VM, shared by every caller until it ends and abortable, and the
// last report kept briefly so `up` right after the UI's check does not check again.

import type { PreflightReport } from '../../shared/vm/preflight'
import { logger } from '../log'

const log = logger('vm')

/** How long a preflight's report is reused by `up` (the UI checks right before booting). */
const REPORT_REUSE_MS = 60_000

/** A preflight in progress, shared by every caller until it ends. */
interface PreflightRun {
  promise: Promise<PreflightReport>
  abort: AbortController
}

/** One check's report, and the settings key it was made for. */
export interface KeyedReport {
  key: string
  report: PreflightReport
}

/** Runs `check` once for all concurrent callers and remembers its last report per settings key. */
export class SharedPreflight {
  private pre: PreflightRun | null = null
  private last: { key: string; at: number; report: PreflightReport } | null = null
  private readonly check: (signal: AbortSignal) => Promise<KeyedReport>
  private readonly key: () => string

  /** `key()`: the settings a report depends on, now; a report made for another key is not reused. */
  constructor(check: (signal: AbortSignal) => Promise<KeyedReport>, key: () => string) {
    this.check = check
    this.key = key
  }

  /** The running check, or a new one; `abort()` or `cancel()` makes it reject with CANCELLED. */
  run(): Promise<PreflightReport> {
    if (this.pre) return this.pre.promise
    const abort = new AbortController()
    const run: PreflightRun = {
      abort,
      promise: this.check(abort.signal)
        .then(({ key, report }) => {
          this.last = { key, at: Date.now(), report }
          return report
        })
        .finally(() => {
          if (this.pre === run) this.pre = null
        }),
    }
    this.pre = run
    return run.promise
  }

  /** Abort the running check (if any) without waiting for it. */
  abort(): void {
    this.pre?.abort.abort()
  }

  /** Abort the running check and wait for its end; false when none runs. */
  async cancel(): Promise<boolean> {
    if (!this.pre) return false
    this.pre.abort.abort()
    // It rejects with CANCELLED: what was asked for.
    await this.pre.promise.catch(() => undefined)
    return true
  }

  /** Drop the kept report (the settings changed). */
  forget(): void {
    this.last = null
  }

  /**
   * A report for `up`: the last one when fresh and for the same settings, else a new run (aborted
   * with `signal`). Null when the check failed or was cancelled.
   */
  async reportFor(signal: AbortSignal): Promise<PreflightReport | null> {
    const last = this.last
    if (last && last.key === this.key() && Date.now() - last.at < REPORT_REUSE_MS)
      return last.report
    const shared = this.run()
    const onAbort = (): void => this.pre?.abort.abort()
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      return await shared
    } catch (err) {
      // Cancelled, or preflight itself failed: `up` goes on and Vagrant reports what is wrong.
      log.debug({ err }, 'preflight before up failed; booting without its report')
      return null
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }
}

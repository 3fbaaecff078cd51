// The command log as the renderers see it: the session's one log (across reconnects), its appends
// batched into `log:appended` events, listed, exported as a shell script and cleared.

import { exportScript, type LogEntry } from '../../shared/net/command-log'
import type { EventSink } from '../../shared/ipc/contract'

/** The command log the engines append to (netns/command-log.ts). */
export interface LogLike {
  readonly entries: readonly LogEntry[]
  on(event: 'appended', fn: (entries: LogEntry[]) => void): unknown
  off(event: 'appended', fn: (entries: LogEntry[]) => void): unknown
  clear(): void
}

export interface LogServiceOptions {
  events: EventSink
  /** The session's command log. */
  log: LogLike
  /** How long entries are collected before one `log:appended` event (default 100 ms). */
  batchMs?: number
}

/** Batches the log's appends for the renderers and answers the `log:*` calls. */
export class LogService {
  private pending: LogEntry[] = []
  private timer: NodeJS.Timeout | null = null
  private readonly onAppended = (entries: LogEntry[]): void => this.queue(entries)

  constructor(private readonly opts: LogServiceOptions) {
    opts.log.on('appended', this.onAppended)
  }

  /** Every entry kept, oldest first (what is still batched is sent first, so nothing arrives twice). */
  entries(): LogEntry[] {
    this.flush()
    return [...this.opts.log.entries]
  }

  /** The successful changes as a shell script, headed with where they ran (`label`, if known). */
  exportScript(label: string | null): string {
    return exportScript(
      this.opts.log.entries,
      label ? `netns-studio session on ${label}` : 'netns-studio session',
    )
  }

  clear(): void {
    this.pending = []
    this.opts.log.clear()
  }

  /** Send what is batched now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.pending.length === 0) return
    const batch = this.pending
    this.pending = []
    this.opts.events.send('log:appended', batch)
  }

  /** Send what is batched and stop following the log. */
  dispose(): void {
    this.flush()
    this.opts.log.off('appended', this.onAppended)
  }

  private queue(entries: LogEntry[]): void {
    this.pending.push(...entries)
    if (this.timer) return
    this.timer = setTimeout(() => this.flush(), this.opts.batchMs ?? 100)
    this.timer.unref()
  }
}

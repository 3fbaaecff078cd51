// The table monitor: ONE remote watcher per target (`ip monitor all-nsid` + /run/netns). Model
// changes are debounced into snapshot refreshes; if the watcher dies, periodic refreshes take
// over and the watcher is restarted with back-off.

import type { MonitorStatus } from '../../shared/ipc/domains/live'
import type { MonitorEvent } from '../../shared/net/monitor'
import { NsidMap, affectsModel, parseMonitorLine, watcherArgv } from '../../shared/net/monitor'
import { logger } from '../log'
import type { StreamEnd, StreamHandle, Target } from '../target/target'

const log = logger('monitor')

export interface MonitorOptions {
  /**
   * Read a fresh snapshot and push it to the renderers. `changed` names the namespaces the events
   * touched (HOST_NS for the root), or is null when everything must be read (namespaces came or went).
   */
  refresh(changed: string[] | null): Promise<void>
  /** Status changes (for `live:monitor-changed`). */
  status?(s: MonitorStatus): void
  /** Every parsed event (for tests and the bench). */
  event?(e: MonitorEvent): void
  /** Quiet time before a refresh (ms, default 20) and the longest wait after the first event (default 80). */
  debounceMs?: number
  maxWaitMs?: number
  /** Periodic refresh while the watcher is down (ms, default 1000). */
  pollMs?: number
}

/** Watches one target until `stop()`. */
export class TableMonitor {
  private handle: StreamHandle | null = null
  private stopped = false
  private st: MonitorStatus = { state: 'off', events: 0, lastEventAt: null }
  private readonly nsids = new NsidMap()
  private debounce: NodeJS.Timeout | null = null
  private firstAt = 0
  private dirty = false
  private held = 0
  /** Namespaces changed since the last refresh began; null = read everything. */
  private changed: Set<string> | null = new Set()
  private refreshing: Promise<void> | null = null
  private poll: NodeJS.Timeout | null = null
  private retry: NodeJS.Timeout | null = null
  private backoffMs = 2000

  constructor(
    private readonly target: Target,
    private readonly opts: MonitorOptions,
  ) {}

  status(): MonitorStatus {
    return { ...this.st }
  }

  /** Start watching; falls back to polling when the watcher cannot start. */
  async start(): Promise<void> {
    this.stopped = false
    try {
      const h = await this.target.stream(watcherArgv(), { lines: true })
      if (this.stopped) return void (await h.stop())
      this.handle = h
      h.on('line', (l: string) => this.onLine(l))
      h.on('end', (e: StreamEnd) => this.onEnd(h, e))
    } catch (err) {
      this.fallBack(err instanceof Error ? err.message : String(err))
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const t of [this.debounce, this.poll, this.retry]) if (t) clearTimeout(t)
    this.debounce = this.poll = this.retry = null
    const h = this.handle
    this.handle = null
    this.setStatus({ ...this.st, state: 'off' })
    if (h) await h.stop()
  }

  /** Namespace name of a change event, when known. */
  nameOf(nsid: number | null): string | null {
    return this.nsids.nameOf(nsid)
  }

  private onLine(line: string): void {
    const e = parseMonitorLine(line)
    if (!e) return
    this.nsids.observe(e)
    this.opts.event?.(e)
    if (e.kind === 'ready') {
      this.backoffMs = 2000
      if (this.poll) clearInterval(this.poll)
      this.poll = null
      this.setStatus({
        state: 'watching',
        events: this.st.events,
        lastEventAt: this.st.lastEventAt,
      })
      return
    }
    if (!affectsModel(e)) return
    const name = e.kind === 'change' ? this.nsids.nameOf(e.nsid) : null
    if (name === null) this.changed = null
    else this.changed?.add(name)
    this.st.events++
    this.st.lastEventAt = Date.now()
    this.schedule()
  }

  private schedule(): void {
    const now = Date.now()
    if (!this.debounce) this.firstAt = now
    else clearTimeout(this.debounce)
    const wait = Math.max(
      0,
      Math.min(this.opts.debounceMs ?? 20, this.firstAt + (this.opts.maxWaitMs ?? 80) - now),
    )
    this.debounce = setTimeout(() => {
      this.debounce = null
      void this.flush()
    }, wait)
  }

  /**
   * Hold refreshes during a known storm of changes (a reachability run fills every ARP table);
   * the changes are kept and read once when the last hold is released.
   */
  hold(): () => void {
    this.held++
    let done = false
    return () => {
      if (done) return
      done = true
      this.held--
      if (this.held === 0 && this.dirty) void this.flush()
    }
  }

  /** Refresh; an event that arrives during a refresh causes one more refresh after it. */
  private async flush(full = false): Promise<void> {
    this.dirty = true
    if (full) this.changed = null
    if (this.refreshing || this.held > 0) return
    this.refreshing = (async () => {
      while (this.dirty && !this.stopped && this.held === 0) {
        this.dirty = false
        const changed = this.changed ? [...this.changed] : null
        this.changed = new Set()
        // The next kernel event or the periodic snapshot reads again.
        await this.opts
          .refresh(changed)
          .catch((err: unknown) => log.debug({ err }, 'table refresh failed'))
      }
    })().finally(() => (this.refreshing = null))
    await this.refreshing
  }

  private onEnd(h: StreamHandle, e: StreamEnd): void {
    if (this.handle !== h || this.stopped) return
    this.handle = null
    this.fallBack(e.error?.message ?? `The watcher ended (exit ${String(e.exitCode)}).`)
  }

  private fallBack(message: string): void {
    if (this.stopped) return
    this.setStatus({ ...this.st, state: 'polling', error: message })
    this.poll ??= setInterval(() => void this.flush(true), this.opts.pollMs ?? 1000)
    this.poll.unref?.()
    if (!this.target.connected) return
    this.retry = setTimeout(() => {
      this.retry = null
      if (!this.stopped && this.target.connected) void this.start()
    }, this.backoffMs)
    this.retry.unref?.()
    this.backoffMs = Math.min(this.backoffMs * 2, 60_000)
  }

  private setStatus(s: MonitorStatus): void {
    if (s.state !== 'polling') delete s.error
    this.st = s
    this.opts.status?.(this.status())
  }
}

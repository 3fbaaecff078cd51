// One ping stream: runs a bounded ping in a namespace on its own channel, parses every line,
// keeps running statistics, and batches points to its owner.

import type { LiveEnd, PingBatch, PingPoint } from '../../shared/ipc/domains/live'
import type { PingRequest, PingStats } from '../../shared/net/ping'
import { addPingEvent, emptyPingStats, parsePingLine, pingArgv } from '../../shared/net/ping'
import type { StreamEnd, StreamHandle, Target } from '../target/target'
import { Batcher, LineSplitter } from './batcher'

export interface PingSink {
  data(batch: PingBatch): void
  ended(end: LiveEnd): void
}

/** A running ping. `stop()` kills the remote ping; 'ended' is reported exactly once. */
export class PingSession {
  stats: PingStats = emptyPingStats()
  private readonly batch: Batcher<{ point?: PingPoint; line: string }>
  private readonly errSplit = new LineSplitter()
  private done = false

  private constructor(
    readonly id: string,
    private readonly handle: StreamHandle,
    private readonly sink: PingSink,
    flushMs: number,
  ) {
    this.batch = new Batcher(flushMs, (items) =>
      this.sink.data({
        points: items.flatMap((i) => (i.point ? [i.point] : [])),
        stats: this.stats,
        lines: items.map((i) => i.line),
      }),
    )
    handle.on('line', (l: string) => this.onLine(l))
    handle.on('stderr', (d: string) => this.errSplit.push(d, (l) => this.onLine(l)))
    handle.on('end', (e: StreamEnd) => this.onEnd(e))
  }

  /**
   * Start a ping on `target`; the request is validated (throws on bad input). Its id is `opts.id`
   * (the registry's), else the stream's own.
   */
  static async start(
    target: Target,
    req: PingRequest,
    sink: PingSink,
    opts: { id?: string; flushMs?: number } = {},
  ): Promise<PingSession> {
    const argv = pingArgv(req)
    const handle = await target.stream(argv, { lines: true })
    return new PingSession(opts.id ?? handle.id, handle, sink, opts.flushMs ?? 150)
  }

  get ended(): boolean {
    return this.done
  }

  stop(): Promise<void> {
    return this.handle.stop()
  }

  /** Same as stop: a ping holds nothing else in the target. */
  close(): Promise<void> {
    return this.stop()
  }

  private onLine(line: string): void {
    const ev = parsePingLine(line)
    let point: PingPoint | undefined
    if (ev) {
      this.stats = addPingEvent(this.stats, ev)
      if (ev.kind === 'reply') point = { seq: ev.seq, at: Date.now(), rttMs: ev.rttMs }
      else if (ev.kind === 'timeout' || ev.kind === 'icmp-error')
        point = { seq: ev.seq, at: Date.now(), rttMs: null }
    }
    this.batch.push(point ? { point, line } : { line })
  }

  private onEnd(e: StreamEnd): void {
    if (this.done) return
    this.done = true
    this.errSplit.end((l) => this.onLine(l))
    this.batch.close()
    const end: LiveEnd = { reason: e.reason }
    if (e.error) end.error = { code: e.error.code, message: e.error.message }
    else if (e.reason === 'exit' && this.stats.lastError && this.stats.received === 0)
      end.error = { code: 'COMMAND_FAILED', message: this.stats.lastError }
    this.sink.ended(end)
  }
}

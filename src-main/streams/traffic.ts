// The target's ONE traffic sampler: a long-lived remote process started when the first window
// subscribes and stopped when the last one leaves; ticks become rates, batched to subscribers.

import type { TrafficTick } from '../../shared/ipc/domains/live'
import type { TrafficSample } from '../../shared/net/traffic'
import { SamplerParser, computeRates, intervalCommand, samplerArgv } from '../../shared/net/traffic'
import type { StreamEnd, StreamHandle, Target } from '../target/target'
import { Batcher } from './batcher'

export interface TrafficSinks {
  /** Deliver ticks to one subscriber. */
  send(owner: number, ticks: TrafficTick[]): void
  /** The sampler died (not stopped by us). */
  failed?(message: string): void
}

/** One sampler per target, shared by every subscribed window. */
export class TrafficSampler {
  private handle: StreamHandle | null = null
  private starting: Promise<void> | null = null
  private readonly owners = new Set<number>()
  private intervalS = 1
  private prev: TrafficSample | null = null
  private readonly parser = new SamplerParser()
  private readonly batch: Batcher<TrafficTick>
  /** The latest sample (raw counters), for tests and the bench. */
  latest: TrafficSample | null = null

  constructor(
    private readonly target: Target,
    private readonly sinks: TrafficSinks,
    flushMs = 200,
  ) {
    this.batch = new Batcher(flushMs, (ticks) => {
      for (const o of this.owners) this.sinks.send(o, ticks)
    })
  }

  get running(): boolean {
    return this.handle !== null && !this.handle.ended
  }

  get interval(): number {
    return this.intervalS
  }

  /** Remote process id of the stream (for tests), or null. */
  get streamId(): string | null {
    return this.handle?.id ?? null
  }

  /** Add a subscriber; starts the sampler when it is the first. */
  async subscribe(owner: number, intervalS?: number): Promise<void> {
    this.owners.add(owner)
    if (intervalS !== undefined) this.setInterval(intervalS)
    if (this.running) return
    this.starting ??= this.start().finally(() => (this.starting = null))
    await this.starting
  }

  /** Remove a subscriber; stops the sampler when none is left. */
  async unsubscribe(owner: number): Promise<void> {
    this.owners.delete(owner)
    if (this.owners.size === 0) await this.stop()
  }

  /** Change the interval of the running sampler (through its stdin: no restart). */
  setInterval(seconds: number): void {
    const line = intervalCommand(seconds)
    this.intervalS = seconds
    this.prev = null
    if (this.running) this.handle?.write(line)
  }

  /** Start again after the sampler died (e.g. the connection came back), if anyone still listens. */
  async resume(): Promise<void> {
    if (this.owners.size === 0 || this.running) return
    this.starting ??= this.start().finally(() => (this.starting = null))
    await this.starting
  }

  /** Windows subscribed now. */
  get subscribers(): number[] {
    return [...this.owners]
  }

  async stop(): Promise<void> {
    const h = this.handle
    this.handle = null
    this.owners.clear()
    this.batch.close()
    if (h) await h.stop()
  }

  private async start(): Promise<void> {
    this.prev = null
    const h = await this.target.stream(samplerArgv(this.intervalS), { lines: true })
    this.handle = h
    h.on('line', (l: string) => this.onLine(l))
    h.on('end', (e: StreamEnd) => {
      if (this.handle !== h) return
      this.handle = null
      this.batch.close()
      this.sinks.failed?.(
        e.error?.message ?? `The traffic sampler ended (exit ${String(e.exitCode)}).`,
      )
    })
  }

  private onLine(line: string): void {
    const s = this.parser.push(line)
    if (!s) return
    this.latest = s
    if (this.prev) {
      const r = computeRates(this.prev, s)
      this.batch.push({ t: r.t, rates: r.rates })
    }
    this.prev = s
  }
}

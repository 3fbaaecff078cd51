// The stream manager: owns every live stream per window (owner), follows the connection (streams
// end when the target goes away; monitor and sampler are per target), and stops everything on
// window close, disconnect and app quit, so nothing is left running in the target.

import { join } from 'node:path'
import { AppError } from '../../shared/errors'
import type {
  CaptureSaved,
  MatrixResult,
  MonitorStatus,
  NetemEntry,
} from '../../shared/ipc/domains/live'
import type { CaptureRequest } from '../../shared/net/capture'
import type { MatrixOptions, MatrixPair } from '../../shared/net/matrix'
import type { Snapshot } from '../../shared/net/model'
import type { MonitorEvent } from '../../shared/net/monitor'
import type { NetemRequest } from '../../shared/net/netem'
import type { PingRequest } from '../../shared/net/ping'
import type { EventSink } from '../../shared/ipc/contract'
import type { Target } from '../target/target'
import { CaptureSession } from './capture'
import { TableMonitor } from './monitor'
import { clearNetem, runMatrix, setNetem } from './oneshot'
import { SnapshotRefresher } from './partial-snapshot'
import { PingSession } from './ping'
import { TerminalSession } from './terminal'
import { TrafficSampler } from './traffic'

/** What the service needs from the connection manager. */
export interface ConnectionLike {
  target(): Target
  refresh(): Promise<void>
  /** A refresh whose snapshot is read after the call (not a read already in flight). */
  refreshAfter?(): Promise<void>
  on(event: 'target-changed', fn: (t: Target | null) => void): unknown
}

export interface LiveServiceOptions {
  connection: ConnectionLike
  events: EventSink
  /** Where captures are saved when no path is given. */
  dataDir: string
  /** Most streams (ping + capture + terminal) one window may hold; sshd allows ~10 channels. */
  maxPerOwner?: number
  /** Observe monitor events (tests, bench). */
  onMonitorEvent?: (e: MonitorEvent) => void
  /**
   * Follow every snapshot pushed to the renderers (`netns:changed`). With it, a kernel event that
   * names a few namespaces re-reads only those and merges them into the last snapshot.
   */
  snapshots?: (fn: (s: Snapshot) => void) => void
}

type Session = PingSession | CaptureSession | TerminalSession

const isPing = (s: Session): s is PingSession => s instanceof PingSession
const isCapture = (s: Session): s is CaptureSession => s instanceof CaptureSession
const isTerminal = (s: Session): s is TerminalSession => s instanceof TerminalSession

interface Owned {
  owner: number
  session: Session
}

export class LiveService {
  private target: Target | null = null
  private readonly sessions = new Map<string, Owned>()
  private sampler: TrafficSampler | null = null
  private monitor: TableMonitor | null = null
  private netem: NetemEntry[] = []
  private disposed = false
  private readonly refresher: SnapshotRefresher

  constructor(private readonly opts: LiveServiceOptions) {
    opts.connection.on('target-changed', (t) => void this.onTarget(t))
    const c = opts.connection
    this.refresher = new SnapshotRefresher({
      push: (s) => opts.events.send('netns:changed', s),
      full: () => c.refreshAfter?.() ?? c.refresh(),
      current: () => this.target,
      enabled: !!opts.snapshots,
    })
    opts.snapshots?.((s) => this.refresher.observe(s))
  }

  // ---- ping ----
  async pingStart(owner: number, req: PingRequest): Promise<{ id: string }> {
    const t = this.need(owner)
    const ev = this.opts.events
    let id = ''
    const s = await PingSession.start(t, req, {
      data: (b) => ev.sendTo(owner, 'live:ping-data', id, b),
      ended: (e) => {
        this.sessions.delete(id)
        ev.sendTo(owner, 'live:ping-ended', id, e)
      },
    })
    id = s.id
    if (!s.ended) this.sessions.set(id, { owner, session: s })
    return { id }
  }

  pingLines(owner: number, id: string): string[] {
    return this.get(owner, id, isPing).lines()
  }

  // ---- matrix, netem ----
  /** Run the reachability check; table refreshes wait until it is done (ARP tables fill meanwhile). */
  async matrix(owner: number, pairs: MatrixPair[], o?: MatrixOptions): Promise<MatrixResult> {
    const t = this.need(owner)
    const release = this.monitor?.hold()
    try {
      return await runMatrix(t, pairs, o)
    } finally {
      release?.()
    }
  }

  async netemSet(owner: number, req: NetemRequest): Promise<NetemEntry> {
    const e = await setNetem(this.need(owner), req)
    this.netem = [...this.netem.filter((x) => !(x.ns === e.ns && x.ifname === e.ifname)), e]
    this.opts.events.send('live:netem-changed', this.netemList())
    return e
  }

  async netemClear(owner: number, ns: string, ifname: string): Promise<void> {
    await clearNetem(this.need(owner), ns, ifname)
    this.netem = this.netem.filter((x) => !(x.ns === ns && x.ifname === ifname))
    this.opts.events.send('live:netem-changed', this.netemList())
  }

  netemList(): NetemEntry[] {
    return this.netem.map((e) => ({ ...e }))
  }

  // ---- traffic ----
  async trafficStart(owner: number, intervalS?: number): Promise<void> {
    this.need(owner)
    if (!this.sampler)
      throw new AppError('NOT_CONNECTED', 'Not connected to a target: connect first.')
    await this.sampler.subscribe(owner, intervalS)
  }

  async trafficStop(owner: number): Promise<void> {
    await this.sampler?.unsubscribe(owner)
  }

  trafficInterval(intervalS: number): void {
    this.sampler?.setInterval(intervalS)
  }

  /** Refreshes done by partial reads, and by full ones (tests, bench). */
  get refreshCounts(): { partial: number; full: number } {
    return this.refresher.counts
  }

  /** The target's sampler (tests and bench). */
  get trafficSampler(): TrafficSampler | null {
    return this.sampler
  }

  // ---- capture ----
  async captureStart(
    owner: number,
    req: CaptureRequest,
  ): Promise<{ id: string; remotePath: string }> {
    const t = this.need(owner)
    const ev = this.opts.events
    let id = ''
    const s = await CaptureSession.start(t, req, {
      data: (lines, total) => ev.sendTo(owner, 'live:capture-data', id, lines, total),
      ended: (e) => ev.sendTo(owner, 'live:capture-ended', id, e),
    })
    id = s.id
    this.sessions.set(id, { owner, session: s })
    return { id, remotePath: s.remotePath }
  }

  captureStop(owner: number, id: string): Promise<void> {
    return this.get(owner, id, isCapture).stop()
  }

  captureSave(owner: number, id: string, path?: string): Promise<CaptureSaved> {
    const s = this.get(owner, id, isCapture)
    const dest =
      path ??
      join(
        this.opts.dataDir,
        'captures',
        `capture-${new Date().toISOString().replace(/[:.]/g, '-')}.pcap`,
      )
    return s.save(dest)
  }

  async captureClose(owner: number, id: string): Promise<void> {
    const s = this.get(owner, id, isCapture)
    this.sessions.delete(id)
    await s.close()
  }

  // ---- terminal ----
  async terminalOpen(
    owner: number,
    ns: string,
    cols: number,
    rows: number,
  ): Promise<{ id: string }> {
    const t = this.need(owner)
    const ev = this.opts.events
    let id = ''
    const s = await TerminalSession.open(t, ns, cols, rows, {
      data: (d) => ev.sendTo(owner, 'live:terminal-data', id, d),
      ended: () => {
        this.sessions.delete(id)
        ev.sendTo(owner, 'live:terminal-ended', id)
      },
    })
    id = s.id
    if (!s.ended) this.sessions.set(id, { owner, session: s })
    return { id }
  }

  terminal(owner: number, id: string): TerminalSession {
    return this.get(owner, id, isTerminal)
  }

  // ---- stop / lifecycle ----
  /** Stop a ping or capture, or close a terminal. Unknown ids are ignored (already ended). */
  async stop(owner: number, id: string): Promise<void> {
    const o = this.sessions.get(id)
    if (!o || o.owner !== owner) return
    if (o.session instanceof TerminalSession) {
      this.sessions.delete(id)
      await o.session.close()
    } else await o.session.stop()
    if (o.session instanceof PingSession) this.sessions.delete(id)
  }

  monitorStatus(): MonitorStatus {
    return this.monitor?.status() ?? { state: 'off', events: 0, lastEventAt: null }
  }

  /** Number of live sessions (all owners, or one). */
  count(owner?: number): number {
    return [...this.sessions.values()].filter((o) => owner === undefined || o.owner === owner)
      .length
  }

  /** A window went away: stop everything it owned. */
  async ownerGone(owner: number): Promise<void> {
    const mine = [...this.sessions.entries()].filter(([, o]) => o.owner === owner)
    await Promise.all([
      ...mine.map(([id, o]) => this.closeSession(id, o)),
      this.sampler?.unsubscribe(owner) ?? Promise.resolve(),
    ])
  }

  /** App quit: stop every stream and the per-target watchers. */
  async dispose(): Promise<void> {
    this.disposed = true
    await this.stopAll()
  }

  private async closeSession(id: string, o: Owned): Promise<void> {
    this.sessions.delete(id)
    await o.session.close().catch(() => undefined)
  }

  private async stopAll(): Promise<void> {
    const all = [...this.sessions.entries()]
    const sampler = this.sampler
    const monitor = this.monitor
    this.sampler = null
    this.monitor = null
    await Promise.all([
      ...all.map(([id, o]) => this.closeSession(id, o)),
      sampler?.stop() ?? Promise.resolve(),
      monitor?.stop() ?? Promise.resolve(),
    ])
  }

  private async onTarget(t: Target | null): Promise<void> {
    await this.stopAll()
    this.netem = []
    this.refresher.reset()
    this.target = t
    if (!t || this.disposed) return
    const sampler = new TrafficSampler(t, {
      send: (o, ticks) => this.opts.events.sendTo(o, 'live:traffic-data', ticks),
      // tell the windows; the sampler restarts when the connection comes back
      failed: (message) => {
        for (const o of sampler.subscribers)
          this.opts.events.sendTo(o, 'live:traffic-ended', message)
      },
    })
    this.sampler = sampler
    const monitor = new TableMonitor(t, {
      refresh: (changed) => this.refresher.refresh(t, changed),
      status: (s) => this.opts.events.send('live:monitor-changed', s),
      ...(this.opts.onMonitorEvent ? { event: this.opts.onMonitorEvent } : {}),
    })
    this.monitor = monitor
    t.on('reconnected', () => {
      if (this.monitor === monitor && monitor.status().state !== 'watching') void monitor.start()
      if (this.sampler === sampler) void sampler.resume().catch(() => undefined)
    })
    await monitor.start()
    // Seed the partial refresher with a pushed snapshot (the renderer's own reads are not pushed).
    if (this.opts.snapshots && this.target === t) void this.opts.connection.refresh()
  }

  private need(owner: number): Target {
    const t = this.target
    if (!t) throw new AppError('NOT_CONNECTED', 'Not connected to a target: connect first.')
    const max = this.opts.maxPerOwner ?? 8
    if (this.count(owner) >= max)
      throw new AppError('LIMIT_REACHED', `At most ${max} live streams per window; stop one first.`)
    return t
  }

  private get<T extends Session>(owner: number, id: string, kind: (s: Session) => s is T): T {
    const o = this.sessions.get(id)
    if (!o || o.owner !== owner || !kind(o.session))
      throw new AppError('INVALID_ARGUMENT', 'No such live stream (it may have ended).')
    return o.session
  }
}

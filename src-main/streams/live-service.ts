// The live service: starts windows' streams through the one stream registry (caps, ownership,
// early events), keeps the per-target table monitor and traffic sampler, and stops everything on
// window close, disconnect (before the target closes) and app quit, so nothing is left in the target.

import { isAbsolute } from 'node:path'
import { AppError } from '../../shared/errors'
import type {
  CaptureSaveResult,
  CaptureStarted,
  MatrixResult,
  MonitorStatus,
  NetemEntry,
  ServiceStarted,
} from '../../shared/ipc/domains/live'
import type { CaptureRequest } from '../../shared/net/capture'
import type { MatrixOptions, MatrixPair } from '../../shared/net/matrix'
import type { Snapshot } from '../../shared/net/model'
import type { MonitorEvent } from '../../shared/net/monitor'
import type { NetemRequest } from '../../shared/net/netem'
import type { NetOp } from '../../shared/net/ops'
import type { PingRequest } from '../../shared/net/ping'
import type { ServiceRequest } from '../../shared/net/service'
import type { SocketTable } from '../../shared/net/sockets'
import type { EventSink } from '../../shared/ipc/contract'
import { logger } from '../log'
import type { Target } from '../target/target'
import { CaptureSession } from './capture'
import { TableMonitor } from './monitor'
import { clearNetem, readNetem, runMatrix } from './oneshot'
import { SnapshotRefresher } from './partial-snapshot'
import { PingSession } from './ping'
import { ServiceSession } from './service'
import { readSockets } from './sockets'
import type { ChooseSavePath } from './save-file'
import { type OwnedStream, StreamRegistry } from './stream-registry'
import { TerminalSession } from './terminal'
import { TrafficSampler } from './traffic'

/** What the service needs from the connection manager. */
export interface ConnectionLike {
  target(): Target
  /** Run operations through the engine (checked, logged, guarded against cutting the connection). */
  apply(op: NetOp): Promise<unknown>
  refresh(): Promise<void>
  /** A refresh whose snapshot is read after the call (not a read already in flight). */
  refreshAfter?(): Promise<void>
  on(event: 'target-changed', fn: (t: Target | null) => void): unknown
  /**
   * Every full snapshot pushed to the renderers (`netns:changed`): the table monitor merges a
   * partial re-read of the namespaces a kernel event names into the last one.
   */
  on(event: 'snapshot', fn: (s: Snapshot) => void): unknown
}

export interface LiveServiceOptions {
  connection: ConnectionLike
  events: EventSink
  /** Asks the user where to save a capture (the save dialog); without it saving fails clearly. */
  chooseSavePath?: ChooseSavePath
  /** Most streams (ping + capture + terminal) one window may hold (default 8). */
  maxPerOwner?: number
  /** Observe monitor events (tests, bench). */
  onMonitorEvent?: (e: MonitorEvent) => void
}

const log = logger('live')

const isCapture = (s: OwnedStream): s is CaptureSession => s instanceof CaptureSession
const isTerminal = (s: OwnedStream): s is TerminalSession => s instanceof TerminalSession

/** A file name for the save dialog: the namespace, interface and time, in safe characters. */
function captureFileName(s: CaptureSession, at = new Date()): string {
  const stamp = at
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d{3}Z$/, 'Z')
  const name = `capture-${s.request.ns}-${s.request.ifname}-${stamp}`
  return `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.pcap`
}

export class LiveService {
  private target: Target | null = null
  /** Every window's streams: caps, ownership, early events. */
  readonly streams: StreamRegistry
  /** The stop of each target's streams and watchers, begun once (disconnect, or its close hook). */
  private readonly stopping = new WeakMap<Target, Promise<void>>()
  private sampler: TrafficSampler | null = null
  /** The target the sampler and monitor watch. */
  private watched: Target | null = null
  private monitor: TableMonitor | null = null
  private netem: NetemEntry[] = []
  private disposed = false
  private readonly refresher: SnapshotRefresher

  constructor(private readonly opts: LiveServiceOptions) {
    this.streams = new StreamRegistry({
      events: opts.events,
      ...(opts.maxPerOwner !== undefined ? { maxPerOwner: opts.maxPerOwner } : {}),
    })
    opts.connection.on('target-changed', (t) => void this.onTarget(t))
    const c = opts.connection
    this.refresher = new SnapshotRefresher({
      push: (s) => opts.events.send('netns:changed', s),
      full: () => c.refreshAfter?.() ?? c.refresh(),
      current: () => this.target,
      enabled: true,
    })
    c.on('snapshot', (s) => this.refresher.observe(s))
  }

  // ---- ping ----
  /** Start a ping; its slot is taken before anything is awaited (LIMIT_REACHED over a cap). */
  async pingStart(owner: number, req: PingRequest): Promise<{ id: string }> {
    const t = this.need(owner)
    const { id } = await this.streams.start(owner, t, 'ping', (ctx) =>
      PingSession.start(
        t,
        req,
        {
          data: (b) => ctx.send('live:ping-data', ctx.id, b),
          ended: (e) => {
            ctx.ended()
            ctx.send('live:ping-ended', ctx.id, e)
          },
        },
        { id: ctx.id },
      ),
    )
    return { id }
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

  /**
   * Impair a link through the engine's one entry point (netem.set): the command is logged, and an
   * impairment on the interface that carries the app's connection is refused with
   * CONFIRM_REQUIRED unless the request carries the user's confirmation.
   */
  async netemSet(owner: number, req: NetemRequest): Promise<NetemEntry> {
    const t = this.need(owner)
    const { ns, ifname, confirm, ...settings } = req
    await this.opts.connection.apply({
      op: 'netem.set',
      ns,
      ifname,
      ...settings,
      ...(confirm ? { confirm } : {}),
    })
    const e = await readNetem(t, ns, ifname)
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
  async captureStart(owner: number, req: CaptureRequest): Promise<CaptureStarted> {
    const t = this.need(owner)
    const { id, stream } = await this.streams.start(owner, t, 'capture', (ctx) =>
      CaptureSession.start(
        t,
        req,
        {
          data: (lines, total) => ctx.send('live:capture-data', ctx.id, lines, total),
          ended: (e) => {
            ctx.ended({ keep: true }) // its file stays in the target until the capture is closed
            ctx.send('live:capture-ended', ctx.id, e)
          },
        },
        { id: ctx.id },
      ),
    )
    return { id, remotePath: stream.remotePath }
  }

  captureStop(owner: number, id: string): Promise<void> {
    return this.streams.find(owner, id, isCapture).stop()
  }

  /**
   * Ask the user where to save (the save dialog, attached to the owner's window), then stream the
   * file there. Cancelling is an answer, not an error.
   */
  async captureSave(owner: number, id: string): Promise<CaptureSaveResult> {
    const cap = this.streams.find(owner, id, isCapture)
    const choose = this.opts.chooseSavePath
    if (!choose) throw new AppError('INTERNAL', 'This app has no save dialog to ask where to save.')
    const path = await choose({
      owner,
      title: 'Save capture',
      defaultName: captureFileName(cap),
      filters: [{ name: 'Packet capture (pcap)', extensions: ['pcap'] }],
    })
    if (path === null) return { status: 'cancelled' }
    if (typeof path !== 'string' || !isAbsolute(path) || path.includes('\0'))
      throw new AppError('INVALID_ARGUMENT', 'The save dialog did not give an absolute path.')
    const bytes = await cap.save(path)
    return { status: 'saved', path, bytes }
  }

  /** Stop the capture and remove its file from the target. */
  captureClose(owner: number, id: string): Promise<void> {
    this.streams.find(owner, id, isCapture)
    return this.streams.close(owner, id)
  }

  // ---- terminal ----
  async terminalOpen(
    owner: number,
    ns: string,
    cols: number,
    rows: number,
  ): Promise<{ id: string }> {
    const t = this.need(owner)
    const { id } = await this.streams.start(owner, t, 'terminal', (ctx) =>
      TerminalSession.open(
        t,
        ns,
        cols,
        rows,
        {
          data: (d) => ctx.send('live:terminal-data', ctx.id, d),
          ended: () => {
            ctx.ended()
            ctx.send('live:terminal-ended', ctx.id)
          },
        },
        { id: ctx.id },
      ),
    )
    return { id }
  }

  terminal(owner: number, id: string): TerminalSession {
    return this.streams.find(owner, id, isTerminal)
  }

  // ---- sockets, services ----
  /** The listening sockets of `ns` (INVALID_ARGUMENT when there is no such namespace). */
  sockets(owner: number, ns: string): Promise<SocketTable> {
    return readSockets(this.need(owner), ns)
  }

  /** Start a listener in a namespace as a stream of `owner`; answers once it listens. */
  async serviceStart(owner: number, req: ServiceRequest): Promise<ServiceStarted> {
    const t = this.need(owner)
    const { id, stream } = await this.streams.start(owner, t, 'service', (ctx) =>
      ServiceSession.start(
        t,
        req,
        {
          data: (events) => ctx.send('live:service-data', ctx.id, events),
          ended: (e) => {
            ctx.ended()
            ctx.send('live:service-ended', ctx.id, e)
          },
        },
        { id: ctx.id },
      ),
    )
    return { id, listening: stream.listening, reply: stream.reply }
  }

  // ---- stop / lifecycle ----
  /**
   * Stop a ping or close a terminal (forgotten), or stop a capture (kept, with its file, until
   * closed). Unknown ids are ignored (already ended).
   */
  async stop(owner: number, id: string): Promise<void> {
    let capture: CaptureSession | null = null
    try {
      capture = this.streams.find(owner, id, isCapture)
    } catch {
      // not a capture of this window: a ping, a terminal, or already gone
    }
    if (capture) await capture.stop()
    else await this.streams.close(owner, id)
  }

  monitorStatus(): MonitorStatus {
    return this.monitor?.status() ?? { state: 'off', events: 0, lastEventAt: null }
  }

  /** Number of live streams (all windows, or one), stopped captures included. */
  count(owner?: number): number {
    return this.streams.count(owner)
  }

  /** A window went away: stop everything it owned (also what it was still starting). */
  async ownerGone(owner: number): Promise<void> {
    await Promise.all([
      this.streams.ownerGone(owner),
      this.sampler?.unsubscribe(owner) ?? Promise.resolve(),
    ])
  }

  /** App quit: stop every stream and the per-target watchers. */
  async dispose(): Promise<void> {
    this.disposed = true
    const t = this.target
    await Promise.all([this.streams.dispose(), t ? this.stopTarget(t) : Promise.resolve()])
  }

  /**
   * Stop everything on `t` once: windows' streams (captures remove their files), the sampler and
   * the monitor. Runs on disconnect and again, as the same promise, as `t`'s before-close hook.
   */
  private stopTarget(t: Target): Promise<void> {
    let p = this.stopping.get(t)
    if (p) return p
    const mine = this.watched === t
    const sampler = mine ? this.sampler : null
    const monitor = mine ? this.monitor : null
    if (mine) {
      this.sampler = null
      this.monitor = null
      this.watched = null
    }
    p = Promise.all([
      this.streams.stopTarget(t),
      sampler?.stop() ?? Promise.resolve(),
      monitor?.stop() ?? Promise.resolve(),
    ]).then(() => undefined)
    this.stopping.set(t, p)
    return p
  }

  private async onTarget(t: Target | null): Promise<void> {
    const prev = this.target
    // from now on new streams go to `t` (or fail: not connected), never to the closing target
    this.target = t
    this.netem = []
    this.refresher.reset()
    // the connection manager closes `t` later: its streams stop (and clean up) before that
    t?.beforeClose(() => this.stopTarget(t))
    if (prev && prev !== t) await this.stopTarget(prev)
    if (!t || this.disposed || this.target !== t) return
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
    this.watched = t
    t.on('reconnected', () => {
      if (this.monitor === monitor && monitor.status().state !== 'watching') void monitor.start()
      if (this.sampler === sampler)
        void sampler
          .resume()
          .catch((err: unknown) => log.debug({ err }, 'traffic sampler did not resume'))
    })
    await monitor.start()
    // Seed the partial refresher with a pushed snapshot (the renderer's own reads are not pushed).
    if (this.target === t) void this.opts.connection.refresh()
  }

  /** The connected target (NOT_CONNECTED otherwise). Caps are the registry's. */
  private need(_owner: number): Target {
    const t = this.target
    if (!t) throw new AppError('NOT_CONNECTED', 'Not connected to a target: connect first.')
    return t
  }
}

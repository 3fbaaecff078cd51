// The connection manager: owns the current Target and its NetnsEngine, reports status, and pushes
// a fresh snapshot after each operation and periodically (also as a typed 'snapshot' event).

import { EventEmitter } from 'node:events'
import { AppError, toErrorData } from '../../shared/errors'
import type {
  ApplyResult,
  ConnectionStatus,
  ResetResult,
  TargetSpec,
} from '../../shared/ipc/domains/core'
import type { Snapshot } from '../../shared/net/model'
import type { BranchFacts } from '../../shared/net/branch'
import type { NatBackend, NetOp } from '../../shared/net/ops'
import type { EventSink } from '../ipc/types'
import { logger } from '../log'
import type { Target } from '../target/target'

/** What the manager needs from the NetnsEngine (kept narrow so either side can evolve). */
export interface EngineLike {
  snapshot(): Promise<Snapshot>
  apply(op: NetOp): Promise<ApplyResult>
  reset(): Promise<ResetResult>
  /** What carries the app's connection (shared/net/branch.ts). */
  branch(): Promise<BranchFacts>
  /** The firewall tool NAT operations use on the target. */
  natBackend(): Promise<NatBackend>
  /** What the target is, for the sentences of branch cuts; the manager sets it from the spec. */
  role?: BranchFacts['target']
}

export interface ConnectionOptions {
  events: EventSink
  /** Build the Target for a spec (SshTarget, LocalTarget, or the VM's SshTarget). */
  createTarget(spec: TargetSpec): Promise<Target>
  /** Build the engine for a connected target (it appends to the session's command log). */
  createEngine(target: Target): EngineLike
  /** Periodic refresh while connected, in ms (default 5000; 0 turns it off). */
  refreshMs?: number
}

/** The manager's events, typed. */
export interface ConnectionEvents {
  /** The current target changed (null: none), for domains that must follow it (live streams). */
  'target-changed': [Target | null]
  /** A full snapshot was read and pushed to the renderers (`netns:changed`). */
  snapshot: [Snapshot]
}

const log = logger('connection')

const DISCONNECTED: ConnectionStatus = { state: 'disconnected', label: null, kind: null }

/**
 * One current target at a time. Emits 'target-changed' for other domains (live streams) that must
 * follow the connection, and 'snapshot' with every full snapshot it pushes.
 */
export class ConnectionManager extends EventEmitter<ConnectionEvents> {
  private current: { target: Target; engine: EngineLike; spec: TargetSpec } | null = null
  private st: ConnectionStatus = DISCONNECTED
  private generation = 0
  private refreshTimer: NodeJS.Timeout | null = null
  private refreshing: Promise<void> | null = null

  constructor(private readonly opts: ConnectionOptions) {
    super()
  }

  /** The current status (a copy). */
  status(): ConnectionStatus {
    return { ...this.st }
  }

  /** The connected target, for domains that stream over it. Throws NOT_CONNECTED. */
  target(): Target {
    return this.require().target
  }

  /** Connect to `spec`, replacing (and closing) any current target. */
  async connect(spec: TargetSpec): Promise<ConnectionStatus> {
    const gen = ++this.generation
    await this.teardown()
    this.setStatus({ state: 'connecting', label: describeSpec(spec), kind: spec.kind })
    let target: Target | null = null
    try {
      target = await this.opts.createTarget(spec)
      await target.connect()
    } catch (err) {
      if (target) await target.close().catch(closeFailed)
      if (gen === this.generation)
        this.setStatus({ ...this.st, state: 'failed', error: errorOf(err) })
      throw err
    }
    if (gen !== this.generation) {
      // A newer connect or a disconnect came in while this one was dialing.
      await target.close().catch(closeFailed)
      throw new AppError('CANCELLED', 'A newer connection request replaced this one.')
    }
    const engine = this.opts.createEngine(target)
    // The target itself only knows it speaks SSH; that it is the app's VM comes from the spec.
    if (spec.kind === 'vm') engine.role = 'vm'
    this.current = { target, engine, spec }
    this.watch(target, gen)
    this.setStatus({ state: 'connected', label: target.label, kind: spec.kind })
    this.emit('target-changed', target)
    this.startRefresh()
    return this.status()
  }

  /** Close the current target (if any) and report disconnected. */
  async disconnect(): Promise<void> {
    this.generation++
    await this.teardown()
    this.setStatus(DISCONNECTED)
  }

  async snapshot(): Promise<Snapshot> {
    return this.require().engine.snapshot()
  }

  /** Apply one operation, then push a fresh snapshot (also after a failure: it may have changed state). */
  async apply(op: NetOp): Promise<ApplyResult> {
    const { engine } = this.require()
    try {
      return await engine.apply(op)
    } finally {
      await this.refresh()
    }
  }

  /** What carries the app's connection to the current target. */
  async branch(): Promise<BranchFacts> {
    return this.require().engine.branch()
  }

  /** The firewall tool NAT operations use on the current target. */
  async natBackend(): Promise<NatBackend> {
    return this.require().engine.natBackend()
  }

  async reset(): Promise<ResetResult> {
    const { engine } = this.require()
    try {
      return await engine.reset()
    } finally {
      await this.refresh()
    }
  }

  /** Read a snapshot now and push it as `netns:changed`; concurrent calls share one read. */
  refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing
    const cur = this.current
    if (!cur || !cur.target.connected) return Promise.resolve()
    this.refreshing = cur.engine
      .snapshot()
      .then((snap) => {
        if (this.current !== cur) return
        this.opts.events.send('netns:changed', snap)
        this.emit('snapshot', snap)
      })
      // A lost connection also shows as a status change from the target.
      .catch((err: unknown) => log.debug({ err }, 'snapshot refresh failed'))
      .finally(() => (this.refreshing = null))
    return this.refreshing
  }

  /**
   * Like refresh, but the snapshot is read after this call (a read already in flight may predate a
   * change just reported by the table monitor): waits for it, then reads again.
   */
  async refreshAfter(): Promise<void> {
    if (this.refreshing) await this.refreshing
    await this.refresh()
  }

  /** Stop timers and close the target. Safe to call more than once. */
  async dispose(): Promise<void> {
    await this.disconnect()
    this.removeAllListeners()
  }

  private require(): { target: Target; engine: EngineLike } {
    if (!this.current)
      throw new AppError('NOT_CONNECTED', 'Not connected to a target: connect first.')
    return this.current
  }

  private async teardown(): Promise<void> {
    this.stopRefresh()
    const cur = this.current
    if (!cur) return
    this.current = null
    cur.target.removeAllListeners('disconnected')
    cur.target.removeAllListeners('reconnecting')
    cur.target.removeAllListeners('reconnected')
    cur.target.removeAllListeners('failed')
    this.emit('target-changed', null)
    if (this.refreshing) await this.refreshing
    await cur.target.close().catch(closeFailed)
  }

  /** Map the target's connection events to status changes. */
  private watch(target: Target, gen: number): void {
    const live = (): boolean => gen === this.generation && this.current?.target === target
    target.on('disconnected', () => {
      if (live()) this.setStatus({ ...this.st, state: 'reconnecting' })
    })
    target.on('reconnecting', () => {
      if (live()) this.setStatus({ ...this.st, state: 'reconnecting' })
    })
    target.on('reconnected', () => {
      if (!live()) return
      this.setStatus({ state: 'connected', label: target.label, kind: this.st.kind })
      void this.refresh()
    })
    target.on('failed', (err: unknown) => {
      if (live()) this.setStatus({ ...this.st, state: 'failed', error: errorOf(err) })
    })
  }

  private setStatus(s: ConnectionStatus): void {
    if (s.state !== 'failed' && s.state !== 'reconnecting') delete s.error
    this.st = s
    log.info({ state: s.state, kind: s.kind, ...(s.error ? { code: s.error.code } : {}) }, 'status')
    this.opts.events.send('target:status-changed', this.status())
  }

  private startRefresh(): void {
    const ms = this.opts.refreshMs ?? 5000
    if (ms <= 0) return
    this.refreshTimer = setInterval(() => void this.refresh(), ms)
    this.refreshTimer.unref()
  }

  private stopRefresh(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer)
    this.refreshTimer = null
  }
}

/** Closing a target we are done with failed: it is dropped anyway (its sockets go with it). */
function closeFailed(err: unknown): void {
  log.debug({ err }, 'closing a target failed')
}

/** A label before the target exists (the target's own label replaces it once connected). */
export function describeSpec(spec: TargetSpec): string {
  if (spec.kind === 'ssh') return `${spec.username}@${spec.host}:${spec.port}`
  if (spec.kind === 'local') return 'this machine'
  return 'Vagrant VM'
}

function errorOf(err: unknown): { code: string; message: string; detail?: string } {
  const d = toErrorData(err)
  return d.detail !== undefined
    ? { code: d.code, message: d.message, detail: d.detail }
    : { code: d.code, message: d.message }
}

// The one registry of the streams windows start (ping, capture, terminal, service): a slot is
// reserved before anything is awaited, capped per window and per target; a stream stops when its
// window goes, its target disconnects or the app quits (also one still starting: once it has
// started); and events that come before the window knows a stream's id are held here, then sent
// in order.

import { randomBytes } from 'node:crypto'
import { AppError } from '../../shared/errors'
import type { EventArgs, EventChannel, EventSink } from '../../shared/ipc/contract'
import { logger } from '../log'
import type { Target } from '../target/target'

const log = logger('streams')

/** The kinds of per-window streams. */
export type StreamKind = 'ping' | 'capture' | 'terminal' | 'service'

/** What the registry needs from a stream: a way to stop it and release what it holds. */
export interface OwnedStream {
  /** Stop it and remove what it left in the target (e.g. a capture's file). Idempotent. */
  close(): Promise<void>
}

/** Handed to a stream's factory. */
export interface StreamContext {
  /** The stream's id (16 hex digits), known before the stream starts. */
  readonly id: string
  /** Send an event about this stream to its window; held until the start call has returned. */
  send<C extends EventChannel>(channel: C, ...args: EventArgs<C>): void
  /**
   * The stream ended by itself. It is forgotten, unless `keep`: it still holds something in the
   * target (a capture's file) and stays listed until closed, no longer counted against the target.
   */
  ended(opts?: { keep?: boolean }): void
}

export interface StreamRegistryOptions {
  events: Pick<EventSink, 'sendTo'>
  /** Streams one window may hold, stopped captures included (default 8). */
  maxPerOwner?: number
}

/** Events held for one stream before its start call has returned (each a batch; far above need). */
const MAX_HELD = 1000

interface Entry {
  readonly id: string
  readonly owner: number
  readonly kind: StreamKind
  readonly target: Target
  /** starting: slot reserved, factory running; ended: kept after its end (a capture's file). */
  state: 'starting' | 'running' | 'ended'
  stream: OwnedStream | null
  /** Events waiting for the start call to return; null once flushed. */
  held: Array<{ channel: EventChannel; args: unknown[] }> | null
  /** Stop it as soon as it has started, and fail the start with this (window gone, disconnect). */
  cancel: AppError | null
  /** Settles when the factory has (and a cancelled stream has been closed). */
  started: Promise<void>
  closing: Promise<void> | null
}

/** Every per-window stream of the app, by id. */
export class StreamRegistry {
  private readonly entries = new Map<string, Entry>()
  private readonly closedTargets = new WeakSet<Target>()
  private disposed = false

  constructor(private readonly opts: StreamRegistryOptions) {}

  /** Streams one window may hold. */
  get maxPerOwner(): number {
    return this.opts.maxPerOwner ?? 8
  }

  /**
   * Start a stream for `owner` on `target`. The slot is taken synchronously, before `factory`
   * runs, so concurrent calls cannot all pass the caps: over a cap the call fails with
   * LIMIT_REACHED and the factory never runs.
   */
  start<S extends OwnedStream>(
    owner: number,
    target: Target,
    kind: StreamKind,
    factory: (ctx: StreamContext) => Promise<S>,
  ): Promise<{ id: string; stream: S }> {
    const refusal = this.refusal(owner, target)
    if (refusal) return Promise.reject(refusal)
    const e: Entry = {
      id: randomBytes(8).toString('hex'),
      owner,
      kind,
      target,
      state: 'starting',
      stream: null,
      held: [],
      cancel: null,
      started: Promise.resolve(),
      closing: null,
    }
    this.entries.set(e.id, e)
    const p = this.launch(e, factory)
    // Only marks when the start settled; a failed start is the caller's error (from `p`).
    e.started = p.then(
      () => undefined,
      () => undefined,
    )
    return p
  }

  /** The stream `id` of `owner` when it is of the kind `is` accepts; else INVALID_ARGUMENT. */
  find<S extends OwnedStream>(owner: number, id: string, is: (s: OwnedStream) => s is S): S {
    const e = this.entries.get(id)
    if (!e || e.owner !== owner || !e.stream || e.state === 'starting' || !is(e.stream))
      throw new AppError('INVALID_ARGUMENT', 'No such live stream (it may have ended).')
    return e.stream
  }

  /** Stop `id` (if `owner` holds it) and forget it. Unknown ids are ignored: already ended. */
  close(owner: number, id: string): Promise<void> {
    const e = this.entries.get(id)
    if (!e || e.owner !== owner) return Promise.resolve()
    return this.closeEntry(e, new AppError('CANCELLED', 'Stopped before it had started.'))
  }

  /** A window went away: stop every stream it holds, including those still starting. */
  ownerGone(owner: number): Promise<void> {
    const why = new AppError('CANCELLED', 'The window that started this stream is gone.')
    return this.closeWhere((e) => e.owner === owner, why)
  }

  /**
   * The target is going (disconnect, another connection): stop its streams, including those still
   * starting, and refuse new ones on it.
   */
  stopTarget(target: Target): Promise<void> {
    this.closedTargets.add(target)
    const why = new AppError('NOT_CONNECTED', `The connection to ${target.label} was closed.`)
    return this.closeWhere((e) => e.target === target, why)
  }

  /** App quit: stop everything and refuse new streams. */
  dispose(): Promise<void> {
    this.disposed = true
    return this.closeWhere(() => true, new AppError('CANCELLED', 'The app is quitting.'))
  }

  /** Streams listed (starting, running, or kept after their end), of all windows or one. */
  count(owner?: number): number {
    let n = 0
    for (const e of this.entries.values()) if (owner === undefined || e.owner === owner) n++
    return n
  }

  /** Streams that take a slot of `target` now (starting or running). */
  countOn(target: Target): number {
    let n = 0
    for (const e of this.entries.values()) if (e.target === target && e.state !== 'ended') n++
    return n
  }

  private refusal(owner: number, target: Target): AppError | null {
    if (this.disposed) return new AppError('CANCELLED', 'The app is quitting.')
    if (this.closedTargets.has(target))
      return new AppError('NOT_CONNECTED', `Not connected to ${target.label}.`)
    const max = this.maxPerOwner
    if (this.count(owner) >= max)
      return new AppError(
        'LIMIT_REACHED',
        `At most ${max} live streams (ping, capture, terminal) per window; stop or close one first.`,
        { data: { limit: max, per: 'window' } },
      )
    const cap = target.streamCap
    if (this.countOn(target) >= cap)
      return new AppError(
        'LIMIT_REACHED',
        `At most ${cap} live streams at once on ${target.label}, across all windows; stop one first.`,
        { data: { limit: cap, per: 'target' } },
      )
    return null
  }

  private async launch<S extends OwnedStream>(
    e: Entry,
    factory: (ctx: StreamContext) => Promise<S>,
  ): Promise<{ id: string; stream: S }> {
    let stream: S
    try {
      stream = await factory(this.contextOf(e))
    } catch (err) {
      this.forget(e)
      e.held = null
      throw err
    }
    e.stream = stream
    if (e.cancel) {
      // its window, target or the app went while it was starting: it never reaches the window
      this.forget(e)
      e.held = null
      await stream.close().catch(() => undefined) // close failing: the target is gone with it
      throw e.cancel
    }
    if (e.state === 'starting') e.state = 'running'
    // The start call's answer goes out when this promise settles (same turn); held events follow.
    setImmediate(() => this.flush(e))
    return { id: e.id, stream }
  }

  private contextOf(e: Entry): StreamContext {
    return {
      id: e.id,
      send: (channel, ...args) => {
        if (e.held) {
          if (e.held.length < MAX_HELD) e.held.push({ channel, args })
        } else if (!e.cancel) this.opts.events.sendTo(e.owner, channel, ...args)
      },
      ended: (o) => {
        if (e.state === 'ended') return
        e.state = 'ended'
        if (!o?.keep) this.forget(e)
      },
    }
  }

  private flush(e: Entry): void {
    const held = e.held ?? []
    e.held = null
    if (e.cancel) return
    for (const { channel, args } of held)
      this.opts.events.sendTo(e.owner, channel, ...(args as EventArgs<typeof channel>))
  }

  private closeWhere(pred: (e: Entry) => boolean, why: AppError): Promise<void> {
    const mine = [...this.entries.values()].filter(pred)
    return Promise.all(mine.map((e) => this.closeEntry(e, why))).then(() => undefined)
  }

  private closeEntry(e: Entry, why: AppError): Promise<void> {
    if (!e.stream) {
      e.cancel ??= why
      return e.started // still starting: launch closes it once the factory is done
    }
    this.forget(e)
    e.closing ??= (e.stream?.close() ?? Promise.resolve()).catch((err: unknown) =>
      log.debug({ err, kind: e.kind }, 'closing a stream failed'),
    )
    return e.closing
  }

  private forget(e: Entry): void {
    if (this.entries.get(e.id) === e) this.entries.delete(e.id)
  }
}

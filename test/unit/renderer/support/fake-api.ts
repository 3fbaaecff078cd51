// TEST DOUBLE of the preload boundary (window.api): in jsdom there is no Electron main process, so
// every renderer test installs this one in its place. It holds the renderer to what the real
// bridge and router enforce: the contract's allowlists and argument checks on every invoke and
// every subscription, and structured cloning both ways (a Vue proxy cannot cross IPC). A call
// that breaks a rule is answered exactly as the preload/router would answer it AND recorded; a
// test fails at uninstall() if any was left unclaimed (claim expected ones with takeRefusals()).
// End-to-end tests use the real router instead (test/e2e/support/app.ts).

import { AppError, type AppErrorData, type IpcResult, toErrorData } from '@shared/errors'
import type {
  EventArgs,
  EventChannel,
  InvokeArgs,
  InvokeChannel,
  InvokeReturn,
  PreloadApi,
} from '@shared/ipc/contract'
import { invokeArgChecks, isEventChannel, isInvokeChannel } from '@shared/ipc/contract'

type Handler<K extends InvokeChannel> = (
  ...args: InvokeArgs<K>
) => Awaited<InvokeReturn<K>> | Promise<Awaited<InvokeReturn<K>>>

/** Thrown by a handler to answer with an error envelope (a thrown AppError works as well). */
export class FakeIpcError extends Error {
  constructor(readonly data: AppErrorData) {
    super(data.message)
  }
}

/** A call the real bridge or router would have refused, and how it was answered. */
export interface Refusal {
  /** `invoke` or `on`. */
  via: 'invoke' | 'on'
  channel: string
  args: unknown[]
  /** The error the renderer got (for `on`, the message of the thrown Error). */
  error: AppErrorData
}

/** The fake bridge and its controls. */
export interface FakeApi {
  api: PreloadApi
  /** Every invoke that passed the allowlist and the argument checks, in order. */
  calls: Array<{ channel: string; args: unknown[] }>
  /** Answer `channel` with `fn` (replacing an earlier handler). */
  handle<K extends InvokeChannel>(channel: K, fn: Handler<K>): void
  /** Push an event to the listeners, as main would (the arguments are structured-cloned). */
  emit<K extends EventChannel>(channel: K, ...args: EventArgs<K>): void
  /** Number of listeners on a channel (to check that components unsubscribe). */
  listeners(channel: EventChannel): number
  /** Calls made on one channel. */
  callsOf(channel: InvokeChannel): unknown[][]
  /**
   * Answer `channel` only when the test says so (a call still running in main, e.g. a preflight
   * the user cancels): each call waits for `resolve` or `reject`, in order.
   */
  hold<K extends InvokeChannel>(channel: K): Held<K>
  /** The refused calls so far, which the test thereby expected; they no longer fail it. */
  takeRefusals(): Refusal[]
  /** Remove window.api. Throws when a refused call was not claimed: that is a renderer bug. */
  uninstall(): void
}

/** Controls of a held channel. */
export interface Held<K extends InvokeChannel> {
  /** Calls waiting for an answer. */
  readonly waiting: number
  /** Answer the oldest waiting call with a value. */
  resolve(value: Awaited<InvokeReturn<K>>): void
  /** Answer the oldest waiting call with an error envelope. */
  reject(error: AppErrorData): void
}

/**
 * What Electron does to every value crossing IPC (structured clone): proxies, functions and
 * class identities do not survive. Throws as contextBridge does for what cannot be cloned.
 */
function cross<T>(v: T): T {
  try {
    return structuredClone(v)
  } catch {
    throw new Error('An object could not be cloned.')
  }
}

/** Install the fake window.api (the test double of the preload) and return its controls. */
export function installFakeApi(): FakeApi {
  const handlers = new Map<string, (...a: unknown[]) => unknown>()
  const subs = new Map<string, Set<(...a: unknown[]) => void>>()
  const calls: FakeApi['calls'] = []
  let refusals: Refusal[] = []

  const refuse = (via: Refusal['via'], channel: unknown, args: unknown[], error: AppError) => {
    refusals.push({ via, channel: String(channel), args, error: error.toData() })
    return { ok: false, error: error.toData() } as const
  }

  /** The preload's and the router's checks, in their order; null when the call may go on. */
  const check = (channel: unknown, args: unknown[]): IpcResult<never> | null => {
    if (!isInvokeChannel(channel))
      // The preload answers an unknown channel itself.
      return refuse(
        'invoke',
        channel,
        args,
        new AppError('UNKNOWN_CHANNEL', `Unknown call "${String(channel).slice(0, 60)}".`),
      )
    const c = invokeArgChecks[channel](args)
    if (!c.ok)
      return refuse(
        'invoke',
        channel,
        args,
        new AppError('INVALID_ARGUMENT', c.message, { detail: channel }),
      )
    return null
  }

  const api = {
    async invoke(channel: string, ...sent: unknown[]): Promise<unknown> {
      let args: unknown[]
      try {
        args = cross(sent)
      } catch (e) {
        refuse('invoke', channel, sent, new AppError('INTERNAL', (e as Error).message))
        throw e
      }
      const refused = check(channel, args)
      if (refused) return refused
      calls.push({ channel, args })
      const h = handlers.get(channel)
      if (!h) return { ok: false, error: { code: 'INTERNAL', message: `no fake for ${channel}` } }
      try {
        return cross({ ok: true, value: await h(...args) })
      } catch (e) {
        return { ok: false, error: e instanceof FakeIpcError ? e.data : toErrorData(e) }
      }
    },
    on(channel: string, fn: (...a: unknown[]) => void): () => void {
      // As the preload: an unknown event or a non-function listener throws.
      const fail = (message: string): never => {
        refuse('on', channel, [], new AppError('INVALID_ARGUMENT', message))
        throw new Error(message)
      }
      if (!isEventChannel(channel)) fail(`Unknown event "${String(channel).slice(0, 60)}".`)
      if (typeof fn !== 'function') fail('on() needs a listener function.')
      const set = subs.get(channel) ?? new Set()
      subs.set(channel, set)
      // Each subscription is its own listener, as ipcRenderer.on wraps each one.
      const listener = (...a: unknown[]): void => fn(...a)
      set.add(listener)
      return () => void set.delete(listener)
    },
  } as PreloadApi
  const g = globalThis as { api?: PreloadApi }
  g.api = api
  return {
    api,
    calls,
    handle(channel, fn) {
      handlers.set(channel, fn as (...a: unknown[]) => unknown)
    },
    emit(channel, ...args) {
      if (!isEventChannel(channel)) throw new Error(`main never sends "${String(channel)}"`)
      const sent = cross(args as unknown[])
      for (const f of [...(subs.get(channel) ?? [])]) f(...sent)
    },
    listeners: (channel) => subs.get(channel)?.size ?? 0,
    callsOf: (channel) => calls.filter((c) => c.channel === channel).map((c) => c.args),
    hold<K extends InvokeChannel>(channel: K): Held<K> {
      const queue: Array<{ ok: (v: unknown) => void; fail: (e: unknown) => void }> = []
      handlers.set(channel, () => new Promise((ok, fail) => queue.push({ ok, fail })))
      const next = (): { ok: (v: unknown) => void; fail: (e: unknown) => void } => {
        const w = queue.shift()
        if (!w) throw new Error(`no call to ${channel} is waiting`)
        return w
      }
      return {
        get waiting() {
          return queue.length
        },
        resolve: (value) => next().ok(value),
        reject: (error) => next().fail(new FakeIpcError(error)),
      }
    },
    takeRefusals() {
      const r = refusals
      refusals = []
      return r
    },
    uninstall() {
      if (g.api === api) delete g.api
      const left = refusals
      refusals = []
      if (left.length)
        throw new Error(
          'The renderer made calls the real bridge refuses:\n' +
            left
              .map((r) => `  ${r.via}("${r.channel}") → ${r.error.code}: ${r.error.message}`)
              .join('\n'),
        )
    },
  }
}

/** Let pending promises and Vue's scheduler run. */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((r) => setTimeout(r, 0))
}

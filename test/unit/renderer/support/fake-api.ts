// TEST DOUBLE of the preload boundary (window.api): in jsdom there is no Electron main process, so
// renderer unit tests install this in its place. It answers invoke() with per-channel handlers in
// the router's envelope ({ok,value} / {ok:false,error}), records every call, and lets a test push
// main → renderer events. End-to-end tests use the real router instead (test/e2e/support/app.ts).

import type { AppErrorData } from '@shared/errors'
import type {
  EventArgs,
  EventChannel,
  InvokeArgs,
  InvokeChannel,
  InvokeReturn,
  PreloadApi,
} from '@shared/ipc/contract'
import { isEventChannel, isInvokeChannel } from '@shared/ipc/contract'

type Handler<K extends InvokeChannel> = (
  ...args: InvokeArgs<K>
) => Awaited<InvokeReturn<K>> | Promise<Awaited<InvokeReturn<K>>>

/** Thrown by a handler to answer with an error envelope. */
export class FakeIpcError extends Error {
  constructor(readonly data: AppErrorData) {
    super(data.message)
  }
}

/** The fake bridge and its controls. */
export interface FakeApi {
  api: PreloadApi
  /** Every invoke, in order: channel and arguments. */
  calls: Array<{ channel: string; args: unknown[] }>
  /** Answer `channel` with `fn` (replacing an earlier handler). */
  handle<K extends InvokeChannel>(channel: K, fn: Handler<K>): void
  /** Push an event to the listeners, as main would. */
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

/** Install a fake window.api (the test double of the preload) and return its controls. */
export function installFakeApi(): FakeApi {
  const handlers = new Map<string, (...a: unknown[]) => unknown>()
  const subs = new Map<string, Set<(...a: unknown[]) => void>>()
  const calls: FakeApi['calls'] = []
  const api = {
    async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
      if (!isInvokeChannel(channel))
        return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `Unknown ${channel}` } }
      calls.push({ channel, args })
      const h = handlers.get(channel)
      if (!h) return { ok: false, error: { code: 'INTERNAL', message: `no fake for ${channel}` } }
      try {
        return { ok: true, value: await h(...args) }
      } catch (e) {
        if (e instanceof FakeIpcError) return { ok: false, error: e.data }
        throw e
      }
    },
    on(channel: string, fn: (...a: unknown[]) => void): () => void {
      if (!isEventChannel(channel)) throw new Error(`Unknown event "${channel}".`)
      const set = subs.get(channel) ?? new Set()
      subs.set(channel, set)
      set.add(fn)
      return () => void set.delete(fn)
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
      for (const f of subs.get(channel) ?? []) f(...(args as unknown[]))
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
    uninstall() {
      delete g.api
    },
  }
}

/** Let pending promises and Vue's scheduler run. */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((r) => setTimeout(r, 0))
}

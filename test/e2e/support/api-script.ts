// The init script that gives every page of the test browser the same window.api the preload
// exposes in Electron: invoke(channel, ...args) and on(channel, fn) → unsubscribe, allowlisted.

import type { BrowserContext } from 'playwright-core'

/** Name of the Playwright binding that forwards to the router. */
export const INVOKE_BINDING = '__nssInvoke'

/** Name of the page function, defined by the init script, that delivers main → renderer events. */
export const EMIT_FN = '__nssEmit'

/** Define window.api in every frame of `context`, mirroring src-main/preload/index.ts. */
export async function installApiScript(
  context: BrowserContext,
  invokeChannels: string[],
  eventChannels: string[],
): Promise<void> {
  await context.addInitScript(
    ({ binding, emit, invokes, events }) => {
      const win = globalThis as unknown as Record<string, unknown>
      const invokeSet = new Set(invokes)
      const eventSet = new Set(events)
      const listeners = new Map<string, Set<(...a: unknown[]) => void>>()
      const call = win[binding] as (c: unknown, a: unknown[]) => Promise<unknown>
      const api = {
        invoke(channel: unknown, ...args: unknown[]): Promise<unknown> {
          if (typeof channel !== 'string' || !invokeSet.has(channel)) {
            const message = `Unknown call "${String(channel).slice(0, 60)}".`
            return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message } })
          }
          // Electron copies arguments with the structured clone algorithm: a value it cannot
          // copy (a Vue proxy, a function) fails the call there, so it must fail here too.
          let copy: unknown[]
          try {
            copy = structuredClone(args)
          } catch (e) {
            return Promise.reject(new Error(`An object could not be cloned: ${String(e)}`))
          }
          return call(channel, copy)
        },
        on(channel: unknown, fn: unknown): () => void {
          if (typeof channel !== 'string' || !eventSet.has(channel))
            throw new Error(`Unknown event "${String(channel).slice(0, 60)}".`)
          if (typeof fn !== 'function') throw new Error('on() needs a listener function.')
          const set = listeners.get(channel) ?? new Set()
          listeners.set(channel, set)
          const f = fn as (...a: unknown[]) => void
          set.add(f)
          return () => void set.delete(f)
        },
      }
      Object.defineProperty(win, 'api', { value: Object.freeze(api), enumerable: true })
      Object.defineProperty(win, emit, {
        value: (channel: string, args: unknown[]) => {
          for (const f of listeners.get(channel) ?? []) {
            try {
              f(...args)
            } catch (e) {
              console.error(e)
            }
          }
        },
      })
    },
    { binding: INVOKE_BINDING, emit: EMIT_FN, invokes: invokeChannels, events: eventChannels },
  )
}

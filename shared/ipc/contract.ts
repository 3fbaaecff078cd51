// THE IPC contract: one invoke map and one event map, composed from per-domain parts, with the
// runtime allowlists and argument checks the preload and the main router enforce.

import type { Check } from '../net/validate'
import type { AppEvents, AppInvoke } from './domains/app'
import { appEventNames, appInvokeArgs } from './domains/app'
import type { CoreEvents, CoreInvoke } from './domains/core'
import { coreEventNames, coreInvokeArgs } from './domains/core'
import type { LabEvents, LabInvoke } from './domains/lab'
import { labEventNames, labInvokeArgs } from './domains/lab'
import type { LiveEvents, LiveInvoke } from './domains/live'
import { liveEventNames, liveInvokeArgs } from './domains/live'
import type { VmEvents, VmInvoke } from './domains/vm'
import { vmEventNames, vmInvokeArgs } from './domains/vm'

/** Renderer → main, request/response. */
export type InvokeContract = AppInvoke & CoreInvoke & LabInvoke & LiveInvoke & VmInvoke
/** Main → renderer, push. */
export type EventContract = AppEvents & CoreEvents & LabEvents & LiveEvents & VmEvents

export type InvokeChannel = keyof InvokeContract
export type EventChannel = keyof EventContract

export type InvokeArgs<K extends InvokeChannel> = Parameters<InvokeContract[K]>
export type InvokeReturn<K extends InvokeChannel> = ReturnType<InvokeContract[K]>
export type EventArgs<K extends EventChannel> = Parameters<EventContract[K]>

/** Per-channel argument checks; also the invoke allowlist. A missing or extra channel is a compile error. */
export const invokeArgChecks: { [K in InvokeChannel]: (args: unknown[]) => Check } = {
  ...appInvokeArgs,
  ...coreInvokeArgs,
  ...labInvokeArgs,
  ...liveInvokeArgs,
  ...vmInvokeArgs,
}

export const eventAllowlist: { [K in EventChannel]: true } = {
  ...appEventNames,
  ...coreEventNames,
  ...labEventNames,
  ...liveEventNames,
  ...vmEventNames,
}

export function isInvokeChannel(c: unknown): c is InvokeChannel {
  return typeof c === 'string' && Object.prototype.hasOwnProperty.call(invokeArgChecks, c)
}

export function isEventChannel(c: unknown): c is EventChannel {
  return typeof c === 'string' && Object.prototype.hasOwnProperty.call(eventAllowlist, c)
}

/** Push an event to renderers: to one (by sender id) or to all. Sends to destroyed frames are dropped. */
export interface EventSink {
  send<C extends EventChannel>(channel: C, ...args: EventArgs<C>): void
  sendTo<C extends EventChannel>(senderId: number, channel: C, ...args: EventArgs<C>): void
}

/** The bridge the preload exposes as `window.api`. */
export interface PreloadApi {
  invoke<K extends InvokeChannel>(channel: K, ...args: InvokeArgs<K>): Promise<unknown>
  on<K extends EventChannel>(channel: K, fn: (...args: EventArgs<K>) => void): () => void
}

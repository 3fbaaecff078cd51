// Types shared by the IPC router and the per-domain handler maps: handlers are plain functions
// keyed by contract channel, so tests can call them without Electron.

import type { InvokeArgs, InvokeChannel, InvokeReturn } from '../../shared/ipc/contract'

/** Who is calling: the sender's webContents id (owner of streams it starts). */
export interface CallContext {
  senderId: number
}

/** A handler for one invoke channel. Arguments have already passed the contract's runtime checks. */
export type InvokeHandler<C extends InvokeChannel> = (
  ctx: CallContext,
  ...args: InvokeArgs<C>
) => Promise<Awaited<InvokeReturn<C>>> | Awaited<InvokeReturn<C>>

/** A map of handlers for some channels of one domain. */
export type HandlerMap<K extends InvokeChannel> = { [C in K]: InvokeHandler<C> }

export type { EventSink } from '../../shared/ipc/contract'

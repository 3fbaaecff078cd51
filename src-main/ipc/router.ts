// The IPC router, plain code (no Electron): sender check, allowlist, argument checks from the
// one contract, then the handler; every outcome becomes an IpcResult envelope.

import { AppError, toErrorData, type IpcResult } from '../../shared/errors'
import { invokeArgChecks, isInvokeChannel, type InvokeChannel } from '../../shared/ipc/contract'
import type { CallContext, HandlerMap } from './types'

/** What the transport knows about the caller, beyond its id. */
export interface SenderContext extends CallContext {
  /** URL of the frame that sent the call. */
  frameUrl: string
  /** True when the sending frame is the top-level frame of its page. */
  isMainFrame: boolean
}

export interface RouterOptions {
  /** Decides whether a sender may call at all (app origin, main frame, known window). */
  isTrustedSender(ctx: SenderContext): boolean
  /** Optional debug hook, called once per call with its outcome. */
  onCall?: (channel: string, ok: boolean, ms: number) => void
}

/** A router over a complete handler map. */
export interface Router {
  /** Route one call. Never throws: failures come back as `{ ok: false, error }`. */
  handle(ctx: SenderContext, channel: unknown, args: unknown[]): Promise<IpcResult<unknown>>
}

type AnyHandler = (ctx: CallContext, ...args: unknown[]) => unknown

/**
 * Build the router. Order matters and is the security contract: sender → channel → arguments →
 * handler. No handler code runs for a call that fails an earlier step.
 */
export function createRouter(handlers: HandlerMap<InvokeChannel>, opts: RouterOptions): Router {
  return {
    async handle(ctx, channel, args) {
      const started = Date.now()
      const result = await route(handlers, opts, ctx, channel, args)
      opts.onCall?.(String(channel), result.ok, Date.now() - started)
      return result
    },
  }
}

async function route(
  handlers: HandlerMap<InvokeChannel>,
  opts: RouterOptions,
  ctx: SenderContext,
  channel: unknown,
  args: unknown[],
): Promise<IpcResult<unknown>> {
  if (!safeTrust(opts, ctx)) {
    return fail(
      new AppError('FORBIDDEN_SENDER', 'This window may not call the app.', {
        detail: ctx.frameUrl,
      }),
    )
  }
  if (!isInvokeChannel(channel)) {
    return fail(new AppError('UNKNOWN_CHANNEL', `Unknown call "${describe(channel)}".`))
  }
  if (!Array.isArray(args)) {
    return fail(new AppError('INVALID_ARGUMENT', 'Arguments must be a list.'))
  }
  const check = invokeArgChecks[channel](args)
  if (!check.ok) return fail(new AppError('INVALID_ARGUMENT', check.message, { detail: channel }))
  const handler = handlers[channel] as unknown as AnyHandler | undefined
  if (typeof handler !== 'function') {
    return fail(new AppError('INTERNAL', `No handler is registered for "${channel}".`))
  }
  try {
    const value = await handler({ senderId: ctx.senderId }, ...args)
    return { ok: true, value }
  } catch (err) {
    return fail(err)
  }
}

/** A throwing sender check (e.g. a frame that went away) counts as untrusted. */
function safeTrust(opts: RouterOptions, ctx: SenderContext): boolean {
  try {
    return opts.isTrustedSender(ctx) === true
  } catch {
    return false
  }
}

function fail(err: unknown): IpcResult<never> {
  return { ok: false, error: toErrorData(err) }
}

/** A channel name for an error message, bounded and printable. */
function describe(channel: unknown): string {
  const s = typeof channel === 'string' ? channel : typeof channel
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 60)
}

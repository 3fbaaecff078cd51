// The IPC router, plain code (no Electron): sender check, allowlist, argument checks from the
// one contract, then the handler; every outcome becomes an IpcResult envelope, and every call a
// log line (channel, sender, duration, outcome; the arguments' shape, never their values).

import { AppError, toErrorData, type IpcResult } from '../../shared/errors'
import { invokeArgChecks, isInvokeChannel, type InvokeChannel } from '../../shared/ipc/contract'
import { logger } from '../log'
import type { CallContext, HandlerMap } from './types'

const log = logger('ipc')

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
      const ms = Date.now() - started
      logCall(ctx, channel, args, result, ms)
      opts.onCall?.(String(channel), result.ok, ms)
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
    // Not an AppError: a bug in main, so its stack is worth keeping.
    if (toErrorData(err).code === 'INTERNAL') log.error({ err, channel }, 'handler failed')
    return fail(err)
  }
}

/**
 * One line per call: debug for ordinary calls and failures, warn for a refused sender or an
 * unknown channel (someone tried something). Arguments only as their count and types: a key path
 * or a host typed by the user stays out of the log.
 */
function logCall(
  ctx: SenderContext,
  channel: unknown,
  args: unknown,
  result: IpcResult<unknown>,
  ms: number,
): void {
  const code = result.ok ? 'ok' : result.error.code
  const refused = code === 'FORBIDDEN_SENDER' || code === 'UNKNOWN_CHANNEL'
  const level = refused ? 'warn' : 'debug'
  if (!log.isLevelEnabled(level)) return
  log[level](
    { channel: describe(channel), sender: ctx.senderId, ms, outcome: code, args: shape(args) },
    'ipc call',
  )
}

/** The types of the arguments (`['object', 'string']`), or what came instead of a list. */
function shape(args: unknown): string[] | string {
  if (!Array.isArray(args)) return `not a list (${typeof args})`
  return args.slice(0, 8).map((a) => (a === null ? 'null' : Array.isArray(a) ? 'array' : typeof a))
}

/** A throwing sender check (e.g. a frame that went away) counts as untrusted. */
function safeTrust(opts: RouterOptions, ctx: SenderContext): boolean {
  try {
    return opts.isTrustedSender(ctx) === true
  } catch (err) {
    log.debug({ err }, 'sender check threw: untrusted')
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

// The renderer's one IPC client: typed invoke/on over window.api. Errors come back as data from
// the main router and are re-thrown here as AppError, so stores branch on `code`.

import { AppError, isErrorData } from '@shared/errors'
import type {
  EventArgs,
  EventChannel,
  InvokeArgs,
  InvokeChannel,
  InvokeReturn,
  PreloadApi,
} from '@shared/ipc/contract'

/** The bridge, looked up on each call so tests (and the e2e bridge) can install it late. */
function api(): PreloadApi {
  const a = (globalThis as { api?: PreloadApi }).api
  if (!a) throw new AppError('INTERNAL', 'The app bridge is missing (window.api is not defined).')
  return a
}

/**
 * Call main. Resolves with the handler's value; rejects with an {@link AppError} carrying the
 * router's error code (INVALID_ARGUMENT, COMMAND_FAILED, NOT_CONNECTED, ...).
 */
export async function invoke<K extends InvokeChannel>(
  channel: K,
  ...args: InvokeArgs<K>
): Promise<Awaited<InvokeReturn<K>>> {
  let res: unknown
  try {
    res = await api().invoke(channel, ...args)
  } catch (err) {
    // The transport itself failed (preload refused the channel, window closing).
    throw err instanceof AppError ? err : new AppError('INTERNAL', errorMessage(err))
  }
  if (typeof res === 'object' && res !== null && 'ok' in res) {
    const r = res as { ok: boolean; value?: unknown; error?: unknown }
    if (r.ok) return r.value as Awaited<InvokeReturn<K>>
    if (isErrorData(r.error)) throw AppError.fromData(r.error)
  }
  throw new AppError('INTERNAL', `Malformed reply to "${channel}".`)
}

/** Subscribe to a main → renderer event; returns the unsubscribe function. */
export function on<K extends EventChannel>(
  channel: K,
  fn: (...args: EventArgs<K>) => void,
): () => void {
  return api().on(channel, fn)
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

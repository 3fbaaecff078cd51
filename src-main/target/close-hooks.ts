// Work that must run while a target is still connected, at the start of its close(): the live
// streams stop and remove their remote files before the connection goes.

import { logger } from '../log'

const log = logger('target')

/** Longest wait for the hooks before a target closes anyway (ms). */
export const CLOSE_HOOK_MS = 15_000

/** The before-close hooks of one target. */
export class CloseHooks {
  private readonly fns = new Set<() => Promise<void>>()

  /** Register `fn`; returns the function that removes it. */
  add(fn: () => Promise<void>): () => void {
    this.fns.add(fn)
    return () => void this.fns.delete(fn)
  }

  /** Run every hook at once and wait for them, at most `timeoutMs`; never throws. */
  async run(timeoutMs = CLOSE_HOOK_MS): Promise<void> {
    const fns = [...this.fns]
    this.fns.clear()
    if (fns.length === 0) return
    let timer: NodeJS.Timeout | undefined
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))
    // a failing hook must not keep the others (or the close) from running: it is its own problem
    const all = Promise.all(
      fns.map((fn) => fn().catch((err: unknown) => log.debug({ err }, 'before-close hook failed'))),
    )
    await Promise.race([all, limit])
    clearTimeout(timer)
  }
}

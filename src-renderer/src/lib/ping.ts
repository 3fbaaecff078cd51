// One-shot ping from the Actions panel, built on the live module's bounded ping stream
// (`live:ping-start` with a count and a deadline): it collects the batches until the stream ends.

import type { PingBatch } from '@shared/ipc/domains/live'
import type { PingRequest, PingStats } from '@shared/net/ping'
import { emptyPingStats } from '@shared/net/ping'
import { invoke, on } from '../ipc/client'
import { PendingById } from './pending-by-id'

/** The result of a finished one-shot ping. */
export interface PingOutcome {
  stats: PingStats
  /** Output lines as ping printed them. */
  lines: string[]
}

/**
 * Run `ping -c count -w deadline` in a namespace and resolve when it ends. Events that arrive
 * before `live:ping-start` has answered with the stream id are held per id (bounded) and replayed
 * once the id is known; events of other pings are never kept.
 */
export async function pingOnce(req: PingRequest): Promise<PingOutcome> {
  const mine: PingBatch[] = []
  const early = new PendingById()
  let id: string | null = null
  let ended = false
  let finish: () => void = () => undefined
  const done = new Promise<void>((resolve) => (finish = resolve))
  const onData = (batch: PingBatch): void => void mine.push(batch)
  const onEnd = (): void => {
    ended = true
    finish()
  }
  const offData = on('live:ping-data', (sid, batch) => {
    if (id === null) early.hold(sid, () => onData(batch))
    else if (sid === id) onData(batch)
  })
  const offEnd = on('live:ping-ended', (sid) => {
    if (id === null) early.hold(sid, onEnd)
    else if (sid === id) onEnd()
  })
  // A bound on waiting, in case the end event is lost (window reload, disconnect).
  const limitMs = ((req.deadlineS ?? 10) + 5) * 1000
  let timer: ReturnType<typeof setTimeout> | null = null
  try {
    id = (await invoke('live:ping-start', req)).id
    early.release(id)
    early.clear()
    if (!ended)
      await Promise.race([
        done,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs))),
      ])
  } finally {
    if (timer) clearTimeout(timer)
    offData()
    offEnd()
  }
  const last = mine[mine.length - 1]
  return { stats: last?.stats ?? emptyPingStats(), lines: mine.flatMap((b) => b.lines) }
}

// One-shot ping from the Actions panel, built on the live module's bounded ping stream
// (`live:ping-start` with a count and a deadline): it collects the batches until the stream ends.

import type { PingBatch } from '@shared/ipc/domains/live'
import type { PingRequest, PingStats } from '@shared/net/ping'
import { emptyPingStats } from '@shared/net/ping'
import { invoke, on } from '../ipc/client'

/** The result of a finished one-shot ping. */
export interface PingOutcome {
  stats: PingStats
  /** Output lines as ping printed them. */
  lines: string[]
}

/**
 * Run `ping -c count -w deadline` in a namespace and resolve when it ends. Events that arrive
 * before `live:ping-start` has answered with the stream id are kept and matched afterwards.
 */
export async function pingOnce(req: PingRequest): Promise<PingOutcome> {
  const batches = new Map<string, PingBatch[]>()
  const ended = new Set<string>()
  let id: string | null = null
  let finish: () => void = () => undefined
  const done = new Promise<void>((resolve) => (finish = resolve))
  const offData = on('live:ping-data', (sid, batch) => {
    const list = batches.get(sid) ?? []
    list.push(batch)
    batches.set(sid, list)
  })
  const offEnd = on('live:ping-ended', (sid) => {
    ended.add(sid)
    if (sid === id) finish()
  })
  // A bound on waiting, in case the end event is lost (window reload, disconnect).
  const limitMs = ((req.deadlineS ?? 10) + 5) * 1000
  let timer: ReturnType<typeof setTimeout> | null = null
  try {
    id = (await invoke('live:ping-start', req)).id
    if (ended.has(id)) finish()
    await Promise.race([
      done,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs))),
    ])
  } finally {
    if (timer) clearTimeout(timer)
    offData()
    offEnd()
  }
  const mine = batches.get(id) ?? []
  const last = mine[mine.length - 1]
  return { stats: last?.stats ?? emptyPingStats(), lines: mine.flatMap((b) => b.lines) }
}

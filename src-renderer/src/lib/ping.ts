// One-shot ping from the Actions panel. Streaming ping belongs to the live views; this adapter
// uses whichever ping channel the contract offers, and says so when there is none.

import type { PingRequest, PingStats } from '@shared/net/ping'
import { isInvokeChannel } from '@shared/ipc/contract'

/** The result of a finished one-shot ping. */
export interface PingOutcome {
  stats: PingStats
  /** Output lines as ping printed them (when available). */
  lines: string[]
}

/** True when this build has a ping channel the Actions panel can use. */
export function pingAvailable(): boolean {
  return isInvokeChannel('ping:once')
}

/** Run `ping -c count` in a namespace and wait for it to end. */
export function pingOnce(_req: PingRequest): Promise<PingOutcome> {
  return Promise.reject(
    new Error('Ping is not available in this build: the live module provides it.'),
  )
}

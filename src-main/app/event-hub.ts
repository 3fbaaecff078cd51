// Fan-out of main → renderer events: services push into one hub; each transport (Electron
// windows, the Chromium test bridge) attaches its own sink.

import type { EventArgs, EventChannel } from '../../shared/ipc/contract'
import type { EventSink } from '../ipc/types'

/** An EventSink that forwards to every attached sink. A throwing sink never stops the others. */
export class EventHub implements EventSink {
  private readonly sinks = new Set<EventSink>()

  /** Attach a sink; returns the function that detaches it. */
  attach(sink: EventSink): () => void {
    this.sinks.add(sink)
    return () => void this.sinks.delete(sink)
  }

  send<C extends EventChannel>(channel: C, ...args: EventArgs<C>): void {
    for (const s of this.sinks) {
      try {
        s.send(channel, ...args)
      } catch {
        // A destroyed frame or closed page: the sink's own problem, not the sender's.
      }
    }
  }

  sendTo<C extends EventChannel>(senderId: number, channel: C, ...args: EventArgs<C>): void {
    for (const s of this.sinks) {
      try {
        s.sendTo(senderId, channel, ...args)
      } catch {
        // as above
      }
    }
  }
}

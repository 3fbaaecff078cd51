// IPC handlers of the live domain: thin adapters over the live service. The caller's sender id
// owns the streams it starts, so a closed window stops exactly its own streams.

import type { LiveInvoke } from '../../../shared/ipc/domains/live'
import type { LiveService } from '../../streams/live-service'
import type { HandlerMap } from '../types'

/** Handlers for every LiveInvoke channel. Arguments arrive already checked by the router. */
export function createLiveHandlers(live: LiveService): HandlerMap<keyof LiveInvoke> {
  return {
    'live:ping-start': (c, req) => live.pingStart(c.senderId, req),
    'live:ping-stop': (c, id) => live.stop(c.senderId, id),
    'live:matrix-run': (c, pairs, opts) => live.matrix(c.senderId, pairs, opts),
    'live:traffic-start': (c, s) => live.trafficStart(c.senderId, s),
    'live:traffic-stop': (c) => live.trafficStop(c.senderId),
    'live:traffic-interval': (_c, s) => live.trafficInterval(s),
    'live:capture-start': (c, req) => live.captureStart(c.senderId, req),
    'live:capture-stop': (c, id) => live.captureStop(c.senderId, id),
    'live:capture-save': (c, id) => live.captureSave(c.senderId, id),
    'live:capture-close': (c, id) => live.captureClose(c.senderId, id),
    'live:terminal-open': (c, r) => live.terminalOpen(c.senderId, r.ns, r.cols, r.rows),
    'live:terminal-write': (c, id, data) => live.terminal(c.senderId, id).write(data),
    'live:terminal-resize': (c, id, cols, rows) => live.terminal(c.senderId, id).resize(cols, rows),
    'live:terminal-close': (c, id) => live.stop(c.senderId, id),
    'live:netem-set': (c, req) => live.netemSet(c.senderId, req),
    'live:netem-clear': (c, ns, ifname) => live.netemClear(c.senderId, ns, ifname),
    'live:netem-list': () => live.netemList(),
    'live:monitor-status': () => live.monitorStatus(),
    'live:sockets': (c, ns) => live.sockets(c.senderId, ns),
    'live:service-start': (c, req) => live.serviceStart(c.senderId, req),
    'live:service-stop': (c, id) => live.stop(c.senderId, id),
  }
}

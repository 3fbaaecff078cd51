// IPC handlers of the core domain: target connection (and replacing a reviewed host key),
// snapshot, operations and the command log, as thin adapters over the connection manager and the
// log service.

import type { CoreInvoke } from '../../../shared/ipc/domains/core'
import type { ConnectionManager } from '../../app/connection'
import type { LogService } from '../../app/log-service'
import { HostKeyReviews } from '../../target/host-key-review'
import type { HandlerMap } from '../types'

/** Handlers for every CoreInvoke channel. Arguments arrive already checked by the router. */
export function createCoreHandlers(
  conn: ConnectionManager,
  logs: LogService,
): HandlerMap<keyof CoreInvoke> {
  // Connects refused for a changed host key: trust-host-key pins only a key one was offered.
  const reviews = new HostKeyReviews()
  return {
    'target:connect': (_ctx, spec) => reviews.watch(conn.connect(spec)),
    'target:trust-host-key': (_ctx, req) => reviews.trust(req.id, req.fingerprint),
    'target:disconnect': () => conn.disconnect(),
    'target:status': () => conn.status(),
    'netns:snapshot': () => conn.snapshot(),
    'netns:apply': (_ctx, op) => conn.apply(op),
    'netns:branch': () => conn.branch(),
    'netns:nat-backend': () => conn.natBackend(),
    'netns:reset': () => conn.reset(),
    'log:list': () => logs.entries(),
    'log:export': () => logs.exportScript(conn.status().label),
    'log:clear': () => logs.clear(),
  }
}

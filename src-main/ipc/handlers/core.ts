// IPC handlers of the core domain: target connection, snapshot, operations and the command log,
// as thin adapters over the connection manager.

import type { CoreInvoke } from '../../../shared/ipc/domains/core'
import type { ConnectionManager } from '../../app/connection'
import type { HandlerMap } from '../types'

/** Handlers for every CoreInvoke channel. Arguments arrive already checked by the router. */
export function createCoreHandlers(conn: ConnectionManager): HandlerMap<keyof CoreInvoke> {
  return {
    'target:connect': (_ctx, spec) => conn.connect(spec),
    'target:disconnect': () => conn.disconnect(),
    'target:status': () => conn.status(),
    'netns:snapshot': () => conn.snapshot(),
    'netns:apply': (_ctx, op) => conn.apply(op),
    'netns:reset': () => conn.reset(),
    'log:list': () => conn.logEntries(),
    'log:export': () => conn.exportLog(),
    'log:clear': () => conn.clearLog(),
  }
}

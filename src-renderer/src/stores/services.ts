// Services (a socat listener on a port in a namespace) and each namespace's listening sockets. A
// namespace's sockets are read again after one of its services starts or ends, so the table shows
// what the kernel now has. Events for a service whose start call has not answered yet wait in one
// per-id buffer (lib/pending-by-id.ts); everything is forgotten on disconnect.

import type { LiveEnd } from '@shared/ipc/domains/live'
import type { ServiceRequest } from '@shared/net/service'
import type { SocketTable } from '@shared/net/sockets'
import { acceptHMRUpdate, defineStore } from 'pinia'
import { reactive, watch } from 'vue'
import { invoke, on } from '../ipc/client'
import { describeError, type ErrorView } from '../lib/errors'
import { PendingById } from '../lib/pending-by-id'
import { useTargetStore } from './target'

export interface ServiceView {
  id: string
  ns: string
  protocol: 'tcp' | 'udp'
  port: number
  reply: string
  /** What socat listens on, e.g. "0.0.0.0:8080". */
  listening: string
  /** Connections accepted (TCP) or datagrams answered (UDP). */
  served: number
  /** The last client, e.g. "10.0.0.2:51234". */
  lastFrom: string | null
  running: boolean
  end: LiveEnd | null
}

/** One namespace's sockets table: the last read, whether a read is running, and its error. */
export interface SocketsView {
  table: SocketTable | null
  loading: boolean
  error: ErrorView | null
}

export const useServicesStore = defineStore('services', () => {
  const services = reactive(new Map<string, ServiceView>())
  const sockets = reactive(new Map<string, SocketsView>())
  const early = new PendingById()
  /** The read in flight per namespace (a refresh asked meanwhile runs once after it). */
  const reads = new Map<string, Promise<void>>()
  const again = new Set<string>()
  let offs: Array<() => void> = []

  function route(id: string, apply: (s: ServiceView) => void): void {
    const s = services.get(id)
    if (s) return apply(s)
    early.hold(id, () => {
      const v = services.get(id)
      if (v) apply(v)
    })
  }

  /** Subscribe to main's service events (idempotent). */
  function init(): void {
    if (offs.length) return
    offs = [
      on('live:service-data', (id, events) =>
        route(id, (s) => {
          for (const e of events) {
            if (e.kind === 'listening') s.listening = e.address
            else {
              s.served++
              s.lastFrom = e.from
            }
          }
        }),
      ),
      on('live:service-ended', (id, end) =>
        route(id, (s) => {
          s.running = false
          s.end = end
          void refreshSockets(s.ns)
        }),
      ),
    ]
  }

  function dispose(): void {
    for (const f of offs) f()
    offs = []
  }

  function viewOf(ns: string): SocketsView {
    let v = sockets.get(ns)
    if (!v) {
      sockets.set(ns, { table: null, loading: false, error: null })
      v = sockets.get(ns)!
    }
    return v
  }

  /** Read the sockets of `ns` (a call during a read makes one more read after it). */
  function refreshSockets(ns: string): Promise<void> {
    const running = reads.get(ns)
    if (running) {
      again.add(ns)
      return running
    }
    const v = viewOf(ns)
    v.loading = true
    const p = invoke('live:sockets', ns)
      .then(
        (t) => {
          v.table = t
          v.error = null
        },
        (e: unknown) => {
          v.error = describeError(e)
        },
      )
      .finally(() => {
        v.loading = false
        reads.delete(ns)
        if (again.delete(ns)) void refreshSockets(ns)
      })
    reads.set(ns, p)
    return p
  }

  /** Start a service; resolves once it listens (the call fails with main's reason otherwise). */
  async function start(req: ServiceRequest): Promise<string> {
    init()
    const r = await invoke('live:service-start', req)
    if (!services.has(r.id))
      services.set(r.id, {
        id: r.id,
        ns: req.ns,
        protocol: req.protocol,
        port: req.port,
        reply: r.reply,
        listening: r.listening,
        served: 0,
        lastFrom: null,
        running: true,
        end: null,
      })
    early.release(r.id)
    void refreshSockets(req.ns)
    return r.id
  }

  async function stop(id: string): Promise<void> {
    await invoke('live:service-stop', id)
  }

  /** Forget an ended service (its row in the list). */
  function forget(id: string): void {
    const s = services.get(id)
    if (s && !s.running) services.delete(id)
  }

  const servicesOf = (ns: string): ServiceView[] =>
    [...services.values()].filter((s) => s.ns === ns)

  /** On disconnect main has ended every service: keep nothing that points at them. */
  function clear(): void {
    services.clear()
    sockets.clear()
    early.clear()
    again.clear()
  }

  const target = useTargetStore()
  watch(
    () => target.status.state,
    (s) => {
      if (s === 'disconnected' || s === 'failed') clear()
    },
  )

  return {
    services,
    sockets,
    init,
    dispose,
    clear,
    viewOf,
    refreshSockets,
    start,
    stop,
    forget,
    servicesOf,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useServicesStore, import.meta.hot))

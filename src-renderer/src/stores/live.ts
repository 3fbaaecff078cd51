// Live views' state: ping streams, the reachability matrix (traffic rates: stores/traffic.ts),
// terminals (scrollback kept here, so switching tabs loses nothing), captures, netem and the monitor.
// Every buffer is bounded; main batches what it sends, a few messages per second. An event for a
// stream whose start call has not answered yet waits in one per-id buffer (lib/pending-by-id.ts).

import type {
  CaptureSaveResult,
  LiveEnd,
  MatrixResult,
  MonitorStatus,
  NetemEntry,
  PingPoint,
} from '@shared/ipc/domains/live'
import type { CaptureLine } from '@shared/net/capture'
import type { MatrixPair } from '@shared/net/matrix'
import type { NetemRequest } from '@shared/net/netem'
import type { PingRequest, PingStats } from '@shared/net/ping'
import { emptyPingStats } from '@shared/net/ping'
import { acceptHMRUpdate, defineStore } from 'pinia'
import { reactive, ref, shallowRef, watch } from 'vue'
import { invoke, on } from '../ipc/client'
import { PendingById } from '../lib/pending-by-id'
import { useTargetStore } from './target'

/** Bounds of the renderer's buffers. */
export const LIMITS = { points: 3600, lines: 500, capture: 5000, terminal: 2_000_000 }

/** The sub-views of the Live tab. */
export type LiveTab = 'ping' | 'matrix' | 'traffic' | 'terminal' | 'capture' | 'netem'

export interface PingView {
  id: string
  req: PingRequest
  points: PingPoint[]
  stats: PingStats
  lines: string[]
  running: boolean
  end: LiveEnd | null
}

export interface TerminalView {
  id: string
  ns: string
  /** Everything printed so far (bounded): replayed into a fresh xterm when the tab is shown again. */
  buffer: string
  running: boolean
  /** Characters received so far (the buffer keeps the last LIMITS.terminal of them). */
  total: number
}

export interface CaptureView {
  id: string
  ns: string
  ifname: string
  filter: string
  lines: CaptureLine[]
  total: number
  running: boolean
  end: LiveEnd | null
  saved: { path: string; bytes: number } | null
}

const tail = <T>(a: T[], max: number): T[] => (a.length > max ? a.slice(a.length - max) : a)

export const useLiveStore = defineStore('live', () => {
  const tab = ref<LiveTab>('ping')
  const pings = reactive(new Map<string, PingView>())
  const terminals = reactive(new Map<string, TerminalView>())
  const captures = reactive(new Map<string, CaptureView>())
  const netem = ref<NetemEntry[]>([])
  const monitor = ref<MonitorStatus>({ state: 'off', events: 0, lastEventAt: null })
  const matrix = shallowRef<MatrixResult | null>(null)
  const matrixRunning = ref(false)

  let offs: Array<() => void> = []
  /** Events that came before their stream's start call answered with its id. */
  const early = new PendingById()

  /** Apply an event to the view of stream `id`, or hold it until the view exists. */
  function route<V>(views: Map<string, V>, id: string, apply: (v: V) => void): void {
    const v = views.get(id)
    if (v) return apply(v)
    early.hold(id, () => {
      const w = views.get(id)
      if (w) apply(w)
    })
  }

  /** Subscribe to main's live events (idempotent). */
  function init(): void {
    if (offs.length) return
    offs = [
      on('live:ping-data', (id, b) =>
        route(pings, id, (p) => {
          p.points = tail([...p.points, ...b.points], LIMITS.points)
          p.lines = tail([...p.lines, ...b.lines], LIMITS.lines)
          p.stats = b.stats
        }),
      ),
      on('live:ping-ended', (id, end) =>
        route(pings, id, (p) => {
          p.running = false
          p.end = end
        }),
      ),
      on('live:terminal-data', (id, d) =>
        route(terminals, id, (t) => {
          t.buffer = (t.buffer + d).slice(-LIMITS.terminal)
          t.total += d.length
        }),
      ),
      on('live:terminal-ended', (id) => route(terminals, id, (t) => (t.running = false))),
      on('live:capture-data', (id, lines, total) =>
        route(captures, id, (c) => {
          c.lines = tail([...c.lines, ...lines], LIMITS.capture)
          c.total = total
        }),
      ),
      on('live:capture-ended', (id, end) =>
        route(captures, id, (c) => {
          c.running = false
          c.end = end
        }),
      ),
      on('live:netem-changed', (e) => (netem.value = e)),
      on('live:monitor-changed', (s) => (monitor.value = s)),
    ]
    void invoke('live:netem-list').then(
      (e) => (netem.value = e),
      () => undefined,
    )
    void invoke('live:monitor-status').then(
      (s) => (monitor.value = s),
      () => undefined,
    )
  }

  function dispose(): void {
    for (const f of offs) f()
    offs = []
  }

  // ---- ping ----
  async function startPing(req: PingRequest): Promise<string> {
    init()
    const { id } = await invoke('live:ping-start', req)
    if (!pings.has(id))
      pings.set(id, {
        id,
        req,
        points: [],
        stats: emptyPingStats(),
        lines: [],
        running: true,
        end: null,
      })
    early.release(id)
    return id
  }
  async function stopPing(id: string): Promise<void> {
    await invoke('live:ping-stop', id)
  }
  /** The latest ping started from `ns` (running or not). */
  function pingOf(ns: string): PingView | null {
    const list = [...pings.values()].filter((p) => p.req.ns === ns)
    return list.at(-1) ?? null
  }
  function forgetPing(id: string): void {
    pings.delete(id)
  }

  // ---- matrix ----
  async function runMatrix(pairs: MatrixPair[]): Promise<MatrixResult> {
    matrixRunning.value = true
    try {
      matrix.value = await invoke('live:matrix-run', pairs, { count: 1, timeoutS: 1 })
      return matrix.value
    } finally {
      matrixRunning.value = false
    }
  }

  // ---- terminals ----
  async function openTerminal(ns: string, cols: number, rows: number): Promise<string> {
    init()
    const { id } = await invoke('live:terminal-open', { ns, cols, rows })
    if (!terminals.has(id)) terminals.set(id, { id, ns, buffer: '', running: true, total: 0 })
    early.release(id)
    return id
  }
  function writeTerminal(id: string, data: string): void {
    void invoke('live:terminal-write', id, data).catch(() => undefined)
  }
  function resizeTerminal(id: string, cols: number, rows: number): void {
    void invoke('live:terminal-resize', id, cols, rows).catch(() => undefined)
  }
  async function closeTerminal(id: string): Promise<void> {
    terminals.delete(id)
    await invoke('live:terminal-close', id).catch(() => undefined)
  }
  const terminalsOf = (ns: string): TerminalView[] =>
    [...terminals.values()].filter((t) => t.ns === ns)

  // ---- capture ----
  async function startCapture(ns: string, ifname: string, filter: string): Promise<string> {
    init()
    const f = filter.trim()
    const { id } = await invoke('live:capture-start', { ns, ifname, ...(f ? { filter: f } : {}) })
    if (!captures.has(id))
      captures.set(id, {
        id,
        ns,
        ifname,
        filter: f,
        lines: [],
        total: 0,
        running: true,
        end: null,
        saved: null,
      })
    early.release(id)
    return id
  }
  async function stopCapture(id: string): Promise<void> {
    await invoke('live:capture-stop', id)
  }
  /** Main asks the user where (the save dialog); a cancelled dialog changes nothing here. */
  async function saveCapture(id: string): Promise<CaptureSaveResult> {
    const r = await invoke('live:capture-save', id)
    const c = captures.get(id)
    if (c && r.status === 'saved') c.saved = { path: r.path, bytes: r.bytes }
    return r
  }
  async function closeCapture(id: string): Promise<void> {
    captures.delete(id)
    await invoke('live:capture-close', id).catch(() => undefined)
  }
  const captureOf = (ns: string): CaptureView | null =>
    [...captures.values()].filter((c) => c.ns === ns).at(-1) ?? null

  // ---- netem ----
  async function setNetem(req: NetemRequest): Promise<NetemEntry> {
    return invoke('live:netem-set', req)
  }
  async function clearNetem(ns: string, ifname: string): Promise<void> {
    await invoke('live:netem-clear', ns, ifname)
  }
  /** The impairment on one interface, if the app set one (for the Interfaces tab and edges). */
  function netemOf(ns: string, ifname: string): NetemEntry | null {
    return netem.value.find((e) => e.ns === ns && e.ifname === ifname) ?? null
  }

  // On disconnect main has ended every stream: forget them here too.
  const target = useTargetStore()
  watch(
    () => target.status.state,
    (s) => {
      if (s === 'disconnected' || s === 'failed') clear()
    },
  )

  /** On disconnect: everything main ran has ended; keep nothing that points at it. */
  function clear(): void {
    pings.clear()
    terminals.clear()
    captures.clear()
    early.clear()
    netem.value = []
    matrix.value = null
  }

  return {
    tab,
    pings,
    terminals,
    captures,
    netem,
    monitor,
    matrix,
    matrixRunning,
    init,
    dispose,
    clear,
    startPing,
    stopPing,
    pingOf,
    forgetPing,
    runMatrix,
    openTerminal,
    writeTerminal,
    resizeTerminal,
    closeTerminal,
    terminalsOf,
    startCapture,
    stopCapture,
    saveCapture,
    closeCapture,
    captureOf,
    setNetem,
    clearNetem,
    netemOf,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useLiveStore, import.meta.hot))

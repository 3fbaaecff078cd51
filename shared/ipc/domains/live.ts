// IPC entries of the live views: ping, reachability matrix, traffic, capture, terminal, netem, the
// table monitor's status, listening sockets and services (a listener on a port), with the runtime
// argument checks that form this domain's allowlist.

import type { CaptureLine, CaptureRequest } from '../../net/capture'
import { checkCapture } from '../../net/capture'
import type {
  KernelDrops,
  MatrixCell,
  MatrixOptions,
  MatrixPair,
  NeighLimits,
} from '../../net/matrix'
import { checkMatrix } from '../../net/matrix'
import type { NetemRequest, NetemSettings } from '../../net/netem'
import { checkNetem } from '../../net/netem'
import type { PingRequest, PingStats } from '../../net/ping'
import { checkPingRequest } from '../../net/ping'
import type { ServiceEvent, ServiceRequest } from '../../net/service'
import { checkServiceRequest } from '../../net/service'
import type { SocketTable } from '../../net/sockets'
import type { IfRate } from '../../net/traffic'
import { validInterval } from '../../net/traffic'
import type { Check } from '../../net/validate'
import { checkIfName, checkNamespaceRef } from '../../net/validate'

/** One RTT point of a ping stream (ms since epoch on this machine, ms). */
export interface PingPoint {
  seq: number
  at: number
  /** null for a timeout or an ICMP error. */
  rttMs: number | null
}

/** A batch of ping updates (sent a few times per second). */
export interface PingBatch {
  points: PingPoint[]
  stats: PingStats
  /** Raw lines of this batch (the renderer keeps a bounded tail for "show raw output"). */
  lines: string[]
}

/** Why a live stream ended. */
export interface LiveEnd {
  reason: 'exit' | 'stopped' | 'error'
  error?: { code: string; message: string }
}

/** One run of the pinger within a matrix check: the first, or a paced retry of the unknown pairs. */
export interface MatrixRound {
  pairs: number
  reachable: number
  unreachable: number
  unknown: number
  durationMs: number
  /** What the kernel dropped for its own limits during this run (null: counters not readable). */
  drops: KernelDrops | null
}

/**
 * A reachability check: one cell per pair, each reachable, unreachable, or unknown (with its reason)
 * when the kernel dropped probes for its own limits even after the paced retries.
 */
export interface MatrixResult {
  cells: MatrixCell[]
  durationMs: number
  /** The first run, then each paced retry of the pairs still unknown. */
  rounds: MatrixRound[]
  /** The target kernel's neighbour table limits (gc_thresh1..3), when readable. */
  limits: NeighLimits
  /** Why pairs stayed unknown and what to do (pace the run, raise gc_thresh*); absent when none. */
  advice?: string
}

/** Rates of one sampler tick. */
export interface TrafficTick {
  /** Target clock, ms since epoch. */
  t: number
  rates: IfRate[]
}

export interface CaptureStarted {
  id: string
  /** Remote pcap path (removed when the capture is closed). */
  remotePath: string
}

/** A capture written to the path the user chose in the save dialog. */
export interface CaptureSaved {
  status: 'saved'
  /** Where it was written (absolute, on this machine). */
  path: string
  bytes: number
}

/** The user closed the save dialog without choosing a path: nothing was written. */
export interface CaptureSaveCancelled {
  status: 'cancelled'
}

/** What `live:capture-save` answers: saved where, or cancelled (a value, not an error). */
export type CaptureSaveResult = CaptureSaved | CaptureSaveCancelled

/** Where the table monitor stands: event-driven, periodic fallback, or off (not connected). */
export interface MonitorStatus {
  state: 'watching' | 'polling' | 'off'
  events: number
  lastEventAt: number | null
  /** Why it fell back to polling. */
  error?: string
}

/** An impairment the app set on one interface. */
export interface NetemEntry extends NetemSettings {
  ns: string
  ifname: string
}

/** A service that is listening (the start call answers only once socat has bound its port). */
export interface ServiceStarted {
  id: string
  /** The address socat reported, e.g. "0.0.0.0:8080". */
  listening: string
  /** The line it answers every client with. */
  reply: string
}

export interface TerminalOpen {
  ns: string
  cols: number
  rows: number
}

export interface LiveInvoke {
  'live:ping-start': (req: PingRequest) => { id: string }
  'live:ping-stop': (id: string) => void
  'live:matrix-run': (pairs: MatrixPair[], opts?: MatrixOptions) => MatrixResult
  /** Subscribe this window to traffic rates (starts the target's one sampler if needed). */
  'live:traffic-start': (intervalS?: number) => void
  'live:traffic-stop': () => void
  'live:traffic-interval': (intervalS: number) => void
  'live:capture-start': (req: CaptureRequest) => CaptureStarted
  'live:capture-stop': (id: string) => void
  /**
   * Save the capture as a .pcap file on this machine. Main asks the user where with the system's
   * save dialog (the renderer never names a path) and writes atomically, mode 0600.
   */
  'live:capture-save': (id: string) => CaptureSaveResult
  /** Forget a capture and remove its remote file. */
  'live:capture-close': (id: string) => void
  'live:terminal-open': (req: TerminalOpen) => { id: string }
  'live:terminal-write': (id: string, data: string) => void
  'live:terminal-resize': (id: string, cols: number, rows: number) => void
  'live:terminal-close': (id: string) => void
  'live:netem-set': (req: NetemRequest) => NetemEntry
  'live:netem-clear': (ns: string, ifname: string) => void
  'live:netem-list': () => NetemEntry[]
  'live:monitor-status': () => MonitorStatus
  /** The listening TCP and bound UDP sockets of a namespace, with the processes that hold them. */
  'live:sockets': (ns: string) => SocketTable
  /**
   * Start a listener (socat) on a port in a namespace, as a stream of this window. Answers once it
   * listens; a taken port, a missing namespace or a missing socat fail the call with what to do.
   */
  'live:service-start': (req: ServiceRequest) => ServiceStarted
  /** Stop a service: its listener and every child are killed. Unknown ids are ignored. */
  'live:service-stop': (id: string) => void
}

export interface LiveEvents {
  'live:ping-data': (id: string, batch: PingBatch) => void
  'live:ping-ended': (id: string, end: LiveEnd) => void
  'live:traffic-data': (ticks: TrafficTick[]) => void
  /** The sampler died (connection lost); it restarts by itself when the connection is back. */
  'live:traffic-ended': (message: string) => void
  'live:capture-data': (id: string, lines: CaptureLine[], total: number) => void
  'live:capture-ended': (id: string, end: LiveEnd) => void
  'live:terminal-data': (id: string, data: string) => void
  'live:terminal-ended': (id: string) => void
  'live:monitor-changed': (status: MonitorStatus) => void
  'live:netem-changed': (entries: NetemEntry[]) => void
  /** What a service saw: listening, connections accepted (TCP), datagrams received (UDP). */
  'live:service-data': (id: string, events: ServiceEvent[]) => void
  'live:service-ended': (id: string, end: LiveEnd) => void
}

const OK: Check = { ok: true }
const bad = (message: string): Check => ({ ok: false, message })
const none = (a: unknown[]): Check => (a.length === 0 ? OK : bad('This call takes no arguments.'))

/** A stream id as main hands them out. */
export function checkStreamId(v: unknown): Check {
  return typeof v === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(v) ? OK : bad('Unknown stream id.')
}

const oneId = (a: unknown[]): Check =>
  a.length === 1 ? checkStreamId(a[0]) : bad('Expected one stream id.')
const dim = (v: unknown, max: number): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max

/** Runtime argument checks per channel (the allowlist for this domain). */
export const liveInvokeArgs: { [K in keyof LiveInvoke]: (args: unknown[]) => Check } = {
  'live:ping-start': (a) =>
    a.length === 1 ? checkPingRequest(a[0]) : bad('Expected one ping request.'),
  'live:ping-stop': oneId,
  'live:matrix-run': (a) =>
    a.length === 1 || a.length === 2
      ? checkMatrix(a[0], a[1] ?? {})
      : bad('Expected pairs and options.'),
  'live:traffic-start': (a) =>
    a.length === 0 || (a.length === 1 && (a[0] === undefined || validInterval(a[0])))
      ? OK
      : bad('Interval must be 0.1–10 seconds.'),
  'live:traffic-stop': none,
  'live:traffic-interval': (a) =>
    a.length === 1 && validInterval(a[0]) ? OK : bad('Interval must be 0.1–10 seconds.'),
  'live:capture-start': (a) =>
    a.length === 1 ? checkCapture(a[0]) : bad('Expected one capture request.'),
  'live:capture-stop': oneId,
  'live:capture-save': (a) =>
    a.length === 1
      ? checkStreamId(a[0])
      : bad('Expected only a capture id: main asks where to save with a save dialog.'),
  'live:capture-close': oneId,
  'live:terminal-open': (a) => {
    if (a.length !== 1 || typeof a[0] !== 'object' || a[0] === null)
      return bad('Expected one terminal request.')
    const r = a[0] as Record<string, unknown>
    const c = checkNamespaceRef(r.ns)
    if (!c.ok) return c
    return dim(r.cols, 1000) && dim(r.rows, 1000)
      ? OK
      : bad('Terminal size must be 1–1000 columns and rows.')
  },
  'live:terminal-write': (a) => {
    if (a.length !== 2) return bad('Expected an id and data.')
    const c = checkStreamId(a[0])
    if (!c.ok) return c
    return typeof a[1] === 'string' && a[1].length <= 65536
      ? OK
      : bad('Terminal input must be text up to 64 KiB.')
  },
  'live:terminal-resize': (a) => {
    if (a.length !== 3) return bad('Expected an id, columns and rows.')
    const c = checkStreamId(a[0])
    if (!c.ok) return c
    return dim(a[1], 1000) && dim(a[2], 1000)
      ? OK
      : bad('Terminal size must be 1–1000 columns and rows.')
  },
  'live:terminal-close': oneId,
  'live:netem-set': (a) => (a.length === 1 ? checkNetem(a[0]) : bad('Expected one impairment.')),
  'live:netem-clear': (a) => {
    if (a.length !== 2) return bad('Expected a namespace and an interface.')
    const c = checkNamespaceRef(a[0])
    return c.ok ? checkIfName(a[1]) : c
  },
  'live:netem-list': none,
  'live:monitor-status': none,
  'live:sockets': (a) => (a.length === 1 ? checkNamespaceRef(a[0]) : bad('Expected a namespace.')),
  'live:service-start': (a) =>
    a.length === 1 ? checkServiceRequest(a[0]) : bad('Expected one service request.'),
  'live:service-stop': oneId,
}

export const liveEventNames: { [K in keyof LiveEvents]: true } = {
  'live:ping-data': true,
  'live:ping-ended': true,
  'live:traffic-data': true,
  'live:traffic-ended': true,
  'live:capture-data': true,
  'live:capture-ended': true,
  'live:terminal-data': true,
  'live:terminal-ended': true,
  'live:monitor-changed': true,
  'live:netem-changed': true,
  'live:service-data': true,
  'live:service-ended': true,
}

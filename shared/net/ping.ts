// Ping: the argv for a bounded ping in a namespace, a parser for iputils `ping -n -O` output
// lines (replies, timeouts, ICMP errors, fatal errors, summary) and running statistics.

import { HOST_NS, nsToKernel } from './model'
import type { Check } from './validate'
import { checkIp, checkNamespaceRef, checkPlainObject, firstProblem, ipFamily } from './validate'

/** What to ping, from where, how often and for how long. */
export interface PingRequest {
  /** Source namespace (HOST_NS for the root namespace). */
  ns: string
  /** Destination IPv4 or IPv6 address. */
  address: string
  /** Seconds between echoes, 0.1–10 (default 1; root may go below 0.2). */
  intervalS?: number
  /** Stop after this many echoes, 1–100000 (default 1000). */
  count?: number
  /** Hard limit in seconds, 1–86400 (default 3600). */
  deadlineS?: number
  /** Payload bytes, 0–65000 (default 56). */
  size?: number
}

/** One parsed line of ping output. */
export type PingEvent =
  | { kind: 'header'; target: string; address: string }
  | { kind: 'reply'; seq: number; ttl: number; rttMs: number; from: string; bytes: number }
  | { kind: 'timeout'; seq: number }
  | { kind: 'icmp-error'; seq: number; from: string; message: string }
  | { kind: 'fatal'; message: string }
  | { kind: 'summary'; transmitted: number; received: number; errors: number; lossPct: number }
  | { kind: 'rtt-summary'; minMs: number; avgMs: number; maxMs: number; mdevMs: number }

/** Running statistics of a ping stream. */
export interface PingStats {
  /** Highest sequence number sent so far. */
  sent: number
  received: number
  errors: number
  timeouts: number
  /** Loss in percent of sent, 0 when nothing was sent. */
  lossPct: number
  minMs: number | null
  avgMs: number | null
  maxMs: number | null
  /** The last fatal or ICMP error message, if any. */
  lastError: string | null
}

function num(v: unknown, lo: number, hi: number): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi
}

/** Validate a ping request; every field that reaches argv is checked here. */
export function checkPingRequest(v: unknown): Check {
  const o = checkPlainObject(v, 'Ping request')
  if (!o.ok) return o
  const r = v as Record<string, unknown>
  const p = firstProblem([
    ['ns', checkNamespaceRef(r.ns)],
    ['address', checkIp(r.address, 'Destination address')],
  ])
  if (p) return { ok: false, message: p.message }
  if (r.intervalS !== undefined && !num(r.intervalS, 0.1, 10))
    return { ok: false, message: 'Interval must be between 0.1 and 10 seconds.' }
  if (r.count !== undefined && !(num(r.count, 1, 100000) && Number.isInteger(r.count)))
    return { ok: false, message: 'Count must be a whole number from 1 to 100000.' }
  if (r.deadlineS !== undefined && !(num(r.deadlineS, 1, 86400) && Number.isInteger(r.deadlineS)))
    return { ok: false, message: 'Deadline must be a whole number of seconds from 1 to 86400.' }
  if (r.size !== undefined && !(num(r.size, 0, 65000) && Number.isInteger(r.size)))
    return { ok: false, message: 'Size must be a whole number of bytes from 0 to 65000.' }
  return { ok: true }
}

/** Prefix that runs argv inside a namespace (nothing for the host). */
export function inNamespace(ns: string, argv: string[]): string[] {
  return ns === HOST_NS ? argv : ['ip', 'netns', 'exec', nsToKernel(ns), ...argv]
}

/** The exact argv of a validated ping request (numeric, prints timeouts, bounded by count and deadline). */
export function pingArgv(req: PingRequest): string[] {
  const c = checkPingRequest(req)
  if (!c.ok) throw new Error(c.message)
  const fam = ipFamily(req.address) === 'inet6' ? '-6' : '-4'
  const argv = ['ping', fam, '-n', '-O', '-W', '1']
  argv.push('-i', String(req.intervalS ?? 1))
  argv.push('-c', String(req.count ?? 1000))
  argv.push('-w', String(req.deadlineS ?? 3600))
  if (req.size !== undefined) argv.push('-s', String(req.size))
  argv.push(req.address)
  return inNamespace(req.ns, argv)
}

const RE_REPLY =
  /^(?:\[[\d.]+\] )?(\d+) bytes from ([^\s:]+|[0-9a-f:.%\w]+): icmp_seq=(\d+) ttl=(\d+) time=([\d.]+) ms/
const RE_TIMEOUT = /^(?:\[[\d.]+\] )?no answer yet for icmp_seq=(\d+)/
// Linear on any line: the line is trimmed before matching, so the message needs no lazy `(.+?)\s*$`
// (quadratic on a run of spaces), and the header's target cannot contain "(" (no lazy `\S+?` that
// rescans the rest of the line at every "(").
const RE_ICMP_ERR = /^(?:\[[\d.]+\] )?From (\S+?)(?: \([^)]*\))?:? icmp_seq=(\d+) (.+)$/
const RE_HEADER = /^PING ([^\s(]+) ?\(([^)]+)\)/
const RE_SUMMARY =
  /^(\d+) packets transmitted, (\d+) received(?:, \+(\d+) duplicates)?(?:, \+(\d+) errors)?, ([\d.]+)% packet loss/
const RE_RTT = /^(?:rtt|round-trip) min\/avg\/max\/mdev = ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms/
const RE_FATAL = /^ping: (.+)$/

/** Parse one line of `ping -n -O` output; null for lines that carry nothing (blank, "---", "pipe N"). */
export function parsePingLine(raw: string): PingEvent | null {
  const line = raw.replace(/\r$/, '').trim()
  if (line === '') return null
  let m = RE_REPLY.exec(line)
  if (m)
    return {
      kind: 'reply',
      bytes: Number(m[1]),
      from: m[2] ?? '',
      seq: Number(m[3]),
      ttl: Number(m[4]),
      rttMs: Number(m[5]),
    }
  m = RE_TIMEOUT.exec(line)
  if (m) return { kind: 'timeout', seq: Number(m[1]) }
  m = RE_ICMP_ERR.exec(line)
  if (m) return { kind: 'icmp-error', from: m[1] ?? '', seq: Number(m[2]), message: m[3] ?? '' }
  m = RE_HEADER.exec(line)
  if (m) return { kind: 'header', target: m[1] ?? '', address: m[2] ?? '' }
  m = RE_SUMMARY.exec(line)
  if (m)
    return {
      kind: 'summary',
      transmitted: Number(m[1]),
      received: Number(m[2]),
      errors: Number(m[4] ?? 0),
      lossPct: Number(m[5]),
    }
  m = RE_RTT.exec(line)
  if (m)
    return {
      kind: 'rtt-summary',
      minMs: Number(m[1]),
      avgMs: Number(m[2]),
      maxMs: Number(m[3]),
      mdevMs: Number(m[4]),
    }
  m = RE_FATAL.exec(line)
  if (m) {
    const msg = m[1] ?? ''
    const tail = msg.replace(/^connect: /, '').replace(/^sendmsg: /, '')
    return { kind: 'fatal', message: tail.charAt(0).toUpperCase() + tail.slice(1) }
  }
  return null
}

/** Statistics before the first line. */
export function emptyPingStats(): PingStats {
  return {
    sent: 0,
    received: 0,
    errors: 0,
    timeouts: 0,
    lossPct: 0,
    minMs: null,
    avgMs: null,
    maxMs: null,
    lastError: null,
  }
}

/** Fold one event into the statistics (returns a new object). The final summary line, when seen, wins. */
export function addPingEvent(s: PingStats, e: PingEvent): PingStats {
  const n = { ...s }
  switch (e.kind) {
    case 'reply': {
      n.sent = Math.max(n.sent, e.seq)
      const total = (n.avgMs ?? 0) * n.received + e.rttMs
      n.received += 1
      n.avgMs = total / n.received
      n.minMs = n.minMs === null ? e.rttMs : Math.min(n.minMs, e.rttMs)
      n.maxMs = n.maxMs === null ? e.rttMs : Math.max(n.maxMs, e.rttMs)
      break
    }
    case 'timeout':
      n.sent = Math.max(n.sent, e.seq)
      n.timeouts += 1
      break
    case 'icmp-error':
      n.sent = Math.max(n.sent, e.seq)
      n.errors += 1
      n.lastError = e.message
      break
    case 'fatal':
      n.lastError = e.message
      break
    case 'summary':
      n.sent = e.transmitted
      n.received = e.received
      n.errors = e.errors
      break
    case 'rtt-summary':
      n.minMs = e.minMs
      n.avgMs = e.avgMs
      n.maxMs = e.maxMs
      break
    default:
      break
  }
  n.received = Math.min(n.received, Math.max(n.sent, n.received))
  n.lossPct = n.sent === 0 ? 0 : Math.max(0, ((n.sent - n.received) / n.sent) * 100)
  return n
}

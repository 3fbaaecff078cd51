// Packet capture: validated tcpdump argv (writes a private pcap file in the target and prints one
// summary line per packet) and a parser of those summary lines.

import { inNamespace } from './ping'
import type { Check } from './validate'
import { checkIfName, checkNamespaceRef, checkPlainObject } from './validate'

export interface CaptureRequest {
  ns: string
  ifname: string
  /**
   * A BPF filter such as "icmp or arp", optional. Only letters, digits, spaces and . : / - _ are
   * allowed, and no word may begin with "-" (it would be a tcpdump option).
   */
  filter?: string
  /** Stop after this many packets, 1–1000000 (default 100000). */
  maxPackets?: number
}

/** One parsed summary line. */
export interface CaptureLine {
  /** Time of day as printed, e.g. "20:55:16.196051". */
  time: string
  /** IP, IP6, ARP, ... (the first word after the time). */
  proto: string
  src: string | null
  dst: string | null
  /** The rest of the line. */
  info: string
  raw: string
}

const FILTER_RE = /^[A-Za-z0-9 .:/_-]{0,200}$/

/** Validate a capture request. */
export function checkCapture(v: unknown): Check {
  const o = checkPlainObject(v, 'Capture')
  if (!o.ok) return o
  const r = v as Record<string, unknown>
  for (const c of [checkNamespaceRef(r.ns), checkIfName(r.ifname)]) if (!c.ok) return c
  if (r.filter !== undefined && (typeof r.filter !== 'string' || !FILTER_RE.test(r.filter)))
    return {
      ok: false,
      message: 'Filter may hold only letters, digits, spaces and . : / - _ (e.g. "icmp or arp").',
    }
  const option =
    typeof r.filter === 'string' ? filterWords(r.filter).find((w) => w.startsWith('-')) : undefined
  if (option !== undefined)
    return {
      ok: false,
      message: `Filter word "${option}" begins with "-", which tcpdump would take as an option; a filter is an expression such as "icmp or arp".`,
    }
  if (
    r.maxPackets !== undefined &&
    !(
      typeof r.maxPackets === 'number' &&
      Number.isInteger(r.maxPackets) &&
      r.maxPackets >= 1 &&
      r.maxPackets <= 1_000_000
    )
  )
    return { ok: false, message: 'Packet limit must be 1–1000000.' }
  return { ok: true }
}

function filterWords(filter: string): string[] {
  return filter.split(/\s+/).filter(Boolean)
}

/**
 * The remote folder of a capture id (hex only). The capture creates it with `mkdir -m 700`, which
 * fails if anything is already there, so nobody else can own it or plant a link in it.
 */
export function captureDir(id: string): string {
  if (!/^[0-9a-f]{8,32}$/.test(id)) throw new Error('Bad capture id.')
  return `/tmp/netns-studio-cap-${id}`
}

/** The remote pcap path of a capture id: mode 0600 in its private 0700 folder. */
export function capturePath(id: string): string {
  return `${captureDir(id)}/capture.pcap`
}

/** Creates the private folder ($1), then runs the rest of argv with umask 077 (files 0600). */
const PRIVATE_DIR_SH = 'umask 077 && mkdir -m 700 -- "$1" || exit 125; shift; exec "$@"'

/**
 * tcpdump argv: line-buffered summaries on stdout, packets flushed to the private pcap file as
 * they come. Options end with `--`, so the filter words can only ever be the BPF expression.
 */
export function captureArgv(req: CaptureRequest, id: string): string[] {
  const c = checkCapture(req)
  if (!c.ok) throw new Error(c.message)
  const tcpdump = [
    'tcpdump',
    '-l',
    '-n',
    '-U',
    '-i',
    req.ifname,
    '-c',
    String(req.maxPackets ?? 100000),
    '-w',
    capturePath(id),
    '--print',
    '--',
    ...filterWords(req.filter ?? ''),
  ]
  return inNamespace(req.ns, ['sh', '-c', PRIVATE_DIR_SH, 'sh', captureDir(id), ...tcpdump])
}

/** Parse one tcpdump summary line; null for anything that is not a packet line. */
export function parseCaptureLine(raw: string): CaptureLine | null {
  const m = /^(\d{2}:\d{2}:\d{2}\.\d+) (\S+),? (.*)$/.exec(raw.trimEnd())
  if (!m) return null
  const proto = (m[2] ?? '').replace(/,$/, '')
  const rest = m[3] ?? ''
  const sd = /^(\S+) > ([^:\s]+):\s*(.*)$/.exec(rest)
  if (sd)
    return {
      time: m[1] ?? '',
      proto,
      src: sd[1] ?? null,
      dst: sd[2] ?? null,
      info: sd[3] ?? '',
      raw,
    }
  return { time: m[1] ?? '', proto, src: null, dst: null, info: rest, raw }
}

/** Case-insensitive match of a summary line against the UI's filter box (all words must appear). */
export function matchesFilter(line: CaptureLine, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean)
  const hay = line.raw.toLowerCase()
  return words.every((w) => hay.includes(w))
}

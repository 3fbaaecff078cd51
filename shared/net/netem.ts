// Link impairment: validated tc netem settings → exact argv (replace / delete the root qdisc of a
// veth end in a namespace), and the settings read back from `tc qdisc show` text.

import { inNamespace } from './ping'
import type { Check } from './validate'
import { checkIfName, checkNamespaceRef, checkPlainObject } from './validate'

/** Impairment of one interface. Absent fields are not set. */
export interface NetemSettings {
  /** One-way delay added on egress, ms (0–60000). */
  delayMs?: number
  /** Jitter around the delay, ms (0–60000; needs delayMs). */
  jitterMs?: number
  /** Random loss, percent (0–100). */
  lossPct?: number
  /** Rate limit, kbit/s (8–100000000). */
  rateKbit?: number
}

/** Where and what to set. */
export interface NetemRequest extends NetemSettings {
  ns: string
  ifname: string
  /**
   * The user confirmed that this impairment may cut the app's own connection (it lies on the
   * interface that carries it); see shared/net/branch.ts.
   */
  confirm?: 'cut-connection'
}

function range(v: unknown, lo: number, hi: number): boolean {
  return v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi)
}

/** Validate a netem request (namespace, interface and every number). */
export function checkNetem(v: unknown): Check {
  const o = checkPlainObject(v, 'Impairment')
  if (!o.ok) return o
  const r = v as Record<string, unknown>
  for (const c of [checkNamespaceRef(r.ns), checkIfName(r.ifname)]) if (!c.ok) return c
  if (r.confirm !== undefined && r.confirm !== 'cut-connection')
    return { ok: false, message: 'confirm may only be "cut-connection".' }
  if (!range(r.delayMs, 0, 60000)) return { ok: false, message: 'Delay must be 0–60000 ms.' }
  if (!range(r.jitterMs, 0, 60000)) return { ok: false, message: 'Jitter must be 0–60000 ms.' }
  if (r.jitterMs !== undefined && r.delayMs === undefined)
    return { ok: false, message: 'Jitter needs a delay.' }
  if (!range(r.lossPct, 0, 100)) return { ok: false, message: 'Loss must be 0–100 %.' }
  if (!range(r.rateKbit, 8, 100_000_000))
    return { ok: false, message: 'Rate must be 8–100000000 kbit/s.' }
  if (r.delayMs === undefined && r.lossPct === undefined && r.rateKbit === undefined)
    return { ok: false, message: 'Set at least a delay, a loss or a rate.' }
  return { ok: true }
}

const n = (x: number): string => String(Math.round(x * 1000) / 1000)

/** `tc qdisc replace dev IF root netem ...` in the namespace. */
export function netemSetArgv(req: NetemRequest): string[] {
  const c = checkNetem(req)
  if (!c.ok) throw new Error(c.message)
  const argv = ['tc', 'qdisc', 'replace', 'dev', req.ifname, 'root', 'netem']
  if (req.delayMs !== undefined) {
    argv.push('delay', `${n(req.delayMs)}ms`)
    if (req.jitterMs !== undefined && req.jitterMs > 0) argv.push(`${n(req.jitterMs)}ms`)
  }
  if (req.lossPct !== undefined) argv.push('loss', `${n(req.lossPct)}%`)
  if (req.rateKbit !== undefined) argv.push('rate', `${n(req.rateKbit)}kbit`)
  return inNamespace(req.ns, argv)
}

/** `tc qdisc del dev IF root` in the namespace (back to the default qdisc). */
export function netemClearArgv(ns: string, ifname: string): string[] {
  for (const c of [checkNamespaceRef(ns), checkIfName(ifname)])
    if (!c.ok) throw new Error(c.message)
  return inNamespace(ns, ['tc', 'qdisc', 'del', 'dev', ifname, 'root'])
}

/** `tc qdisc show dev IF` in the namespace. */
export function netemShowArgv(ns: string, ifname: string): string[] {
  for (const c of [checkNamespaceRef(ns), checkIfName(ifname)])
    if (!c.ok) throw new Error(c.message)
  return inNamespace(ns, ['tc', 'qdisc', 'show', 'dev', ifname])
}

function toMs(v: string, unit: string): number {
  const x = Number(v)
  return unit === 's' ? x * 1000 : unit === 'us' ? x / 1000 : x
}

function toKbit(v: string, unit: string): number {
  const x = Number(v)
  const u = unit.toLowerCase()
  if (u === 'bit') return x / 1000
  if (u === 'mbit') return x * 1000
  if (u === 'gbit') return x * 1_000_000
  if (u === 'kbit') return x
  if (u === 'bps') return (x * 8) / 1000
  if (u === 'kbps') return x * 8
  if (u === 'mbps') return x * 8000
  return x
}

/** The netem settings in `tc qdisc show` output, or null when the root qdisc is not netem. */
export function parseNetemShow(text: string): NetemSettings | null {
  const line = text.split('\n').find((l) => /^qdisc netem \S+ root\b/.test(l))
  if (!line) return null
  const s: NetemSettings = {}
  const d = /\bdelay ([\d.]+)(us|ms|s)(?:\s+([\d.]+)(us|ms|s))?/.exec(line)
  if (d) {
    s.delayMs = toMs(d[1] ?? '0', d[2] ?? 'ms')
    if (d[3]) s.jitterMs = toMs(d[3], d[4] ?? 'ms')
  }
  const l = /\bloss ([\d.]+)%/.exec(line)
  if (l) s.lossPct = Number(l[1])
  const r = /\brate ([\d.]+)([A-Za-z]+)/.exec(line)
  if (r) s.rateKbit = toKbit(r[1] ?? '0', r[2] ?? 'kbit')
  return s
}

/** Short label for an edge or a table cell, e.g. "100ms ±10ms · 1% loss · 1 Mbit/s". */
export function describeNetem(s: NetemSettings): string {
  const parts: string[] = []
  if (s.delayMs !== undefined)
    parts.push(`${n(s.delayMs)}ms${s.jitterMs ? ` ±${n(s.jitterMs)}ms` : ''}`)
  if (s.lossPct !== undefined) parts.push(`${n(s.lossPct)}% loss`)
  if (s.rateKbit !== undefined)
    parts.push(s.rateKbit >= 1000 ? `${n(s.rateKbit / 1000)} Mbit/s` : `${n(s.rateKbit)} kbit/s`)
  return parts.join(' · ')
}

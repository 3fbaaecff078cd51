// A small service in a namespace: a socat listener on a TCP or UDP port that answers every
// connection (or datagram) with one fixed line. The request check, the exact argv, and a parser
// of socat's `-d -d` log lines (listening, connection accepted, packet received, errors).

import { inNamespace } from './ping'
import type { Check } from './validate'
import { checkNamespaceRef, checkPlainObject, checkPort } from './validate'

/** What to start: where, which protocol and port, and the line it answers with. */
export interface ServiceRequest {
  ns: string
  protocol: 'tcp' | 'udp'
  port: number
  /**
   * The line sent to every client (default "netns-studio NS:PORT"). Printable text, at most
   * MAX_REPLY_CHARS; it reaches the listener as an environment value, never as shell code.
   */
  reply?: string
}

/** One thing socat reported. */
export type ServiceEvent =
  | { kind: 'listening'; address: string; at: number }
  | { kind: 'connection'; from: string; at: number }
  | { kind: 'packet'; from: string; at: number }

/** Why a line of socat's log stopped it: the port is taken, or another error. */
export type ServiceProblem = { kind: 'port-in-use' } | { kind: 'error'; message: string }

export const MAX_REPLY_CHARS = 200

/** The environment variable that carries the reply to `printenv`. */
export const REPLY_ENV = 'NETNS_STUDIO_REPLY'

const OK: Check = { ok: true }
const bad = (message: string): Check => ({ ok: false, message })

/** Printable text: no control characters (a newline would split the reply). */
export function checkReply(v: unknown): Check {
  if (typeof v !== 'string') return bad('Reply must be text.')
  if (v.length > MAX_REPLY_CHARS)
    return bad(`Reply is ${v.length} characters long; at most ${MAX_REPLY_CHARS}.`)
  for (const c of v) {
    const code = c.codePointAt(0) ?? 0
    if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0))
      return bad(
        `Reply contains a control character (U+${code.toString(16).padStart(4, '0')}); use one line of printable text.`,
      )
  }
  return OK
}

/** Validate a service request (namespace, protocol, port, reply). */
export function checkServiceRequest(v: unknown): Check {
  const o = checkPlainObject(v, 'Service')
  if (!o.ok) return o
  const r = v as Record<string, unknown>
  const ns = checkNamespaceRef(r.ns)
  if (!ns.ok) return ns
  if (r.protocol !== 'tcp' && r.protocol !== 'udp') return bad('Protocol must be "tcp" or "udp".')
  const p = checkPort(r.port)
  if (!p.ok) return p
  if (r.reply !== undefined) return checkReply(r.reply)
  return OK
}

/** The reply a request answers with. */
export function serviceReply(req: ServiceRequest): string {
  return req.reply ?? `netns-studio ${req.ns}:${req.port}`
}

/**
 * socat in the namespace, logging at notice level (`-d -d`), one child per connection or datagram;
 * the reply travels in the environment, never in a command line. TCP (`-U`: only the reply flows,
 * to the client) runs `printenv` with no shell. A UDP child must consume its datagram (else the
 * listener would read it again, forever), so it runs a fixed script that reads a byte, then
 * prints; `-T 3` ends a child whose datagram was empty. Throws on an invalid request.
 */
export function serviceArgv(req: ServiceRequest): string[] {
  const c = checkServiceRequest(req)
  if (!c.ok) throw new Error(c.message)
  const socat =
    req.protocol === 'tcp'
      ? ['-U', `TCP4-LISTEN:${req.port},reuseaddr,fork`, `EXEC:printenv ${REPLY_ENV}`]
      : [
          '-T',
          '3',
          `UDP4-RECVFROM:${req.port},fork`,
          `SYSTEM:head -c 1 >/dev/null; printenv ${REPLY_ENV}`,
        ]
  return inNamespace(req.ns, [
    'env',
    `${REPLY_ENV}=${serviceReply(req)}`,
    'socat',
    '-d',
    '-d',
    ...socat,
  ])
}

// "2026/12/01 05:34:51 socat[22224] N listening on AF=2 0.0.0.0:8080"
const LOG_RE = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d socat\[(\d+)\] ([DINWEF]) (.*)$/
const ADDR = /AF=\d+ (\S+)/

/** The socat pid and what one of its log lines means, or null for other lines and other chatter. */
export function parseSocatLine(
  line: string,
  at = Date.now(),
): { pid: number; event?: ServiceEvent; problem?: ServiceProblem } | null {
  const m = LOG_RE.exec(line.trimEnd())
  if (!m) return null
  const pid = Number(m[1])
  const level = m[2]
  const text = m[3] ?? ''
  const addr = (s: string): string => ADDR.exec(s)?.[1] ?? '?'
  if (level === 'N') {
    if (text.startsWith('listening on ') || text.startsWith('receiving on '))
      return { pid, event: { kind: 'listening', address: addr(text), at } }
    if (text.startsWith('accepting connection from '))
      return { pid, event: { kind: 'connection', from: addr(text), at } }
    if (text.startsWith('receiving packet from '))
      return { pid, event: { kind: 'packet', from: addr(text), at } }
    return { pid }
  }
  if (level === 'E' || level === 'F') {
    if (/Address already in use/.test(text)) return { pid, problem: { kind: 'port-in-use' } }
    return { pid, problem: { kind: 'error', message: text } }
  }
  return { pid }
}

/** What the user reads when the port is taken in that namespace. */
export function portInUseMessage(req: Pick<ServiceRequest, 'ns' | 'protocol' | 'port'>): string {
  return `Port ${req.port}/${req.protocol} is already in use in ${req.ns}: stop what listens there (see its Sockets table) or choose another port.`
}

export const SOCAT_MISSING =
  'socat is not installed on the target: install it (apt-get install socat).'

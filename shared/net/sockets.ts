// Listening sockets of a namespace: the argv of `ss -H -l -t -u -n -p` run inside it, and a linear
// parser of its lines into rows (protocol, local address and port, the processes that hold them).

import { nsFromKernel } from './model'
import { inNamespace } from './ping'
import { checkNamespaceRef } from './validate'

/** One process that holds a socket, as ss prints it in `users:(("name",pid=N,fd=N))`. */
export interface SocketProcess {
  name: string
  pid: number
  fd: number
}

/** One listening TCP socket or bound UDP socket. */
export interface SocketRow {
  proto: 'tcp' | 'udp'
  /** ss's state: LISTEN for TCP, UNCONN for a bound UDP socket. */
  state: string
  /** The local address without brackets, or "*" for every address of both families. */
  address: string
  /** The interface the socket is bound to (ss's `%dev`), or null. */
  iface: string | null
  /** The local port, or null when ss prints "*" (not bound to a port). */
  port: number | null
  /** Who holds it; empty when ss could not tell (a process the reader cannot see). */
  processes: SocketProcess[]
}

/** The listening sockets of one namespace, as read at `takenAt`. */
export interface SocketTable {
  ns: string
  rows: SocketRow[]
  /** More lines than MAX_SOCKET_ROWS: the rest were not read. */
  truncated: boolean
  takenAt: number
}

/** Rows parsed at most (a namespace with more listeners is an outlier; the table says so). */
export const MAX_SOCKET_ROWS = 5000

/**
 * The argv that lists a namespace's listening TCP and UDP sockets with their processes: no header,
 * numeric. Throws on an invalid namespace reference (its existence is the caller's check).
 */
export function socketsArgv(ns: string): string[] {
  const c = checkNamespaceRef(ns)
  if (!c.ok) throw new Error(c.message)
  return inNamespace(ns, ['ss', '-H', '-l', '-t', '-u', '-n', '-p'])
}

// Six whitespace-free columns, then the process column (a process name may hold spaces).
const ROW_RE = /^(tcp|udp)\s+(\S+)\s+\d+\s+\d+\s+(\S+)\s+\S+(?:\s+(.*))?$/
const USER_END = /",pid=(\d+),fd=(\d+)\)/g

/** Split `addr[%dev]:port` (addr may be `[v6]` or `*`). */
function splitLocal(local: string): Pick<SocketRow, 'address' | 'iface' | 'port'> | null {
  const colon = local.lastIndexOf(':')
  if (colon <= 0) return null
  const portText = local.slice(colon + 1)
  let host = local.slice(0, colon)
  let iface: string | null = null
  const pct = host.lastIndexOf('%')
  if (pct > 0) {
    iface = host.slice(pct + 1) || null
    host = host.slice(0, pct)
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  if (!host) return null
  let port: number | null = null
  if (portText !== '*') {
    if (!/^\d{1,5}$/.test(portText)) return null
    port = Number(portText)
  }
  return { address: host, iface, port }
}

/**
 * The processes of `users:((…),(…))`. A name is taken up to the `",pid=N,fd=N)` that ends its
 * entry, so a name with spaces or quotes (ss prints it raw) stays whole. Linear: one regex scan.
 */
export function parseSocketUsers(text: string): SocketProcess[] {
  const start = text.indexOf('users:((')
  if (start < 0) return []
  const out: SocketProcess[] = []
  let from = start + 'users:(('.length
  USER_END.lastIndex = from
  for (let m = USER_END.exec(text); m; m = USER_END.exec(text)) {
    // an entry opens with `"` (the first) or `,("` (the next ones)
    const open = text.startsWith(',("', from)
      ? from + 3
      : text.startsWith('"', from)
        ? from + 1
        : -1
    if (open < 0 || open > m.index) break
    out.push({ name: text.slice(open, m.index), pid: Number(m[1]), fd: Number(m[2]) })
    from = USER_END.lastIndex
  }
  return out
}

/** Parse one line of `ss -H -l -t -u -n -p`; null for anything else. */
export function parseSocketLine(line: string): SocketRow | null {
  const m = ROW_RE.exec(line.trim())
  if (!m) return null
  const local = splitLocal(m[3] ?? '')
  if (!local) return null
  return {
    proto: m[1] === 'udp' ? 'udp' : 'tcp',
    state: m[2] ?? '',
    ...local,
    processes: parseSocketUsers(m[4] ?? ''),
  }
}

/** Parse the whole output: TCP then UDP as ss prints them, at most MAX_SOCKET_ROWS rows. */
export function parseSockets(
  text: string,
  max = MAX_SOCKET_ROWS,
): { rows: SocketRow[]; truncated: boolean } {
  const rows: SocketRow[] = []
  let start = 0
  while (start < text.length) {
    let end = text.indexOf('\n', start)
    if (end < 0) end = text.length
    const row = parseSocketLine(text.slice(start, end))
    start = end + 1
    if (!row) continue
    if (rows.length >= max) return { rows, truncated: true }
    rows.push(row)
  }
  return { rows, truncated: false }
}

/** Model names of the namespaces in `ip -j netns list` output (null: not that output). */
export function netnsListNames(stdout: string): string[] | null {
  const text = stdout.trim()
  if (!text) return []
  let list: unknown
  try {
    list = JSON.parse(text)
  } catch {
    return null
  }
  if (!Array.isArray(list)) return null
  return list.flatMap((n: unknown) => {
    const name = (n as { name?: unknown } | null)?.name
    return typeof name === 'string' ? [nsFromKernel(name)] : []
  })
}

/** "socat (pid 123)", "socat (pid 1, 2)", or "—" when ss could not tell who holds it. */
export function describeSocketProcesses(ps: readonly SocketProcess[]): string {
  if (ps.length === 0) return '—'
  const byName = new Map<string, number[]>()
  for (const p of ps) byName.set(p.name, [...(byName.get(p.name) ?? []), p.pid])
  return [...byName]
    .map(([name, pids]) => `${name} (pid ${[...new Set(pids)].join(', ')})`)
    .join(', ')
}

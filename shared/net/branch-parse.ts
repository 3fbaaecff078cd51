// The facts of the branch check: which interfaces, addresses and routes carry the app's connection,
// parsed from the output of main's facts script ($SSH_CONNECTION, `ip -j route get`, addresses).

import { family, prefixLen, sameIp } from './branch-ip'

/** A route the connection uses (on this machine: a default route). */
export interface BranchRoute {
  /** As `ip -j route` prints it: "default", "10.0.2.0/24", or a host address without prefix. */
  dst: string
  /** Routing table: "main", "local", or a number. */
  table: string
  dev: string
  gateway?: string
  family: 'inet' | 'inet6'
}

/** What carries the app's connection, in the target's root namespace. */
export interface BranchFacts {
  /** Which target: the sentence says "the VM", the SSH host's label, or "this machine". */
  target: 'vm' | 'ssh' | 'local'
  /** The target's label, e.g. "vagrant@127.0.0.1:2222" or "this machine". */
  label: string
  /**
   * How the facts were found: from the connection itself ($SSH_CONNECTION, `ip route get`), or
   * from the default routes (the Local target, or an SSH connection that could not be traced).
   */
  source: 'connection' | 'default-routes'
  /** Interfaces of the root namespace that carry it (route devices and address holders). */
  links: string[]
  /** Addresses whose deletion cuts it, with the interface that holds each. */
  addresses: Array<{ ifname: string; address: string }>
  /** The routes it uses. */
  routes: BranchRoute[]
  /** SSH: the two ends, as `$SSH_CONNECTION` names them (client = where the app runs). */
  connection?: { client: string; clientPort: number; server: string; serverPort: number }
}

/** `$SSH_CONNECTION` ("client_ip client_port server_ip server_port") → its parts, or null. */
export function parseSshConnection(
  text: string,
): { client: string; clientPort: number; server: string; serverPort: number } | null {
  const parts = text.trim().split(/\s+/)
  if (parts.length !== 4) return null
  const [client = '', cp = '', server = '', sp = ''] = parts
  const port = (s: string): number | null =>
    /^[1-9]\d{0,4}$/.test(s) && Number(s) <= 65535 ? Number(s) : null
  const clientPort = port(cp)
  const serverPort = port(sp)
  if (!family(client) || !family(server) || clientPort === null || serverPort === null) return null
  return { client, clientPort, server, serverPort }
}

/** The sections of the facts script's output ("@@name" lines start each one). */
export function splitSections(stdout: string): Map<string, string> {
  const out = new Map<string, string>()
  let name: string | null = null
  let buf: string[] = []
  const flush = (): void => {
    if (name !== null) out.set(name, buf.join('\n').trim())
  }
  for (const line of stdout.split('\n')) {
    const m = /^@@([a-z0-9]+)$/.exec(line)
    if (m) {
      flush()
      name = m[1]!
      buf = []
    } else buf.push(line)
  }
  flush()
  return out
}

type Json = Record<string, unknown>

function jsonList(text: string | undefined): Json[] {
  if (!text) return []
  try {
    const v = JSON.parse(text) as unknown
    return Array.isArray(v) ? v.filter((x): x is Json => typeof x === 'object' && x !== null) : []
  } catch {
    return [] // not JSON (an old ip, or an error message): no facts from this section
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** Every device and gateway of a route (a multipath route has several "nexthops"). */
function hops(r: Json): Array<{ dev: string; gateway?: string }> {
  const list = Array.isArray(r.nexthops) ? (r.nexthops as Json[]) : [r]
  return list.flatMap((h) => {
    const dev = str(h.dev)
    const gateway = str(h.gateway)
    return dev ? [{ dev, ...(gateway ? { gateway } : {}) }] : []
  })
}

function toRoutes(r: Json, fam: 'inet' | 'inet6'): BranchRoute[] {
  const dst = str(r.dst)
  if (!dst) return []
  const table = str(r.table) ?? 'main'
  return hops(r).map((h) => ({ dst, table, family: fam, ...h }))
}

/** Addresses (`ip -j addr show`) of the given interfaces; link-local and host scope only when `all`. */
function addressesOf(
  addrs: Json[],
  pick: (ifname: string, address: string, scope: string) => boolean,
): Array<{ ifname: string; address: string }> {
  return addrs.flatMap((l) => {
    const ifname = str(l.ifname)
    const info = Array.isArray(l.addr_info) ? (l.addr_info as Json[]) : []
    if (!ifname) return []
    return info.flatMap((a) => {
      const address = str(a.local)
      return address && pick(ifname, address, str(a.scope) ?? '') ? [{ ifname, address }] : []
    })
  })
}

/**
 * The route `ip route get CLIENT` took, among the routes that match the client
 * (`ip -j route show table all match CLIENT`): same device (and gateway), the local table for a
 * local destination, else main before other tables, the longest prefix first.
 */
function usedRoute(get: Json, match: Json[], client: string): BranchRoute | null {
  const dev = str(get.dev)
  const fam = family(client)
  if (!dev || !fam) return null
  const local = str(get.type) === 'local'
  const gw = str(get.gateway)
  const candidates = match
    .flatMap((r) => toRoutes(r, fam).map((x) => ({ ...x, type: str(r.type) ?? 'unicast' })))
    .filter(
      (r) =>
        r.dev === dev &&
        (local ? r.table === 'local' : r.table !== 'local') &&
        (gw === undefined || r.gateway === undefined || sameIp(r.gateway, gw)),
    )
  candidates.sort(
    (a, b) =>
      Number(b.table === 'main') - Number(a.table === 'main') ||
      prefixLen(b.dst, fam) - prefixLen(a.dst, fam),
  )
  const best = candidates[0]
  if (best) {
    const { type: _type, ...route } = best
    return route
  }
  // No listed route matched (an old ip without "match"): what `ip route get` says is still true.
  return {
    dst: client,
    table: local ? 'local' : 'main',
    dev,
    family: fam,
    ...(gw ? { gateway: gw } : {}),
  }
}

/**
 * The facts, from the output of main's facts script (sections @@conn, @@def4, @@def6, @@addrs,
 * @@get, @@match). An SSH target whose connection cannot be traced falls back to its default routes.
 */
export function parseBranchFacts(
  stdout: string,
  who: { target: BranchFacts['target']; label: string },
): BranchFacts {
  const s = splitSections(stdout)
  const addrs = jsonList(s.get('addrs'))
  const conn = who.target === 'local' ? null : parseSshConnection(s.get('conn') ?? '')
  const get = jsonList(s.get('get'))[0]
  if (conn && get && str(get.dev)) {
    const route = usedRoute(get, jsonList(s.get('match')), conn.client)
    const addresses = addressesOf(addrs, (_i, a) => sameIp(a, conn.server))
    const links = unique([...(route ? [route.dev] : []), ...addresses.map((a) => a.ifname)])
    return {
      ...who,
      source: 'connection',
      links,
      addresses,
      routes: route ? [route] : [],
      connection: conn,
    }
  }
  const routes = [
    ...jsonList(s.get('def4')).flatMap((r) => toRoutes(r, 'inet')),
    ...jsonList(s.get('def6')).flatMap((r) => toRoutes(r, 'inet6')),
  ].filter((r) => r.dst === 'default')
  const links = unique(routes.map((r) => r.dev))
  const addresses = addressesOf(addrs, (i, _a, scope) => links.includes(i) && scope === 'global')
  return { ...who, source: 'default-routes', links, addresses, routes }
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)]
}

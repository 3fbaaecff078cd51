// "Don't cut the branch you sit on": which interfaces, addresses and routes carry the app's own
// connection to the target (or, on this machine, its real network), and whether an operation cuts it.
// Pure: main reads the facts over the target, refuses cutting operations without a confirmation.

import { HOST_NS } from './model'
import type { NetemSettings } from './netem'
import { describeNetem } from './netem'
import type { NetOp, NetOpName } from './ops'
import { parseIPv4, parseIPv6 } from './validate'

/** The value of an operation's `confirm` field that lets it cut the app's connection. */
export const CUT_CONNECTION = 'cut-connection'

/**
 * Operations that can cut the connection; only these may carry `confirm: 'cut-connection'`.
 * "netem.set" (an impairment as an engine operation) counts wherever the engine has it.
 */
export const CUTTING_OPS: readonly string[] = [
  'link.set-state',
  'link.delete',
  'link.move',
  'link.set-master',
  'addr.delete',
  'route.delete',
  'route.add',
  'netem.set',
] satisfies ReadonlyArray<NetOpName | 'netem.set'>

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

/** An operation that would cut the connection: the field that makes it so, and the consequence. */
export interface BranchCut {
  field: string
  /** One sentence naming what is lost, e.g. "Setting eth0 down cuts the app's SSH connection…". */
  consequence: string
}

// ---- parsing what the target reports ----

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

// ---- the decision ----

/** Could `op` cut the connection at all (whatever the facts)? Only these need the facts read. */
export function mayCut(op: NetOp): boolean {
  if (!CUTTING_OPS.includes(op.op) || !('ns' in op) || op.ns !== HOST_NS) return false
  if (op.op === 'link.set-state') return !op.up
  if (op.op === 'link.set-master') return op.bridge !== null
  return true
}

/** What is lost, per target: the subject of the sentence and what follows. */
function stakes(f: BranchFacts, undo: string): { what: string; after: string } {
  if (f.target === 'vm')
    return {
      what: "the app's SSH connection to the VM",
      after: 'the app will lose the VM until it is rebooted (which also deletes every namespace)',
    }
  if (f.target === 'ssh')
    return {
      what: `the app's SSH connection to ${f.label}`,
      after: `the app will lose ${f.label} until someone at its console can ${undo}, or it is rebooted`,
    }
  return {
    what: "this machine's own network",
    after: `every program here, not only the app, loses the network through it until you ${undo}`,
  }
}

/** Why the interface matters, in a few words, for the sentence. */
function carries(f: BranchFacts, ifname: string): string {
  if (f.source === 'default-routes') {
    const guess = f.target === 'local' ? '' : ', which the connection most likely uses'
    return `${ifname} carries the default route${guess}`
  }
  const addr = f.addresses.find((a) => a.ifname === ifname)
  return addr ? `it arrives on ${ifname} at ${addr.address}` : `it runs over ${ifname}`
}

function sentence(
  f: BranchFacts,
  action: string,
  ifname: string,
  undo: string,
  verb = 'cuts',
): string {
  const { what, after } = stakes(f, undo)
  return `${action} ${verb} ${what} (${carries(f, ifname)}): ${after}.`
}

/**
 * Whether `op` cuts the connection the facts describe; null when it does not. Only operations in
 * the root namespace can: the app's connection (and this machine's network) lives there.
 */
export function branchCut(op: NetOp, f: BranchFacts): BranchCut | null {
  if (!mayCut(op)) return null
  const isLink = (ifname: string): boolean => f.links.includes(ifname)
  switch (op.op) {
    case 'link.set-state':
      return isLink(op.ifname)
        ? {
            field: 'up',
            consequence: sentence(
              f,
              `Setting ${op.ifname} down`,
              op.ifname,
              `set ${op.ifname} up again`,
            ),
          }
        : null
    case 'link.delete':
      return isLink(op.ifname)
        ? {
            field: 'ifname',
            consequence: sentence(f, `Deleting ${op.ifname}`, op.ifname, `recreate ${op.ifname}`),
          }
        : null
    case 'link.move':
      return isLink(op.ifname)
        ? {
            field: 'toNs',
            consequence: sentence(
              f,
              `Moving ${op.ifname} to ${op.toNs}`,
              op.ifname,
              `move ${op.ifname} back`,
            ),
          }
        : null
    case 'link.set-master':
      return isLink(op.ifname)
        ? {
            field: 'bridge',
            consequence: sentence(
              f,
              `Attaching ${op.ifname} to the bridge ${op.bridge ?? ''}`,
              op.ifname,
              `detach ${op.ifname} from the bridge`,
            ),
          }
        : null
    case 'addr.delete': {
      const addr = op.cidr.split('/')[0] ?? ''
      const hit = f.addresses.find((a) => a.ifname === op.ifname && sameIp(a.address, addr))
      return hit
        ? {
            field: 'cidr',
            consequence: sentence(
              f,
              `Deleting ${addr} from ${op.ifname}`,
              op.ifname,
              `add ${addr} back`,
            ),
          }
        : null
    }
    case 'route.delete': {
      const hit = f.routes.find((r) => routeIs(op, r))
      return hit
        ? {
            field: 'dst',
            consequence: sentence(
              f,
              `Deleting the route ${routeText(op)}`,
              hit.dev,
              'add the route back',
            ),
          }
        : null
    }
    case 'route.add': {
      const hit = f.connection
        ? f.routes.find((r) => diverts(op, r, f.connection!.client))
        : undefined
      return hit
        ? {
            field: 'dst',
            consequence: sentence(
              f,
              `Adding the route ${routeText(op)}`,
              hit.dev,
              'delete that route',
              'diverts',
            ),
          }
        : null
    }
    default: {
      if ((op.op as string) !== 'netem.set') return null
      const consequence = netemCut(
        op as unknown as NetemSettings & { ns: string; ifname: string },
        f,
      )
      return consequence ? { field: 'ifname', consequence } : null
    }
  }
}

/**
 * Whether an impairment (netem) on `ns`/`ifname` slows or breaks the connection: the sentence,
 * or null. Any delay, loss or rate on an interface that carries it counts.
 */
export function netemCut(
  req: NetemSettings & { ns: string; ifname: string },
  f: BranchFacts,
): string | null {
  if (req.ns !== HOST_NS || !f.links.includes(req.ifname)) return null
  const verb = req.lossPct !== undefined && req.lossPct > 0 ? 'breaks' : 'slows or breaks'
  return sentence(
    f,
    `Adding the impairment ${describeNetem(req)} to ${req.ifname}`,
    req.ifname,
    `remove the impairment from ${req.ifname}`,
    verb,
  )
}

// ---- addresses and prefixes ----

function family(a: string): 'inet' | 'inet6' | null {
  if (parseIPv4(a) !== null) return 'inet'
  if (parseIPv6(a) !== null) return 'inet6'
  return null
}

/** Two addresses are the same (IPv6 in any spelling). */
export function sameIp(a: string, b: string): boolean {
  const x = bits(a)
  const y = bits(b)
  return x !== null && y !== null && x.fam === y.fam && x.v === y.v
}

/** An address as a bigint of its family's width. */
function bits(a: string): { fam: 'inet' | 'inet6'; v: bigint } | null {
  const v4 = parseIPv4(a)
  if (v4 !== null) return { fam: 'inet', v: BigInt(v4) }
  const v6 = parseIPv6(a)
  if (v6 === null) return null
  return { fam: 'inet6', v: v6.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n) }
}

/** A destination ("default", a CIDR, or a bare host address) as family, network and length. */
function prefix(
  dst: string,
  fam?: 'inet' | 'inet6',
): { fam: 'inet' | 'inet6'; net: bigint; len: number } | null {
  if (dst === 'default') {
    const f = fam ?? 'inet'
    return { fam: f, net: 0n, len: 0 }
  }
  const [addr = '', len] = dst.split('/')
  const b = bits(addr)
  if (!b) return null
  const width = b.fam === 'inet' ? 32 : 128
  const n = len === undefined ? width : Number(len)
  if (!Number.isInteger(n) || n < 0 || n > width) return null
  const mask = n === 0 ? 0n : ((1n << BigInt(n)) - 1n) << BigInt(width - n)
  return { fam: b.fam, net: b.v & mask, len: n }
}

function prefixLen(dst: string, fam: 'inet' | 'inet6'): number {
  return prefix(dst, fam)?.len ?? -1
}

/** Does `dst` contain `addr`? */
function covers(dst: string, addr: string): boolean {
  const a = bits(addr)
  if (!a) return false
  const p = prefix(dst, a.fam)
  if (!p || p.fam !== a.fam) return false
  const width = a.fam === 'inet' ? 32 : 128
  const mask = p.len === 0 ? 0n : ((1n << BigInt(p.len)) - 1n) << BigInt(width - p.len)
  return (a.v & mask) === p.net
}

type RouteOp = Extract<NetOp, { op: 'route.add' | 'route.delete' }>

/** The family a route operation acts on (`default` takes its gateway's). */
function opFamily(op: RouteOp): 'inet' | 'inet6' {
  if (op.dst !== 'default') return family(op.dst.split('/')[0] ?? '') ?? 'inet'
  return op.via ? (family(op.via) ?? 'inet') : 'inet'
}

/** Does `route.delete` name route `r` (same table, destination, and device/gateway if given)? */
function routeIs(op: RouteOp, r: BranchRoute): boolean {
  if ((op.table ?? 'main') !== r.table) return false
  const fam = opFamily(op)
  if (fam !== r.family) return false
  const a = prefix(op.dst, fam)
  const b = prefix(r.dst, r.family)
  if (!a || !b || a.net !== b.net || a.len !== b.len) return false
  if (op.dev !== undefined && op.dev !== r.dev) return false
  if (op.via !== undefined && !(r.gateway !== undefined && sameIp(op.via, r.gateway))) return false
  return true
}

/**
 * Does `route.add` take the client's traffic away from route `r`: a more specific route in the
 * same table that covers the client and leads elsewhere (another device or gateway)?
 */
function diverts(op: RouteOp, r: BranchRoute, client: string): boolean {
  if (r.table === 'local' || (op.table ?? 'main') !== r.table) return false
  if (!covers(op.dst, client)) return false
  const fam = opFamily(op)
  if (prefixLen(op.dst, fam) <= prefixLen(r.dst, r.family)) return false
  const otherDev = op.dev !== undefined && op.dev !== r.dev
  const otherGw = op.via !== undefined && !(r.gateway !== undefined && sameIp(op.via, r.gateway))
  return otherDev || otherGw
}

function routeText(op: RouteOp): string {
  return [
    op.dst,
    ...(op.via ? ['via', op.via] : []),
    ...(op.dev ? ['dev', op.dev] : []),
    ...(op.table ? ['table', op.table] : []),
  ].join(' ')
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)]
}

// Parsers from `ip -j -d` JSON objects (addr show, route show, neigh show, netns list-id,
// netconf show) into the app's model. Unknown fields are ignored; missing ones become null.

import type { AddressFamily, LinkKind, NetAddress, NetLink, NetNeighbour, NetRoute } from './model'
import { nsFromKernel } from './model'

type Json = Record<string, unknown>

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const strs = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
const objs = (v: unknown): Json[] =>
  Array.isArray(v)
    ? v.filter((x): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x))
    : []

const KNOWN_KINDS: ReadonlySet<string> = new Set([
  'veth',
  'bridge',
  'vlan',
  'vxlan',
  'tun',
  'dummy',
  'macvlan',
  'wireguard',
])

/** Parse one line of `ip -j` output (a JSON array); anything else yields []. */
export function parseJsonLine(line: string): Json[] {
  try {
    return objs(JSON.parse(line) as unknown)
  } catch {
    return []
  }
}

function kindOf(o: Json): { kind: LinkKind; rawKind: string } {
  const info = (o.linkinfo ?? {}) as Json
  const infoKind = str(info.info_kind)
  const linkType = str(o.link_type) ?? 'other'
  if (linkType === 'loopback') return { kind: 'loopback', rawKind: 'loopback' }
  if (infoKind)
    return { kind: KNOWN_KINDS.has(infoKind) ? (infoKind as LinkKind) : 'other', rawKind: infoKind }
  if (linkType === 'none' && /^tun|^tap/.test(str(o.ifname) ?? ''))
    return { kind: 'tun', rawKind: 'tun' }
  return { kind: linkType === 'ether' ? 'ether' : 'other', rawKind: linkType }
}

/** One link from an `addr show -d` / `link show -d` object. The veth peer is resolved later. */
export function parseLink(o: Json): NetLink {
  const { kind, rawKind } = kindOf(o)
  const info = (o.linkinfo ?? {}) as Json
  const slave = str(info.info_slave_kind)
  return {
    ifindex: num(o.ifindex) ?? 0,
    ifname: str(o.ifname) ?? '?',
    kind,
    rawKind,
    flags: strs(o.flags),
    operstate: str(o.operstate) ?? 'UNKNOWN',
    mtu: num(o.mtu) ?? 0,
    mac: str(o.address),
    master: str(o.master),
    isBridgePort: slave === 'bridge' || (slave === null && str(o.master) !== null),
    peer: null,
    linkNetnsid: num(o.link_netnsid),
    linkIndex: num(o.link_index),
    linkName: str(o.link),
    qdisc: str(o.qdisc),
  }
}

/** The addresses inside an `addr show` object. */
export function parseAddresses(o: Json): NetAddress[] {
  const ifname = str(o.ifname) ?? '?'
  return objs(o.addr_info).flatMap((a): NetAddress[] => {
    const family = str(a.family)
    const local = str(a.local)
    if ((family !== 'inet' && family !== 'inet6') || !local) return []
    const flags = [
      'tentative',
      'dadfailed',
      'dynamic',
      'deprecated',
      'noprefixroute',
      'nodad',
      'secondary',
    ].filter((f) => a[f] === true)
    return [
      {
        ifname,
        family,
        local,
        prefixlen: num(a.prefixlen) ?? 0,
        scope: str(a.scope) ?? 'global',
        broadcast: str(a.broadcast),
        flags,
      },
    ]
  })
}

function familyOfRoute(o: Json): AddressFamily {
  for (const k of ['dst', 'gateway', 'prefsrc']) {
    const v = str(o[k])
    if (v && v !== 'default' && v.includes(':')) return 'inet6'
    if (v && v !== 'default' && v.includes('.')) return 'inet'
  }
  return 'pref' in o ? 'inet6' : 'inet'
}

export function parseRoute(o: Json): NetRoute {
  const table = typeof o.table === 'number' ? String(o.table) : (str(o.table) ?? 'main')
  return {
    family: familyOfRoute(o),
    table,
    type: str(o.type) ?? 'unicast',
    dst: str(o.dst) ?? 'default',
    gateway: str(o.gateway),
    dev: str(o.dev),
    protocol: str(o.protocol),
    scope: str(o.scope),
    prefsrc: str(o.prefsrc),
    metric: num(o.metric),
    flags: strs(o.flags),
  }
}

export function parseNeighbour(o: Json): NetNeighbour {
  const dst = str(o.dst) ?? ''
  return {
    family: dst.includes(':') ? 'inet6' : 'inet',
    dst,
    dev: str(o.dev) ?? '?',
    mac: str(o.lladdr),
    state: strs(o.state),
    router: o.router === true || o.router === null,
  }
}

/**
 * `netns list-id`: nsid → model name (null when the namespace has no name here, e.g. the root; a
 * kernel namespace called "host" is HOST_NETNS_ALIAS, never the root).
 */
export function parseNsids(items: Json[]): Map<number, string | null> {
  const out = new Map<number, string | null>()
  for (const o of items) {
    const id = num(o.nsid)
    const name = str(o.name)
    if (id !== null) out.set(id, name === null ? null : nsFromKernel(name))
  }
  return out
}

/** `netconf show`: IPv4 forwarding of the "all" pseudo-interface, or null. */
export function parseIpForward(items: Json[]): boolean | null {
  const all = items.find((o) => o.family === 'inet' && o.interface === 'all')
  if (!all) return null
  return all.forwarding === true || all.forwarding === 'on'
}

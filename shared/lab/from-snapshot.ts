// "Save the current state as a lab": any snapshot (hand-made state included) as a Lab. Kept:
// named namespaces, their bridges and veths, the root namespace's bridges and veth ends that reach
// them, global addresses, user-made routes, forwarding, and NAT/netem/sysctls when read. Left out:
// lo, link-local addresses, kernel routes, the root namespace's own NICs and default route.

import { HOST_NS, type NetLink, type NetNamespace, type Snapshot } from '../net/model'
import { checkIfName, checkNamespaceName } from '../net/validate'
import { canonCidr, canonIp } from './addr'
import type { LabLive } from './live'
import { validateLab } from './parse'
import type {
  Lab,
  LabBridge,
  LabEndpoint,
  LabLink,
  LabNamespace,
  LabNetem,
  LabRoute,
} from './types'

/** The saved lab and what could not be kept, in words. */
export interface SavedLab {
  lab: Lab
  skipped: string[]
}

const isUp = (l: NetLink): boolean => l.flags.includes('UP')

function globalAddresses(ns: NetNamespace, ifname: string): string[] {
  return ns.addresses
    .filter((a) => a.ifname === ifname && a.scope !== 'link' && a.scope !== 'host')
    .map((a) => canonCidr(`${canonIp(a.local) ?? a.local}/${a.prefixlen}`))
}

function netemOf(live: LabLive | undefined, ns: string, l: NetLink): LabNetem | undefined {
  if (l.qdisc !== 'netem') return undefined
  const s = live?.netem?.[`${ns}/${l.ifname}`]
  if (!s) return undefined
  const n: LabNetem = {}
  if (s.delayMs !== undefined) n.delayMs = s.delayMs
  if (s.jitterMs) n.jitterMs = s.jitterMs
  if (s.lossPct !== undefined) n.lossPct = s.lossPct
  if (s.rateKbit !== undefined) n.rateKbit = s.rateKbit
  return Object.keys(n).length ? n : undefined
}

/** The state in `snapshot` as a lab called `name`, with what was left out and why. */
export function labFromSnapshotReport(snapshot: Snapshot, name: string, live?: LabLive): SavedLab {
  const skipped: string[] = []
  const host = snapshot.namespaces.find((n) => n.isHost)
  const nss = snapshot.namespaces.filter((n) => {
    if (n.isHost) return false
    const c = checkNamespaceName(n.name)
    if (!c.ok) skipped.push(`namespace ${n.name}: ${c.message}`)
    return c.ok
  })
  const inLab = new Set(nss.map((n) => n.name))
  const byName = new Map(snapshot.namespaces.map((n) => [n.name, n]))
  const reaches = (l: NetLink): boolean =>
    l.kind === 'veth' && !!l.peer?.namespace && inLab.has(l.peer.namespace)

  // The root namespace's part: its veth ends into lab namespaces, and bridges they are ports of.
  const hostVeths = (host?.links ?? []).filter(reaches)
  const hostBridgeNames = new Set(
    hostVeths
      .map((l) => l.master)
      .filter(
        (m): m is string => !!m && !!host?.links.some((b) => b.ifname === m && b.kind === 'bridge'),
      ),
  )

  const bridges: LabBridge[] = []
  const bridgeKeys = new Set<string>()
  const addBridge = (ns: NetNamespace, l: NetLink): void => {
    if (!checkIfName(l.ifname).ok)
      return void skipped.push(`bridge ${ns.name}/${l.ifname}: not a valid name`)
    const addresses = globalAddresses(ns, l.ifname)
    bridges.push({
      name: l.ifname,
      ...(ns.isHost ? {} : { ns: ns.name }),
      ...(addresses.length ? { addresses } : {}),
      ...(isUp(l) ? {} : { up: false }),
    })
    bridgeKeys.add(`${ns.name}/${l.ifname}`)
  }
  for (const l of host?.links ?? [])
    if (l.kind === 'bridge' && hostBridgeNames.has(l.ifname)) addBridge(host!, l)
  for (const ns of nss) for (const l of ns.links) if (l.kind === 'bridge') addBridge(ns, l)

  const endpoint = (ns: NetNamespace, l: NetLink): LabEndpoint => {
    const onBridge = l.master && bridgeKeys.has(`${ns.name}/${l.master}`) ? l.master : undefined
    const addresses = globalAddresses(ns, l.ifname)
    const netem = netemOf(live, ns.name, l)
    return {
      ...(ns.isHost ? {} : { ns: ns.name }),
      ...(onBridge ? { bridge: onBridge } : {}),
      name: l.ifname,
      ...(addresses.length ? { addresses } : {}),
      ...(netem ? { netem } : {}),
      ...(isUp(l) ? {} : { up: false }),
    }
  }
  const links: LabLink[] = []
  const seen = new Set<string>()
  const candidates: Array<[NetNamespace, NetLink]> = [
    ...nss.flatMap((ns) => ns.links.map((l): [NetNamespace, NetLink] => [ns, l])),
    ...hostVeths.map((l): [NetNamespace, NetLink] => [host!, l]),
  ]
  for (const [ns, l] of candidates) {
    if (l.kind === 'loopback' || l.kind === 'bridge') continue
    if (l.kind !== 'veth') {
      skipped.push(`${ns.name}:${l.ifname}: a ${l.rawKind} link (labs hold veth pairs and bridges)`)
      continue
    }
    const me = `${ns.name}/${l.ifname}`
    if (seen.has(me)) continue
    const peerNs = l.peer?.namespace ? byName.get(l.peer.namespace) : undefined
    const peer = peerNs?.links.find((x) => x.ifname === l.peer?.ifname)
    if (!peerNs || !peer || !(peerNs.isHost || inLab.has(peerNs.name))) {
      skipped.push(`${ns.name}:${l.ifname}: its veth peer is not in a namespace that is saved`)
      continue
    }
    seen.add(me)
    seen.add(`${peerNs.name}/${peer.ifname}`)
    if (!checkIfName(l.ifname).ok || !checkIfName(peer.ifname).ok) {
      skipped.push(`${ns.name}:${l.ifname}: not a valid interface name`)
      continue
    }
    const a = endpoint(ns, l)
    const b = endpoint(peerNs, peer)
    if (a.bridge && a.bridge === b.bridge && (a.ns ?? HOST_NS) === (b.ns ?? HOST_NS)) {
      skipped.push(`${ns.name}:${l.ifname}: both ends are ports of bridge ${a.bridge} (a loop)`)
      continue
    }
    links.push({ endpoints: [a, b] })
  }

  // Interfaces the lab has, per namespace, for routes that need their device.
  const labIfaces = new Set<string>([
    ...bridges.map((b) => `${b.ns ?? HOST_NS}/${b.name}`),
    ...links.flatMap((l) =>
      l.endpoints.map(
        (e) => `${e.ns ?? bridges.find((b) => b.name === e.bridge)?.ns ?? HOST_NS}/${e.name}`,
      ),
    ),
  ])
  const routes: LabRoute[] = []
  for (const ns of [...(host ? [host] : []), ...nss]) {
    for (const k of ns.routes) {
      if (
        k.type !== 'unicast' ||
        k.table === 'local' ||
        !['boot', 'static'].includes(k.protocol ?? '')
      )
        continue
      if (!/^(main|default|\d+)$/.test(k.table)) continue
      if (ns.isHost && (k.dst === 'default' || !k.dev || !labIfaces.has(`${HOST_NS}/${k.dev}`)))
        continue
      const dev = k.dev && labIfaces.has(`${ns.name}/${k.dev}`) ? k.dev : undefined
      const linkLocal = !!k.gateway && /^fe80:/i.test(k.gateway)
      if ((!k.gateway || linkLocal) && !dev) {
        skipped.push(`${ns.name}: route ${k.dst}: its device is not in the lab`)
        continue
      }
      routes.push({
        ns: ns.name,
        to: k.dst === 'default' ? 'default' : canonCidr(k.dst),
        ...(k.gateway ? { via: k.gateway } : {}),
        ...(!k.gateway || linkLocal ? { dev: dev! } : {}),
        ...(k.table !== 'main' ? { table: /^\d+$/.test(k.table) ? Number(k.table) : k.table } : {}),
      })
    }
  }

  const namespaces: Record<string, LabNamespace> = {}
  const sysctlsOf = (ns: NetNamespace): Record<string, string | number> => {
    const out: Record<string, string | number> = { ...(live?.sysctls?.[ns.name] ?? {}) }
    if (ns.ipForward) out['net.ipv4.ip_forward'] = 1
    return out
  }
  const hostPart =
    bridges.some((b) => !b.ns) || hostVeths.length > 0 || (live?.nat?.[HOST_NS] ?? []).length > 0
  if (host && hostPart) {
    const s = sysctlsOf(host)
    if (Object.keys(s).length) namespaces[HOST_NS] = { sysctls: s }
  }
  for (const ns of nss) {
    const d: LabNamespace = {}
    const lo = ns.links.find((l) => l.kind === 'loopback')
    if (lo && !isUp(lo)) d.lo = false
    const s = sysctlsOf(ns)
    if (Object.keys(s).length) d.sysctls = s
    namespaces[ns.name] = d
  }
  const nat = Object.entries(live?.nat ?? {}).flatMap(([ns, rules]) =>
    ns === HOST_NS ? (hostPart ? rules : []) : inLab.has(ns) ? rules : [],
  )

  const lab: Lab = { name, kind: 'lab', namespaces, bridges, links, routes, nat }
  // What is saved must load again; anything the checks refuse is reported (a bug to fix here).
  const check = validateLab(lab)
  if (!check.ok) skipped.push(...check.errors.map((e) => `${e.path}: ${e.message}`))
  return { lab, skipped }
}

/** The state in `snapshot` as a lab called `name` (see labFromSnapshotReport for what is left out). */
export function labFromSnapshot(snapshot: Snapshot, name: string, live?: LabLive): Lab {
  return labFromSnapshotReport(snapshot, name, live).lab
}

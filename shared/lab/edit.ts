// Edits of a lab drawn on the topology: add a namespace or bridge, connect two nodes with a veth
// pair, set a link end's addresses, remove a node or link, move a node. Each returns a NEW lab
// (the input is never changed) that validateLab accepts, or throws an AppError saying what is wrong.

import { AppError } from '../errors'
import { HOST_NS, type Snapshot } from '../net/model'
import { checkCidr, checkIfName, checkNamespaceName, type Check } from '../net/validate'
import { validateLab } from './parse'
import { LAB_LIMITS } from './schema'
import { resolveLab } from './resolve'
import type { Lab, LabBridge, LabEndpoint, LabLink, LabPosition } from './types'

/**
 * A node of the drawing, as the lab's layout names it: a namespace's name ("host" for the root)
 * or "NS/BRIDGE" for a bridge.
 */
export type NodeKey = string

/** Names already taken on the target (from the live snapshot), so new names do not collide. */
export interface LiveNames {
  namespaces: Set<string>
  /** Interface names per namespace ("host" for the root). */
  ifaces: Map<string, Set<string>>
}

const OK: Check = { ok: true }
const bad = (message: string): Check => ({ ok: false, message })

function fail(message: string): never {
  throw new AppError('INVALID_ARGUMENT', message)
}
function must(c: Check): void {
  if (!c.ok) fail(c.message)
}

/** The names a snapshot holds (none without one). */
export function liveNames(snapshot: Snapshot | null | undefined): LiveNames {
  const namespaces = new Set<string>()
  const ifaces = new Map<string, Set<string>>()
  for (const ns of snapshot?.namespaces ?? []) {
    if (!ns.isHost) namespaces.add(ns.name)
    ifaces.set(ns.name, new Set(ns.links.map((l) => l.ifname)))
  }
  return { namespaces, ifaces }
}

/** The namespace a bridge key or namespace key lives in, and the bridge's name (null for a namespace). */
export function splitKey(key: NodeKey): { ns: string; bridge: string | null } {
  const slash = key.indexOf('/')
  return slash < 0
    ? { ns: key, bridge: null }
    : { ns: key.slice(0, slash), bridge: key.slice(slash + 1) }
}

export const bridgeKey = (b: LabBridge): NodeKey => `${b.ns ?? HOST_NS}/${b.name}`

/** Every node of the lab: host, its namespaces and its bridges. */
export function nodesOf(lab: Lab): NodeKey[] {
  return [
    HOST_NS,
    ...Object.keys(lab.namespaces).filter((n) => n !== HOST_NS),
    ...lab.bridges.map(bridgeKey),
  ]
}

/** Whether `key` names a node of the lab (host always does). */
export function hasNode(lab: Lab, key: NodeKey): boolean {
  const { ns, bridge } = splitKey(key)
  if (bridge === null) return ns === HOST_NS || Object.hasOwn(lab.namespaces, ns)
  return lab.bridges.some((b) => bridgeKey(b) === `${ns}/${bridge}`)
}

/** The namespace a link end lives in (a bridge port lives in its bridge's namespace). */
export function endNs(lab: Lab, e: LabEndpoint): string {
  if (e.bridge === undefined) return e.ns ?? HOST_NS
  const b = lab.bridges.find(
    (x) => x.name === e.bridge && (e.ns === undefined || (x.ns ?? HOST_NS) === e.ns),
  )
  return b?.ns ?? HOST_NS
}

/** The node a link end is drawn on. */
export function endNode(lab: Lab, e: LabEndpoint): NodeKey {
  const ns = endNs(lab, e)
  return e.bridge === undefined ? ns : `${ns}/${e.bridge}`
}

/** Interface names the lab gives each namespace. */
function labIfaces(lab: Lab): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  for (const w of resolveLab(lab).ifaces) {
    const s = out.get(w.ns) ?? new Set<string>()
    s.add(w.name)
    out.set(w.ns, s)
  }
  return out
}

/** The lab as the checks see it, or the first problem as an error (an edit never yields an invalid lab). */
function finish(lab: Lab): Lab {
  const r = validateLab(lab)
  if (!r.ok) {
    const e = r.errors[0]!
    fail(`${e.path ? `${e.path}: ` : ''}${e.message}`)
  }
  return lab
}

function withPosition(lab: Lab, key: NodeKey, pos: LabPosition | undefined): Lab {
  if (!pos) return lab
  must(checkPosition(pos))
  return {
    ...lab,
    layout: { ...(lab.layout ?? {}), [key]: { x: Math.round(pos.x), y: Math.round(pos.y) } },
  }
}

function checkPosition(pos: LabPosition): Check {
  return Number.isFinite(pos.x) && Number.isFinite(pos.y)
    ? OK
    : bad('A position needs finite x and y numbers.')
}

/** Whether `name` can be a new namespace of the lab (as the name prompt checks it while typing). */
export function checkNewNamespace(lab: Lab, name: string, live?: LiveNames): Check {
  const c = checkNamespaceName(name)
  if (!c.ok) return c
  if (Object.hasOwn(lab.namespaces, name)) return bad(`The lab already has a namespace "${name}".`)
  if (live?.namespaces.has(name))
    return bad(`Namespace "${name}" already exists on the target; choose another name.`)
  if (Object.keys(lab.namespaces).length >= LAB_LIMITS.namespaces)
    return bad(`A lab has at most ${LAB_LIMITS.namespaces} namespaces.`)
  return OK
}

/** Whether `name` can be a new bridge in namespace `ns` (default host). */
export function checkNewBridge(lab: Lab, name: string, ns = HOST_NS, live?: LiveNames): Check {
  const c = checkIfName(name)
  if (!c.ok) return { ok: false, message: c.message.replace(/^Interface name/, 'Bridge name') }
  if (name === 'lo') return bad('"lo" is the loopback; choose another bridge name.')
  if (ns !== HOST_NS && !Object.hasOwn(lab.namespaces, ns))
    return bad(`Namespace "${ns}" is not in this lab.`)
  const where = ns === HOST_NS ? 'the root namespace' : `namespace ${ns}`
  if (labIfaces(lab).get(ns)?.has(name))
    return bad(`The lab already has an interface "${name}" in ${where}.`)
  if (live?.ifaces.get(ns)?.has(name))
    return bad(
      `${where[0]!.toUpperCase()}${where.slice(1)} already has an interface "${name}" on the target.`,
    )
  if (lab.bridges.length >= LAB_LIMITS.bridges)
    return bad(`A lab has at most ${LAB_LIMITS.bridges} bridges.`)
  return OK
}

/** The lab with a new, empty namespace (at `pos` on the canvas when given). */
export function addNamespace(lab: Lab, name: string, pos?: LabPosition, live?: LiveNames): Lab {
  must(checkNewNamespace(lab, name, live))
  return finish(withPosition({ ...lab, namespaces: { ...lab.namespaces, [name]: {} } }, name, pos))
}

/** The lab with a new bridge in `opts.ns` (default host, the root namespace). */
export function addBridge(
  lab: Lab,
  name: string,
  opts: { ns?: string; pos?: LabPosition } = {},
  live?: LiveNames,
): Lab {
  const ns = opts.ns ?? HOST_NS
  must(checkNewBridge(lab, name, ns, live))
  const bridge: LabBridge = ns === HOST_NS ? { name } : { name, ns }
  return finish(
    withPosition({ ...lab, bridges: [...lab.bridges, bridge] }, `${ns}/${name}`, opts.pos),
  )
}

/**
 * An interface name that starts like `base` (cut to 15 bytes), valid and free in `taken`: a
 * number replaces the tail when the name is already there ("veth-red", "veth-red2", ...).
 */
export function freeIfName(base: string, taken: ReadonlySet<string>): string {
  const clean = base.replace(/[^A-Za-z0-9_.-]/g, '').replace(/^[-.]+/, '') || 'veth'
  const first = clean.slice(0, 15)
  if (!taken.has(first) && first !== 'lo' && checkIfName(first).ok) return first
  for (let n = 2; n < 100000; n++) {
    const s = String(n)
    const name = `${clean.slice(0, 15 - s.length)}${s}`
    if (!taken.has(name) && checkIfName(name).ok) return name
  }
  return fail(`No free interface name starting with "${first}".`)
}

/** The node's short name, for naming the interface that faces it. */
const nodeLabel = (key: NodeKey): string => splitKey(key).bridge ?? splitKey(key).ns

/**
 * The lab with a veth pair between two nodes. Each end is named after the node it faces
 * ("veth-green" in red, "veth-red" in green; a bridge's port after the namespace it reaches), unique
 * among the lab's and the target's interfaces of its namespace. An end on a bridge is its port.
 * A namespace that exists on the target but not in the lab is taken into the lab (the lab then
 * owns only the link it creates, not that namespace).
 */
export function connect(
  lab: Lab,
  from: NodeKey,
  to: NodeKey,
  live?: LiveNames,
): { lab: Lab; link: LabLink; index: number } {
  if (from === to) fail('Connect two different nodes: a link from a node to itself is a loop.')
  if (lab.links.length >= LAB_LIMITS.links) fail(`A lab has at most ${LAB_LIMITS.links} links.`)
  let next = lab
  for (const key of [from, to]) {
    if (hasNode(next, key)) continue
    const { ns, bridge } = splitKey(key)
    if (bridge === null && live?.namespaces.has(ns)) {
      next = { ...next, namespaces: { ...next.namespaces, [ns]: {} } }
      continue
    }
    fail(
      bridge === null
        ? `Namespace "${ns}" is not in this lab; add it first.`
        : `Bridge ${bridge} (in ${ns}) is not in this lab; only the lab's own bridges can take new ports.`,
    )
  }
  const ifaces = labIfaces(next)
  const takenIn = (ns: string): Set<string> =>
    new Set(['lo', ...(ifaces.get(ns) ?? []), ...(live?.ifaces.get(ns) ?? [])])
  const end = (self: NodeKey, other: NodeKey, also: string[]): LabEndpoint => {
    const { ns, bridge } = splitKey(self)
    const taken = takenIn(ns)
    for (const n of also) taken.add(n)
    const name = freeIfName(`veth-${nodeLabel(other)}`, taken)
    if (bridge === null) return ns === HOST_NS ? { name } : { ns, name }
    return ns === HOST_NS ? { bridge, name } : { ns, bridge, name }
  }
  const a = end(from, to, [])
  // Both ends may sit in one namespace (the host and a bridge of the host): keep them apart.
  const sameNs = splitKey(from).ns === splitKey(to).ns
  const b = end(to, from, sameNs ? [a.name] : [])
  const link: LabLink = { endpoints: [a, b] }
  const out = finish({ ...next, links: [...next.links, link] })
  return { lab: out, link, index: out.links.length - 1 }
}

/**
 * Addresses typed in a field: separated by commas or white space, each with a prefix length,
 * checked as the address forms check them; duplicates refused.
 */
export function parseAddresses(
  text: string,
): { ok: true; addresses: string[] } | { ok: false; message: string } {
  const parts = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean)
  if (parts.length > LAB_LIMITS.addresses)
    return { ok: false, message: `At most ${LAB_LIMITS.addresses} addresses per interface.` }
  const seen = new Set<string>()
  for (const p of parts) {
    const c = checkCidr(p)
    if (!c.ok) return c
    if (seen.has(p)) return { ok: false, message: `Address ${p} is listed twice.` }
    seen.add(p)
  }
  return { ok: true, addresses: parts }
}

function checkLinkEnd(lab: Lab, linkIndex: number, endIndex: number): void {
  if (!Number.isInteger(linkIndex) || linkIndex < 0 || linkIndex >= lab.links.length)
    fail(`The lab has no link ${linkIndex} (it has ${lab.links.length}).`)
  if (endIndex !== 0 && endIndex !== 1) fail('A link end is 0 or 1.')
}

/** The lab with the addresses of one end of a link replaced (an empty list removes them). */
export function setEndAddresses(
  lab: Lab,
  linkIndex: number,
  endIndex: number,
  addresses: readonly string[],
): Lab {
  checkLinkEnd(lab, linkIndex, endIndex)
  const r = parseAddresses(addresses.join(' '))
  if (!r.ok) fail(r.message)
  const links = lab.links.map((l, i): LabLink => {
    if (i !== linkIndex) return l
    const ends = l.endpoints.map((e, j): LabEndpoint => {
      if (j !== endIndex) return e
      const { addresses: _old, ...rest } = e
      void _old
      return r.addresses.length ? { ...rest, addresses: r.addresses } : rest
    })
    return { endpoints: [ends[0]!, ends[1]!] }
  })
  return finish({ ...lab, links })
}

/**
 * The lab without the interfaces in `gone` ("NS/IFNAME"): routes through them, NAT out of them
 * and sysctls naming them go too (they would be dangling references).
 */
function pruneIfaces(lab: Lab, gone: Set<string>): Lab {
  const routes = lab.routes.filter((r) => r.dev === undefined || !gone.has(`${r.ns}/${r.dev}`))
  const nat = lab.nat.filter(
    (n) => n.masquerade?.out === undefined || !gone.has(`${n.ns}/${n.masquerade.out}`),
  )
  const namespaces = Object.fromEntries(
    Object.entries(lab.namespaces).map(([ns, d]) => {
      if (!d.sysctls) return [ns, d]
      const kept = Object.entries(d.sysctls).filter(([k]) => {
        const m = /^net\.ipv[46]\.conf\.([^]*)\.[a-z_]+$/.exec(k)
        return !m || !gone.has(`${ns}/${m[1]}`)
      })
      if (kept.length === Object.keys(d.sysctls).length) return [ns, d]
      const { sysctls: _s, ...rest } = d
      void _s
      return [ns, kept.length ? { ...rest, sysctls: Object.fromEntries(kept) } : rest]
    }),
  )
  return { ...lab, routes, nat, namespaces }
}

/** "NS/IFNAME" of both ends of a link. */
function linkIfaces(lab: Lab, l: LabLink): string[] {
  return l.endpoints.map((e) => `${endNs(lab, e)}/${e.name}`)
}

/** The lab without link `index` (and what referred to its two interfaces). */
export function removeLink(lab: Lab, index: number): Lab {
  checkLinkEnd(lab, index, 0)
  const gone = new Set(linkIfaces(lab, lab.links[index]!))
  const links = lab.links.filter((_, i) => i !== index)
  return finish(pruneIfaces({ ...lab, links }, gone))
}

/**
 * The lab without a node: a namespace with its bridges, links, routes, NAT and layout entries;
 * or a bridge with its ports' links. The root namespace ("host") is not the lab's to remove.
 */
export function removeNode(lab: Lab, key: NodeKey): Lab {
  if (key === HOST_NS) fail('The root namespace (host) is always there; it cannot be removed.')
  if (!hasNode(lab, key)) fail(`"${key}" is not a node of this lab.`)
  const { ns, bridge } = splitKey(key)
  const doomedNode = (node: NodeKey): boolean =>
    bridge === null ? splitKey(node).ns === ns : node === key
  const gone = new Set<string>()
  const links = lab.links.filter((l) => {
    const hit = l.endpoints.some((e) => doomedNode(endNode(lab, e)))
    if (hit) for (const k of linkIfaces(lab, l)) gone.add(k)
    return !hit
  })
  const bridges = lab.bridges.filter((b) => {
    const hit = doomedNode(bridgeKey(b))
    if (hit) gone.add(bridgeKey(b))
    return !hit
  })
  const layout = lab.layout
    ? Object.fromEntries(Object.entries(lab.layout).filter(([k]) => !doomedNode(k)))
    : undefined
  let next: Lab = { ...lab, links, bridges, ...(layout ? { layout } : {}) }
  if (bridge === null) {
    const { [ns]: _gone, ...namespaces } = lab.namespaces
    void _gone
    next = {
      ...next,
      namespaces,
      routes: next.routes.filter((r) => r.ns !== ns),
      nat: next.nat.filter((n) => n.ns !== ns),
    }
  }
  return finish(pruneIfaces(next, gone))
}

/** The lab with node `key` drawn at `pos`. */
export function setPosition(lab: Lab, key: NodeKey, pos: LabPosition): Lab {
  if (!hasNode(lab, key)) fail(`"${key}" is not a node of this lab.`)
  return finish(withPosition(lab, key, pos))
}

/**
 * The lab with the positions of its nodes in `positions` (others keep theirs; entries that are
 * not nodes of the lab are left out, as the canvas also shows what the lab does not hold).
 */
export function setPositions(lab: Lab, positions: Record<NodeKey, LabPosition>): Lab {
  const layout = { ...(lab.layout ?? {}) }
  for (const [k, p] of Object.entries(positions)) {
    if (!hasNode(lab, k)) continue
    must(checkPosition(p))
    layout[k] = { x: Math.round(p.x), y: Math.round(p.y) }
  }
  return finish({ ...lab, layout })
}

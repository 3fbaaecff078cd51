// Between the drawn topology (node ids "ns:NAME" / "br:NS/NAME", edges of veth ends) and the open
// lab (layout keys "NAME" / "NS/BRIDGE", links by index): which node or link of the lab a graph
// element is, the addresses to show on a link end, and a free spot for a new node. Pure.

import { endNs, hasNode, type NodeKey } from '@shared/lab/edit'
import type { Lab, LabPosition } from '@shared/lab/types'
import type { Snapshot } from '@shared/net/model'
import type { TopoEdge } from '@shared/net/topology'
import { bridgeNodeId, nsNodeId } from '@shared/net/topology'

/** The lab's key of a topology node id, or null when it is not a node id. */
export function keyOfNode(id: string): NodeKey | null {
  if (id.startsWith('ns:')) return id.slice(3)
  if (id.startsWith('br:')) return id.slice(3)
  return null
}

/** The topology node id of a lab key. */
export function nodeOfKey(key: NodeKey): string {
  const slash = key.indexOf('/')
  return slash < 0 ? nsNodeId(key) : bridgeNodeId(key.slice(0, slash), key.slice(slash + 1))
}

/** Whether the graph node `id` is a node of `lab` (host always is, once a lab is open). */
export function nodeInLab(lab: Lab | null, id: string): boolean {
  const key = keyOfNode(id)
  return !!lab && key !== null && hasNode(lab, key)
}

/** Which link of the lab, and which of its ends, is the interface NS/IFNAME (null: not the lab's). */
export function linkEndOf(
  lab: Lab | null,
  ns: string,
  ifname: string,
): { index: number; end: 0 | 1 } | null {
  if (!lab) return null
  for (let i = 0; i < lab.links.length; i++) {
    const ends = lab.links[i]!.endpoints
    for (const j of [0, 1] as const)
      if (ends[j].name === ifname && endNs(lab, ends[j]) === ns) return { index: i, end: j }
  }
  return null
}

/**
 * The lab link a veth edge draws, with the lab's end index of the edge's `a` end, or null when the
 * edge is not a link of the lab (made by hand, or a bridge's own edge).
 */
export function linkOfEdge(
  lab: Lab | null,
  e: Pick<TopoEdge, 'kind' | 'a' | 'b'>,
): { index: number; aEnd: 0 | 1 } | null {
  if (e.kind !== 'veth' || !e.a || !e.b) return null
  const a = linkEndOf(lab, e.a.ns, e.a.ifname)
  const b = linkEndOf(lab, e.b.ns, e.b.ifname)
  if (!a || !b || a.index !== b.index || a.end === b.end) return null
  return { index: a.index, aEnd: a.end }
}

/** Most addresses shown on one link end before "+N more". */
export const END_ADDRESSES_SHOWN = 2

/**
 * What a link end shows on the canvas: its global addresses (not link-local), at most
 * END_ADDRESSES_SHOWN, then "+N", one per line. Empty when it has none.
 */
export function endAddressText(snapshot: Snapshot | null, ns: string, ifname: string): string {
  const n = snapshot?.namespaces.find((x) => x.name === ns)
  const all = (n?.addresses ?? [])
    .filter((a) => a.ifname === ifname && a.scope !== 'link' && a.scope !== 'host')
    .map((a) => `${a.local}/${a.prefixlen}`)
  if (all.length <= END_ADDRESSES_SHOWN) return all.join('\n')
  return [...all.slice(0, END_ADDRESSES_SHOWN), `+${all.length - END_ADDRESSES_SHOWN}`].join('\n')
}

/** Nodes closer than this (model units) crowd each other and the addresses between them. */
export const SPACING = 170
/** How far apart the rings of candidate spots are: a link's labels fit between two nodes. */
const RING = 240

/**
 * A spot near `center` at least SPACING away from every position in `taken`: the center, else
 * the first free point on rings around it (starting to its right, going clockwise).
 */
export function freeSpot(center: LabPosition, taken: LabPosition[]): LabPosition {
  const free = (p: LabPosition): boolean =>
    taken.every((t) => Math.hypot(t.x - p.x, t.y - p.y) >= SPACING)
  const c = { x: Math.round(center.x), y: Math.round(center.y) }
  if (free(c)) return c
  for (let ring = 1; ring <= 20; ring++) {
    const steps = 6 * ring
    for (let k = 0; k < steps; k++) {
      const t = (2 * Math.PI * k) / steps
      const p = {
        x: Math.round(c.x + ring * RING * Math.cos(t)),
        y: Math.round(c.y + ring * RING * Math.sin(t)),
      }
      if (free(p)) return p
    }
  }
  return c
}

/** A name not in `taken`: `stem` followed by the first free number from 1 ("ns1", "ns2", ...). */
export function suggestName(stem: string, taken: (name: string) => boolean): string {
  for (let i = 1; i < 10000; i++) if (!taken(`${stem}${i}`)) return `${stem}${i}`
  return stem
}

// The topology the UI draws, derived from a snapshot: namespaces (the host included) and bridges
// as nodes; veth pairs, bridge ports and "bridge lives in namespace" as edges.

import type { NetLink, NetNamespace, Snapshot } from './model'

export type TopoNodeKind = 'host' | 'namespace' | 'bridge'

export interface TopoNode {
  /** `ns:NAME` or `br:NS/NAME`. */
  id: string
  kind: TopoNodeKind
  label: string
  /** The namespace the node is (or, for a bridge, lives in). */
  ns: string
  /** For bridges: up and carrying (LOWER_UP). For namespaces: any non-loopback link up. */
  up: boolean
}

export interface TopoEnd {
  ns: string
  ifname: string
  up: boolean
}

export interface TopoEdge {
  id: string
  /** veth: a cable; port: a non-veth link enslaved to a bridge; local: a bridge inside its namespace. */
  kind: 'veth' | 'port' | 'local'
  source: string
  target: string
  a: TopoEnd | null
  b: TopoEnd | null
  /** Both ends carry traffic (LOWER_UP / up). */
  up: boolean
}

export interface Topology {
  nodes: TopoNode[]
  edges: TopoEdge[]
}

export const nsNodeId = (ns: string): string => `ns:${ns}`
export const bridgeNodeId = (ns: string, name: string): string => `br:${ns}/${name}`

const isUp = (l: NetLink): boolean =>
  l.flags.includes('UP') && (l.flags.includes('LOWER_UP') || l.kind === 'loopback')

/** Where a link attaches in the graph: its bridge if it is a bridge port, else its namespace. */
function attachPoint(ns: NetNamespace, l: NetLink): string {
  if (l.master && ns.links.some((m) => m.ifname === l.master && m.kind === 'bridge'))
    return bridgeNodeId(ns.name, l.master)
  return nsNodeId(ns.name)
}

export function deriveTopology(snap: Snapshot): Topology {
  const nodes: TopoNode[] = []
  const edges: TopoEdge[] = []
  const byName = new Map(snap.namespaces.map((n) => [n.name, n]))
  for (const ns of snap.namespaces) {
    nodes.push({
      id: nsNodeId(ns.name),
      kind: ns.isHost ? 'host' : 'namespace',
      label: ns.name,
      ns: ns.name,
      up: ns.links.some((l) => l.kind !== 'loopback' && isUp(l)),
    })
    for (const br of ns.links.filter((l) => l.kind === 'bridge')) {
      const id = bridgeNodeId(ns.name, br.ifname)
      nodes.push({ id, kind: 'bridge', label: br.ifname, ns: ns.name, up: isUp(br) })
      edges.push({
        id: `local:${id}`,
        kind: 'local',
        source: nsNodeId(ns.name),
        target: id,
        a: null,
        b: { ns: ns.name, ifname: br.ifname, up: isUp(br) },
        up: isUp(br),
      })
    }
  }
  const seen = new Set<string>()
  for (const ns of snap.namespaces) {
    for (const l of ns.links) {
      const a: TopoEnd = { ns: ns.name, ifname: l.ifname, up: isUp(l) }
      if (l.kind === 'veth' && l.peer?.namespace && l.peer.ifname) {
        const key = [`${ns.name}/${l.ifname}`, `${l.peer.namespace}/${l.peer.ifname}`]
          .sort()
          .join('|')
        if (seen.has(key)) continue
        seen.add(key)
        const peerNs = byName.get(l.peer.namespace)
        const peer = peerNs?.links.find((p) => p.ifname === l.peer?.ifname)
        if (!peerNs || !peer) continue
        const b: TopoEnd = { ns: peerNs.name, ifname: peer.ifname, up: isUp(peer) }
        edges.push({
          id: `veth:${key}`,
          kind: 'veth',
          source: attachPoint(ns, l),
          target: attachPoint(peerNs, peer),
          a,
          b,
          up: a.up && b.up,
        })
      } else if (l.kind !== 'veth' && l.isBridgePort && l.master) {
        edges.push({
          id: `port:${ns.name}/${l.ifname}`,
          kind: 'port',
          source: bridgeNodeId(ns.name, l.master),
          target: nsNodeId(ns.name),
          a,
          b: null,
          up: a.up,
        })
      }
    }
  }
  return { nodes, edges }
}

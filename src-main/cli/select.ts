// Cut a snapshot down to some namespaces for `save --ns`: the chosen namespaces whole, and of the
// root namespace only the links that join them (veth peers, the bridges those hang on).

import { HOST_NS, type NetNamespace, type Snapshot } from '../../shared/net/model'

/** Keep only the links named in `keep` (with their addresses, routes and neighbours). */
function onlyLinks(ns: NetNamespace, keep: (ifname: string) => boolean): NetNamespace {
  return {
    ...ns,
    links: ns.links.filter((l) => keep(l.ifname)),
    addresses: ns.addresses.filter((a) => keep(a.ifname)),
    routes: ns.routes.filter((r) => r.dev === null || keep(r.dev)),
    neighbours: ns.neighbours.filter((n) => keep(n.dev)),
  }
}

/**
 * The snapshot with only `names`. A veth whose peer is in a namespace left out is dropped with its
 * addresses and routes. Unless HOST_NS is one of `names`, the root keeps only its loopback, the
 * veth ends whose peers are chosen, and the bridges those ends are ports of.
 */
export function selectNamespaces(snap: Snapshot, names: string[]): Snapshot {
  const chosen = new Set(names)
  const kept = (ns: string | null): boolean => ns !== null && (chosen.has(ns) || ns === HOST_NS)
  const namespaces: NetNamespace[] = []
  for (const ns of snap.namespaces) {
    if (ns.isHost && !chosen.has(HOST_NS)) {
      const ends = ns.links.filter((l) => l.peer?.namespace && chosen.has(l.peer.namespace))
      const names = new Set([
        ...ns.links.filter((l) => l.kind === 'loopback').map((l) => l.ifname),
        ...ends.map((l) => l.ifname),
        ...ends.flatMap((l) => (l.master ? [l.master] : [])),
      ])
      namespaces.push(onlyLinks(ns, (n) => names.has(n)))
    } else if (chosen.has(ns.name)) {
      const foreign = new Set(
        ns.links
          .filter((l) => l.kind === 'veth' && l.peer && !kept(l.peer.namespace))
          .map((l) => l.ifname),
      )
      namespaces.push(foreign.size ? onlyLinks(ns, (n) => !foreign.has(n)) : ns)
    }
  }
  return { ...snap, namespaces, vanished: snap.vanished.filter((v) => chosen.has(v)) }
}

// Duplicate-address detection (tutorial 4's closing question): the same IP used in two places that
// can reach each other. Pure: reads a Snapshot, follows veth pairs and bridge ports.

import type { NetNamespace, Snapshot } from './model'

/** Where an address is configured. */
export interface AddressPlace {
  ns: string
  ifname: string
}

/** One address used more than once among namespaces that are connected. */
export interface AddressConflict {
  /** The address without prefix, e.g. 10.0.0.1. */
  address: string
  places: AddressPlace[]
  /**
   * True when the places share one layer-2 segment (same cable or same bridge): ARP answers
   * will race. False when they are only connected through other namespaces (routing).
   */
  sameSegment: boolean
  /** What goes wrong, in plain words. */
  message: string
}

/** Union-find over string keys. */
class Groups {
  private parent = new Map<string, string>()
  find(k: string): string {
    let p = this.parent.get(k) ?? k
    if (p !== k) {
      p = this.find(p)
      this.parent.set(k, p)
    }
    return p
  }
  join(a: string, b: string): void {
    const ra = this.find(a)
    const rb = this.find(b)
    if (ra !== rb) this.parent.set(ra, rb)
  }
}

const linkKey = (ns: string, ifname: string): string => `${ns}\u0000${ifname}`
const nsKey = (ns: string): string => `ns\u0000${ns}`

function isIgnored(ns: NetNamespace, ifname: string, local: string, scope: string): boolean {
  if (scope === 'host' || local.startsWith('127.') || local === '::1') return true
  if (local.toLowerCase().startsWith('fe80:')) return true
  const link = ns.links.find((l) => l.ifname === ifname)
  return link?.kind === 'loopback'
}

/**
 * Find addresses configured in two or more places that can reach each other: namespaces with
 * addresses on one layer-2 segment (veth pairs, bridges), transitively through namespaces on
 * several segments. The same address in unconnected namespaces is fine, that
 * is what namespaces are for, and is not reported. Loopback and link-local addresses are ignored.
 */
export function findAddressConflicts(snapshot: Pick<Snapshot, 'namespaces'>): AddressConflict[] {
  // Layer 2: a veth pair is one cable, a bridge joins its ports.
  const segments = new Groups()
  for (const ns of snapshot.namespaces) {
    for (const link of ns.links) {
      const self = linkKey(ns.name, link.ifname)
      segments.find(self)
      if (link.master) segments.join(self, linkKey(ns.name, link.master))
      const p = link.peer
      if (link.kind === 'veth' && p?.namespace && p.ifname)
        segments.join(self, linkKey(p.namespace, p.ifname))
    }
  }
  // Layer 3: namespaces with an address on the same segment can talk, and through namespaces on
  // several segments (routers) further. A cable without addresses (e.g. a bridge port in the
  // host) joins no one: two labs whose bridges both sit in the host stay apart.
  const reach = new Groups()
  for (const ns of snapshot.namespaces) {
    reach.find(nsKey(ns.name))
    for (const a of ns.addresses) {
      if (isIgnored(ns, a.ifname, a.local, a.scope)) continue
      reach.join(nsKey(ns.name), segments.find(linkKey(ns.name, a.ifname)))
    }
  }

  const byAddr = new Map<string, AddressPlace[]>()
  for (const ns of snapshot.namespaces) {
    for (const a of ns.addresses) {
      if (isIgnored(ns, a.ifname, a.local, a.scope)) continue
      const key = a.local.toLowerCase()
      const list = byAddr.get(key) ?? []
      if (!list.some((p) => p.ns === ns.name && p.ifname === a.ifname))
        list.push({ ns: ns.name, ifname: a.ifname })
      byAddr.set(key, list)
    }
  }

  const out: AddressConflict[] = []
  for (const [address, places] of byAddr) {
    if (places.length < 2) continue
    // Group the places by reachability; only groups of two or more conflict.
    const byReach = new Map<string, AddressPlace[]>()
    for (const p of places) {
      const r = reach.find(nsKey(p.ns))
      byReach.set(r, [...(byReach.get(r) ?? []), p])
    }
    for (const group of byReach.values()) {
      if (group.length < 2) continue
      const seg = new Set(group.map((p) => segments.find(linkKey(p.ns, p.ifname))))
      const sameSegment = seg.size < group.length
      const where = group.map((p) => `${p.ifname} in ${p.ns}`).join(' and ')
      out.push({
        address,
        places: group,
        sameSegment,
        message: sameSegment
          ? `${address} is on ${where}, on the same link: ARP replies will race and traffic goes to whichever answers first.`
          : `${address} is on ${where}, which are connected: each one answers ${address} itself, so the other can never be reached at that address.`,
      })
    }
  }
  return out.sort((a, b) => a.address.localeCompare(b.address))
}

// A valid lab as the kernel objects it stands for: each interface in its namespace with its kind,
// peer, bridge, state, addresses (canonical) and netem. What plan compares with a snapshot.

import { HOST_NS } from '../net/model'
import { canonCidr } from './addr'
import type { Lab, LabNetem } from './types'

/** One interface the lab wants. */
export interface WantIface {
  ns: string
  name: string
  kind: 'bridge' | 'veth'
  /** The other end of a veth. */
  peer?: { ns: string; name: string }
  /** The bridge a veth end is a port of (same namespace), or null. */
  master: string | null
  up: boolean
  /** Canonical "ADDR/LEN" (IPv6 as the kernel prints it). */
  addresses: string[]
  netem?: LabNetem
}

/** The lab resolved: its own namespaces (not host) in file order, and every interface. */
export interface ResolvedLab {
  namespaces: string[]
  ifaces: WantIface[]
  /** Interfaces by "NS/NAME". */
  byKey: Map<string, WantIface>
  /** veth pairs, each once (the first endpoint first). */
  pairs: Array<[WantIface, WantIface]>
}

export const ifaceKey = (ns: string, name: string): string => `${ns}/${name}`

/** Resolve a valid lab (parseLab/validateLab output); bridges of an endpoint are found by name (and ns). */
export function resolveLab(lab: Lab): ResolvedLab {
  const namespaces = Object.keys(lab.namespaces).filter((n) => n !== HOST_NS)
  const ifaces: WantIface[] = []
  const byKey = new Map<string, WantIface>()
  const add = (w: WantIface): WantIface => {
    ifaces.push(w)
    byKey.set(ifaceKey(w.ns, w.name), w)
    return w
  }
  for (const b of lab.bridges)
    add({
      ns: b.ns ?? HOST_NS,
      name: b.name,
      kind: 'bridge',
      master: null,
      up: b.up !== false,
      addresses: (b.addresses ?? []).map(canonCidr),
    })
  const pairs: Array<[WantIface, WantIface]> = []
  for (const l of lab.links) {
    const nsOf = (e: (typeof l.endpoints)[number]): string =>
      e.bridge !== undefined
        ? (lab.bridges.find(
            (b) => b.name === e.bridge && (e.ns === undefined || (b.ns ?? HOST_NS) === e.ns),
          )?.ns ?? HOST_NS)
        : (e.ns ?? HOST_NS)
    const [ea, eb] = l.endpoints
    const na = nsOf(ea)
    const nb = nsOf(eb)
    const mk = (e: typeof ea, ns: string, peerNs: string, peer: string): WantIface => ({
      ns,
      name: e.name,
      kind: 'veth',
      peer: { ns: peerNs, name: peer },
      master: e.bridge ?? null,
      up: e.up !== false,
      addresses: (e.addresses ?? []).map(canonCidr),
      ...(e.netem ? { netem: e.netem } : {}),
    })
    pairs.push([add(mk(ea, na, nb, eb.name)), add(mk(eb, nb, na, ea.name))])
  }
  return { namespaces, ifaces, byKey, pairs }
}

// A lab with every kernel-global name prefixed: its own name, its namespaces and the interfaces it
// puts in the root namespace (names inside a namespace are private to it and stay), in its checks
// too. Lets tests (and side-by-side copies of a lab) run the built-in labs without touching anyone
// else's names. A command check's argv is the lab author's text and is left as written.

import { HOST_NS } from '../net/model'
import { sysctlInterface } from '../net/validate'
import type { LabCheck } from './checks'
import type { Lab, LabEndpoint } from './types'

/**
 * `lab` with `prefix` before its name, its namespaces and its root-namespace interfaces. A name
 * that would pass 15 bytes becomes the prefix and a short index instead; the lab stays valid.
 */
export function prefixLab(lab: Lab, prefix: string): Lab {
  const renamer = (kind: string): ((name: string) => string) => {
    const map = new Map<string, string>()
    return (name) => {
      let n = map.get(name)
      if (n === undefined) {
        n = `${prefix}${name}`.length <= 15 ? `${prefix}${name}` : `${prefix}${kind}${map.size}`
        map.set(name, n)
      }
      return n
    }
  }
  const nsName = renamer('n')
  const hostIf = renamer('i')
  const ns = (n: string | undefined): string | undefined =>
    n === undefined || n === HOST_NS ? n : nsName(n)
  const bridgeNs = (e: LabEndpoint): string =>
    lab.bridges.find(
      (b) => b.name === e.bridge && (e.ns === undefined || (b.ns ?? HOST_NS) === e.ns),
    )?.ns ?? HOST_NS
  const endNs = (e: LabEndpoint): string =>
    e.bridge !== undefined ? bridgeNs(e) : (e.ns ?? HOST_NS)
  const ifIn = (where: string, name: string): string => (where === HOST_NS ? hostIf(name) : name)
  const sysctlKey = (where: string, key: string): string => {
    const dev = sysctlInterface(key)
    return where === HOST_NS && dev ? key.replace(`.conf.${dev}.`, `.conf.${hostIf(dev)}.`) : key
  }
  const out: Lab = {
    ...lab,
    name: `${prefix}${lab.name}`.slice(0, 64),
    namespaces: Object.fromEntries(
      Object.entries(lab.namespaces).map(([k, v]) => [
        ns(k)!,
        v.sysctls
          ? {
              ...v,
              sysctls: Object.fromEntries(
                Object.entries(v.sysctls).map(([key, val]) => [sysctlKey(k, key), val]),
              ),
            }
          : v,
      ]),
    ),
    bridges: lab.bridges.map((b) => ({
      ...b,
      name: ifIn(b.ns ?? HOST_NS, b.name),
      ...(b.ns !== undefined ? { ns: ns(b.ns)! } : {}),
    })),
    links: lab.links.map((l) => ({
      endpoints: l.endpoints.map((e) => ({
        ...e,
        ...(e.ns !== undefined ? { ns: ns(e.ns)! } : {}),
        ...(e.bridge !== undefined ? { bridge: ifIn(bridgeNs(e), e.bridge) } : {}),
        name: ifIn(endNs(e), e.name),
      })) as Lab['links'][number]['endpoints'],
    })),
    routes: lab.routes.map((r) => ({
      ...r,
      ns: ns(r.ns)!,
      ...(r.dev !== undefined ? { dev: ifIn(r.ns, r.dev) } : {}),
    })),
    nat: lab.nat.map((n) => ({
      ...n,
      ns: ns(n.ns)!,
      ...(n.masquerade
        ? {
            masquerade: {
              ...n.masquerade,
              ...(n.masquerade.out !== undefined ? { out: ifIn(n.ns, n.masquerade.out) } : {}),
            },
          }
        : {}),
    })),
  }
  if (lab.checks) out.checks = lab.checks.map((c) => prefixCheck(c, ns, ifIn, sysctlKey))
  if (lab.layout)
    out.layout = Object.fromEntries(
      Object.entries(lab.layout).map(([k, v]) => {
        const slash = k.indexOf('/')
        if (slash < 0) return [ns(k)!, v]
        const where = k.slice(0, slash)
        return [`${ns(where)!}/${ifIn(where, k.slice(slash + 1))}`, v]
      }),
    )
  return out
}

/** A check with its namespaces, root-namespace interfaces and sysctl keys renamed as the lab's. */
function prefixCheck(
  c: LabCheck,
  ns: (n: string | undefined) => string | undefined,
  ifIn: (where: string, name: string) => string,
  sysctlKey: (where: string, key: string) => string,
): LabCheck {
  const n = (x: string): string => ns(x)!
  const dev = <T extends { ns: string; dev?: string }>(x: T): T => ({
    ...x,
    ns: n(x.ns),
    ...(x.dev !== undefined ? { dev: ifIn(x.ns, x.dev) } : {}),
  })
  const out: LabCheck = { ...c }
  if (c.interface)
    out.interface = {
      ...dev(c.interface),
      ...(c.interface.master !== undefined
        ? { master: ifIn(c.interface.ns, c.interface.master) }
        : {}),
    }
  if (c.address) out.address = dev(c.address)
  if (c.route) out.route = dev(c.route)
  if (c.neighbour) out.neighbour = dev(c.neighbour)
  if (c.sysctl)
    out.sysctl = { ...c.sysctl, ns: n(c.sysctl.ns), key: sysctlKey(c.sysctl.ns, c.sysctl.key) }
  if (c.nat)
    out.nat = {
      ...c.nat,
      ns: n(c.nat.ns),
      ...(c.nat.masquerade?.out !== undefined
        ? { masquerade: { ...c.nat.masquerade, out: ifIn(c.nat.ns, c.nat.masquerade.out) } }
        : {}),
    }
  if (c.reach)
    out.reach = {
      ...c.reach,
      from: n(c.reach.from),
      ...(c.reach.toNs !== undefined ? { toNs: n(c.reach.toNs) } : {}),
    }
  if (c.port) out.port = { ...c.port, from: n(c.port.from) }
  if (c.namespace) out.namespace = { ...c.namespace, ns: n(c.namespace.ns) }
  if (c.command) out.command = { ...c.command, ns: n(c.command.ns) }
  return out
}

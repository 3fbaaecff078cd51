// The checks that need the whole lab: every namespace and bridge an entry names exists in the
// lab, interface names are unique in their namespace, routes and NAT are not given twice, layout
// keys name nodes. Each problem carries the path of the offending value.

import { ipFamily, sysctlInterface } from '../net/validate'
import type { LabBridge, LabEndpoint, LabNat, LabNamespace, LabPosition, LabRoute } from './types'

/** One problem: the path of the offending value and whether the key itself (not its value) is wrong. */
export interface Issue {
  path: Array<string | number>
  message: string
  at?: 'key' | 'value'
}

/** The lab as the schema has shaped it (lists and the namespaces map may be absent). */
export interface LabInput {
  namespaces?: Record<string, LabNamespace | null> | undefined
  bridges?: LabBridge[] | undefined
  links?: Array<{ endpoints: [LabEndpoint, LabEndpoint] }> | undefined
  routes?: LabRoute[] | undefined
  nat?: LabNat[] | undefined
  layout?: Record<string, LabPosition> | undefined
}

const listed = (xs: Iterable<string>): string => {
  const a = [...xs]
  return a.length ? a.join(', ') : 'none'
}

/** Every cross-reference problem of a lab whose shape is valid. */
export function crossCheck(lab: LabInput): Issue[] {
  const issues: Issue[] = []
  const add = (path: Array<string | number>, message: string, at?: 'key'): void => {
    issues.push(at ? { path, message, at } : { path, message })
  }
  const decl = lab.namespaces ?? {}
  const known = new Set(['host', ...Object.keys(decl)])
  const nsOk = (ns: string, path: Array<string | number>): boolean => {
    if (known.has(ns)) return true
    add(
      path,
      `Namespace "${ns}" is not in this lab; declare it under namespaces (or use host, the root namespace).`,
    )
    return false
  }
  if (decl.host && decl.host.lo !== undefined)
    add(
      ['namespaces', 'host', 'lo'],
      "The root namespace's loopback is not the lab's to set; lo applies to the lab's own namespaces.",
      'key',
    )

  // Interfaces per namespace: where each name was declared.
  const ifaces = new Map<string, Map<string, string>>()
  const has = (ns: string, name: string): boolean => name === 'lo' || !!ifaces.get(ns)?.has(name)
  const namesIn = (ns: string): string => listed(['lo', ...(ifaces.get(ns)?.keys() ?? [])])
  const declare = (ns: string, name: string, path: Array<string | number>, where: string): void => {
    if (name === 'lo') {
      add(path, 'Interface name "lo" is the loopback every namespace has; choose another name.')
      return
    }
    const m = ifaces.get(ns) ?? new Map<string, string>()
    ifaces.set(ns, m)
    const prev = m.get(name)
    if (prev)
      add(
        path,
        `Namespace ${ns} already has an interface "${name}" (${prev}); names are unique in a namespace.`,
      )
    else m.set(name, where)
  }
  const uniqueAddresses = (addrs: string[] | undefined, path: Array<string | number>): void => {
    const seen = new Set<string>()
    ;(addrs ?? []).forEach((a, k) => {
      if (seen.has(a)) add([...path, k], `Address ${a} is listed twice on this interface.`)
      seen.add(a)
    })
  }

  const bridges = lab.bridges ?? []
  const bridgeNs = new Map<string, string[]>()
  bridges.forEach((b, i) => {
    const ns = b.ns ?? 'host'
    if (b.ns !== undefined && !nsOk(ns, ['bridges', i, 'ns'])) return
    declare(ns, b.name, ['bridges', i, 'name'], `bridges[${i}]`)
    bridgeNs.set(b.name, [...(bridgeNs.get(b.name) ?? []), ns])
    uniqueAddresses(b.addresses, ['bridges', i, 'addresses'])
  })

  ;(lab.links ?? []).forEach((l, i) => {
    const on: Array<string | null> = l.endpoints.map((e, j) => {
      const base = ['links', i, 'endpoints', j]
      uniqueAddresses(e.addresses, [...base, 'addresses'])
      let ns: string | null = null
      if (e.bridge !== undefined) {
        const all = bridgeNs.get(e.bridge) ?? []
        const cands = all.filter((n) => e.ns === undefined || n === e.ns)
        if (cands.length === 1) ns = cands[0]!
        else if (cands.length > 1)
          add(
            [...base, 'bridge'],
            `Bridges called "${e.bridge}" are in ${cands.join(' and ')}; add ns: to say which.`,
          )
        else
          add(
            [...base, 'bridge'],
            e.ns !== undefined && all.length
              ? `Bridge "${e.bridge}" is not in namespace ${e.ns} (it is in ${all.join(', ')}).`
              : `There is no bridge "${e.bridge}" in this lab (bridges: ${listed(new Set(bridges.map((b) => b.name)))}).`,
          )
      } else {
        ns = e.ns ?? 'host'
        if (!nsOk(ns, [...base, 'ns'])) ns = null
      }
      if (ns !== null) declare(ns, e.name, [...base, 'name'], `links[${i}].endpoints[${j}]`)
      return ns === null ? null : `${ns}/${e.bridge ?? ''}`
    })
    const a = l.endpoints[0]
    if (a.bridge && on[0] && on[0] === on[1])
      add(
        ['links', i, 'endpoints', 1, 'bridge'],
        `Both ends are ports of bridge ${a.bridge}: that is a loop; connect the bridge to something else.`,
      )
  })

  const routeSeen = new Map<string, number>()
  ;(lab.routes ?? []).forEach((r, i) => {
    if (!nsOk(r.ns, ['routes', i, 'ns'])) return
    if (r.via === undefined && r.dev === undefined)
      add(['routes', i], 'A route needs a gateway (via), a device (dev), or both.')
    const fam = r.to === 'default' ? (r.via ? ipFamily(r.via) : 'inet') : ipFamily(r.to)
    if (r.via !== undefined && r.to !== 'default' && ipFamily(r.via) !== fam)
      add(['routes', i, 'via'], 'Gateway and destination are of different IP families.')
    if (r.dev !== undefined && r.ns !== 'host' && !has(r.ns, r.dev))
      add(
        ['routes', i, 'dev'],
        `Namespace ${r.ns} has no interface "${r.dev}" in this lab (it has: ${namesIn(r.ns)}).`,
      )
    const key = `${r.ns} ${String(r.table ?? 'main')} ${fam} ${r.to}`
    const prev = routeSeen.get(key)
    if (prev !== undefined)
      add(
        ['routes', i, 'to'],
        `routes[${prev}] already routes ${r.to} in namespace ${r.ns} (table ${String(r.table ?? 'main')}); one route per destination and table.`,
      )
    else routeSeen.set(key, i)
  })

  const natSeen = new Map<string, number>()
  ;(lab.nat ?? []).forEach((n, i) => {
    if (!nsOk(n.ns, ['nat', i, 'ns'])) return
    const out = n.masquerade?.out
    if (out !== undefined && n.ns !== 'host' && !has(n.ns, out))
      add(
        ['nat', i, 'masquerade', 'out'],
        `Namespace ${n.ns} has no interface "${out}" in this lab (it has: ${namesIn(n.ns)}).`,
      )
    const key = n.masquerade
      ? `${n.ns} masquerade ${n.masquerade.source} ${out ?? ''}`
      : `${n.ns} forward ${n.forward?.protocol} ${n.forward?.port}`
    const prev = natSeen.get(key)
    if (prev !== undefined)
      add(['nat', i], `This NAT entry repeats nat[${prev}] in namespace ${n.ns}.`)
    else natSeen.set(key, i)
  })

  for (const [ns, d] of Object.entries(decl)) {
    for (const key of Object.keys(d?.sysctls ?? {})) {
      const dev = sysctlInterface(key)
      if (dev && ns !== 'host' && !has(ns, dev))
        add(
          ['namespaces', ns, 'sysctls', key],
          `Sysctl ${key} names interface ${dev}, which namespace ${ns} does not have in this lab (it has: ${namesIn(ns)}).`,
          'key',
        )
    }
  }

  for (const key of Object.keys(lab.layout ?? {})) {
    const slash = key.indexOf('/')
    const ok =
      slash < 0
        ? known.has(key)
        : bridges.some(
            (b) => (b.ns ?? 'host') === key.slice(0, slash) && b.name === key.slice(slash + 1),
          )
    if (!ok)
      add(
        ['layout', key],
        `Layout names "${key}", which is not a node of this lab (a namespace, host, or NS/BRIDGE for a bridge).`,
        'key',
      )
  }
  return issues
}

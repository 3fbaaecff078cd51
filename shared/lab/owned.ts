// What a lab owns on a target, as recorded there (/run/netns-studio/lab-NAME, tmpfs): the engine's
// "ns NAME" and "link NS IFNAME" lines, plus the lab's own lines for what outlives its
// namespaces: original sysctl values, NAT rules and routes of the root (or a foreign) namespace.

import { checkSysctlKey, checkSysctlValue } from '../net/validate'
import { checkIfName, checkNamespaceRef } from '../net/validate'
import type { LabNat, LabRoute } from './types'

/** Where a lab's record lives on the target. */
export function labRecordFile(labName: string): string {
  return `/run/netns-studio/lab-${labName}`
}

/** Everything a lab's record says it owns. */
export interface LabOwned {
  namespaces: Set<string>
  /** Links the lab created, by "NS/IFNAME". */
  links: Set<string>
  /** The value each sysctl had before the lab first set it, by "NS KEY". */
  sysctls: Map<string, { ns: string; key: string; value: string }>
  nat: LabNat[]
  routes: LabRoute[]
}

/** An empty record (a lab never applied on this target). */
export function emptyOwned(): LabOwned {
  return { namespaces: new Set(), links: new Set(), sysctls: new Map(), nat: [], routes: [] }
}

const dash = (s: string | undefined): string => (s === undefined || s === '' ? '-' : s)
const undash = (s: string | undefined): string | undefined =>
  s === '-' || s === undefined ? undefined : s

/** The record line of a sysctl's original value. */
export function sysctlRecord(ns: string, key: string, value: string): string {
  return `sysctl ${ns} ${key} ${value}`
}

/** The record line of a NAT rule the lab added. */
export function natRecord(n: LabNat): string {
  return n.masquerade
    ? `nat ${n.ns} masquerade ${n.masquerade.source} ${dash(n.masquerade.out)}`
    : `nat ${n.ns} forward ${n.forward!.protocol} ${n.forward!.port} ${n.forward!.to}`
}

/** The record line of a route the lab added outside its own namespaces. */
export function routeRecord(r: LabRoute): string {
  return `route ${r.ns} ${String(r.table ?? 'main')} ${r.to} ${dash(r.via)} ${dash(r.dev)}`
}

/**
 * Parse a record. The file lives in the target, so every name is checked again and a line that
 * does not pass is ignored (it can never reach a command).
 */
export function parseOwned(text: string): LabOwned {
  const o = emptyOwned()
  const nsOk = (s: string | undefined): s is string => checkNamespaceRef(s).ok
  const ifOk = (s: string | undefined): s is string => checkIfName(s).ok
  for (const line of text.split('\n')) {
    const w = line.trim().split(/\s+/)
    switch (w[0]) {
      case 'ns':
        if (nsOk(w[1]) && w[1] !== 'host') o.namespaces.add(w[1])
        break
      case 'link':
        if (nsOk(w[1]) && ifOk(w[2])) o.links.add(`${w[1]}/${w[2]}`)
        break
      case 'sysctl': {
        const [, ns, key, value] = w
        if (
          nsOk(ns) &&
          key &&
          checkSysctlKey(key).ok &&
          value !== undefined &&
          checkSysctlValue(key, value).ok
        ) {
          const k = `${ns} ${key}`
          if (!o.sysctls.has(k)) o.sysctls.set(k, { ns, key, value })
        }
        break
      }
      case 'nat': {
        const [, ns, kind, a, b, c] = w
        if (!nsOk(ns)) break
        if (kind === 'masquerade' && a)
          o.nat.push({ ns, masquerade: { source: a, ...(undash(b) ? { out: b! } : {}) } })
        if (kind === 'forward' && (a === 'tcp' || a === 'udp') && b && c)
          o.nat.push({ ns, forward: { protocol: a, port: Number(b), to: c } })
        break
      }
      case 'route': {
        const [, ns, table, to, via, dev] = w
        if (nsOk(ns) && table && to)
          o.routes.push({
            ns,
            to,
            ...(undash(via) ? { via: via! } : {}),
            ...(undash(dev) ? { dev: dev! } : {}),
            ...(table !== 'main' ? { table } : {}),
          })
        break
      }
    }
  }
  return o
}

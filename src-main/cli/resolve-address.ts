// Where ping and matrix aim: a namespace's first global address (IPv4 first, as the app's matrix
// does), or an address typed as is.

import type { NetNamespace, Snapshot } from '../../shared/net/model'
import { checkIp, checkNamespaceRef } from '../../shared/net/validate'
import { CliError, EXIT, usageError } from './errors'

/** The first global address of `ns`: IPv4 first unless `family` says inet6; null when none. */
export function firstAddress(ns: NetNamespace, family?: 'inet' | 'inet6'): string | null {
  const global = ns.addresses.filter((a) => a.scope === 'global' && !a.flags.includes('tentative'))
  const order: Array<'inet' | 'inet6'> = family === 'inet6' ? ['inet6', 'inet'] : ['inet', 'inet6']
  for (const f of family ? [family] : order) {
    const a = global.find((x) => x.family === f)
    if (a) return a.local
  }
  return null
}

/** The namespace `name` in `snap`, or a NOT_FOUND error (exit 3) naming a few that exist. */
export function namespaceIn(snap: Snapshot, name: string): NetNamespace {
  const ns = snap.namespaces.find((n) => n.name === name)
  if (ns) return ns
  const names = snap.namespaces.map((n) => n.name)
  const shown =
    names.slice(0, 20).join(', ') + (names.length > 20 ? `, … (${names.length} in all)` : '')
  throw new CliError(EXIT.TARGET, 'NOT_FOUND', `No namespace "${name}" on the target.`, {
    detail: `It has: ${shown}`,
  })
}

/** A destination as typed: an IP address, or a namespace name (checked as the app checks names). */
export function parseDestination(text: string): { address: string } | { ns: string } {
  if (checkIp(text).ok) return { address: text }
  const c = checkNamespaceRef(text)
  if (!c.ok)
    throw usageError(
      `"${text.slice(0, 80)}" is neither an IP address nor a namespace name: ${c.message}`,
    )
  return { ns: text }
}

// Human-readable text of a snapshot for `show`: per namespace its interfaces (kind, state,
// addresses, peer or bridge) and routes. `--json` prints the model itself.

import type { NetLink, NetNamespace, NetRoute, Snapshot } from '../../shared/net/model'

/** Pad each column of `rows` to its widest cell; two spaces between columns. */
export function table(rows: string[][], indent = '  '): string[] {
  const widths: number[] = []
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)))
  return rows.map((r) =>
    (
      indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')
    ).trimEnd(),
  )
}

function linkRow(ns: NetNamespace, l: NetLink): string[] {
  const addrs = ns.addresses
    .filter((a) => a.ifname === l.ifname && !(a.family === 'inet6' && a.scope === 'link'))
    .map((a) => `${a.local}/${a.prefixlen}`)
  const where: string[] = []
  if (l.peer?.ifname) where.push(`peer ${l.peer.namespace ?? '?'}:${l.peer.ifname}`)
  if (l.master) where.push(`master ${l.master}`)
  if (l.qdisc === 'netem') where.push('netem')
  return [l.ifname, l.rawKind, l.operstate, addrs.join(' ') || '-', where.join(', ')]
}

/** One route as `ip route` would print it, plus the table when not main. */
export function routeText(r: NetRoute): string {
  const parts = [r.type !== 'unicast' ? `${r.type} ${r.dst}` : r.dst]
  if (r.gateway) parts.push(`via ${r.gateway}`)
  if (r.dev) parts.push(`dev ${r.dev}`)
  if (r.table !== 'main') parts.push(`table ${r.table}`)
  if (r.metric !== null) parts.push(`metric ${r.metric}`)
  return parts.join(' ')
}

/** Text of one namespace: a heading, its interfaces, its routes (the local table left out). */
export function namespaceText(ns: NetNamespace): string {
  const head = `${ns.name}${ns.isHost ? ' (root namespace)' : ''}${ns.ipForward ? ', forwarding' : ''}`
  const lines = [head]
  lines.push(...table(ns.links.map((l) => linkRow(ns, l))))
  const routes = ns.routes.filter((r) => r.table !== 'local')
  if (routes.length) {
    lines.push('  routes:')
    lines.push(...routes.map((r) => `    ${routeText(r)}`))
  }
  return lines.join('\n')
}

/** Text of a whole snapshot, namespaces separated by a blank line. */
export function snapshotText(s: Snapshot): string {
  const parts = s.namespaces.map(namespaceText)
  if (s.vanished.length) parts.push(`(vanished while read: ${s.vanished.join(', ')})`)
  return `${parts.join('\n\n')}\n`
}

// What a topology edge says: its two interface names, the traffic through it (from the live
// sampler) and any impairment set on either end (netem). Pure, so it is tested without a canvas.

import type { NetemSettings } from '@shared/net/netem'
import { describeNetem } from '@shared/net/netem'
import type { TopoEdge, TopoEnd } from '@shared/net/topology'
import { formatRate } from '@shared/net/traffic'

/** The edge's label lines, joined with newlines (cytoscape wraps them). */
export function edgeLabel(
  e: Pick<TopoEdge, 'a' | 'b'>,
  rateOf: (ns: string, ifname: string) => number | undefined,
  netemOf: (ns: string, ifname: string) => NetemSettings | null,
): string {
  const ends = [e.a, e.b].filter((x): x is TopoEnd => x !== null)
  if (ends.length < 2) return ''
  const lines = [ends.map((x) => x.ifname).join(' ↔ ')]
  const rates = ends.map((x) => rateOf(x.ns, x.ifname)).filter((r): r is number => r !== undefined)
  if (rates.length) lines.push(formatRate(Math.max(...rates)))
  for (const x of ends) {
    const n = netemOf(x.ns, x.ifname)
    if (n) lines.push(`${x.ifname}: ${describeNetem(n)}`)
  }
  return lines.join('\n')
}

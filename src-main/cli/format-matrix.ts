// Human-readable text of a reachability matrix: a grid of ✓ (with the best RTT) / ✗ / ? per
// ordered pair, a summary line, and the advice when pairs stayed unknown.

import type { MatrixResult } from '../../shared/ipc/domains/live'
import { table } from './format-snapshot'

const MARK = { reachable: '✓', unreachable: '✗', unknown: '?' } as const

/** The grid (rows: from, columns: to), the summary and the reasons of unknown pairs. */
export function matrixText(r: MatrixResult): string {
  const names = [...new Set(r.cells.flatMap((c) => [c.src, c.dst]))]
  const byPair = new Map(r.cells.map((c) => [`${c.src}\u0000${c.dst}`, c]))
  const rows = [['from \\ to', ...names]]
  for (const s of names)
    rows.push([
      s,
      ...names.map((d) => {
        if (s === d) return '-'
        const c = byPair.get(`${s}\u0000${d}`)
        if (!c) return ''
        return c.rttMs !== null ? `${MARK[c.verdict]} ${c.rttMs.toFixed(2)}ms` : MARK[c.verdict]
      }),
    ])
  const n = (v: string): number => r.cells.filter((c) => c.verdict === v).length
  const retries = r.rounds.length - 1
  const summary =
    `${n('reachable')} of ${r.cells.length} reachable, ${n('unreachable')} unreachable` +
    (n('unknown') ? `, ${n('unknown')} unknown` : '') +
    `, in ${(r.durationMs / 1000).toFixed(2)} s` +
    (retries > 0 ? ` (${retries} paced ${retries === 1 ? 'retry' : 'retries'})` : '')
  const lines = [...table(rows, ''), summary]
  for (const c of r.cells.filter((x) => x.verdict === 'unknown'))
    lines.push(`  ? ${c.src} → ${c.dst} (${c.address}): ${c.reason ?? 'unknown'}`)
  if (r.advice) lines.push(r.advice)
  return `${lines.join('\n')}\n`
}

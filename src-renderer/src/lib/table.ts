// Shared table types and small formatting helpers for the namespace panel's tables.

/** One column: a key for the cell slot, its header, and its CSS grid track. */
export interface Column {
  key: string
  label: string
  width: string
}

/** Sort key for route tables: main first, then local, then numbered tables. */
export function tableOrder(t: string): number {
  if (t === 'main') return 0
  if (t === 'local') return 2
  return 1
}

/** Neighbour state → badge class. */
export function neighClass(state: readonly string[]): string {
  const s = state[0] ?? ''
  if (s === 'REACHABLE' || s === 'PERMANENT' || s === 'NOARP') return 'ok'
  if (s === 'FAILED' || s === 'INCOMPLETE') return 'err'
  if (s === 'STALE' || s === 'DELAY' || s === 'PROBE') return 'warn'
  return ''
}

/** What a neighbour state means, in a few words. */
export const NEIGH_STATES: Record<string, string> = {
  REACHABLE: 'confirmed recently: the neighbour answered',
  STALE: 'known but not confirmed lately; checked on next use',
  DELAY: 'waiting briefly before probing',
  PROBE: 'probing: asking again',
  FAILED: 'no answer: nobody has this address on the link',
  INCOMPLETE: 'asked, waiting for an answer',
  PERMANENT: 'added by hand, never expires',
  NOARP: 'no ARP on this link',
}

// Fast refresh for the table monitor: re-read only the namespaces a kernel event named (one round
// trip, one `ip -batch` each) and merge them into the last full snapshot. Anything a partial read
// cannot vouch for (links added, removed or renamed, a namespace gone) falls back to a full read.

import { HOST_NS, nsToKernel, type NetNamespace, type Snapshot } from '../../shared/net/model'
import { NS_MARK, SNAPSHOT_QUERIES, parseSnapshot } from '../../shared/net/snapshot-parse'
import { checkNamespaceRef } from '../../shared/net/validate'
import { logger } from '../log'
import type { Target } from '../target/target'

const log = logger('monitor')

/** Most namespaces re-read partially; more than this is cheaper as one full snapshot. */
export const PARTIAL_MAX = 8

const linkKey = (l: NetNamespace['links'][number]): string =>
  `${l.ifindex}\u0000${l.ifname}\u0000${l.kind}\u0000${String(l.linkIndex)}\u0000${String(l.linkNetnsid)}`

/**
 * Replace the namespaces of `fresh` in `base`. Returns null when the merge cannot be trusted: a
 * namespace is new or gone, or its set of links changed (peers are resolved across namespaces,
 * so only a full read resolves them). Peers, nsids, inodes and order are carried over from `base`.
 */
export function mergePartial(
  base: Snapshot,
  fresh: NetNamespace[],
  takenAt: number,
  durationMs: number,
): Snapshot | null {
  const byName = new Map(fresh.map((n) => [n.name, n]))
  let replaced = 0
  const namespaces = base.namespaces.map((old) => {
    const n = byName.get(old.name)
    if (!n) return old
    replaced++
    const prev = new Map(old.links.map((l) => [linkKey(l), l]))
    if (prev.size !== n.links.length) return null
    const links = n.links.map((l) => {
      const p = prev.get(linkKey(l))
      return p ? { ...l, peer: p.peer } : null
    })
    if (links.some((l) => l === null)) return null
    // The partial read has no inode: the namespace is the same one (one gone or new is a full read).
    const inode = old.inode === undefined ? {} : { inode: old.inode }
    return { ...n, nsid: old.nsid, ...inode, links: links as NetNamespace['links'] }
  })
  if (replaced !== fresh.length || namespaces.some((n) => n === null)) return null
  return { takenAt, durationMs, namespaces: namespaces as NetNamespace[], vanished: [] }
}

/**
 * Read `names` (HOST_NS for the root namespace) and merge them into `base`; null when a full
 * snapshot is needed instead (see {@link mergePartial}) or the names are too many.
 */
export async function partialSnapshot(
  target: Target,
  base: Snapshot,
  names: string[],
): Promise<Snapshot | null> {
  const list = [...new Set(names)]
  if (list.length === 0 || list.length > PARTIAL_MAX) return null
  if (list.some((n) => !checkNamespaceRef(n).ok)) return null
  const started = Date.now()
  const queries = SNAPSHOT_QUERIES.join('\n') + '\n'
  const cmds = list.map((n) =>
    n === HOST_NS
      ? ['ip', '-j', '-d', '-force', '-batch', '-']
      : ['ip', '-n', nsToKernel(n), '-j', '-d', '-force', '-batch', '-'],
  )
  const results = await target.run(cmds, { stdin: cmds.map(() => queries), timeoutMs: 10_000 })
  // -force: a query the kernel refuses (e.g. netconf) does not stop the others; empty = gone
  if (results.length !== list.length || results.some((r) => !r.stdout.trim())) return null
  const text = list
    .map(
      (n, i) => `${n === HOST_NS ? NS_MARK : `${NS_MARK} ${nsToKernel(n)}`}\n${results[i]!.stdout}`,
    )
    .join('\n')
  const parsed = parseSnapshot(text, { takenAt: started, durationMs: 0 })
  if (parsed.namespaces.length !== list.length) return null
  return mergePartial(base, parsed.namespaces, started, Date.now() - started)
}

export interface RefresherOptions {
  /** Push a merged snapshot to the renderers. */
  push(s: Snapshot): void
  /** A full snapshot read after the call (pushed by the connection manager). */
  full(): Promise<void>
  /** The current target (a merge for a target that went away is dropped). */
  current(): Target | null
  /** False when pushed snapshots are not observed: every refresh is full. */
  enabled: boolean
}

/** The table monitor's refresh: partial when it can be trusted, else a full read. */
export class SnapshotRefresher {
  private last: Snapshot | null = null
  private readonly mine = new WeakSet<Snapshot>()
  private lastPartialAt = 0
  /** Refreshes done by partial reads, and by full ones. */
  readonly counts = { partial: 0, full: 0 }

  constructor(private readonly opts: RefresherOptions) {}

  /** Forget the last snapshot (the target changed). */
  reset(): void {
    this.last = null
    this.lastPartialAt = 0
  }

  /** Follow every pushed snapshot. */
  observe(s: Snapshot): void {
    if (this.mine.has(s)) return
    this.last = s
    // A full read that began before our last partial one may be older than what we pushed: read again.
    if (s.takenAt < this.lastPartialAt && this.opts.current()) {
      this.lastPartialAt = 0
      void this.opts.full().catch((err: unknown) => log.debug({ err }, 'full re-read failed'))
    }
  }

  /** Refresh after the kernel reported changes in `changed` (null: everything). */
  async refresh(t: Target, changed: string[] | null): Promise<void> {
    const base = this.last
    if (changed && base && this.opts.enabled) {
      // A partial read that fails falls back to the full read below.
      const snap = await partialSnapshot(t, base, changed).catch((err: unknown) => {
        log.debug({ err }, 'partial re-read failed')
        return null
      })
      if (snap && this.last === base && this.opts.current() === t) {
        this.mine.add(snap)
        this.last = snap
        this.lastPartialAt = snap.takenAt
        this.counts.partial++
        this.opts.push(snap)
        return
      }
    }
    this.counts.full++
    await this.opts.full()
  }
}

// What a plan compares a lab with, read in one round trip: the snapshot, the lab's record on the
// target, and the sysctls, NAT rules and netem the lab names (the snapshot does not hold them).
// A record that names more (NAT or sysctls the lab no longer lists) costs one more round trip.

import { AppError } from '../../shared/errors'
import {
  natListArgv,
  parseIptablesNat,
  parseNftNat,
  parseSysctlOutput,
  type LabLive,
} from '../../shared/lab/live'
import { labRecordFile, parseOwned, type LabOwned } from '../../shared/lab/owned'
import type { Lab } from '../../shared/lab/types'
import { HOST_NS, type Snapshot } from '../../shared/net/model'
import { netemShowArgv, parseNetemShow } from '../../shared/net/netem'
import type { NatBackend } from '../../shared/net/ops'
import { inNamespace } from '../../shared/net/ping'
import { parseSnapshot } from '../../shared/net/snapshot-parse'
import { snapshotScript } from '../netns/snapshot'
import type { CommandResult, Target } from '../target/target'

/** Everything planLab needs about the target. */
export interface LabState {
  snapshot: Snapshot
  owned: LabOwned
  live: LabLive
}

/** One live read: its command, and where its output goes. */
interface Read {
  argv: string[]
  take(r: CommandResult, live: LabLive): void
}

/** What to read besides the snapshot. */
export interface LiveWants {
  /** sysctl keys by namespace. */
  sysctls: Map<string, Set<string>>
  /** Namespaces whose NAT rules to list. */
  nat: Set<string>
  /** Interfaces whose netem to read, as [ns, ifname]. */
  netem: Array<[string, string]>
}

/** The live state a lab (and its record) needs read. */
export function liveWants(lab: Lab, owned?: LabOwned): LiveWants {
  const w: LiveWants = { sysctls: new Map(), nat: new Set(), netem: [] }
  const key = (ns: string, k: string): void => {
    w.sysctls.set(ns, (w.sysctls.get(ns) ?? new Set()).add(k))
  }
  for (const [ns, d] of Object.entries(lab.namespaces))
    for (const k of Object.keys(d.sysctls ?? {})) key(ns, k)
  for (const n of lab.nat) w.nat.add(n.ns)
  for (const l of lab.links)
    for (const e of l.endpoints)
      if (e.netem) {
        const ns = e.bridge
          ? (lab.bridges.find(
              (b) => b.name === e.bridge && (e.ns === undefined || (b.ns ?? HOST_NS) === e.ns),
            )?.ns ?? HOST_NS)
          : (e.ns ?? HOST_NS)
        w.netem.push([ns, e.name])
      }
  for (const s of owned?.sysctls.values() ?? []) key(s.ns, s.key)
  for (const n of owned?.nat ?? []) w.nat.add(n.ns)
  return w
}

function readsFor(w: LiveWants, nat: NatBackend, exists: (ns: string) => boolean): Read[] {
  const reads: Read[] = []
  for (const [ns, keys] of w.sysctls)
    if (exists(ns))
      reads.push({
        argv: inNamespace(ns, ['sysctl', ...keys]),
        take: (r, live) => {
          live.sysctls ??= {}
          live.sysctls[ns] = { ...live.sysctls[ns], ...parseSysctlOutput(r.stdout) }
        },
      })
  for (const ns of w.nat)
    if (exists(ns))
      reads.push({
        argv: inNamespace(ns, natListArgv(nat)),
        take: (r, live) => {
          live.nat ??= {}
          live.nat[ns] =
            r.exitCode !== 0
              ? []
              : nat === 'nft'
                ? parseNftNat(r.stdout, ns)
                : parseIptablesNat(r.stdout, ns)
        },
      })
  for (const [ns, ifname] of w.netem)
    if (exists(ns))
      reads.push({
        argv: netemShowArgv(ns, ifname),
        take: (r, live) => {
          live.netem ??= {}
          live.netem[`${ns}/${ifname}`] = r.exitCode === 0 ? parseNetemShow(r.stdout) : null
        },
      })
  return reads
}

/**
 * Read the snapshot, the record of lab `labName` and the live state `lab` needs, in one round
 * trip (two when the record names NAT or sysctls the lab does not). `nat` is the backend whose
 * rules are listed (only used when some are wanted).
 */
export async function readLabState(
  target: Target,
  lab: Lab,
  nat: () => Promise<NatBackend>,
): Promise<LabState> {
  const record = labRecordFile(lab.name)
  const first = liveWants(lab)
  const backend = first.nat.size ? await nat() : 'iptables'
  // Before the snapshot says which namespaces exist, read only the lab's own and the root.
  const maybe = (ns: string): boolean => ns === HOST_NS || ns in lab.namespaces
  const reads = readsFor(first, backend, maybe)
  const started = Date.now()
  const results = await target.run(
    [['sh', '-c', snapshotScript()], ['cat', record], ...reads.map((r) => r.argv)],
    { timeoutMs: 30_000 },
  )
  const [snap, rec] = results
  if (!snap || snap.exitCode !== 0)
    throw new AppError('COMMAND_FAILED', 'Reading the namespaces failed.', { detail: snap?.stderr })
  const snapshot = parseSnapshot(snap.stdout, {
    takenAt: started,
    durationMs: Date.now() - started,
  })
  const owned = parseOwned(rec?.exitCode === 0 ? rec.stdout : '')
  const live: LabLive = {}
  reads.forEach((r, i) => {
    const res = results[i + 2]
    if (res) r.take(res, live)
  })
  // What the record adds: NAT and sysctls the lab no longer lists, in the namespaces that exist.
  const have = new Set(snapshot.namespaces.map((n) => n.name))
  const all = liveWants(lab, owned)
  const more: LiveWants = {
    sysctls: new Map(
      [...all.sysctls].flatMap(([ns, keys]): Array<[string, Set<string>]> => {
        const missing = [...keys].filter(
          (k) => live.sysctls?.[ns]?.[k] === undefined && !first.sysctls.get(ns)?.has(k),
        )
        return missing.length ? [[ns, new Set(missing)]] : []
      }),
    ),
    nat: new Set([...all.nat].filter((ns) => !first.nat.has(ns))),
    netem: [],
  }
  if (more.sysctls.size || more.nat.size) {
    const backend2 = more.nat.size ? await nat() : 'iptables'
    const reads2 = readsFor(more, backend2, (ns) => have.has(ns))
    const res2 = reads2.length
      ? await target.run(
          reads2.map((r) => r.argv),
          { timeoutMs: 30_000 },
        )
      : []
    reads2.forEach((r, i) => {
      const res = res2[i]
      if (res) r.take(res, live)
    })
  }
  return { snapshot, owned, live }
}

/** The live state a save keeps: NAT rules of every namespace and netem of every impaired link. */
export async function readSaveState(
  target: Target,
  snapshot: Snapshot,
  nat: NatBackend | null,
): Promise<LabLive> {
  const w: LiveWants = { sysctls: new Map(), nat: new Set(), netem: [] }
  for (const ns of snapshot.namespaces) {
    if (nat) w.nat.add(ns.name)
    for (const l of ns.links) if (l.qdisc === 'netem') w.netem.push([ns.name, l.ifname])
  }
  const reads = readsFor(w, nat ?? 'iptables', () => true)
  const live: LabLive = {}
  if (!reads.length) return live
  const results = await target.run(
    reads.map((r) => r.argv),
    { timeoutMs: 60_000 },
  )
  reads.forEach((r, i) => {
    const res = results[i]
    if (res) r.take(res, live)
  })
  return live
}

// Run a lab's checks against a target in at most two round trips: the snapshot, every sysctl and
// NAT read together, then every probe (ping, port, command) in one script, a few at a time (and the
// neighbours read again after them). Each verdict comes from the kernel's answer; what cannot be
// decided fails and says why.

import { AppError } from '../../shared/errors'
import type { CheckReport, CheckResult, LabCheck } from '../../shared/lab/checks'
import {
  finish,
  findNs,
  firstAddressOf,
  hasAddress,
  judgeCommand,
  judgeFromSnapshot,
  judgePort,
  judgeReach,
  judgeSysctl,
  missingNs,
  type Judged,
  type ProbeOutcome,
} from '../../shared/lab/checks-verdict'
import { judgeNat, NAT_READS } from '../../shared/lab/checks-nat'
import { parseSysctlOutput } from '../../shared/lab/live'
import { HOST_NS, type Snapshot } from '../../shared/net/model'
import { inNamespace } from '../../shared/net/ping'
import { parseSnapshot } from '../../shared/net/snapshot-parse'
import { snapshotScript } from '../netns/snapshot'
import type { Target } from '../target/target'
import { commandProbe, portProbe, reachProbe, runProbes, type Probe } from './check-probes'

/** What was read in the first round trip. */
interface Reads {
  snapshot: Snapshot
  /** sysctl values and the read's stderr, by namespace. */
  sysctls: Map<string, { values: Record<string, string>; stderr: string }>
  /** NAT rules as iptables and nft list them, by namespace. */
  nat: Map<string, { iptables?: ProbeOutcome; nft?: ProbeOutcome }>
}

async function readState(target: Target, checks: LabCheck[]): Promise<Reads> {
  const keys = new Map<string, Set<string>>()
  const natNs = new Set<string>()
  for (const c of checks) {
    if (c.sysctl) keys.set(c.sysctl.ns, (keys.get(c.sysctl.ns) ?? new Set()).add(c.sysctl.key))
    if (c.nat) natNs.add(c.nat.ns)
  }
  const sysctlReads = [...keys].map(([ns, ks]) => ({
    ns,
    argv: inNamespace(ns, ['sysctl', ...ks]),
  }))
  const natReads = [...natNs].flatMap((ns) => [
    inNamespace(ns, [...NAT_READS.iptables]),
    inNamespace(ns, [...NAT_READS.nft]),
  ])
  const started = Date.now()
  const [snap, ...rest] = await target.run(
    [['sh', '-c', snapshotScript()], ...sysctlReads.map((r) => r.argv), ...natReads],
    { timeoutMs: 30_000 },
  )
  if (!snap || snap.exitCode !== 0)
    throw new AppError('COMMAND_FAILED', 'Reading the namespaces failed.', { detail: snap?.stderr })
  const snapshot = parseSnapshot(snap.stdout, {
    takenAt: started,
    durationMs: Date.now() - started,
  })
  const sysctls = new Map(
    sysctlReads.map((r, i) => [
      r.ns,
      { values: parseSysctlOutput(rest[i]?.stdout ?? ''), stderr: rest[i]?.stderr ?? '' },
    ]),
  )
  const natOut = rest.slice(sysctlReads.length)
  const nat = new Map(
    [...natNs].map((ns, i) => [ns, { iptables: natOut[2 * i], nft: natOut[2 * i + 1] }]),
  )
  return { snapshot, sysctls, nat }
}

/** The stderr lines of a sysctl read that speak of `key`. */
function aboutKey(stderr: string, key: string): string {
  const path = key.replace(/\./g, '/')
  return stderr
    .split('\n')
    .filter((l) => l.includes(key) || l.includes(path))
    .join('\n')
}

/**
 * Run `checks` on `target`: one result per check, in order. Throws only when the target itself
 * fails (the snapshot cannot be read, the connection drops): a check never guesses.
 */
export async function runChecks(target: Target, checks: LabCheck[]): Promise<CheckReport> {
  if (!checks.length) return { passed: 0, failed: 0, checks: [] }
  const { snapshot, sysctls, nat } = await readState(target, checks)
  const exists = (ns: string): boolean => ns === HOST_NS || !!findNs(snapshot, ns)
  const verdicts: Array<Judged | undefined> = []
  const probes: Probe[] = []
  const pending: Array<{
    index: number
    judge: (o: Parameters<typeof judgeCommand>[1]) => Judged
  }> = []
  const probe = (index: number, p: Probe, judge: (typeof pending)[number]['judge']): void => {
    probes.push(p)
    pending.push({ index, judge })
  }
  checks.forEach((c, i) => {
    const fromSnap = judgeFromSnapshot(c, snapshot)
    if (fromSnap) verdicts[i] = fromSnap
    else if (c.sysctl) {
      const s = c.sysctl
      if (!exists(s.ns)) verdicts[i] = missingNs(s.ns)
      else {
        const read = sysctls.get(s.ns)
        verdicts[i] = judgeSysctl(s, read?.values[s.key], aboutKey(read?.stderr ?? '', s.key))
      }
    } else if (c.nat) {
      const n = c.nat
      const read = nat.get(n.ns)
      verdicts[i] = exists(n.ns) ? judgeNat(n, read?.iptables, read?.nft) : missingNs(n.ns)
    } else if (c.reach) {
      const r = c.reach
      if (!exists(r.from)) verdicts[i] = missingNs(r.from)
      else if (r.to !== undefined) probe(i, reachProbe(r, r.to), (o) => judgeReach(r, r.to!, o))
      else {
        const dest = findNs(snapshot, r.toNs!)
        const address = dest ? firstAddressOf(dest) : null
        if (!dest) verdicts[i] = missingNs(r.toNs!)
        else if (!address)
          verdicts[i] = {
            ok: false,
            detail: `namespace ${r.toNs} has no global address to ping`,
          }
        else probe(i, reachProbe(r, address), (o) => judgeReach(r, `${r.toNs} (${address})`, o))
      }
    } else if (c.port) {
      const p = c.port
      if (!exists(p.from)) verdicts[i] = missingNs(p.from)
      else if (p.local && !hasAddress(findNs(snapshot, p.from), p.to))
        verdicts[i] = {
          ok: false,
          detail: `${p.to} is not an address of ${p.from}, so nothing was sent (the check tests a port on ${p.from}'s own address)`,
        }
      else probe(i, portProbe(p), (o) => judgePort(p, o))
    } else if (c.command) {
      const cmd = c.command
      if (!exists(cmd.ns)) verdicts[i] = missingNs(cmd.ns)
      else probe(i, commandProbe(cmd), (o) => judgeCommand(cmd, o))
    }
  })
  // Neighbour entries are judged after the pings, which fill them, from a snapshot read in the
  // same round trip once every probe has ended.
  const neighbours = checks.some((c) => c.neighbour) && probes.length > 0
  const started = Date.now()
  const run = await runProbes(target, probes, neighbours ? [['sh', '-c', snapshotScript()]] : [])
  pending.forEach((p, k) => {
    verdicts[p.index] = p.judge(run.outcomes[k])
  })
  const after = run.then[0]
  if (neighbours && after?.exitCode === 0) {
    const snap = parseSnapshot(after.stdout, { takenAt: started, durationMs: Date.now() - started })
    checks.forEach((c, i) => {
      if (c.neighbour) verdicts[i] = judgeFromSnapshot(c, snap)!
    })
  }
  const results: CheckResult[] = checks.map((c, i) =>
    finish(c, verdicts[i] ?? { ok: false, detail: 'this check was not run' }),
  )
  const passed = results.filter((r) => r.ok).length
  return { passed, failed: results.length - passed, checks: results }
}

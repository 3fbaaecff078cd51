// Request/response live operations over the target's command channel: the reachability matrix
// (one remote script for all pairs, then paced retries of the pairs the kernel dropped) and netem.

import { AppError } from '../../shared/errors'
import type { MatrixResult, MatrixRound, NetemEntry } from '../../shared/ipc/domains/live'
import type { KernelDrops, MatrixOptions, MatrixPair, MatrixRun } from '../../shared/net/matrix'
import {
  addDrops,
  matrixAdvice,
  matrixCommand,
  parseMatrixRun,
  SKIPPED_REASON,
} from '../../shared/net/matrix'
import { netemClearArgv, netemShowArgv, parseNetemShow } from '../../shared/net/netem'
import { toShellLine } from '../../shared/net/shell'
import type { Target } from '../target/target'

/**
 * Pauses before each paced retry of the unknown pairs (at most two retries). The kernel never
 * reclaims a neighbour entry updated in the last 5 s (neigh_forced_gc), and entries in use stay
 * pinned until their reachable time ends (15–45 s by default), so an earlier retry cannot help;
 * there is nothing to poll for this, as the kernel does not expose which entries it could reclaim.
 */
export const MATRIX_RETRY_PAUSES_MS: readonly number[] = [5_000, 10_000]

/** Sources in flight during a retry (the first run uses the caller's concurrency). */
const RETRY_CONCURRENCY = 4

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function runOnce(
  target: Target,
  pairs: MatrixPair[],
  opts: MatrixOptions,
  retry: boolean,
): Promise<MatrixRun & { durationMs: number }> {
  const { argv, stdin } = matrixCommand(pairs, opts, retry)
  const started = Date.now()
  const timeoutMs = 30_000 + pairs.length * 20 * (opts.count ?? 1)
  const [r] = await target.run([argv], { stdin: [stdin], timeoutMs })
  if (!r) throw new AppError('INTERNAL', 'The matrix script returned nothing.')
  if (r.exitCode !== 0 && !r.stdout.includes('R '))
    throw new AppError('COMMAND_FAILED', 'The reachability check failed.', {
      detail: r.stderr.trim(),
    })
  return { ...parseMatrixRun(r.stdout, pairs), durationMs: Date.now() - started }
}

function round(run: MatrixRun & { durationMs: number }): MatrixRound {
  const n = (v: string): number => run.cells.filter((c) => c.verdict === v).length
  return {
    pairs: run.cells.length,
    reachable: n('reachable'),
    unreachable: n('unreachable'),
    unknown: n('unknown'),
    durationMs: run.durationMs,
    drops: run.drops,
  }
}

/**
 * Ping every pair in ONE remote script. Pairs the kernel dropped probes of (full neighbour table,
 * refused sends, backlog drops) are unknown; those alone are probed again after a pause, paced, at
 * most twice. Whatever is still unknown then is reported so, with the reason and what to do.
 */
export async function runMatrix(
  target: Target,
  pairs: MatrixPair[],
  opts: MatrixOptions = {},
  pausesMs: readonly number[] = MATRIX_RETRY_PAUSES_MS,
): Promise<MatrixResult> {
  if (pairs.length === 0) return { cells: [], durationMs: 0, rounds: [], limits: {} }
  const started = Date.now()
  const first = await runOnce(target, pairs, opts, false)
  const cells = first.cells
  const rounds = [round(first)]
  let drops: KernelDrops | null = first.drops
  let limits = first.limits
  const sendErrors = new Set(first.sendErrors)
  const key = (s: string, d: string): string => `${s}\u0000${d}`
  for (const pause of pausesMs) {
    const again = cells.filter((c) => c.verdict === 'unknown')
    if (again.length === 0) break
    await sleep(pause)
    const conc = Math.min(opts.concurrency ?? 16, RETRY_CONCURRENCY)
    const next = await runOnce(
      target,
      again.map(({ src, dst, address }) => ({ src, dst, address })),
      { ...opts, concurrency: conc },
      true,
    )
    const byPair = new Map(next.cells.map((c) => [key(c.src, c.dst), c]))
    cells.forEach((c, i) => {
      const n = c.verdict === 'unknown' ? byPair.get(key(c.src, c.dst)) : undefined
      if (!n) return
      // a pair the retry did not get to keeps the reason it was unknown for
      const skipped = n.reason === SKIPPED_REASON
      const reason = c.reason?.includes(SKIPPED_REASON) ? c.reason : `${c.reason} ${SKIPPED_REASON}`
      cells[i] = skipped ? { ...c, reason } : n
    })
    rounds.push(round(next))
    drops = addDrops(drops, next.drops)
    if (next.limits.arp || next.limits.ndisc) limits = next.limits
    for (const e of next.sendErrors) sendErrors.add(e)
  }
  const advice = matrixAdvice(cells, pairs, drops, limits, [...sendErrors].sort(), rounds.length)
  return {
    cells,
    durationMs: Date.now() - started,
    rounds,
    limits,
    ...(advice ? { advice } : {}),
  }
}

function failed(what: string, argv: string[], stderr: string): AppError {
  const hint = /qdisc kind is unknown/i.test(stderr)
    ? ' The target kernel has no netem (sch_netem) support.'
    : ''
  return new AppError('COMMAND_FAILED', `${what} failed.${hint}`, {
    detail: `${toShellLine(argv)}\n${stderr.trim()}`,
  })
}

/** The impairment an interface has now, as `tc qdisc show` reports it. */
export async function readNetem(target: Target, ns: string, ifname: string): Promise<NetemEntry> {
  const [s] = await target.run([netemShowArgv(ns, ifname)], { timeoutMs: 10_000 })
  return { ns, ifname, ...(parseNetemShow(s?.stdout ?? '') ?? {}) }
}

/** Remove netem (the root qdisc) from an interface; "nothing to delete" counts as success. */
export async function clearNetem(target: Target, ns: string, ifname: string): Promise<void> {
  const argv = netemClearArgv(ns, ifname)
  const [r] = await target.run([argv], { timeoutMs: 10_000 })
  if (r && r.exitCode !== 0 && !/handle of zero|No such file|Cannot delete qdisc/i.test(r.stderr))
    throw failed('Removing the impairment', argv, r.stderr)
}

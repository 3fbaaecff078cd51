// Request/response live operations over the target's command channel: the reachability matrix
// (one remote script for all pairs) and netem set/clear.

import { AppError } from '../../shared/errors'
import type { MatrixResult, NetemEntry } from '../../shared/ipc/domains/live'
import type { MatrixOptions, MatrixPair } from '../../shared/net/matrix'
import { matrixCommand, parseMatrixOutput } from '../../shared/net/matrix'
import type { NetemRequest } from '../../shared/net/netem'
import { netemClearArgv, netemSetArgv, netemShowArgv, parseNetemShow } from '../../shared/net/netem'
import { toShellLine } from '../../shared/net/shell'
import type { Target } from '../target/target'

/** Ping every pair in ONE remote script; pairs that produced no line are reported as failed. */
export async function runMatrix(
  target: Target,
  pairs: MatrixPair[],
  opts: MatrixOptions = {},
): Promise<MatrixResult> {
  if (pairs.length === 0) return { cells: [], durationMs: 0 }
  const { argv, stdin } = matrixCommand(pairs, opts)
  const started = Date.now()
  const timeoutMs = 30_000 + pairs.length * 20 * (opts.count ?? 1)
  const [r] = await target.run([argv], { stdin: [stdin], timeoutMs })
  if (!r) throw new AppError('INTERNAL', 'The matrix script returned nothing.')
  if (r.exitCode !== 0 && !r.stdout.includes('R '))
    throw new AppError('COMMAND_FAILED', 'The reachability check failed.', {
      detail: r.stderr.trim(),
    })
  return { cells: parseMatrixOutput(r.stdout, pairs), durationMs: Date.now() - started }
}

function failed(what: string, argv: string[], stderr: string): AppError {
  const hint = /qdisc kind is unknown/i.test(stderr)
    ? ' The target kernel has no netem (sch_netem) support.'
    : ''
  return new AppError('COMMAND_FAILED', `${what} failed.${hint}`, {
    detail: `${toShellLine(argv)}\n${stderr.trim()}`,
  })
}

/** Set netem on an interface and read back what the kernel took. */
export async function setNetem(target: Target, req: NetemRequest): Promise<NetemEntry> {
  const argv = netemSetArgv(req)
  const show = netemShowArgv(req.ns, req.ifname)
  const [r, s] = await target.run([argv, show], { stopOnError: true, timeoutMs: 10_000 })
  if (!r || r.exitCode !== 0) throw failed('Setting the impairment', argv, r?.stderr ?? '')
  const got = parseNetemShow(s?.stdout ?? '') ?? {}
  return { ns: req.ns, ifname: req.ifname, ...got }
}

/** Remove netem (the root qdisc) from an interface; "nothing to delete" counts as success. */
export async function clearNetem(target: Target, ns: string, ifname: string): Promise<void> {
  const argv = netemClearArgv(ns, ifname)
  const [r] = await target.run([argv], { timeoutMs: 10_000 })
  if (r && r.exitCode !== 0 && !/handle of zero|No such file|Cannot delete qdisc/i.test(r.stderr))
    throw failed('Removing the impairment', argv, r.stderr)
}

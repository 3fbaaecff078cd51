// Running operations: validated NetOps become argv steps (shared/net/ops.ts); consecutive `ip`
// steps in one namespace are batched into one `ip [-n NS] -batch -`; the whole operation goes to
// the target in one round trip and stops at the first failure, which is reported precisely.

import { AppError } from '../../shared/errors'
import { HOST_NS, nsToKernel } from '../../shared/net/model'
import {
  OP_TITLES,
  opCommands,
  validateOp,
  type CommandStep,
  type NatBackend,
  type NetOp,
} from '../../shared/net/ops'
import { toShellLine } from '../../shared/net/shell'
import type { CommandResult, Target } from '../target/target'
import type { NewEntry } from './command-log'

/** One command sent to the target: a single step, or several ip steps batched. */
export interface Unit {
  argv: string[]
  stdin?: string
  steps: CommandStep[]
  /** The engine's own bookkeeping (not a change the user made; logged, never exported). */
  bookkeeping?: boolean
  /** Made by the in-target helper (lanes.ts): the same change as `argv`, made over netlink. */
  via?: 'helper'
}

/** Group consecutive batchable steps (same namespace, plain ip subcommands) into `ip -batch` units. */
export function toUnits(steps: CommandStep[]): Unit[] {
  const units: Unit[] = []
  for (const s of steps) {
    const last = units[units.length - 1]
    const batchable = !!s.ipArgs && !s.ipArgs[0]?.startsWith('-')
    if (batchable && last?.stdin !== undefined && last.steps[0]?.ns === s.ns) {
      last.steps.push(s)
      last.stdin += `${toShellLine(s.ipArgs!)}\n`
    } else if (batchable) {
      units.push({
        argv: ['ip', ...(s.ns === HOST_NS ? [] : ['-n', nsToKernel(s.ns)]), '-batch', '-'],
        stdin: `${toShellLine(s.ipArgs!)}\n`,
        steps: [s],
      })
    } else units.push({ argv: s.argv, steps: [s] })
  }
  return units
}

/**
 * Which line of an `ip -batch` failed, 1-based. ip says "Command failed -:3" for kernel errors;
 * for argument errors it exits at once with `Error: argument "X" is wrong: ...`, so the line is
 * the first one that holds X. Null if neither tells.
 */
export function failedBatchLine(stderr: string, lines: string[][] = []): number | null {
  const m = /Command failed -:(\d+)/.exec(stderr)
  if (m) return Number(m[1])
  const arg = /argument "([^"]*)" is wrong/.exec(stderr)?.[1]
  if (arg === undefined) return null
  const i = lines.findIndex((l) => l.includes(arg))
  return i >= 0 ? i + 1 : null
}

export interface StepOutcome {
  step: CommandStep
  /** The operation this step belongs to (set by runOps). */
  op?: NetOp
  bookkeeping: boolean
  /** Set when the in-target helper made the change (see Unit.via). */
  via?: 'helper'
  exitCode: number | null
  stderr: string
  durationMs: number
}

/** Turn unit results back into per-step outcomes (null exitCode: not run). */
export function outcomes(units: Unit[], results: CommandResult[]): StepOutcome[] {
  const out: StepOutcome[] = []
  units.forEach((u, i) => {
    const r = results[i]
    const bookkeeping = !!u.bookkeeping
    const by = u.via ? { via: u.via } : {}
    if (!r) {
      for (const step of u.steps)
        out.push({ step, bookkeeping, ...by, exitCode: null, stderr: '', durationMs: 0 })
      return
    }
    const per = r.durationMs / u.steps.length
    if (r.exitCode === 0 || u.steps.length === 1) {
      for (const step of u.steps)
        out.push({
          step,
          bookkeeping,
          ...by,
          exitCode: r.exitCode,
          stderr: r.stderr,
          durationMs: per,
        })
      return
    }
    const bad =
      (failedBatchLine(
        r.stderr,
        u.steps.map((x) => x.ipArgs ?? []),
      ) ?? 1) - 1
    u.steps.forEach((step, j) =>
      out.push({
        step,
        bookkeeping,
        exitCode: j < bad ? 0 : j === bad ? r.exitCode : null,
        stderr: j === bad ? r.stderr.replace(/Command failed -:\d+\n?/, '') : '',
        durationMs: j <= bad ? per : 0,
      }),
    )
  })
  return out
}

export interface OpRun {
  outcomes: StepOutcome[]
  durationMs: number
}

/** Run validated `ops` in one round trip, stopping at the first failure. */
export async function runOps(
  target: Target,
  ops: NetOp[],
  nat: NatBackend,
  extra: Unit[] = [],
): Promise<OpRun> {
  for (const op of ops) {
    const problem = validateOp(op)
    if (problem)
      throw new AppError('INVALID_ARGUMENT', problem.message, { data: { field: problem.field } })
  }
  const owner = new Map<CommandStep, NetOp>()
  const steps = ops.flatMap((op) => opCommands(op, nat).map((s) => (owner.set(s, op), s)))
  const units = [...toUnits(steps), ...extra]
  const started = Date.now()
  const results = await target.run(
    units.map((u) => u.argv),
    { stdin: units.map((u) => u.stdin), stopOnError: true, timeoutMs: 60_000 },
  )
  const out = outcomes(units, results).map((o) => ({ ...o, op: owner.get(o.step) }))
  return { outcomes: out, durationMs: Date.now() - started }
}

/** Log entries for what ran (not-run steps are left out). */
export function logEntries(run: OpRun, source: string, at: number): NewEntry[] {
  return run.outcomes
    .filter((o) => o.exitCode !== null)
    .map((o) => ({
      at,
      durationMs: Math.round(o.durationMs),
      argv: o.step.argv,
      exitCode: o.exitCode!,
      stderr: o.stderr.trim(),
      source,
      mutating: !o.bookkeeping,
      ...(o.via ? { via: o.via } : {}),
    }))
}

/** What a terse kernel refusal means for the user, when it is known (with a leading space). */
function kernelHint(stderr: string): string {
  if (/qdisc kind is unknown/i.test(stderr))
    return ' The target kernel has no netem (sch_netem) support: link impairment cannot work there.'
  return ''
}

/** Throw the right error if a step failed: COMMAND_FAILED if nothing had changed, else PARTIAL_FAILURE. */
export function throwIfFailed(op: NetOp | NetOp[], run: OpRun): void {
  const failed = run.outcomes.find((o) => o.exitCode !== null && o.exitCode !== 0)
  if (!failed) return
  const line = toShellLine(failed.step.argv)
  const mine = run.outcomes.filter((o) => !o.bookkeeping)
  const completed = mine.filter((o) => o.exitCode === 0).map((o) => toShellLine(o.step.argv))
  const notRun = mine.filter((o) => o.exitCode === null).map((o) => toShellLine(o.step.argv))
  const title = Array.isArray(op) ? `${op.length} operations` : OP_TITLES[op.op]
  const said = failed.stderr.trim() || `exit code ${failed.exitCode}`
  const stderr = `${said}${kernelHint(said)}`
  const data = { command: line, stderr: said, exitCode: failed.exitCode, completed, notRun }
  if (completed.length === 0)
    throw new AppError('COMMAND_FAILED', `${title} failed: ${stderr}`, { detail: line, data })
  throw new AppError(
    'PARTIAL_FAILURE',
    `${title} stopped at step ${completed.length + 1} of ${mine.length}: ${stderr}`,
    {
      detail: `Failed: ${line}\nAlready done (still in place): ${completed.join('; ')}${notRun.length ? `\nNot run: ${notRun.join('; ')}` : ''}`,
      data,
    },
  )
}

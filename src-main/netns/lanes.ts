// Lanes: the trailing operations of an apply that each act inside one namespace (a lab's
// per-namespace steps), run in one round trip. Two runners give the same per-step results:
// - "helper": one in-target Perl process that enters each namespace and talks rtnetlink
//   (helper/program.ts), where the target has perl; one process for all namespaces;
// - "sh": background shells running one `ip -n NS -batch` per namespace, side by side.

import { randomBytes } from 'node:crypto'
import { HOST_NS } from '../../shared/net/model'
import {
  opCommands,
  opNamespaceRefs,
  type CommandStep,
  type NatBackend,
  type NetOp,
} from '../../shared/net/ops'
import { toShellLine } from '../../shared/net/shell'
import type { CommandResult, Target } from '../target/target'
import { HELPER_PROGRAM } from './helper/program'
import { enterLine, helperLine } from './helper/lines'
import { outcomes, runOps, toUnits, type OpRun, type Unit } from './operations'

/** One command that runs many units and reports each (lanesCommand, helperCommand). */
export interface Lanes {
  argv: string[]
  stdin: string
  nonce: string
  units: Unit[]
}

/** How lanes run: the in-target helper (with the target's setns number), or shells running ip. */
export type LaneRunner = { kind: 'helper'; setns: number } | { kind: 'sh' }

/** An operation with its command steps, made once per apply. */
interface Planned {
  op: NetOp
  steps: CommandStep[]
}

/** The helper probe's answer, per target: what the target can run does not depend on the lab. */
const runners = new WeakMap<Target, Promise<LaneRunner>>()

/**
 * How lanes run on `target`: the in-target helper when it can run there (perl, and its setns
 * tried for real), else shells running ip. Asked once per target, one round trip.
 */
export function laneRunnerFor(target: Target): Promise<LaneRunner> {
  let runner = runners.get(target)
  if (!runner) {
    runner = target
      .run([['perl', '-e', HELPER_PROGRAM, 'probe']], { timeoutMs: 10_000 })
      .then(([r]): LaneRunner => {
        const m = /^ok \S+ (\d+)\n/.exec(r?.exitCode === 0 ? r.stdout : '')
        return m ? { kind: 'helper', setns: Number(m[1]) } : { kind: 'sh' }
      })
    runners.set(target, runner)
    // A failed probe (a dropped connection) is asked again next time.
    runner.catch(() => runners.delete(target))
  }
  return runner
}

/**
 * Where the trailing run of single-namespace operations starts: from there on, every operation
 * runs all its steps in one namespace (not the root) and names no other, so operations of
 * different namespaces are independent of each other.
 */
export function laneStart(ops: NetOp[], steps: CommandStep[][]): number {
  let i = ops.length
  while (i > 0) {
    const op = ops[i - 1]!
    const mine = steps[i - 1]!
    const ns = mine[0]?.ns
    if (!ns || ns === HOST_NS || op.op === 'ns.add' || op.op === 'ns.delete') break
    if (mine.some((s) => s.ns !== ns) || opNamespaceRefs(op).some(([, r]) => r !== ns)) break
    i--
  }
  return i
}

/**
 * One remote script that runs lanes (each a list of units, in order) side by side in `workers`
 * background shells, lanes dealt round-robin. Each unit's stdin is cut from the script's stdin;
 * a failed unit stops its lane and no worker starts another unit after it. Prints, per unit that
 * ran, its stderr and then a line "@@R<nonce> i code" (worker by worker).
 */
export function lanesCommand(lanes: Unit[][], workers: number): Lanes {
  const nonce = randomBytes(8).toString('hex')
  let next = 0
  const fns: string[] = []
  const laneIdx = lanes.map((units) =>
    units.map((u) => {
      const i = next++
      fns.push(
        `u${i}() { ${toShellLine(u.argv)} ${u.stdin === undefined ? '</dev/null' : `<"$d/${i}.in"`}; }`,
      )
      return i
    }),
  )
  const perWorker = [...Array(Math.max(1, Math.min(workers, lanes.length))).keys()].map((w) =>
    laneIdx.filter((_, k) => k % workers === w).map((l) => l.join(' ')),
  )
  const script = [
    'umask 077; d=$(mktemp -d /tmp/nss-lanes.XXXXXX) || exit 1',
    `trap 'rm -rf "$d"' EXIT`,
    `trap 'exit 1' HUP INT TERM`,
    `awk -v d="$d" '/^@@U${nonce} [0-9]+$/ { if (f) close(f); f = d "/" $2 ".in"; printf "" > f; next } { print >> f }'`,
    ...fns,
    // Each unit's stderr, then its mark, go to its worker's file: no process but the unit's own.
    `lane() { for i in "$@"; do [ -e "$d/fail" ] && return; "u$i" 2>>"$o"; r=$?; printf '\\n@@R${nonce} %s %s\\n' $i $r >>"$o"; [ $r = 0 ] || { : >"$d/fail"; return; }; done; }`,
    ...perWorker.map(
      (ls, w) => `( o="$d/w${w}"; : >"$o"; ${ls.map((l) => `lane ${l}`).join('; ')} ) &`,
    ),
    'wait',
    'cat "$d"/w*',
    '[ ! -e "$d/fail" ]',
  ].join('\n')
  let stdin = ''
  let k = 0
  for (const units of lanes)
    for (const u of units) {
      if (u.stdin !== undefined)
        stdin += `@@U${nonce} ${k}\n${u.stdin.endsWith('\n') ? u.stdin : `${u.stdin}\n`}`
      k++
    }
  return { argv: ['sh', '-c', script, 'sh', nonce], stdin, nonce, units: lanes.flat() }
}

/** The per-unit results in lanesCommand's output (absent: not run). */
function laneResults(
  r: CommandResult,
  units: Unit[],
  nonce: string,
): Array<CommandResult | undefined> {
  const out: Array<CommandResult | undefined> = new Array<CommandResult | undefined>(units.length)
  // Each mark ends a unit: its stderr is the text since the previous mark.
  const marks = [...r.stdout.matchAll(new RegExp(`\\n@@R${nonce} (\\d+) (\\d+)\\n`, 'g'))]
  const per = r.durationMs / Math.max(1, marks.length)
  let from = 0
  for (const m of marks) {
    const i = Number(m[1])
    const u = units[i]
    if (u)
      out[i] = {
        argv: u.argv,
        stdout: '',
        stderr: r.stdout.slice(from, m.index),
        exitCode: Number(m[2]),
        durationMs: per,
      }
    from = m.index + m[0].length
  }
  return out
}

/**
 * The helper's command for `lanes` (namespace → its operations, in order): one unit per step,
 * so each step gets its own result. One process runs the lanes one after the other.
 */
export function helperCommand(lanes: Map<string, Planned[]>, setns: number): Lanes {
  const nonce = randomBytes(8).toString('hex')
  const lines: string[] = []
  const units: Unit[] = []
  for (const [ns, list] of lanes) {
    lines.push(enterLine(ns))
    for (const { op, steps } of list)
      for (const step of steps) {
        lines.push(`S ${units.length} ${helperLine(op, step)}`)
        units.push({ argv: step.argv, steps: [step], via: 'helper' })
      }
  }
  return {
    argv: ['perl', '-e', HELPER_PROGRAM, nonce, String(setns)],
    stdin: `${lines.join('\n')}\n`,
    units,
    nonce,
  }
}

/**
 * runOps for operations the engine has validated (NetnsEngine.apply), with the trailing
 * single-namespace operations run as lanes (one per namespace) by
 * `runner`, in the same round trip. The "sh" runner batches a lane's consecutive ip steps into
 * one `ip -n NS -batch` and runs up to `workers` lanes side by side.
 */
export async function runOpsInLanes(
  target: Target,
  ops: NetOp[],
  nat: NatBackend,
  extra: Unit[],
  workers: number,
  runner: LaneRunner,
): Promise<OpRun> {
  const planned: Planned[] = ops.map((op) => ({ op, steps: opCommands(op, nat) }))
  const cut = laneStart(
    ops,
    planned.map((p) => p.steps),
  )
  const byNs = new Map<string, Planned[]>()
  for (const p of planned.slice(cut)) {
    const ns = p.steps[0]!.ns
    const list = byNs.get(ns)
    if (list) list.push(p)
    else byNs.set(ns, [p])
  }
  if (byNs.size < 2) return runOps(target, ops, nat, extra)
  const stepsOf = (list: Planned[]): CommandStep[] => list.flatMap((p) => p.steps)
  const parts: Part[] = []
  // New namespaces first, side by side: setting each one up is partly outside the kernel's rtnl
  // lock. The first alone, so that only it may have to make /run/netns a mount point.
  let adds = 0
  while (adds < cut && ops[adds]!.op === 'ns.add') adds++
  if (adds >= 8 && workers > 1) {
    parts.push(...toUnits(stepsOf(planned.slice(0, 1))))
    const chunks = [...Array<number>(workers).keys()].map((w) =>
      toUnits(stepsOf(planned.slice(1, adds).filter((_, i) => i % workers === w))),
    )
    parts.push(lanesCommand(chunks, workers))
  } else adds = 0
  parts.push(...toUnits(stepsOf(planned.slice(adds, cut))))
  if (runner.kind === 'helper') parts.push(helperCommand(byNs, runner.setns))
  else
    parts.push(
      lanesCommand(
        [...byNs.values()].map((list) => toUnits(stepsOf(list))),
        workers,
      ),
    )
  parts.push(...extra)
  const started = Date.now()
  const results = await target.run(
    parts.map((p) => p.argv),
    { stdin: parts.map((p) => p.stdin), stopOnError: true, timeoutMs: 60_000 },
  )
  const units = parts.flatMap((p) => ('nonce' in p ? p.units : [p]))
  const all = parts.flatMap((p, i) =>
    'nonce' in p ? lanesOutcome(results[i], p) : [results[i]],
  ) as CommandResult[]
  const owner = new Map(planned.flatMap((p) => p.steps.map((s) => [s, p.op] as const)))
  const out = outcomes(units, all).map((o) => ({ ...o, op: owner.get(o.step) }))
  return { outcomes: out, durationMs: Date.now() - started }
}

/** One command of a lanes run: a unit, or lanes that report per unit. */
type Part = Unit | Lanes

/**
 * The per-unit results of a lanes command (absent: not run). When the command failed with no
 * step failing (it could not start them), the first step not run takes the failure, so it is
 * reported, never taken for "not needed".
 */
function lanesOutcome(
  r: CommandResult | undefined,
  lanes: Lanes,
): Array<CommandResult | undefined> {
  if (!r) return new Array<CommandResult | undefined>(lanes.units.length)
  const each = laneResults(r, lanes.units, lanes.nonce)
  if (r.exitCode !== 0 && !each.some((x) => x && x.exitCode !== 0)) {
    const k = each.findIndex((x) => !x)
    const u = lanes.units[k]
    if (u)
      each[k] = {
        argv: u.argv,
        stdout: '',
        stderr: r.stderr.trim() || `the lanes stopped with exit code ${r.exitCode}`,
        exitCode: r.exitCode || 1,
        durationMs: 0,
      }
  }
  return each
}

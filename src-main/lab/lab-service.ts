// Labs on a target: plan (the lab vs the live state), apply (the plan, through the engine's one
// entry point), destroy (what the lab's record says it owns, nothing else) and save (the current
// state as a lab). Knows nothing of Electron; the app, the CLI and tests share it.

import { AppError } from '../../shared/errors'
import { planLab, type LabPlan, type PlanChange } from '../../shared/lab/diff'
import type { CheckReport } from '../../shared/lab/checks'
import { labFromSnapshotReport } from '../../shared/lab/from-snapshot'
import { labRecordFile } from '../../shared/lab/owned'
import { validateLab } from '../../shared/lab/parse'
import { checkLabName } from '../../shared/lab/schema'
import type { Lab } from '../../shared/lab/types'
import { confirmCut, CUT_CONNECTION } from '../../shared/net/branch'
import { MAX_OPS, type NatBackend, type NetOp } from '../../shared/net/ops'
import { NetnsEngine } from '../netns/engine'
import { CommandLog } from '../netns/command-log'
import type { Target } from '../target/target'
import { runChecks } from './check-runner'
import { readLabState, readSaveState } from './lab-state'

/** How long to wait for the kernel to remove veth ends that go with deleted namespaces. */
const VANISH_TIMEOUT_MS = 10_000

/** Namespaces configured side by side during an apply, by default. */
export const DEFAULT_LAB_CONCURRENCY = 4

export interface LabServiceOptions {
  /** Namespaces configured side by side during an apply (default DEFAULT_LAB_CONCURRENCY; 1: in order). */
  concurrency?: number
  /** The firewall tool for NAT instead of detecting it (tests). */
  natBackend?: NatBackend
  /** Let the in-target helper make per-namespace changes where it can run (default true; EngineOptions.helper). */
  helper?: boolean
}

/** Where an apply or destroy is. */
export interface LabProgress {
  phase: 'reading' | 'planned' | 'applying' | 'done'
  message: string
  /** Changes planned (from "planned" on). */
  changes?: number
  /** Operations run so far and in all (while "applying"). */
  done?: number
  total?: number
}

/** What an apply or destroy did. */
export interface LabApplyResult {
  lab: string
  /** The plan's changes, all applied (none: the target already matched). */
  changes: PlanChange[]
  /** The command lines run, in order. */
  commands: string[]
  durationMs: number
}

export type LabDestroyResult = LabApplyResult

/** How one apply or destroy runs. */
export interface LabRunOptions {
  /**
   * Let operations that could cut the app's own connection run (`confirm: 'cut-connection'` on
   * each of them; shared/net/branch.ts). Without it the engine refuses them (CONFIRM_REQUIRED).
   */
  confirm?: typeof CUT_CONNECTION
}

/** A lab with nothing in it: planning it gives the deletes of everything the lab owns. */
function emptyLab(name: string): Lab {
  return { name, kind: 'lab', namespaces: {}, bridges: [], links: [], routes: [], nat: [] }
}

export class LabService {
  private readonly engines = new Map<string, NetnsEngine>()
  private readonly checked = new Map<string, ReturnType<typeof validateLab>>()

  constructor(
    readonly target: Target,
    readonly log: CommandLog = new CommandLog(),
    private readonly opts: LabServiceOptions = {},
  ) {}

  /** The engine that records into lab `name`'s own file (so destroy removes only what it made). */
  engineFor(name: string): NetnsEngine {
    const c = checkLabName(name)
    if (!c.ok) throw new AppError('INVALID_ARGUMENT', c.message, { data: { field: 'name' } })
    let e = this.engines.get(name)
    if (!e) {
      e = new NetnsEngine(this.target, this.log, {
        ownedFile: labRecordFile(name),
        ...(this.opts.natBackend ? { natBackend: this.opts.natBackend } : {}),
        ...(this.opts.helper === false ? { helper: false } : {}),
      })
      this.engines.set(name, e)
    }
    return e
  }

  /**
   * The difference between `lab` and the target now; nothing is changed. The lab is checked
   * first, as a file is (a lab built in memory too): no value reaches a command unchecked.
   */
  async plan(lab: Lab): Promise<LabPlan> {
    this.refuseInvalid(lab)
    const engine = this.engineFor(lab.name)
    const state = await readLabState(this.target, lab, () => engine.natBackend())
    const needsNat = lab.nat.length > 0 || state.owned.nat.length > 0
    return planLab(lab, state.snapshot, {
      nat: needsNat ? await engine.natBackend() : 'iptables',
      owned: state.owned,
      live: state.live,
    })
  }

  /**
   * Make the target match `lab`: plan, then run the plan through the engine (idempotent: a
   * second apply finds nothing to do). Stops at the first failing step; the error (the engine's
   * COMMAND_FAILED or PARTIAL_FAILURE) says which step and change failed and what was done.
   */
  async apply(
    lab: Lab,
    onProgress?: (p: LabProgress) => void,
    opts: LabRunOptions = {},
  ): Promise<LabApplyResult> {
    const started = Date.now()
    onProgress?.({ phase: 'reading', message: `Reading the target for lab ${lab.name}…` })
    const plan = await this.plan(lab)
    const concurrency = this.opts.concurrency ?? DEFAULT_LAB_CONCURRENCY
    return this.run(lab.name, plan, started, onProgress, concurrency, opts)
  }

  /**
   * Remove what lab `name` owns on the target (its record: the namespaces and links it created,
   * its NAT rules and routes, the sysctls it changed, set back), then its record.
   */
  async destroy(
    name: string,
    onProgress?: (p: LabProgress) => void,
    opts: LabRunOptions = {},
  ): Promise<LabDestroyResult> {
    const started = Date.now()
    onProgress?.({ phase: 'reading', message: `Reading what lab ${name} owns…` })
    const plan = await this.plan(emptyLab(name))
    const result = await this.run(name, plan, started, onProgress, 1, opts)
    await this.target.run([['rm', '-f', labRecordFile(name)]])
    return { ...result, durationMs: Date.now() - started }
  }

  /**
   * Run the lab's checks against the target now (nothing is changed): one result per check, its
   * verdict from the kernel's answer, or a failure that says why none could be had.
   */
  async check(lab: Lab): Promise<CheckReport> {
    this.refuseInvalid(lab)
    return runChecks(this.target, lab.checks ?? [])
  }

  /** The target's current state (hand-made included) as a lab called `name`. */
  async save(name: string): Promise<Lab> {
    const c = checkLabName(name)
    if (!c.ok) throw new AppError('INVALID_ARGUMENT', c.message, { data: { field: 'name' } })
    const engine = this.engineFor(name)
    const snapshot = await engine.snapshot()
    // No firewall tool on the target: there are no NAT rules to save, which is what null says.
    const nat = await engine.natBackend().catch(() => null)
    const live = await readSaveState(this.target, snapshot, nat)
    const { lab, skipped } = labFromSnapshotReport(snapshot, name, live)
    if (skipped.length) lab.description = `Saved by netns-studio. Left out: ${skipped.join('; ')}.`
    return lab
  }

  private async run(
    name: string,
    plan: LabPlan,
    started: number,
    onProgress: ((p: LabProgress) => void) | undefined,
    concurrency: number,
    opts: LabRunOptions,
  ): Promise<LabApplyResult> {
    const confirmed = (op: NetOp): NetOp => (opts.confirm === CUT_CONNECTION ? confirmCut(op) : op)
    const n = plan.changes.length
    onProgress?.({
      phase: 'planned',
      message: n ? `${n} change${n === 1 ? '' : 's'} to make.` : 'Nothing to change.',
      changes: n,
    })
    if (n === 0) return { lab: name, changes: [], commands: [], durationMs: Date.now() - started }
    const engine = this.engineFor(name)
    if (plan.records.length)
      await this.target.run(
        [['sh', '-c', 'mkdir -p /run/netns-studio && cat >> "$1"', 'sh', labRecordFile(name)]],
        { stdin: [`${plan.records.join('\n')}\n`] },
      )
    const commands: string[] = []
    let done = 0
    // Deletes that take veth ends along run first, and the kernel is waited for before the rest.
    const cut = plan.vanishing.length ? plan.deletes : 0
    const phases = [plan.ops.slice(0, cut), plan.ops.slice(cut)]
    for (const [k, ops] of phases.entries()) {
      for (let i = 0; i < ops.length; i += MAX_OPS) {
        const chunk = ops.slice(i, i + MAX_OPS).map(confirmed)
        onProgress?.({
          phase: 'applying',
          message: `Applying ${plan.ops.length} operations…`,
          changes: n,
          done,
          total: plan.ops.length,
        })
        try {
          const r = await engine.apply(chunk, { concurrency })
          commands.push(...r.commands)
        } catch (e) {
          throw this.explain(name, plan, e, done)
        }
        done += chunk.length
      }
      if (k === 0 && plan.vanishing.length) await this.waitGone(plan.vanishing)
    }
    onProgress?.({
      phase: 'done',
      message: `Lab ${name}: ${n} change${n === 1 ? '' : 's'} made.`,
      changes: n,
    })
    return { lab: name, changes: plan.changes, commands, durationMs: Date.now() - started }
  }

  /** INVALID_ARGUMENT naming the first problem when `lab` does not validate. */
  private refuseInvalid(lab: Lab): void {
    const v = this.validated(lab)
    if (v.ok) return
    const first = v.errors[0]!
    throw new AppError(
      'INVALID_ARGUMENT',
      `Lab ${String(lab.name)}: ${first.path ? `${first.path}: ` : ''}${first.message}`,
      { data: { errors: v.errors } },
    )
  }

  /** validateLab, remembered for the last few labs by content (a plan is often asked again). */
  private validated(lab: Lab): ReturnType<typeof validateLab> {
    const key = JSON.stringify(lab)
    const hit = this.checked.get(key)
    if (hit) return hit
    const v = validateLab(lab)
    this.checked.set(key, v)
    if (this.checked.size > 8) this.checked.delete(this.checked.keys().next().value!)
    return v
  }

  /**
   * Wait (polling in the target, at most VANISH_TIMEOUT_MS) until the kernel has removed the veth
   * ends that went with deleted namespaces: it dismantles those namespaces a moment after
   * `ip netns delete` returns.
   */
  private async waitGone(keys: string[]): Promise<void> {
    const tries = Math.ceil(VANISH_TIMEOUT_MS / 50)
    const script = [
      'there() { case "$1" in host/*) [ -e "/sys/class/net/${1#host/}" ];; *) ip -n "${1%%/*}" link show dev "${1#*/}" >/dev/null 2>&1;; esac; }',
      'n=0',
      'while :; do',
      '  left=; for k in "$@"; do there "$k" && left="$left $k"; done',
      '  [ -z "$left" ] && exit 0',
      `  n=$((n+1)); [ $n -ge ${tries} ] && { echo $left; exit 1; }`,
      '  sleep 0.05',
      'done',
    ].join('\n')
    const [r] = await this.target.run([['sh', '-c', script, 'sh', ...keys]], {
      timeoutMs: VANISH_TIMEOUT_MS + 10_000,
    })
    if (r && r.exitCode !== 0)
      throw new AppError(
        'TIMEOUT',
        `The kernel has not removed ${r.stdout.trim()} ${VANISH_TIMEOUT_MS / 1000} s after their namespaces were deleted.`,
      )
  }

  /** The engine's failure, naming the lab and the plan change of the step that failed. */
  private explain(name: string, plan: LabPlan, e: unknown, offset: number): unknown {
    if (!(e instanceof AppError)) return e
    const command = typeof e.data?.command === 'string' ? e.data.command : undefined
    const index = typeof e.data?.index === 'number' ? e.data.index + offset : undefined
    const op: NetOp | undefined = index !== undefined ? plan.ops[index] : undefined
    const change = plan.changes.find(
      (c) => (op && c.ops.includes(op)) || (command && c.commands.includes(command)),
    )
    return new AppError(e.code, `Lab ${name}: ${e.message}`, {
      ...(e.detail !== undefined ? { detail: e.detail } : {}),
      data: {
        ...e.data,
        ...(index !== undefined ? { index } : {}),
        ...(change
          ? { change: { action: change.action, kind: change.kind, name: change.name } }
          : {}),
      },
      cause: e,
    })
  }
}

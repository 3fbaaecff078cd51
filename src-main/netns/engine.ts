// NetnsEngine: the one object the UI, lab files and the CLI drive. Snapshot, apply validated
// operations, reset what the app created. Knows nothing of Electron.

import { EventEmitter } from 'node:events'
import { AppError } from '../../shared/errors'
import type { ApplyResult, ResetResult } from '../../shared/ipc/domains/core'
import {
  CUT_CONNECTION,
  branchCut,
  mayCut,
  type BranchCut,
  type BranchFacts,
} from '../../shared/net/branch'
import type { Snapshot } from '../../shared/net/model'
import { HOST_NS, nsFromKernel } from '../../shared/net/model'
import {
  APP_TAG,
  NFT_TABLE,
  OP_TITLES,
  namespaceRefProblem,
  opCreates,
  opNamespaceRefs,
  validateOp,
  validateOps,
  type NatBackend,
  type NetOp,
} from '../../shared/net/ops'
import { toShellLine } from '../../shared/net/shell'
import type { Target } from '../target/target'
import { readBranchFacts } from './branch-facts'
import { CommandLog } from './command-log'
import { laneRunnerFor, runOpsInLanes, type LaneRunner } from './lanes'
import { logEntries, runOps, throwIfFailed, type Unit } from './operations'
import { readSnapshot } from './snapshot'

/** Where, in the target, the engine records what it created (tmpfs: gone on reboot, like the namespaces). */
export const OWNED_FILE = '/run/netns-studio/owned'

const NAT_CHAINS = ['POSTROUTING', 'PREROUTING', 'OUTPUT']

export interface EngineOptions {
  /**
   * Where the target records what this engine created (default OWNED_FILE). Give each concurrent
   * test run its own file so one run's reset never removes another's namespaces.
   */
  ownedFile?: string
  /**
   * The firewall tool for NAT rules, instead of detecting it (iptables when it works, else nft).
   * Tests use it to exercise nft where iptables is installed too.
   */
  natBackend?: NatBackend
  /** What the target is, for the sentences of branch cuts (default: its kind; "vm" for the app's VM). */
  role?: BranchFacts['target']
  /**
   * Let a lab's per-namespace steps run through the in-target helper when the target can run it
   * (default true; lanes.ts). False: always one `ip -n NS -batch` per namespace.
   */
  helper?: boolean
}

/** How one apply runs. */
export interface ApplyOptions {
  /**
   * Run the trailing operations that each act inside one namespace and name no other (a lab's
   * per-namespace steps) side by side, at most this many namespaces at once; still stops
   * starting new steps at the first failure and reports it. Default 1: strictly in order.
   */
  concurrency?: number
}

export class NetnsEngine extends EventEmitter {
  readonly log: CommandLog
  private nat: NatBackend | null = null
  private readonly helper: boolean
  private readonly ownedFile: string
  /** What the target is (the VM, an SSH host, this machine), for the branch-cut sentences. */
  role: BranchFacts['target']

  constructor(
    readonly target: Target,
    log?: CommandLog,
    opts: EngineOptions = {},
  ) {
    super()
    this.log = log ?? new CommandLog()
    this.ownedFile = opts.ownedFile ?? OWNED_FILE
    this.nat = opts.natBackend ?? null
    this.role = opts.role ?? target.kind
    this.helper = opts.helper ?? true
    if (
      !/^\/run\/netns-studio\/[A-Za-z0-9_.-]+$/.test(this.ownedFile) ||
      this.ownedFile.includes('..')
    )
      throw new AppError(
        'INVALID_ARGUMENT',
        'The owned-file must be a plain file name under /run/netns-studio/.',
      )
  }

  /** Every namespace, the host included, read in one round trip. */
  async snapshot(): Promise<Snapshot> {
    return readSnapshot(this.target)
  }

  /**
   * What carries the app's own connection to the target (or, on this machine, its real network):
   * read fresh, one round trip.
   */
  async branch(): Promise<BranchFacts> {
    return readBranchFacts(this.target, this.role)
  }

  /**
   * Validate and run one operation (or a list of at most MAX_OPS, in one round trip). Every
   * namespace they refer to must exist (checked against a fresh list first). An operation that
   * would cut the app's own connection is refused with CONFIRM_REQUIRED unless it carries
   * `confirm: 'cut-connection'`. Emits 'changed'.
   */
  async apply(opOrOps: NetOp | NetOp[], opts: ApplyOptions = {}): Promise<ApplyResult> {
    const ops = Array.isArray(opOrOps) ? opOrOps : [opOrOps]
    const bad: { field: string; message: string; index?: number } | null = Array.isArray(opOrOps)
      ? validateOps(opOrOps)
      : validateOp(opOrOps)
    if (bad)
      throw new AppError('INVALID_ARGUMENT', bad.message, {
        data: { field: bad.field, ...((bad.index ?? -1) >= 0 ? { index: bad.index } : {}) },
      })
    await this.checkNamespaces(ops)
    await this.checkBranch(ops)
    const nat = ops.some((o) => o.op.startsWith('nat.')) ? await this.natBackend() : 'iptables'
    const at = Date.now()
    const title = ops.length === 1 ? OP_TITLES[ops[0]!.op] : `${ops.length} operations`
    // What the app creates is recorded in the target (for reset) in the same round trip...
    const record = recordUnits(ops, this.ownedFile)
    const run =
      (opts.concurrency ?? 1) > 1
        ? await runOpsInLanes(
            this.target,
            ops,
            nat,
            record,
            opts.concurrency ?? 1,
            await this.laneRunner(),
          )
        : await runOps(this.target, ops, nat, record)
    const recorded = run.outcomes.some((o) => o.bookkeeping && o.exitCode === 0)
    if (!recorded) {
      // ...and, when the operation stopped midway, what it did create, in one more.
      const done = ops.filter((op) => {
        const mine = run.outcomes.filter((o) => !o.bookkeeping && o.op === op)
        return mine.length > 0 && mine.every((o) => o.exitCode === 0)
      })
      const units = recordUnits(done, this.ownedFile)
      if (units.length)
        await this.target.run(
          units.map((u) => u.argv),
          { stdin: units.map((u) => u.stdin) },
        )
    }
    this.log.append(logEntries(run, title, at))
    this.emit('changed')
    throwIfFailed(ops.length === 1 ? ops[0]! : ops, run)
    return {
      commands: run.outcomes.filter((o) => !o.bookkeeping).map((o) => toShellLine(o.step.argv)),
      durationMs: run.durationMs,
    }
  }

  /** Remove every namespace, link and NAT rule this app created on the target. */
  async reset(): Promise<ResetResult> {
    const [owned] = await this.target.run([['cat', this.ownedFile]])
    const lines = (owned?.exitCode === 0 ? owned.stdout : '').split('\n').map((l) => l.split(' '))
    const namespaces = [...new Set(lines.filter((l) => l[0] === 'ns' && l[1]).map((l) => l[1]!))]
    const hostLinks = [
      ...new Set(
        lines.filter((l) => l[0] === 'link' && l[1] === HOST_NS && l[2]).map((l) => l[2]!),
      ),
    ]
    // Names in the record were validated when written, but the file lives in the target: check again.
    const safe = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/
    const cmds: string[][] = [
      ...namespaces.filter((n) => safe.test(n)).map((n) => ['ip', 'netns', 'delete', n]),
      ...hostLinks.filter((n) => safe.test(n)).map((n) => ['ip', 'link', 'delete', 'dev', n]),
      ['sh', '-c', natCleanupScript()],
      ['rm', '-f', this.ownedFile],
    ]
    const at = Date.now()
    const results = await this.target.run(cmds, { timeoutMs: 60_000 })
    this.log.append(
      results.map((r) => ({
        at,
        durationMs: r.durationMs,
        argv: r.argv,
        exitCode: r.exitCode,
        stderr: r.stderr.trim(),
        source: 'Reset',
        mutating: false,
      })),
    )
    this.emit('changed')
    const ok = (argv: string[]): boolean => results.find((r) => r.argv === argv)?.exitCode === 0
    const natResult = results.find((r) => r.argv[0] === 'sh')
    return {
      removedNamespaces: cmds.filter((c) => c[1] === 'netns' && ok(c)).map((c) => c[3]!),
      // A link that went away with its namespace (or its veth peer) is gone too.
      removedLinks: hostLinks,
      removedNatRules: Number(natResult?.stdout.trim() || 0),
      commands: cmds.map(toShellLine),
    }
  }

  /**
   * Refuse operations that name a namespace the target does not have: `ip` would read an unknown
   * numeric name as a process id (`netns 1234` = the namespace of process 1234).
   */
  private async checkNamespaces(ops: NetOp[]): Promise<void> {
    if (!ops.some((op) => opNamespaceRefs(op).length > 0)) return
    const [r] = await this.target.run([['ip', '-j', 'netns', 'list']], { timeoutMs: 10_000 })
    if (!r || r.exitCode !== 0)
      throw new AppError('COMMAND_FAILED', 'Could not list the namespaces on the target.', {
        detail: r?.stderr.trim(),
      })
    const problem = namespaceRefProblem(ops, netnsNames(r.stdout))
    if (problem)
      throw new AppError(
        'INVALID_ARGUMENT',
        ops.length > 1
          ? `Operation ${problem.index + 1} of ${ops.length}: ${problem.message}`
          : problem.message,
        {
          data: {
            field: problem.field,
            ...(ops.length > 1 ? { index: problem.index } : {}),
          },
        },
      )
  }

  /**
   * Refuse, before anything runs, an operation that would cut the app's connection and does not
   * carry the confirmation; the facts are read only when some operation could cut at all.
   */
  private async checkBranch(ops: NetOp[]): Promise<void> {
    // A link an earlier operation of the same list creates cannot be carrying the connection.
    const created = new Set<string>()
    const risky: Array<{ op: NetOp; index: number }> = []
    ops.forEach((op, index) => {
      const confirmed = 'confirm' in op && op.confirm === CUT_CONNECTION
      const fresh = 'ifname' in op && created.has(`${op.ns}/${op.ifname}`)
      if (mayCut(op) && !confirmed && !fresh) risky.push({ op, index })
      for (const c of opCreates(op)) if (c.kind === 'link') created.add(`${c.ns}/${c.ifname}`)
    })
    if (risky.length === 0) return
    const facts = await this.branch()
    for (const { op, index } of risky) {
      const cut: BranchCut | null = branchCut(op, facts)
      if (!cut) continue
      const where = ops.length > 1 ? `Operation ${index + 1} of ${ops.length}: ` : ''
      throw new AppError('CONFIRM_REQUIRED', `${where}${cut.consequence}`, {
        detail: `Send it again with confirm: "${CUT_CONNECTION}" to run it anyway.`,
        data: {
          field: cut.field,
          confirm: CUT_CONNECTION,
          consequence: cut.consequence,
          ...(ops.length > 1 ? { index } : {}),
        },
      })
    }
  }

  /** How lanes run on this target (lanes.ts); always ip when this engine has the helper off. */
  laneRunner(): Promise<LaneRunner> {
    return this.helper ? laneRunnerFor(this.target) : Promise.resolve({ kind: 'sh' })
  }

  /** Which tool builds NAT rules on the target: iptables when it works there, else nft (cached). */
  async natBackend(): Promise<NatBackend> {
    if (this.nat) return this.nat
    const [r] = await this.target.run([
      ['sh', '-c', 'command -v iptables >/dev/null && iptables -t nat -S >/dev/null 2>&1'],
    ])
    this.nat = r?.exitCode === 0 ? 'iptables' : 'nft'
    if (this.nat === 'nft') {
      const [n] = await this.target.run([['sh', '-c', 'command -v nft']])
      if (n?.exitCode !== 0)
        throw new AppError(
          'COMMAND_FAILED',
          'Neither iptables nor nft is installed on the target; NAT needs one of them.',
        )
    }
    return this.nat
  }
}

/** Model names of the namespaces in `ip -j netns list` output (empty output: none). */
function netnsNames(stdout: string): string[] {
  const text = stdout.trim()
  if (!text) return []
  let list: unknown
  try {
    list = JSON.parse(text)
  } catch (e) {
    throw new AppError('COMMAND_FAILED', 'The namespace list from the target is not JSON.', {
      detail: text.slice(0, 200),
      cause: e,
    })
  }
  if (!Array.isArray(list)) return []
  return list.flatMap((n: unknown) => {
    const name = (n as { name?: unknown } | null)?.name
    return typeof name === 'string' ? [nsFromKernel(name)] : []
  })
}

/** The bookkeeping command that appends what `ops` create to `file` (none if they create nothing). */
function recordUnits(ops: NetOp[], file: string): Unit[] {
  const record = ops
    .flatMap(opCreates)
    .map((c) => (c.kind === 'ns' ? `ns ${c.name}` : `link ${c.ns} ${c.ifname}`))
  if (record.length === 0) return []
  const argv = ['sh', '-c', 'mkdir -p /run/netns-studio && cat >> "$1"', 'sh', file]
  return [
    { argv, stdin: `${record.join('\n')}\n`, steps: [{ argv, ns: HOST_NS }], bookkeeping: true },
  ]
}

/** Delete the app's tagged iptables rules (by number, last first) and its nft table; prints the count. */
function natCleanupScript(): string {
  return [
    'n=0',
    'if command -v iptables >/dev/null; then',
    `  for c in ${NAT_CHAINS.join(' ')}; do`,
    `    for i in $(iptables -t nat -L "$c" --line-numbers -n 2>/dev/null | awk '/${APP_TAG}/ {print $1}' | sort -rn); do`,
    '      iptables -t nat -D "$c" "$i" && n=$((n+1))',
    '    done',
    '  done',
    'fi',
    `if command -v nft >/dev/null && nft list table ip ${NFT_TABLE} >/dev/null 2>&1; then nft delete table ip ${NFT_TABLE} && n=$((n+1)); fi`,
    'echo $n',
  ].join('\n')
}

// The Vagrant driver for one VM: state polling, one shared preflight, serialized lifecycle
// operations (the box downloaded first, with percent) with cancel and step progress, failure
// details, `ssh-config` → SSH settings, and the host key pinned per VM.

import { EventEmitter } from 'node:events'
import { existsSync } from 'node:fs'
import { AppError } from '../../shared/errors'
import type { VmInfo, VmOpResult } from '../../shared/vm/info'
import { NAMESPACES_LOST_MESSAGE, rebootLosesNamespaces } from '../../shared/vm/info'
import type { PreflightReport } from '../../shared/vm/preflight'
import {
  compareVersions,
  evaluatePreflight,
  PROVIDERS,
  VAGRANT_ARCH_SUPPORT,
  vagrantInstallHint,
} from '../../shared/vm/preflight'
import { BOX_NAME_RE, type VmSettings } from '../../shared/vm/settings'
import type { VmOperation, VmProgress } from '../../shared/vm/progress'
import { sshConfigFor } from '../../shared/vm/ssh-config'
import { parseStatus } from '../../shared/vm/state'
import { logger } from '../log'
import type { HostKeyStore } from '../target/host-keys'
import type { VmSshConfig } from './backend'
import { OpOutput } from './op-output'
import { gatherPreflightFacts } from './preflight'
import {
  findVagrant,
  runFile,
  startVagrant,
  vagrantEnv,
  type ProcessOptions,
  type VagrantCliOptions,
  type VagrantProcess,
} from './vagrant-cli'
import { ensureVagrantfile, resetVagrantfile, vmFolder } from './vm-folder'

/** Where the VM's settings come from (the app's VmSettingsStore). */
export interface VmSettingsSource {
  get(): VmSettings
  /** The environment the Vagrantfile reads them from. */
  env(): Record<string, string>
}

export interface VagrantVmOptions extends VagrantCliOptions, ProcessOptions {
  /** App data folder; the VM lives in `<dataDir>/vms/<name>`. */
  dataDir: string
  /** VM name (default "default"). */
  name?: string
  /** The app's Vagrantfile, copied into the VM folder. */
  templatePath: string
  /** Where the VM's SSH host key is pinned (forgotten when the VM is destroyed). */
  hostKeys: HostKeyStore
  /** Status polling period in ms while the VM exists (default 5000). */
  pollMs?: number
  /**
   * Grace after the first SIGINT on cancel before forcing (default 15 s). Vagrant's cleanup of a
   * cancelled `up` halts the half-booted guest, which can hang: a later `destroy` handles it.
   */
  cancelGraceMs?: number
  /** The user's VM settings (provider, box, memory, CPUs); absent: the environment's only. */
  settings?: VmSettingsSource
  /** Longest `dispose` may take before the running operation's process tree is killed (10 s). */
  disposeMs?: number
  /** CPU architecture for the box choice (default `process.arch`). */
  arch?: string
}

export interface VagrantVmEvents {
  'state-changed': [VmInfo]
  progress: [VmProgress]
  /** Each raw output line of the running operation (for a log view and fixtures). */
  output: [string]
}

type End = { code: number | null; signal: NodeJS.Signals | null }

/** Arguments per operation (`--machine-readable` is added to each). */
const ARGS: Record<VmOperation, string[]> = {
  up: ['up'],
  halt: ['halt'],
  reload: ['reload'],
  destroy: ['destroy', '--force'],
  suspend: ['suspend'],
  resume: ['resume'],
}

/** The operation in progress. */
interface Running {
  op: VmOperation
  proc: VagrantProcess | null
  out: OpOutput | null
  cancelled: boolean
  /** Aborts the preflight the operation waits for. */
  abort: AbortController
}

/** A preflight in progress, shared by every caller until it ends. */
interface PreflightRun {
  promise: Promise<PreflightReport>
  abort: AbortController
}

const log = logger('vm')

/** A status read that failed; the next poll tries again. */
const statusFailed = (err: unknown): void => log.debug({ err }, 'vagrant status failed')

/** How long a preflight's report is reused by `up` (the UI checks right before booting). */
const REPORT_REUSE_MS = 60_000

export class VagrantVm extends EventEmitter<VagrantVmEvents> {
  readonly name: string
  readonly folder: string
  private readonly o: VagrantVmOptions
  private st: VmInfo
  private running: Running | null = null
  private timer: NodeJS.Timeout | null = null
  private polling: Promise<VmInfo> | null = null
  private disposed = false
  private pre: PreflightRun | null = null
  private lastReport: { key: string; at: number; report: PreflightReport } | null = null
  private settings: VmSettingsSource | null

  constructor(o: VagrantVmOptions) {
    super()
    this.o = o
    this.settings = o.settings ?? null
    this.name = o.name ?? 'default'
    this.folder = vmFolder(o.dataDir, this.name)
    this.st = {
      name: this.name,
      state: 'unknown',
      providerState: 'unknown',
      provider: null,
      vagrantMissing: false,
      op: null,
      progress: null,
      failure: null,
      notice: null,
      folder: this.folder,
      checkedAt: null,
    }
  }

  /** The key under which the VM's host key is pinned. */
  get hostKeyId(): string {
    return `vm:${this.name}`
  }

  info(): VmInfo {
    return { ...this.st }
  }

  /** The operation running now, or null. */
  get busy(): VmOperation | null {
    return this.running?.op ?? null
  }

  /** Use these settings from now on (the next preflight and operation read them). */
  useSettings(settings: VmSettingsSource): void {
    this.settings = settings
    this.lastReport = null
  }

  /**
   * Poll `vagrant status` while nothing runs (idempotent): every pollMs while the VM exists, so a
   * halt from outside shows within seconds; six times slower when there is no VM or no vagrant
   * (each status costs vagrant ~1 s of CPU).
   */
  startPolling(): void {
    if (this.timer || this.disposed) return
    const tick = (): void => {
      const base = this.o.pollMs ?? 5000
      const exists = ['running', 'stopped', 'suspended'].includes(this.st.state)
      this.timer = setTimeout(
        () => {
          if (!this.running) void this.refresh().catch(statusFailed)
          tick()
        },
        exists && !this.st.vagrantMissing ? base : base * 6,
      )
      this.timer.unref()
    }
    void this.refresh().catch(statusFailed)
    tick()
  }

  stopPolling(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  /** Read the state now; polls never overlap. */
  refresh(): Promise<VmInfo> {
    this.polling ??= this.readStatus().finally(() => (this.polling = null))
    return this.polling
  }

  private async readStatus(): Promise<VmInfo> {
    const bin = findVagrant(this.o)
    if (!bin) {
      this.update({
        vagrantMissing: true,
        state: 'unknown',
        providerState: 'unknown',
        checkedAt: Date.now(),
      })
      return this.info()
    }
    if (!existsSync(this.folder) || !existsSync(`${this.folder}/Vagrantfile`)) this.prepareFolder()
    const r = await runFile(bin, ['status', '--machine-readable'], {
      cwd: this.folder,
      env: this.env(),
      timeoutMs: 120_000,
      platform: this.o.platform,
      taskkill: this.o.taskkill,
    })
    const s = parseStatus(r.stdout)
    if (s)
      this.update({
        vagrantMissing: false,
        state: s.state,
        providerState: s.providerState,
        provider: s.provider,
        checkedAt: Date.now(),
      })
    // No answer (provider daemon down, broken Vagrantfile): do not keep showing a stale state.
    else
      this.update({
        vagrantMissing: false,
        state: 'unknown',
        providerState: 'unknown',
        checkedAt: Date.now(),
      })
    return this.info()
  }

  /**
   * Check vagrant, providers, box and network before booting. Concurrent calls share one run (one
   * set of vagrant processes); `cancel()` aborts it (its processes killed) with CANCELLED.
   */
  preflight(): Promise<PreflightReport> {
    if (this.pre) return this.pre.promise
    const abort = new AbortController()
    const run: PreflightRun = {
      abort,
      promise: this.runPreflight(abort.signal).finally(() => {
        if (this.pre === run) this.pre = null
      }),
    }
    this.pre = run
    return run.promise
  }

  private settingsKey(): string {
    return JSON.stringify([this.settings?.get() ?? null, this.o.env ?? null, this.st.state])
  }

  private async runPreflight(signal: AbortSignal): Promise<PreflightReport> {
    if (findVagrant(this.o)) {
      this.prepareFolder()
      if (this.st.checkedAt === null) await this.refresh().catch(statusFailed)
    }
    if (signal.aborted) throw new AppError('CANCELLED', 'Preflight was cancelled.')
    const created = !['not_created', 'unknown'].includes(this.st.state)
    const key = this.settingsKey()
    const s = this.settings?.get()
    const report = evaluatePreflight(
      await gatherPreflightFacts({
        vagrantPath: this.o.vagrantPath,
        vagrantHome: this.o.vagrantHome,
        platform: this.o.platform,
        taskkill: this.o.taskkill,
        arch: this.o.arch,
        env: this.baseEnv(),
        folder: this.folder,
        vmCreated: created,
        existingProvider: this.st.provider,
        ...(s ? { settings: { provider: s.provider, box: s.box } } : {}),
        signal,
      }),
    )
    this.lastReport = { key, at: Date.now(), report }
    return report
  }

  /** A report for `up`: the last one when fresh and for the same settings, else a new run. */
  private async reportFor(run: Running): Promise<PreflightReport | null> {
    const last = this.lastReport
    if (last && last.key === this.settingsKey() && Date.now() - last.at < REPORT_REUSE_MS)
      return last.report
    const shared = this.preflight()
    const onAbort = (): void => this.pre?.abort.abort()
    run.abort.signal.addEventListener('abort', onAbort, { once: true })
    try {
      return await shared
    } catch (err) {
      // Cancelled, or preflight itself failed: `up` goes on and Vagrant reports what is wrong.
      log.debug({ err }, 'preflight before up failed; booting without its report')
      return null
    } finally {
      run.abort.signal.removeEventListener('abort', onAbort)
    }
  }

  /** Copy the app's Vagrantfile into the VM folder unless the user's copy is there. */
  prepareFolder(): void {
    ensureVagrantfile(this.folder, this.o.templatePath)
  }

  /** Put the app's Vagrantfile back (refused while an operation runs). */
  resetVagrantfile(): void {
    if (this.running)
      throw new AppError('VM_BUSY', `The VM is busy (${this.running.op}); try again when it ends.`)
    resetVagrantfile(this.folder, this.o.templatePath)
  }

  dismissNotice(): void {
    this.update({ notice: null })
  }

  /**
   * Run one operation to its end. Refused with VM_BUSY while another runs (never interleaved).
   * A failure or cancel resolves with the failure details (also kept in `info().failure`).
   */
  async run(op: VmOperation): Promise<VmOpResult> {
    if (this.disposed) throw new AppError('CANCELLED', 'The app is closing.')
    if (this.running)
      throw new AppError('VM_BUSY', `The VM is busy: "${this.running.op}" is still running.`, {
        data: { op: this.running.op },
      })
    const run: Running = {
      op,
      proc: null,
      out: null,
      cancelled: false,
      abort: new AbortController(),
    }
    this.running = run
    try {
      const bin = findVagrant(this.o)
      if (!bin) {
        this.update({ vagrantMissing: true })
        throw new AppError(
          'VAGRANT_MISSING',
          'Vagrant is not installed (no `vagrant` on the PATH).',
          {
            detail: vagrantInstallHint(process.platform),
          },
        )
      }
      this.prepareFolder()
      const before = this.st.checkedAt === null ? (await this.readStatus()).state : this.st.state
      return await this.execute(bin, run, before)
    } finally {
      this.running = null
    }
  }

  private async execute(bin: string, run: Running, before: VmInfo['state']): Promise<VmOpResult> {
    const op = run.op
    const started = Date.now()
    const out = new OpOutput(op, started)
    run.out = out
    const first = out.tracker.current(started)
    this.update({
      op,
      progress: first,
      failure: null,
      ...(op === 'up' || op === 'reload' ? { notice: null } : {}),
    })
    this.emit('progress', first)
    const onLine = (line: string): void => {
      this.emit('output', line)
      const p = out.line(line, Date.now())
      if (p) {
        this.st.progress = p
        this.emit('progress', p)
      }
    }
    const start = (args: string[], env: NodeJS.ProcessEnv): Promise<End> => {
      run.proc = startVagrant(bin, [...args, '--machine-readable'], {
        cwd: this.folder,
        env,
        onLine,
        platform: this.o.platform,
        taskkill: this.o.taskkill,
      })
      return run.proc.done.catch((e: unknown) => {
        // vagrant could not even start (removed since it was found): leave no operation behind.
        this.update({ op: null, progress: null })
        throw e
      })
    }
    const created = before !== 'not_created' && before !== 'unknown'
    let provider: string | null = this.st.provider
    let env = this.env(provider)
    const args = [...ARGS[op]]
    if (op === 'up') {
      const report = run.cancelled ? null : await this.reportFor(run)
      if (run.cancelled) return this.finish(op, out, { code: null, signal: null }, true, before)
      // The VM's own provider; else preflight's choice; else the one the user asked for (then
      // Vagrant says itself why it cannot use it).
      provider =
        created && this.st.provider
          ? this.st.provider
          : (report?.provider ?? this.settings?.get().provider ?? null)
      env = this.env(provider, report?.hypervSwitch ?? null)
      const box = report?.box
      if (
        !created &&
        box &&
        box.present === false &&
        // Only catalog names (org/name) download; a name never becomes an option (no leading dash).
        BOX_NAME_RE.test(box.name) &&
        box.name.includes('/') &&
        !env.NETNS_STUDIO_BOX_URL
      ) {
        const p = out.tracker.begin(
          'box-download',
          `Adding box '${box.name}' for ${box.provider}${box.downloadMB !== null ? ` (about ${box.downloadMB} MB)` : ''}`,
          Date.now(),
        )
        this.st.progress = p
        this.emit('progress', p)
        const add = ['box', 'add', box.name, '--provider', box.provider]
        const version = report?.vagrant?.version ?? '0'
        if (compareVersions(version, VAGRANT_ARCH_SUPPORT) >= 0)
          add.push('--architecture', box.arch)
        const end = await start(add, env)
        const exists = out.errorType() === 'Vagrant::Errors::BoxAlreadyExists'
        if (run.cancelled || (end.code !== 0 && !exists))
          return this.finish(op, out, end, run.cancelled, before)
        out.clearError()
      }
      // Vagrant must not try to install a missing provider (it would ask, and this cannot answer).
      args.push('--no-install-provider')
      if (provider && (PROVIDERS as readonly string[]).includes(provider))
        args.push('--provider', provider)
    }
    if (run.cancelled) return this.finish(op, out, { code: null, signal: null }, true, before)
    const end = await start(args, env)
    return this.finish(op, out, end, run.cancelled, before)
  }

  private async finish(
    op: VmOperation,
    out: OpOutput,
    end: { code: number | null; signal: NodeJS.Signals | null },
    cancelled: boolean,
    before: VmInfo['state'],
  ): Promise<VmOpResult> {
    const now = Date.now()
    const ok = end.code === 0 && !cancelled
    log.info(
      { op, code: end.code, signal: end.signal, cancelled, ms: now - out.startedAt },
      'vagrant operation ended',
    )
    // Re-read the state after every end (a cancel can leave a half-made VM), unless quitting.
    if (!this.disposed) await this.readStatus().catch(statusFailed)
    if (ok && (op === 'destroy' || before === 'not_created'))
      await this.o.hostKeys.forget(this.hostKeyId).catch((err: unknown) =>
        // The old pin stays: the next VM's new key will be refused as changed (and can be reviewed).
        log.warn({ err }, "forgetting the VM's host key failed"),
      )
    const failure = ok ? null : out.failure({ code: end.code, signal: end.signal, cancelled }, now)
    if (failure)
      failure.offerDestroy =
        (op === 'up' || op === 'reload' || op === 'resume') &&
        !['not_created', 'running'].includes(this.st.state)
    const progress = ok ? out.tracker.finish(now) : out.tracker.current(now)
    if (ok) this.emit('progress', progress)
    const lost = ok && this.st.state === 'running' && rebootLosesNamespaces(op, before)
    this.update({
      op: null,
      progress: null,
      failure,
      ...(lost
        ? { notice: { code: 'namespaces-lost', message: NAMESPACES_LOST_MESSAGE, at: now } }
        : {}),
    })
    return {
      outcome: ok ? 'done' : cancelled ? 'cancelled' : 'failed',
      state: this.st.state,
      failure,
      durationMs: now - out.startedAt,
    }
  }

  /**
   * Stop the running operation (SIGINT then escalation; the whole tree with taskkill on Windows),
   * or else the running preflight (its processes killed). False when nothing runs.
   */
  async cancel(): Promise<boolean> {
    const run = this.running
    if (!run) {
      if (!this.pre) return false
      this.pre.abort.abort()
      // It rejects with CANCELLED: what was asked for.
      await this.pre.promise.catch(() => undefined)
      return true
    }
    run.cancelled = true
    run.out?.markCancelled(Date.now())
    run.abort.abort()
    await run.proc?.cancel(this.o.cancelGraceMs ?? 15_000)
    return true
  }

  /** `up`, `halt`, ... by name. */
  up(): Promise<VmOpResult> {
    return this.run('up')
  }
  halt(): Promise<VmOpResult> {
    return this.run('halt')
  }
  destroy(): Promise<VmOpResult> {
    return this.run('destroy')
  }

  /**
   * How to reach the running VM over SSH (from `vagrant ssh-config`). Throws VAGRANT_MISSING, or
   * VM_NOT_RUNNING with Vagrant's words when it has no SSH to offer.
   */
  async sshConfig(): Promise<VmSshConfig> {
    const bin = findVagrant(this.o)
    if (!bin)
      throw new AppError(
        'VAGRANT_MISSING',
        'Vagrant is not installed (no `vagrant` on the PATH).',
        { detail: vagrantInstallHint(process.platform) },
      )
    if (!existsSync(`${this.folder}/Vagrantfile`))
      throw new AppError('VM_NOT_RUNNING', 'The VM has not been created yet: boot it first.')
    const r = await runFile(bin, ['ssh-config'], {
      cwd: this.folder,
      env: this.env(),
      timeoutMs: 120_000,
      platform: this.o.platform,
      taskkill: this.o.taskkill,
    })
    const c = r.code === 0 ? sshConfigFor(r.stdout) : null
    if (!c)
      throw new AppError('VM_NOT_RUNNING', 'The VM is not running: boot it first.', {
        detail: (r.stderr || r.stdout).trim().slice(-2000),
      })
    const key = c.identityFiles.find((f) => existsSync(f)) ?? c.identityFiles[0]
    if (!key) throw new AppError('VM_NOT_RUNNING', 'Vagrant reported no SSH key for the VM.')
    return {
      host: c.hostName,
      port: c.port,
      username: c.user,
      privateKeyPath: key,
      hostKeyId: this.hostKeyId,
    }
  }

  /**
   * Stop polling, abort a preflight and cancel a running operation, within `disposeMs` (10 s): then
   * the operation's whole process tree is killed. Quitting never waits longer.
   */
  async dispose(): Promise<void> {
    this.disposed = true
    this.stopPolling()
    this.pre?.abort.abort()
    const run = this.running
    if (!run) return
    const bound = this.o.disposeMs ?? 10_000
    const cancelled = this.cancel().then(() => true)
    const inTime = await Promise.race([
      cancelled,
      new Promise<boolean>((r) => setTimeout(() => r(false), bound).unref()),
    ])
    if (!inTime) await run.proc?.kill()
  }

  /**
   * Halt for "halt the VM on quit" (after dispose): bounded by `ms`, then its process tree is
   * killed. Resolves with the outcome (never throws for a failed halt).
   */
  async haltOnQuit(ms = 60_000): Promise<VmOpResult['outcome'] | 'timeout'> {
    if (this.running) return 'failed'
    const wasDisposed = this.disposed
    this.disposed = false
    try {
      const halt = this.run('halt')
      this.disposed = wasDisposed
      const r = await Promise.race([
        halt.then((x) => x.outcome),
        new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), ms).unref()),
      ])
      if (r === 'timeout') await (this.running as Running | null)?.proc?.kill()
      return r
    } finally {
      this.disposed = wasDisposed
    }
  }

  /** The configured environment plus the user's settings (memory, CPUs, provider, box). */
  private baseEnv(): Record<string, string> {
    return { ...(this.o.env ?? {}), ...(this.settings?.env() ?? {}) }
  }

  /**
   * vagrant's environment; with the provider the VM uses (also for commands without --provider,
   * such as reload) and the Hyper-V switch preflight chose.
   */
  private env(
    provider: string | null = this.st.provider,
    hypervSwitch: string | null = null,
  ): NodeJS.ProcessEnv {
    const extra: Record<string, string> = {}
    if (provider && (PROVIDERS as readonly string[]).includes(provider)) {
      extra.VAGRANT_DEFAULT_PROVIDER = provider
      extra.NETNS_STUDIO_PROVIDER = provider
    }
    if (hypervSwitch) extra.NETNS_STUDIO_HYPERV_SWITCH = hypervSwitch
    return vagrantEnv({ ...this.o, env: { ...this.baseEnv(), ...extra } })
  }

  private update(patch: Partial<VmInfo>): void {
    const before = JSON.stringify({ ...this.st, checkedAt: 0 })
    this.st = { ...this.st, ...patch }
    if (JSON.stringify({ ...this.st, checkedAt: 0 }) !== before)
      this.emit('state-changed', this.info())
  }
}

// The Vagrant driver for one VM: serialized lifecycle operations with cancel and step progress
// (the box downloaded first), failure details, and the host key pinned per VM. Polling, the
// shared preflight, the box step, ssh-config and the settings live in the vagrant-vm-* modules.

import { EventEmitter } from 'node:events'
import { existsSync } from 'node:fs'
import { AppError } from '../../shared/errors'
import type { VmInfo, VmOpResult } from '../../shared/vm/info'
import { NAMESPACES_LOST_MESSAGE, rebootLosesNamespaces } from '../../shared/vm/info'
import type { PreflightReport } from '../../shared/vm/preflight'
import { evaluatePreflight, PROVIDERS, vagrantInstallHint } from '../../shared/vm/preflight'
import type { VmOperation } from '../../shared/vm/progress'
import { logger } from '../log'
import type { VmSshConfig } from './backend'
import { OpOutput } from './op-output'
import { gatherPreflightFacts } from './preflight'
import { findVagrant, startVagrant, type VagrantProcess } from './vagrant-cli'
import { boxAddArgs, boxDownloadTitle, boxToDownload } from './vagrant-vm-box'
import type { VagrantVmEvents, VagrantVmOptions } from './vagrant-vm-options'
import { SharedPreflight, type KeyedReport } from './vagrant-vm-preflight'
import { baseEnv, vmEnv, type VmSettingsSource } from './vagrant-vm-settings'
import { readSshConfig } from './vagrant-vm-ssh'
import { pollPeriod, readVagrantStatus, StatusPoller, statusFailed } from './vagrant-vm-status'
import { ensureVagrantfile, resetVagrantfile, vmFolder } from './vm-folder'

export type { VagrantVmEvents, VagrantVmOptions } from './vagrant-vm-options'
export type { VmSettingsSource } from './vagrant-vm-settings'

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

const log = logger('vm')

export class VagrantVm extends EventEmitter<VagrantVmEvents> {
  readonly name: string
  readonly folder: string
  private readonly o: VagrantVmOptions
  private st: VmInfo
  private running: Running | null = null
  private polling: Promise<VmInfo> | null = null
  private disposed = false
  private settings: VmSettingsSource | null
  private readonly poller = new StatusPoller(
    () => pollPeriod(this.o.pollMs ?? 5000, this.st),
    () => {
      if (!this.running) void this.refresh().catch(statusFailed)
    },
  )
  private readonly checks = new SharedPreflight(
    (signal) => this.runPreflight(signal),
    () => this.settingsKey(),
  )

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
    this.checks.forget()
  }

  /**
   * Poll `vagrant status` while nothing runs (idempotent): every pollMs while the VM exists, so a
   * halt from outside shows within seconds; six times slower when there is no VM or no vagrant
   * (each status costs vagrant ~1 s of CPU).
   */
  startPolling(): void {
    if (this.poller.active || this.disposed) return
    void this.refresh().catch(statusFailed)
    this.poller.start()
  }

  stopPolling(): void {
    this.poller.stop()
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
    this.update(await readVagrantStatus(bin, this.folder, this.env(), this.o))
    return this.info()
  }

  /**
   * Check vagrant, providers, box and network before booting. Concurrent calls share one run (one
   * set of vagrant processes); `cancel()` aborts it (its processes killed) with CANCELLED.
   */
  preflight(): Promise<PreflightReport> {
    return this.checks.run()
  }

  private settingsKey(): string {
    return JSON.stringify([this.settings?.get() ?? null, this.o.env ?? null, this.st.state])
  }

  private async runPreflight(signal: AbortSignal): Promise<KeyedReport> {
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
        env: baseEnv(this.o, this.settings),
        folder: this.folder,
        vmCreated: created,
        existingProvider: this.st.provider,
        ...(s ? { settings: { provider: s.provider, box: s.box } } : {}),
        signal,
      }),
    )
    return { key, report }
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
      const report = run.cancelled ? null : await this.checks.reportFor(run.abort.signal)
      if (run.cancelled) return this.finish(op, out, { code: null, signal: null }, true, before)
      // The VM's own provider; else preflight's choice; else the one the user asked for (then
      // Vagrant says itself why it cannot use it).
      provider =
        created && this.st.provider
          ? this.st.provider
          : (report?.provider ?? this.settings?.get().provider ?? null)
      env = this.env(provider, report?.hypervSwitch ?? null)
      const box = boxToDownload(report, created, env)
      if (box) {
        const p = out.tracker.begin('box-download', boxDownloadTitle(box), Date.now())
        this.st.progress = p
        this.emit('progress', p)
        const end = await start(boxAddArgs(box, report?.vagrant?.version ?? '0'), env)
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
    if (!run) return this.checks.cancel()
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
    return readSshConfig(bin, this.folder, this.env(), this.o, this.hostKeyId)
  }

  /**
   * Stop polling, abort a preflight and cancel a running operation, within `disposeMs` (10 s): then
   * the operation's whole process tree is killed. Quitting never waits longer.
   */
  async dispose(): Promise<void> {
    this.disposed = true
    this.stopPolling()
    this.checks.abort()
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

  /** vagrant's environment with the provider the VM uses and the Hyper-V switch preflight chose. */
  private env(
    provider: string | null = this.st.provider,
    hypervSwitch: string | null = null,
  ): NodeJS.ProcessEnv {
    return vmEnv(this.o, this.settings, provider, hypervSwitch)
  }

  private update(patch: Partial<VmInfo>): void {
    const before = JSON.stringify({ ...this.st, checkedAt: 0 })
    this.st = { ...this.st, ...patch }
    if (JSON.stringify({ ...this.st, checkedAt: 0 }) !== before)
      this.emit('state-changed', this.info())
  }
}

// The Vagrant driver for one VM: state polling, serialized lifecycle operations with cancel and
// step progress, failure details, `ssh-config` → SSH settings, and the host key pinned per VM.

import { EventEmitter } from 'node:events'
import { existsSync } from 'node:fs'
import { AppError } from '../../shared/errors'
import type { VmInfo, VmOpResult } from '../../shared/vm/info'
import { NAMESPACES_LOST_MESSAGE, rebootLosesNamespaces } from '../../shared/vm/info'
import type { PreflightReport } from '../../shared/vm/preflight'
import { evaluatePreflight, vagrantInstallHint } from '../../shared/vm/preflight'
import type { VmOperation, VmProgress } from '../../shared/vm/progress'
import { sshConfigFor } from '../../shared/vm/ssh-config'
import { parseStatus } from '../../shared/vm/state'
import type { VmSshConfig } from '../app/targets'
import type { HostKeyStore } from '../target/host-keys'
import { OpOutput } from './op-output'
import { gatherPreflightFacts } from './preflight'
import {
  findVagrant,
  runFile,
  startVagrant,
  vagrantEnv,
  type VagrantCliOptions,
  type VagrantProcess,
} from './vagrant-cli'
import { ensureVagrantfile, resetVagrantfile, vmFolder } from './vm-folder'

export interface VagrantVmOptions extends VagrantCliOptions {
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
}

export interface VagrantVmEvents {
  'state-changed': [VmInfo]
  progress: [VmProgress]
  /** Each raw output line of the running operation (for a log view and fixtures). */
  output: [string]
}

/** Extra arguments per operation: non-interactive, machine-readable output. */
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
}

export class VagrantVm extends EventEmitter<VagrantVmEvents> {
  readonly name: string
  readonly folder: string
  private readonly o: VagrantVmOptions
  private st: VmInfo
  private running: Running | null = null
  private timer: NodeJS.Timeout | null = null
  private polling: Promise<VmInfo> | null = null
  private disposed = false

  constructor(o: VagrantVmOptions) {
    super()
    this.o = o
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
          if (!this.running) void this.refresh().catch(() => undefined)
          tick()
        },
        exists && !this.st.vagrantMissing ? base : base * 6,
      )
      this.timer.unref()
    }
    void this.refresh().catch(() => undefined)
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

  /** Check vagrant, providers, box and network before booting. */
  async preflight(): Promise<PreflightReport> {
    if (findVagrant(this.o)) this.prepareFolder()
    const created = this.st.state !== 'not_created' && this.st.state !== 'unknown'
    return evaluatePreflight(
      await gatherPreflightFacts({ ...this.o, folder: this.folder, vmCreated: created }),
    )
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
    if (run.cancelled) return this.finish(op, out, { code: null, signal: null }, true, before)
    run.proc = startVagrant(bin, [...ARGS[op], '--machine-readable'], {
      cwd: this.folder,
      env: this.env(),
      onLine: (line) => {
        this.emit('output', line)
        const p = out.line(line, Date.now())
        if (p) {
          this.st.progress = p
          this.emit('progress', p)
        }
      },
    })
    const end = await run.proc.done.catch((e: unknown) => {
      // vagrant could not even start (removed since it was found): leave no operation behind.
      this.update({ op: null, progress: null })
      throw e
    })
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
    await this.readStatus().catch(() => undefined)
    if (ok && (op === 'destroy' || before === 'not_created'))
      await this.o.hostKeys.forget(this.hostKeyId).catch(() => undefined)
    const failure = ok ? null : out.failure({ code: end.code, signal: end.signal, cancelled }, now)
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

  /** Stop the running operation (SIGINT, then escalation). False when nothing runs. */
  async cancel(): Promise<boolean> {
    const run = this.running
    if (!run) return false
    run.cancelled = true
    run.out?.markCancelled(Date.now())
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

  /** Stop polling and cancel a running operation. */
  async dispose(): Promise<void> {
    this.disposed = true
    this.stopPolling()
    await this.cancel()
  }

  private env(): NodeJS.ProcessEnv {
    return vagrantEnv(this.o)
  }

  private update(patch: Partial<VmInfo>): void {
    const before = JSON.stringify({ ...this.st, checkedAt: 0 })
    this.st = { ...this.st, ...patch }
    if (JSON.stringify({ ...this.st, checkedAt: 0 }) !== before)
      this.emit('state-changed', this.info())
  }
}

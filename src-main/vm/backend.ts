// The VM backend: what the app, the CLI and tests need from "the VM", independent of how it is
// run (Vagrant today). A small interface with typed events, after Rancher Desktop's
// backend/backend.ts (state, progress, start/stop/delete, 'state-changed' and 'progress' events).

import type { VmInfo, VmOpResult } from '../../shared/vm/info'
import type { PreflightReport } from '../../shared/vm/preflight'
import type { VmOperation, VmProgress } from '../../shared/vm/progress'
import type { VmSettings } from '../../shared/vm/settings'

/** SSH settings of a running VM, as `vagrant ssh-config` reports them. */
export interface VmSshConfig {
  host: string
  port: number
  username: string
  privateKeyPath: string
  /** Where the VM's host key is pinned; default `hostKeyId('vm', host, port)`. */
  hostKeyId?: string
}

/** The backend's events, typed: listeners get exactly these arguments. */
export interface VmBackendEvents {
  /** State, running operation, failure or notice changed. */
  'state-changed': [VmInfo]
  /** A new step or percent of the running operation. */
  progress: [VmProgress]
}

/** The operations that stop the guest (the app's connection to it is closed first). */
export const STOPPING_OPERATIONS: ReadonlySet<VmOperation> = new Set([
  'halt',
  'reload',
  'destroy',
  'suspend',
])

/**
 * The app's VM. Failures of an operation are values (VmOpResult), not errors; refusals (busy,
 * no vagrant, closing) are AppErrors with their code.
 */
export interface VmBackend {
  /** The VM's name (its folder under the data folder). */
  readonly name: string
  /** The operation running now, or null. */
  readonly busy: VmOperation | null
  /** The state as last read. */
  info(): VmInfo
  /** Keep the state fresh (status polling; idempotent) and return it as last read. */
  watch(): VmInfo
  /** Read the state now. */
  refresh(): Promise<VmInfo>
  /** Check vagrant, providers, box and network before booting (concurrent calls share one run). */
  preflight(): Promise<PreflightReport>
  /**
   * Run one lifecycle operation to its end; refused with VM_BUSY while another runs. An operation
   * that stops the guest first closes the app's connection to it (so it does not retry).
   */
  run(op: VmOperation): Promise<VmOpResult>
  /** Stop the running operation (or preflight); false when nothing runs. */
  cancel(): Promise<boolean>
  /** Hide the current notice. */
  dismissNotice(): void
  /** Put the stock VM definition back (refused with VM_BUSY while an operation runs). */
  resetDefinition(): void
  /** The user's VM settings. */
  settings(): VmSettings
  /** Save settings checked by `checkVmSettings` (refused with VM_BUSY while an operation runs). */
  setSettings(s: VmSettings): VmSettings
  /** How to reach the running VM over SSH (VM_NOT_RUNNING or VAGRANT_MISSING otherwise). */
  sshConfig(): Promise<VmSshConfig>
  /** Halt on quit (after dispose), bounded; resolves with the outcome, never throws for a failure. */
  haltOnQuit(): Promise<VmOpResult['outcome'] | 'timeout'>
  /** Stop polling and cancel what runs, bounded. Quitting never waits longer. */
  dispose(): Promise<void>
  on<E extends keyof VmBackendEvents>(event: E, fn: (...args: VmBackendEvents[E]) => void): this
  off<E extends keyof VmBackendEvents>(event: E, fn: (...args: VmBackendEvents[E]) => void): this
}

// The app's VM as a VmBackend over the Vagrant driver: the `default` VM in `<dataDir>/vms/`, the
// stock Vagrantfile, the shared host keys and the user's VM settings. No Electron, no IPC, so the
// app, the CLI and tests build it the same way.

import { EventEmitter } from 'node:events'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AppError } from '../../shared/errors'
import type { VmInfo, VmOpResult } from '../../shared/vm/info'
import type { PreflightReport } from '../../shared/vm/preflight'
import type { VmOperation } from '../../shared/vm/progress'
import type { VmSettings } from '../../shared/vm/settings'
import type { HostKeyStore } from '../target/host-keys'
import {
  STOPPING_OPERATIONS,
  type VmBackend,
  type VmBackendEvents,
  type VmSshConfig,
} from './backend'
import { VagrantVm, type VagrantVmOptions } from './vagrant-vm'
import { VmSettingsStore } from './vm-settings-store'

/**
 * The app's stock Vagrantfile: NETNS_STUDIO_VAGRANTFILE, the packaged resources, or the root of
 * the source tree (found from this module in `src-main/vm/` and from the bundle in `out/main/`).
 */
export function defaultTemplatePath(env: NodeJS.ProcessEnv = process.env): string {
  const here = dirname(fileURLToPath(import.meta.url))
  const resources = (process as { resourcesPath?: string }).resourcesPath
  const candidates = [
    env.NETNS_STUDIO_VAGRANTFILE,
    resources ? join(resources, 'Vagrantfile') : undefined,
    join(here, '..', '..', 'Vagrantfile'),
    join(process.cwd(), 'Vagrantfile'),
  ].filter((p): p is string => !!p)
  return candidates.find((p) => existsSync(p)) ?? join(process.cwd(), 'Vagrantfile')
}

/** The user's VM settings file in the data folder. */
export function vmSettingsPath(dataDir: string): string {
  return join(dataDir, 'vm-settings.json')
}

export interface AppVmOptions {
  /** The app's data folder (the VM lives in `<dataDir>/vms/default`). */
  dataDir: string
  /** Pinned SSH host keys (the VM's own is forgotten when it is destroyed). */
  hostKeys: HostKeyStore
  /**
   * Runs before an operation that stops the guest (halt, reload, destroy, suspend): the app
   * closes its connection to the VM here, so the connection does not try to reconnect.
   */
  beforeStop?: () => Promise<void>
  /** Where NETNS_STUDIO_VAGRANT (the vagrant executable) and NETNS_STUDIO_VAGRANTFILE are read. */
  env?: NodeJS.ProcessEnv
  /** Driver options over the defaults (the real-VM tests point it at their Vagrant home and box). */
  driver?: Partial<VagrantVmOptions>
}

/** The app's VM: a VmBackend over one VagrantVm and the user's VM settings. */
export class AppVm extends EventEmitter<VmBackendEvents> implements VmBackend {
  /** The Vagrant driver underneath (tests and the CLI's raw output follow its 'output'). */
  readonly driver: VagrantVm
  private readonly store: VmSettingsStore

  constructor(private readonly o: AppVmOptions) {
    super()
    const env = o.env ?? process.env
    const configured = env.NETNS_STUDIO_VAGRANT
    this.store = new VmSettingsStore(vmSettingsPath(o.dataDir))
    this.driver = new VagrantVm({
      dataDir: o.dataDir,
      templatePath: defaultTemplatePath(env),
      hostKeys: o.hostKeys,
      settings: this.store,
      ...(configured ? { vagrantPath: configured } : {}),
      ...o.driver,
    })
    this.driver.on('state-changed', (info) => this.emit('state-changed', info))
    this.driver.on('progress', (p) => this.emit('progress', p))
  }

  get name(): string {
    return this.driver.name
  }

  get busy(): VmOperation | null {
    return this.driver.busy
  }

  info(): VmInfo {
    return this.driver.info()
  }

  watch(): VmInfo {
    this.driver.startPolling()
    return this.driver.info()
  }

  refresh(): Promise<VmInfo> {
    return this.driver.refresh()
  }

  preflight(): Promise<PreflightReport> {
    return this.driver.preflight()
  }

  async run(op: VmOperation): Promise<VmOpResult> {
    // A busy VM refuses the operation (VM_BUSY) before anything is closed.
    if (STOPPING_OPERATIONS.has(op) && !this.driver.busy) await this.o.beforeStop?.()
    return this.driver.run(op)
  }

  cancel(): Promise<boolean> {
    return this.driver.cancel()
  }

  dismissNotice(): void {
    this.driver.dismissNotice()
  }

  resetDefinition(): void {
    this.driver.resetVagrantfile()
  }

  settings(): VmSettings {
    return this.store.get()
  }

  /** Provider and box apply to a VM created later: preflight warns when it exists with others. */
  setSettings(s: VmSettings): VmSettings {
    const op = this.driver.busy
    if (op)
      throw new AppError('VM_BUSY', `The VM is busy (${op}); change the settings when it ends.`, {
        data: { op },
      })
    // The driver reads them from the store (a preflight report cached for others is not reused).
    return this.store.set(s)
  }

  sshConfig(): Promise<VmSshConfig> {
    return this.driver.sshConfig()
  }

  haltOnQuit(): Promise<VmOpResult['outcome'] | 'timeout'> {
    return this.driver.haltOnQuit()
  }

  dispose(): Promise<void> {
    return this.driver.dispose()
  }
}

/** Build the app's VM backend. */
export function createAppVm(o: AppVmOptions): AppVm {
  return new AppVm(o)
}

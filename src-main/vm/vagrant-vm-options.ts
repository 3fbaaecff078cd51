// What a VagrantVm is built from (its folder, Vagrantfile, host-key store, timings, settings)
// and the events it emits.

import type { VmInfo } from '../../shared/vm/info'
import type { VmProgress } from '../../shared/vm/progress'
import type { HostKeyStore } from '../target/host-keys'
import type { ProcessOptions, VagrantCliOptions } from './vagrant-cli'
import type { VmSettingsSource } from './vagrant-vm-settings'

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

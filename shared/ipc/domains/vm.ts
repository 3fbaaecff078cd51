// IPC entries of the Vagrant VM: state, preflight, lifecycle operations with cancel, step progress
// and failure details, and the "namespaces are gone after a reboot" notice; with runtime checks.

import type { Check } from '../../net/validate'
import type { VmInfo, VmOpResult } from '../../vm/info'
import type { PreflightReport } from '../../vm/preflight'
import type { VmProgress } from '../../vm/progress'
import type { VmSettings } from '../../vm/settings'
import { checkVmSettings } from '../../vm/settings'

export interface VmInvoke {
  /** The VM's state as last read (starts the ~5 s status polling on first call). */
  'vm:state': () => VmInfo
  /** Check vagrant, providers and box before booting; problems carry what to do. */
  'vm:preflight': () => PreflightReport
  /** Boot (create on first use). Resolves when done; refused with VM_BUSY while another runs. */
  'vm:up': () => VmOpResult
  'vm:halt': () => VmOpResult
  'vm:reload': () => VmOpResult
  /** Delete the VM (and forget its pinned host key). */
  'vm:destroy': () => VmOpResult
  'vm:suspend': () => VmOpResult
  'vm:resume': () => VmOpResult
  /** Stop the running operation; false when nothing runs. */
  'vm:cancel': () => boolean
  /** Hide the current notice. */
  'vm:dismiss-notice': () => void
  /** Put the app's stock Vagrantfile back in the VM folder, dropping the user's edits. */
  'vm:reset-vagrantfile': () => void
  /** The user's VM settings (provider, box, memory, CPUs). */
  'vm:settings': () => VmSettings
  /** Save VM settings; they apply to the next `up` (provider and box only to a new VM). */
  'vm:set-settings': (settings: VmSettings) => VmSettings
}

export interface VmEvents {
  /** State, running operation, failure or notice changed. */
  'vm:state-changed': (info: VmInfo) => void
  /** A new step or percent of the running operation. */
  'vm:progress': (progress: VmProgress) => void
}

const none = (a: unknown[]): Check =>
  a.length === 0 ? { ok: true } : { ok: false, message: 'This call takes no arguments.' }

/** Runtime argument checks per channel (the allowlist for this domain). */
export const vmInvokeArgs: { [K in keyof VmInvoke]: (args: unknown[]) => Check } = {
  'vm:state': none,
  'vm:preflight': none,
  'vm:up': none,
  'vm:halt': none,
  'vm:reload': none,
  'vm:destroy': none,
  'vm:suspend': none,
  'vm:resume': none,
  'vm:cancel': none,
  'vm:dismiss-notice': none,
  'vm:reset-vagrantfile': none,
  'vm:settings': none,
  'vm:set-settings': (a) =>
    a.length === 1
      ? checkVmSettings(a[0])
      : { ok: false, message: 'Expected one settings object.' },
}

export const vmEventNames: { [K in keyof VmEvents]: true } = {
  'vm:state-changed': true,
  'vm:progress': true,
}

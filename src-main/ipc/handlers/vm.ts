// IPC handlers of the VM domain: thin adapters, one channel → one call on the VM backend.

import type { VmInvoke } from '../../../shared/ipc/domains/vm'
import type { VmBackend } from '../../vm/backend'
import type { HandlerMap } from '../types'

/** Handlers for every VmInvoke channel over `vm`. Arguments arrive already checked by the router. */
export function createVmHandlers(vm: VmBackend): HandlerMap<keyof VmInvoke> {
  return {
    'vm:state': () => vm.watch(),
    'vm:preflight': () => vm.preflight(),
    'vm:up': () => vm.run('up'),
    'vm:halt': () => vm.run('halt'),
    'vm:reload': () => vm.run('reload'),
    'vm:destroy': () => vm.run('destroy'),
    'vm:suspend': () => vm.run('suspend'),
    'vm:resume': () => vm.run('resume'),
    'vm:cancel': () => vm.cancel(),
    'vm:dismiss-notice': () => vm.dismissNotice(),
    'vm:reset-vagrantfile': () => vm.resetDefinition(),
    'vm:settings': () => vm.settings(),
    // A refusal (VM_BUSY) is a rejected promise, like every other handler's.
    'vm:set-settings': (_ctx, s) => Promise.resolve().then(() => vm.setSettings(s)),
  }
}

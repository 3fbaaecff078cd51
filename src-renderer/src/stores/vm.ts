// The Vagrant VM's lifecycle as the target bar shows it: state, step progress, failure details.
// The contract has no `vm:*` channels yet, so this store only holds state; the VM engineer wires
// boot/halt and the `vm:*` events here (see `attach`), and the bar follows without changes.

import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref } from 'vue'

/** VM states the bar knows how to show. */
export type VmUiState =
  'unavailable' | 'not-created' | 'stopped' | 'booting' | 'running' | 'halting' | 'failed'

/** One step of a boot or halt, e.g. "Importing box", with its status. */
export interface VmStep {
  label: string
  status: 'pending' | 'running' | 'done' | 'failed'
}

/** What failed and the last lines of the log, for the failure details area. */
export interface VmFailure {
  message: string
  logTail: string[]
}

/** The actions a VM backend provides; `attach` installs them. */
export interface VmActions {
  boot(): Promise<void>
  halt(): Promise<void>
}

export const useVmStore = defineStore('vm', () => {
  const state = ref<VmUiState>('unavailable')
  const steps = ref<VmStep[]>([])
  const failure = ref<VmFailure | null>(null)
  /** Why the VM controls are unavailable, when they are. */
  const unavailableReason = ref(
    'VM control is not available in this build yet; connect to an SSH host or this machine.',
  )
  let actions: VmActions | null = null

  const busy = computed(() => state.value === 'booting' || state.value === 'halting')
  const canBoot = computed(
    () => !!actions && ['not-created', 'stopped', 'failed'].includes(state.value),
  )
  const canHalt = computed(() => !!actions && state.value === 'running')

  /** Install the VM backend's actions (called by the VM wiring once `vm:*` channels exist). */
  function attach(a: VmActions, initial: VmUiState): void {
    actions = a
    state.value = initial
  }

  async function boot(): Promise<void> {
    if (!actions) return
    failure.value = null
    await actions.boot()
  }

  async function halt(): Promise<void> {
    if (!actions) return
    await actions.halt()
  }

  return { state, steps, failure, unavailableReason, busy, canBoot, canHalt, attach, boot, halt }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useVmStore, import.meta.hot))

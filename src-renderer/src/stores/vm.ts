// The Vagrant VM's lifecycle as the target bar shows it: state, step progress with elapsed time,
// failure details, the reboot notice; kept in step with main's `vm:*` events.

import { AppError } from '@shared/errors'
import type { VmInfo, VmNotice, VmOpResult } from '@shared/vm/info'
import { EXPECTED_STEPS } from '@shared/vm/info'
import type { PreflightProblem } from '@shared/vm/preflight'
import type { VmOperation, VmProgress } from '@shared/vm/progress'
import { STEP_LABELS } from '@shared/vm/progress'
import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { invoke, on } from '../ipc/client'
import { describeError, type ErrorView } from '../lib/errors'
import { usePreflightStore } from './preflight'
import { useTargetStore } from './target'

/** VM states the bar knows how to show. */
export type VmUiState =
  | 'unavailable'
  | 'unknown'
  | 'not-created'
  | 'stopped'
  | 'suspended'
  | 'booting'
  | 'running'
  | 'halting'
  | 'destroying'
  | 'failed'

/** One step of an operation, e.g. "Importing the box", with its status. */
export interface VmStep {
  label: string
  status: 'pending' | 'running' | 'done' | 'failed'
}

/** What failed, why (hint), and the last lines of Vagrant's output. */
export interface VmFailure {
  message: string
  logTail: string[]
  /** The step that was running. */
  step?: string
  exitCode?: number | null
  /** Vagrant's error class, e.g. Vagrant::Errors::BoxAddShortNotFound. */
  errorType?: string | null
  hint?: string | null
  cancelled?: boolean
}

const BOOTING: ReadonlySet<VmOperation> = new Set(['up', 'reload', 'resume'])

/** The UI state for what main reports. */
export function uiState(i: VmInfo): VmUiState {
  if (i.vagrantMissing) return 'unavailable'
  if (i.op) return BOOTING.has(i.op) ? 'booting' : i.op === 'destroy' ? 'destroying' : 'halting'
  if (i.failure && !i.failure.cancelled) return 'failed'
  switch (i.state) {
    case 'not_created':
      return 'not-created'
    case 'running':
      return 'running'
    case 'stopped':
      return 'stopped'
    case 'suspended':
      return 'suspended'
    default:
      return 'unknown'
  }
}

/** The steps of an operation: those seen (done, or running now) then those still expected. */
export function stepList(p: VmProgress, failed = false): VmStep[] {
  const seen = p.steps.filter((s) => s !== 'preparing' || p.steps.length === 1)
  const rest = EXPECTED_STEPS[p.op].filter(
    (s) => s !== 'preparing' && !p.steps.includes(s) && s !== 'done',
  )
  const out: VmStep[] = seen.map((s) => ({
    label: STEP_LABELS[s],
    status: s === p.step ? (failed ? 'failed' : s === 'done' ? 'done' : 'running') : 'done',
  }))
  if (!failed && p.step !== 'done')
    out.push(...rest.map((s) => ({ label: STEP_LABELS[s], status: 'pending' as const })))
  return out
}

export const useVmStore = defineStore('vm', () => {
  const info = ref<VmInfo | null>(null)
  const progress = ref<VmProgress | null>(null)
  /** Steps of the last failed operation, kept to show where it stopped. */
  const failedSteps = ref<VmStep[]>([])
  const error = ref<ErrorView | null>(null)
  /** Problems preflight found before the last Boot (errors stop the boot). */
  const problems = ref<PreflightProblem[]>([])
  const preflight = usePreflightStore()
  /** Preflight is running (Boot or the welcome asked for it). */
  const checking = computed(() => preflight.checking)
  let unsubscribe: Array<() => void> | null = null

  const state = computed<VmUiState>(() => (info.value ? uiState(info.value) : 'unavailable'))
  const unavailableReason = computed(() =>
    info.value?.vagrantMissing
      ? 'Vagrant is not installed: install it (and VirtualBox or libvirt), or connect to an SSH host.'
      : 'Reading the VM state…',
  )
  const steps = computed<VmStep[]>(() =>
    progress.value && info.value?.op
      ? stepList(progress.value)
      : info.value?.failure
        ? failedSteps.value
        : [],
  )
  const failure = computed<VmFailure | null>(() => {
    const f = info.value?.failure
    if (!f) return null
    return {
      message: f.cancelled
        ? `${opName(f.op)} was cancelled.`
        : (f.errorMessage ?? `${opName(f.op)} failed.`),
      logTail: f.tail,
      step: STEP_LABELS[f.step],
      exitCode: f.exitCode,
      errorType: f.errorType,
      hint: f.hint?.text ?? null,
      cancelled: f.cancelled,
    }
  })
  const notice = computed<VmNotice | null>(() => info.value?.notice ?? null)
  const busy = computed(() => !!info.value?.op || checking.value)
  /** Boot is for a VM that is not running and not suspended (that one resumes). */
  const canBoot = computed(
    () =>
      !busy.value &&
      ['not-created', 'stopped', 'failed', 'unknown'].includes(state.value) &&
      info.value?.state !== 'suspended',
  )
  const running = computed(() => !busy.value && info.value?.state === 'running')
  const canHalt = running
  const canReload = running
  const canSuspend = running
  const canResume = computed(() => !busy.value && info.value?.state === 'suspended')
  const canDestroy = computed(
    () =>
      !busy.value &&
      !!info.value &&
      !info.value.vagrantMissing &&
      info.value.state !== 'not_created',
  )

  function setInfo(i: VmInfo): void {
    if (i.failure && progress.value && progress.value.op === i.failure.op)
      failedSteps.value = stepList({ ...progress.value, step: i.failure.step }, true)
    if (!i.failure) failedSteps.value = []
    // The state carries the current progress too (e.g. an operation running when the window opens).
    if (!i.op) progress.value = null
    else if (i.progress) progress.value = i.progress
    info.value = i
  }

  /** Read the VM state and follow changes (starts main's polling). Safe to call more than once. */
  async function init(): Promise<void> {
    unsubscribe ??= [
      on('vm:state-changed', setInfo),
      on('vm:progress', (p) => {
        progress.value = p
      }),
    ]
    try {
      setInfo(await invoke('vm:state'))
    } catch (e) {
      error.value = describeError(e)
    }
  }

  async function act(
    channel: 'vm:up' | 'vm:resume' | 'vm:reload' | 'vm:suspend' | 'vm:halt' | 'vm:destroy',
  ): Promise<VmOpResult | null> {
    error.value = null
    try {
      return await invoke(channel)
    } catch (e) {
      error.value = describeError(e instanceof AppError ? e : new AppError('INTERNAL', String(e)))
      return null
    }
  }

  /** After an operation that leaves the guest running: connect when the bar is on the VM. */
  async function connectAfter(r: VmOpResult | null): Promise<void> {
    const target = useTargetStore()
    if (
      r?.outcome === 'done' &&
      r.state === 'running' &&
      target.kind === 'vm' &&
      !target.connected &&
      !target.busy
    )
      await target.connect()
  }

  /**
   * Boot: preflight first (its errors, with what to do, stop here; so does a cancel), then up or
   * resume; once the VM runs and the bar is on "Vagrant VM", connect to it.
   */
  async function boot(): Promise<void> {
    error.value = null
    const suspended = info.value?.state === 'suspended'
    if (!suspended) {
      const report = await preflight.check()
      if (!report) return
      problems.value = report.problems
      if (!report.ok) return
    }
    await connectAfter(await act(suspended ? 'vm:resume' : 'vm:up'))
  }

  /**
   * The welcome's one action: use the VM as the target, then connect if it runs already, else boot
   * it (preflight, up or resume) and connect.
   */
  async function start(): Promise<void> {
    const target = useTargetStore()
    target.kind = 'vm'
    if (busy.value || target.busy) return
    if (info.value?.state === 'running') {
      error.value = null
      await target.connect()
      return
    }
    await boot()
  }

  const halt = async (): Promise<void> => void (await act('vm:halt'))
  const destroy = async (): Promise<void> => void (await act('vm:destroy'))
  const suspend = async (): Promise<void> => void (await act('vm:suspend'))
  /** Restart the guest (its namespaces are gone afterwards), then connect again. */
  const reload = async (): Promise<void> => connectAfter(await act('vm:reload'))
  const resume = async (): Promise<void> => connectAfter(await act('vm:resume'))

  /** Cancel what runs: a preflight check (here and in main), or the VM operation. */
  async function cancel(): Promise<void> {
    if (preflight.checking) return preflight.cancel()
    try {
      await invoke('vm:cancel')
    } catch (e) {
      error.value = describeError(e)
    }
  }

  /** Put the app's own Vagrantfile back in the VM folder (the user's edits to it are dropped). */
  async function resetVagrantfile(): Promise<boolean> {
    try {
      await invoke('vm:reset-vagrantfile')
      return true
    } catch (e) {
      error.value = describeError(e)
      return false
    }
  }

  async function dismissNotice(): Promise<void> {
    try {
      await invoke('vm:dismiss-notice')
    } catch (e) {
      error.value = describeError(e)
    }
  }

  return {
    info,
    progress,
    error,
    problems,
    checking,
    state,
    steps,
    failure,
    notice,
    unavailableReason,
    busy,
    canBoot,
    canHalt,
    canReload,
    canSuspend,
    canResume,
    canDestroy,
    init,
    boot,
    start,
    halt,
    reload,
    suspend,
    resume,
    destroy,
    cancel,
    resetVagrantfile,
    dismissNotice,
  }
})

function opName(op: VmOperation): string {
  return {
    up: 'Boot',
    halt: 'Halt',
    reload: 'Restart',
    destroy: 'Destroy',
    suspend: 'Suspend',
    resume: 'Resume',
  }[op]
}

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useVmStore, import.meta.hot))

// The guided tutorial open in the app: its steps, "Run this step" (the step's operations, one by
// one through the engine, skipping what the kernel already shows), the verdicts of the lab's
// checks from the live kernel (after each run and on every change, debounced), progress per
// target and tutorial (kept in localStorage), and reset to the tutorial's start. A step's services
// start through the services store after its operations, as the Sockets tab's form starts them.

import { GUIDES, guideFor, type Guide, type GuideStep } from '@shared/guide'
import {
  guideServices,
  natOpDone,
  opDone,
  opLines,
  planStep,
  resetOps,
  serviceRunning,
  type PlannedOp,
} from '@shared/guide/plan'
import type { GuideService } from '@shared/guide/types'
import type { LabCheckResult } from '@shared/ipc/domains/lab'
import { BUILTIN_LABS } from '@shared/lab/builtin'
import { parseLab } from '@shared/lab/parse'
import type { Lab } from '@shared/lab/types'
import type { NetOp } from '@shared/net/ops'
import { OP_TITLES } from '@shared/net/ops'
import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { invoke, on } from '../ipc/client'
import { describeError, type ErrorView } from '../lib/errors'
import { useOps } from '../lib/use-ops'
import { useNetnsStore } from './netns'
import { useServicesStore } from './services'
import { useTargetStore } from './target'
import { useUiStore } from './ui'

/** A check's state as the UI shows it: a verdict from the kernel, or not known (and why). */
export interface CheckView {
  name: string
  state: 'passed' | 'failed' | 'unknown'
  /** The kernel's answer in words, or why there is no verdict. */
  detail: string
  hint?: string
}

export type StepState = 'passed' | 'failed' | 'unknown'

/** Where progress is kept: { [target label]: { [lab]: step ids whose checks all passed } }. */
export const PROGRESS_KEY = 'netns-studio.guide-progress.v1'
/** The label of the target progress was last recorded for (the welcome shows it when offline). */
export const LAST_TARGET_KEY = 'netns-studio.guide-last-target'
/** Quiet time after a change before the checks run again (changes come in bursts). */
export const CHECK_DEBOUNCE_MS = 400
/** The detail of a check with no verdict yet. */
export const NOT_CHECKED = 'Not checked yet.'

type Progress = Record<string, Record<string, string[]>>

function readProgress(): Progress {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(PROGRESS_KEY) ?? '{}')
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Progress) : {}
  } catch {
    // A corrupt entry loses the record of progress, not the tutorials.
    return {}
  }
}

/** The built-in lab a guide checks against, parsed from the text the app ships. */
function labOf(name: string): Lab {
  const b = BUILTIN_LABS.find((l) => l.name === name)
  const r = b ? parseLab(b.yaml, `${name}.yaml`) : null
  if (!r?.ok) throw new Error(`The built-in lab ${name} is missing or does not parse.`)
  return r.lab
}

/** A plain copy for IPC (a store's values are Vue proxies, which structured clone refuses). */
function plain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T
}

export const useGuideStore = defineStore('guide', () => {
  const target = useTargetStore()
  const netns = useNetnsStore()
  const ui = useUiStore()
  const services = useServicesStore()
  const ops = useOps()

  /** The open guide's lab name, or null. */
  const active = ref<string | null>(null)
  /** Chosen on the welcome before a target was connected: opens once one is. */
  const pending = ref<string | null>(null)
  /** The guide panel is shown beside the tables (the list, or the open tutorial). */
  const panelOpen = ref(false)
  /** Results of the last check of the open guide's lab, by check name. */
  const results = shallowRef<Map<string, LabCheckResult> | null>(null)
  const checking = ref(false)
  const checkError = ref<ErrorView | null>(null)
  /** The step whose operations are running. */
  const running = ref<string | null>(null)
  const stepErrors = ref<Record<string, ErrorView>>({})
  const resetting = ref(false)
  const progress = ref<Progress>(readProgress())
  const lastTarget = ref<string | null>(localStorage.getItem(LAST_TARGET_KEY))

  let lab: Lab | null = null
  let unsubscribe: (() => void) | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let again = false
  /** The kernel changed while the panel was hidden: check when it is shown again. */
  let stale = false

  const guide = computed<Guide | null>(() => (active.value ? guideFor(active.value) : null))
  /** The target progress is shown for: the connected one, else the one last used. */
  const progressLabel = computed(() => target.status.label ?? lastTarget.value)

  /** Step ids of `labName` whose checks all passed, on the target progress is shown for. */
  function doneSteps(labName: string): string[] {
    const label = progressLabel.value
    return label ? (progress.value[label]?.[labName] ?? []) : []
  }

  function progressOf(labName: string): { done: number; total: number } {
    const g = guideFor(labName)
    const ids = new Set(g?.steps.map((s) => s.id) ?? [])
    return { done: doneSteps(labName).filter((id) => ids.has(id)).length, total: ids.size }
  }

  function saveProgress(labName: string, ids: string[]): void {
    const label = target.status.label
    if (!label) return
    progress.value = { ...progress.value, [label]: { ...progress.value[label], [labName]: ids } }
    lastTarget.value = label
    try {
      localStorage.setItem(PROGRESS_KEY, JSON.stringify(progress.value))
      localStorage.setItem(LAST_TARGET_KEY, label)
    } catch {
      // Storage full or disabled: progress shows for this session only.
    }
  }

  /** A check's state: green or red only from a result of the kernel. */
  function checkView(name: string): CheckView {
    const r = results.value?.get(name)
    if (r) return { name, state: r.ok ? 'passed' : 'failed', detail: r.detail, hint: r.hint }
    if (results.value && lab && !(lab.checks ?? []).some((c) => c.name === name))
      return {
        name,
        state: 'unknown',
        detail: `The lab ${lab.name} has no check named "${name}", so this cannot be checked.`,
      }
    return { name, state: 'unknown', detail: NOT_CHECKED }
  }

  function stepState(step: GuideStep): StepState {
    const states = step.checks.map((c) => checkView(c).state)
    if (states.length && states.every((s) => s === 'passed')) return 'passed'
    return states.includes('failed') ? 'failed' : 'unknown'
  }

  /** A NAT operation is done when a passing nat check of the lab shows its rule. */
  const natDone = (op: NetOp): boolean =>
    !!lab && natOpDone(op, lab.checks ?? [], (name) => results.value?.get(name)?.ok === true)

  /** A step's operations with their commands and whether the kernel already shows each. */
  function planned(step: GuideStep): PlannedOp[] {
    return planStep(step, netns.snapshot, netns.natBackend ?? 'iptables', natDone)
  }

  /** The services running now (started in this app), as ns/protocol/port. */
  function runningServices(): Array<{ id: string; ns: string; protocol: string; port: number }> {
    return [...services.services.values()].filter((s) => s.running)
  }

  /** Whether a step's service is running now (then "Run this step" leaves it as it is). */
  function serviceUp(svc: GuideService): boolean {
    return serviceRunning(svc, runningServices())
  }

  /** Run the open guide's lab checks now (one at a time; a change meanwhile runs them again). */
  async function check(): Promise<void> {
    if (!lab || !target.connected) return
    if (checking.value) {
      again = true
      return
    }
    checking.value = true
    stale = false
    const name = lab.name
    try {
      const report = await invoke('lab:check', plain(lab))
      if (active.value !== name) return
      results.value = new Map(report.checks.map((c) => [c.name, c]))
      checkError.value = null
      const g = guideFor(name)
      if (g)
        saveProgress(
          name,
          g.steps.filter((s) => stepState(s) === 'passed').map((s) => s.id),
        )
    } catch (e) {
      if (active.value !== name) return
      // No verdict: every check goes back to unknown rather than keep an old green.
      results.value = null
      checkError.value = describeError(e)
    } finally {
      checking.value = false
      if (again) {
        again = false
        void check()
      }
    }
  }

  function scheduleCheck(): void {
    // Checks run commands on the target (pings among them): not while nobody looks at them.
    if (!panelOpen.value) {
      stale = true
      return
    }
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = null
      void check()
    }, CHECK_DEBOUNCE_MS)
  }

  /** Open a tutorial; without a target it waits on the welcome until one is connected. */
  async function open(labName: string): Promise<void> {
    if (!guideFor(labName)) throw new Error(`No guided tutorial for ${labName}.`)
    if (!target.connected) {
      pending.value = labName
      return
    }
    pending.value = null
    panelOpen.value = true
    if (active.value !== labName) {
      lab = labOf(labName)
      active.value = labName
      results.value = null
      checkError.value = null
      stepErrors.value = {}
    }
    unsubscribe ??= on('netns:changed', scheduleCheck)
    if (netns.natBackend === null) void netns.loadNatBackend()
    await check()
  }

  function close(): void {
    unsubscribe?.()
    unsubscribe = null
    if (timer) clearTimeout(timer)
    timer = null
    active.value = null
    lab = null
    results.value = null
  }

  /**
   * Apply the step's operations in order (those not already done), then start its services (those
   * not already running); stop at the first failure.
   */
  async function runStep(step: GuideStep): Promise<boolean> {
    if (running.value) return false
    running.value = step.id
    const errors = { ...stepErrors.value }
    delete errors[step.id]
    stepErrors.value = errors
    try {
      for (const op of step.ops) {
        if (netns.snapshot && opDone(op, netns.snapshot, natDone)) continue
        const r = await ops.run(op, undefined, { notify: false })
        if (!r.ok) {
          if ('error' in r) stepErrors.value = { ...stepErrors.value, [step.id]: r.error }
          return false
        }
      }
      for (const svc of step.services ?? []) {
        if (serviceUp(svc)) continue
        try {
          await services.start({ ns: svc.ns, protocol: svc.protocol, port: svc.port })
        } catch (e) {
          stepErrors.value = { ...stepErrors.value, [step.id]: describeError(e) }
          return false
        }
      }
      return true
    } finally {
      running.value = null
      await check()
    }
  }

  /** Show what the step says to look at: select the namespace and its tab. */
  function look(step: GuideStep): void {
    if (!step.look) return
    ui.view = 'tables'
    netns.select(step.look.ns)
    if (step.look.tab) netns.tab = step.look.tab
  }

  /**
   * Take the open tutorial back to its start, after the user confirmed the exact commands: the
   * services its steps started (those still running), what its lab applied (lab:destroy), then
   * what the steps made that the kernel still shows.
   */
  async function reset(): Promise<void> {
    const g = guide.value
    if (!g || resetting.value) return
    await netns.refresh()
    const undo: NetOp[] = netns.snapshot ? resetOps(g, netns.snapshot) : []
    const lines = undo.flatMap((op) => opLines(op, netns.natBackend ?? 'iptables'))
    const forwards = g.steps.some((s) => s.ops.some((o) => o.op === 'forwarding.set'))
    // Stopped first: a listener would keep its namespace alive after ip netns delete.
    const svcs = guideServices(g)
    const stopping = runningServices().filter((r) => serviceRunning(r, svcs))
    const ok = await ui.ask(
      `Reset tutorial ${g.number}?`,
      `This removes the tutorial's namespaces, links and NAT rules from ${target.status.label ?? 'the target'}, so you can start again from step 1: ` +
        `first what the lab ${g.lab} applied, if it was applied as a lab, then what the steps made` +
        (lines.length ? ', with these commands.' : ' (none of it is there now).') +
        (stopping.length
          ? ` Before that it stops the services the steps started (${stopping.map((r) => `${r.protocol} port ${r.port} in ${r.ns}`).join(', ')}).`
          : '') +
        (forwards ? ' IP forwarding is left as it is.' : ''),
      lines,
      'Reset',
    )
    if (!ok) return
    resetting.value = true
    const failures: string[] = []
    try {
      for (const r of stopping) {
        try {
          await services.stop(r.id)
        } catch (e) {
          failures.push(`service ${r.protocol} ${r.port} in ${r.ns}: ${describeError(e).message}`)
        }
      }
      try {
        await invoke('lab:destroy', g.lab, {})
      } catch (e) {
        failures.push(`lab ${g.lab}: ${describeError(e).message}`)
      }
      for (const op of undo) {
        try {
          await invoke('netns:apply', op)
        } catch (e) {
          // A NAT rule may simply not be there (the snapshot cannot say): report it, go on.
          failures.push(`${OP_TITLES[op.op]}: ${describeError(e).message}`)
        }
      }
    } finally {
      resetting.value = false
      stepErrors.value = {}
      await netns.refresh()
      await check()
    }
    if (failures.length) ui.notify('error', `Reset: ${failures.join(' · ')}`, 10000)
    else ui.notify('ok', `Tutorial ${g.number} is back at its start.`)
  }

  // The panel shown again: its verdicts may be stale.
  watch(panelOpen, (open) => {
    if (open && active.value && stale) void check()
  })

  // A tutorial picked on the welcome opens as soon as a target is connected; a disconnect closes.
  watch(
    () => target.connected,
    (c) => {
      if (c && pending.value) void open(pending.value)
      if (!c && active.value) {
        // Back on the welcome: the same tutorial opens again on the next connection.
        pending.value = active.value
        close()
      }
    },
  )

  return {
    guides: GUIDES,
    active,
    pending,
    panelOpen,
    guide,
    results,
    checking,
    checkError,
    running,
    stepErrors,
    resetting,
    progressLabel,
    progressOf,
    checkView,
    stepState,
    planned,
    serviceUp,
    check,
    open,
    close,
    runStep,
    look,
    reset,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useGuideStore, import.meta.hot))

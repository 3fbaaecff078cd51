// The challenge open in the app (a lab of kind `challenge`): start it (apply the lab through the
// lab store's plan → confirm flow, which injects the fault), grade it live from lab:check (after
// every change the app sees, debounced), hints revealed on request for failing checks, and what the
// user changed since the start, from the command log.

import type { LabCheckResult } from '@shared/ipc/domains/lab'
import type { LogEntry } from '@shared/net/command-log'
import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { invoke, on } from '../ipc/client'
import { describeError, type ErrorView } from '../lib/errors'
import { plain } from '../lib/lab-doc'
import { useGuideStore } from './guide'
import { useLabStore } from './lab'
import { useLogStore } from './log'
import { useTargetStore } from './target'

/** Quiet time after a change before the checks run again (changes come in bursts). */
export const CHALLENGE_DEBOUNCE_MS = 400
/**
 * One more check this long after a change: a link just set up may pass traffic only a moment
 * later, and a red goal that stays red until the next change would tell a learner their fix failed.
 */
export const CHALLENGE_SETTLE_MS = 3000
/** The detail of a check with no verdict yet. */
export const NOT_CHECKED = 'Not checked yet.'

/** A check as the panel shows it: green or red only from a verdict of the kernel. */
export interface ChallengeCheckView {
  name: string
  state: 'passed' | 'failed' | 'unknown'
  detail: string
  /** The hint the lab gives for this check (shown only on request, and only while it fails). */
  hint: string | null
  goal: boolean
}

/** When the challenge was started: commands logged from then on are the user's. */
export interface ChallengeStart {
  lab: string
  /** Epoch ms just after the lab's apply finished (the apply's own commands started before). */
  at: number
  /** The newest log entry id at that moment. */
  logId: number
  target: string | null
  /** When a verdict first said the goal passes (null: not yet). */
  solvedAt: number | null
}

export const useChallengeStore = defineStore('challenge', () => {
  const lab = useLabStore()
  const log = useLogStore()
  const target = useTargetStore()
  const guide = useGuideStore()

  /** The panel is shown beside the tables (opens by itself when a challenge is opened). */
  const panelOpen = ref(false)
  const results = shallowRef<Map<string, LabCheckResult> | null>(null)
  const checking = ref(false)
  const checkError = ref<ErrorView | null>(null)
  const started = ref<ChallengeStart | null>(null)
  /** Names of checks whose hint the user asked for. */
  const revealed = ref<string[]>([])
  /** Start or restart is waiting on the plan or the apply. */
  const starting = ref(false)

  let unsubscribe: Array<() => void> = []
  let timer: ReturnType<typeof setTimeout> | null = null
  let settle: ReturnType<typeof setTimeout> | null = null
  /** The kernel changed while the panel was hidden: check when it is shown again. */
  let stale = false
  let again = false
  /** Bumped at each start: a verdict asked for before it describes the kernel before the fault. */
  let epoch = 0

  /** The open lab when it is a challenge. */
  const current = computed(() => (lab.doc?.lab.kind === 'challenge' ? lab.doc.lab : null))
  const goal = computed(() => current.value?.checks?.[0]?.name ?? null)

  function view(name: string, hint: string | undefined, isGoal: boolean): ChallengeCheckView {
    const r = results.value?.get(name)
    const h = r?.hint ?? hint ?? null
    if (r)
      return { name, state: r.ok ? 'passed' : 'failed', detail: r.detail, hint: h, goal: isGoal }
    return { name, state: 'unknown', detail: NOT_CHECKED, hint: h, goal: isGoal }
  }

  /** Every check of the challenge, the goal first. */
  const checks = computed<ChallengeCheckView[]>(() =>
    (current.value?.checks ?? []).map((c, i) => view(c.name, c.hint, i === 0)),
  )
  const goalView = computed(() => checks.value[0] ?? null)
  const solved = computed(() => goalView.value?.state === 'passed')

  /** The changes the app ran since the start (mutating commands, oldest first). */
  const changes = computed<LogEntry[]>(() => {
    const s = started.value
    if (!s || s.lab !== current.value?.name) return []
    return log.entries.filter((e) => e.mutating && e.id > s.logId && e.at >= s.at)
  })

  /** Run the challenge's checks now (one at a time; a change meanwhile runs them again). */
  async function check(): Promise<void> {
    const l = current.value
    if (!l?.checks?.length || !target.connected) return
    if (checking.value) {
      again = true
      return
    }
    checking.value = true
    stale = false
    const asked = epoch
    try {
      const report = await invoke('lab:check', plain(l))
      if (current.value?.name !== l.name) return
      if (asked !== epoch) {
        again = true
        return
      }
      results.value = new Map(report.checks.map((c) => [c.name, c]))
      checkError.value = null
      const s = started.value
      const g = goal.value
      if (s && s.lab === l.name && !s.solvedAt && g && results.value.get(g)?.ok)
        started.value = { ...s, solvedAt: Date.now() }
    } catch (e) {
      if (current.value?.name !== l.name || asked !== epoch) return
      // No verdict: every check goes back to "not checked yet" rather than keep an old colour.
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
    // Hidden, the panel asks nothing of the target; shown again, it checks once.
    if (!panelOpen.value) {
      stale = true
      return
    }
    if (timer) clearTimeout(timer)
    if (settle) clearTimeout(settle)
    timer = setTimeout(() => {
      timer = null
      void check()
    }, CHALLENGE_DEBOUNCE_MS)
    settle = setTimeout(() => {
      settle = null
      if (!solved.value) void check()
    }, CHALLENGE_SETTLE_MS)
  }

  function follow(): void {
    if (unsubscribe.length) return
    unsubscribe = [
      on('netns:changed', scheduleCheck),
      // A command that changed something (a form, a lab, a step) may have fixed or broken it.
      on('log:appended', (list) => {
        if (list.some((e) => e.mutating)) scheduleCheck()
      }),
    ]
  }

  function unfollow(): void {
    for (const u of unsubscribe) u()
    unsubscribe = []
    if (timer) clearTimeout(timer)
    if (settle) clearTimeout(settle)
    timer = settle = null
  }

  /**
   * Apply the challenge's lab (the lab store shows the plan first); once it ran, or the target
   * already matched it, the challenge starts now: hints hidden, changes counted from here.
   */
  async function start(): Promise<boolean> {
    const l = current.value
    if (!l || starting.value || lab.busy) return false
    starting.value = true
    // The lab store says "false" both for Cancel and for a plan with nothing to do; the plan tells.
    let nothingToDo = false
    const stop = watch(
      () => lab.prompt,
      (p) => {
        if (p) nothingToDo = p.plan.changes.length === 0
      },
    )
    try {
      const applied = await lab.apply()
      if (!applied && !nothingToDo) return false
      const last = log.entries[log.entries.length - 1]
      started.value = {
        lab: l.name,
        at: Date.now(),
        logId: last?.id ?? 0,
        target: target.status.label,
        solvedAt: null,
      }
      revealed.value = []
      // Verdicts from before the apply are about another state: none until the next one.
      epoch++
      results.value = null
      return true
    } finally {
      stop()
      starting.value = false
      await check()
    }
  }

  function reveal(name: string): void {
    if (!revealed.value.includes(name)) revealed.value = [...revealed.value, name]
  }

  function isRevealed(name: string): boolean {
    return revealed.value.includes(name)
  }

  // A challenge opened: show its panel (in the guide's place) and grade it; another lab: forget it.
  watch(
    () => (current.value ? `${current.value.name}` : null),
    (name, before) => {
      if (name === before) return
      results.value = null
      checkError.value = null
      revealed.value = []
      if (started.value && started.value.lab !== name) started.value = null
      if (name) {
        panelOpen.value = true
        guide.panelOpen = false
        follow()
        void check()
      } else {
        panelOpen.value = false
        unfollow()
      }
    },
    { immediate: true },
  )
  // One panel beside the tables at a time.
  watch(
    () => guide.panelOpen,
    (open) => {
      if (open) panelOpen.value = false
    },
  )
  watch(
    () => target.connected,
    (c) => {
      if (c && current.value) void check()
      if (!c) results.value = null
    },
  )

  function setPanel(open: boolean): void {
    panelOpen.value = open
    if (open) guide.panelOpen = false
  }
  watch(panelOpen, (open) => {
    if (open && current.value && stale) void check()
  })

  return {
    panelOpen,
    results,
    checking,
    checkError,
    started,
    starting,
    revealed,
    current,
    goal,
    checks,
    goalView,
    solved,
    changes,
    check,
    start,
    reveal,
    isRevealed,
    setPanel,
    unfollow,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useChallengeStore, import.meta.hot))

// The last preflight report (Vagrant, providers, the box and what is wrong with each) and the check
// that produces it. A check can be cancelled: its answer is then ignored, and main is told to stop.

import { AppError } from '@shared/errors'
import type { PreflightReport } from '@shared/vm/preflight'
import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { invoke } from '../ipc/client'
import { describeError, type ErrorView } from '../lib/errors'

export const usePreflightStore = defineStore('preflight', () => {
  const report = ref<PreflightReport | null>(null)
  /** A check is running. */
  const checking = ref(false)
  /** The last check was cancelled by the user. */
  const cancelled = ref(false)
  /** The last check could not run (e.g. main refused it). */
  const error = ref<ErrorView | null>(null)
  /** Epoch ms of the last report. */
  const checkedAt = ref<number | null>(null)
  /** Each check's number; an answer to an older (or cancelled) check is dropped. */
  let current = 0

  const problems = computed(() => report.value?.problems ?? [])
  const errors = computed(() => problems.value.filter((p) => p.severity === 'error'))
  const warnings = computed(() => problems.value.filter((p) => p.severity === 'warning'))

  /** Run preflight; the report, or null when it was cancelled, superseded or could not run. */
  async function check(): Promise<PreflightReport | null> {
    const mine = ++current
    checking.value = true
    cancelled.value = false
    error.value = null
    try {
      const r = await invoke('vm:preflight')
      if (mine !== current) return null
      report.value = r
      checkedAt.value = Date.now()
      return r
    } catch (e) {
      if (mine !== current) return null
      if (e instanceof AppError && e.code === 'CANCELLED') cancelled.value = true
      else error.value = describeError(e)
      return null
    } finally {
      if (mine === current) checking.value = false
    }
  }

  /** Stop a running check: its answer is ignored from now on, and main's check is aborted. */
  async function cancel(): Promise<void> {
    if (!checking.value) return
    current++
    checking.value = false
    cancelled.value = true
    try {
      await invoke('vm:cancel')
    } catch (e) {
      error.value = describeError(e)
    }
  }

  return {
    report,
    checking,
    cancelled,
    error,
    checkedAt,
    problems,
    errors,
    warnings,
    check,
    cancel,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(usePreflightStore, import.meta.hot))

// The command log: every command main ran, with exit code and stderr; export as a shell script.

import type { LogEntry } from '@shared/net/command-log'
import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { invoke, on } from '../ipc/client'
import { describeError, type ErrorView } from '../lib/errors'

/** How many entries the drawer keeps; older ones are dropped (the main log keeps its own). */
export const LOG_LIMIT = 2000

export const useLogStore = defineStore('log', () => {
  const entries = shallowRef<LogEntry[]>([])
  const open = ref(false)
  /** Show reads (snapshots) too, not only changes. */
  const showReads = ref(false)
  const error = ref<ErrorView | null>(null)
  let unsubscribe: (() => void) | null = null

  const visible = computed(() =>
    showReads.value ? entries.value : entries.value.filter((e) => e.mutating),
  )
  const failures = computed(() => entries.value.filter((e) => e.exitCode !== 0).length)

  function append(list: readonly LogEntry[]): void {
    const seen = new Set(entries.value.map((e) => e.id))
    const next = [...entries.value, ...list.filter((e) => !seen.has(e.id))]
    entries.value = next.length > LOG_LIMIT ? next.slice(next.length - LOG_LIMIT) : next
  }

  /** Load what main has and follow `log:appended`. */
  async function init(): Promise<void> {
    unsubscribe ??= on('log:appended', (list) => append(list))
    try {
      append(await invoke('log:list'))
    } catch (e) {
      error.value = describeError(e)
    }
  }

  /** The successful changes as a runnable shell script (from main). */
  async function exportScript(): Promise<string> {
    return invoke('log:export')
  }

  async function clear(): Promise<void> {
    await invoke('log:clear')
    entries.value = []
  }

  function dispose(): void {
    unsubscribe?.()
    unsubscribe = null
  }

  return {
    entries,
    open,
    showReads,
    error,
    visible,
    failures,
    append,
    init,
    exportScript,
    clear,
    dispose,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useLogStore, import.meta.hot))

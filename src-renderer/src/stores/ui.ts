// Layout state: which main view is shown, the actions panel and its preset, and notices.

import type { NetOp } from '@shared/net/ops'
import { acceptHMRUpdate, defineStore } from 'pinia'
import { ref } from 'vue'

/** The main views. */
export type MainView = 'tables' | 'topology'

/** A short message in the corner: success of an operation, or a failure. */
export interface Notice {
  id: number
  kind: 'ok' | 'error'
  text: string
}

/** A pending confirmation: what will be done and the exact commands. */
export interface ConfirmRequest {
  title: string
  message: string
  lines: string[]
  confirmLabel: string
  resolve: (ok: boolean) => void
}

export const useUiStore = defineStore('ui', () => {
  const view = ref<MainView>('tables')
  const actionsOpen = ref(false)
  /** A partly filled operation to open the actions panel with (e.g. from a table row). */
  const preset = ref<Partial<NetOp> | null>(null)
  const notices = ref<Notice[]>([])
  const confirmRequest = ref<ConfirmRequest | null>(null)
  let nextId = 1

  /** Open the actions panel, optionally on a given operation with fields filled. */
  function openActions(p: Partial<NetOp> | null = null): void {
    preset.value = p
    actionsOpen.value = true
  }

  function notify(kind: Notice['kind'], text: string, ms = 4000): void {
    const id = nextId++
    notices.value = [...notices.value.slice(-3), { id, kind, text }]
    if (ms > 0) setTimeout(() => dismiss(id), ms)
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id)
  }

  /** Ask the user to confirm a destructive action; resolves true when they do. */
  function ask(
    title: string,
    message: string,
    lines: string[] = [],
    confirmLabel = 'Delete',
  ): Promise<boolean> {
    confirmRequest.value?.resolve(false)
    return new Promise((resolve) => {
      confirmRequest.value = {
        title,
        message,
        lines,
        confirmLabel,
        resolve: (ok) => {
          confirmRequest.value = null
          resolve(ok)
        },
      }
    })
  }

  return { view, actionsOpen, preset, notices, confirmRequest, openActions, notify, dismiss, ask }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useUiStore, import.meta.hot))

// The user's VM settings (provider, box, memory, CPUs): read and saved through main, checked field by
// field with the shared rule, and whether the settings dialog is open.

import type { VmSettings } from '@shared/vm/settings'
import { checkVmSettings, DEFAULT_VM_SETTINGS } from '@shared/vm/settings'
import { acceptHMRUpdate, defineStore } from 'pinia'
import { ref } from 'vue'
import { invoke } from '../ipc/client'
import { describeError, type ErrorView } from '../lib/errors'

/** Field → message, from the shared check run on each field alone (the others at defaults). */
export function settingsProblems(s: VmSettings): Partial<Record<keyof VmSettings, string>> {
  const out: Partial<Record<keyof VmSettings, string>> = {}
  for (const key of ['provider', 'box', 'memoryMiB', 'cpus'] as const) {
    const c = checkVmSettings({ ...DEFAULT_VM_SETTINGS, [key]: s[key] })
    if (!c.ok) out[key] = c.message
  }
  return out
}

export const useVmSettingsStore = defineStore('vm-settings', () => {
  /** The saved settings (null until read). */
  const settings = ref<VmSettings | null>(null)
  const open = ref(false)
  const saving = ref(false)
  const error = ref<ErrorView | null>(null)

  async function load(): Promise<VmSettings | null> {
    try {
      settings.value = await invoke('vm:settings')
    } catch (e) {
      error.value = describeError(e)
    }
    return settings.value
  }

  /** Save; true when main accepted them (an invalid value comes back as an error to show). */
  async function save(s: VmSettings): Promise<boolean> {
    saving.value = true
    error.value = null
    try {
      settings.value = await invoke('vm:set-settings', s)
      return true
    } catch (e) {
      error.value = describeError(e)
      return false
    } finally {
      saving.value = false
    }
  }

  function show(): void {
    error.value = null
    open.value = true
  }

  return { settings, open, saving, error, load, save, show }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useVmSettingsStore, import.meta.hot))

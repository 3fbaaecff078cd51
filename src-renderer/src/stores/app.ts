// Where the app runs (platform, CPU, version), read once from main: the welcome shows "this
// machine" only on Linux, and About shows the version.

import type { AppInfo } from '@shared/ipc/domains/app'
import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { invoke } from '../ipc/client'

export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo | null>(null)
  let reading: Promise<void> | null = null

  /** True once known to run on Linux (this machine can then be a target). */
  const isLinux = computed(() => info.value?.platform === 'linux')

  /** Read the app info once; later calls share the first read. A failed read leaves it unknown. */
  function init(): Promise<void> {
    reading ??= invoke('app:info')
      .then((i) => {
        info.value = i
      })
      .catch(() => {
        // Unknown platform: the welcome leaves out "this machine"; nothing else depends on it.
        reading = null
      })
    return reading
  }

  return { info, isLinux, init }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useAppStore, import.meta.hot))

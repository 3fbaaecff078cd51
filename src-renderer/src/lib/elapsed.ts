// Elapsed time as the VM views show it (m:ss, or h:mm:ss past an hour), and a clock that ticks
// every second while a component is mounted.

import { onMounted, onUnmounted, ref, type Ref } from 'vue'

/** "0:42", "12:05", "1:02:03". */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const ss = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

/**
 * Time since `startedAt`, never less than what main last reported (`reportedMs`), so a clock
 * that is behind main's does not show time going backwards.
 */
export function elapsedSince(startedAt: number, reportedMs: number, now: number): string {
  return formatElapsed(Math.max(now, startedAt + reportedMs) - startedAt)
}

/** Date.now(), updated every `ms` while the calling component is mounted. */
export function useNow(ms = 1000): Ref<number> {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => {
    now.value = Date.now()
    timer = setInterval(() => (now.value = Date.now()), ms)
  })
  onUnmounted(() => clearInterval(timer))
  return now
}

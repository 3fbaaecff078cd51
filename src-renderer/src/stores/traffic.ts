// Traffic rates from the target's one sampler: the latest rate of every interface (for the
// Traffic view and the topology's edges) and a bounded history per interface for the charts.

import type { TrafficTick } from '@shared/ipc/domains/live'
import type { IfRate } from '@shared/net/traffic'
import { ifKey } from '@shared/net/traffic'
import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref, shallowRef, triggerRef, watch } from 'vue'
import { invoke, on } from '../ipc/client'
import { useTargetStore } from './target'

/** Points kept per interface. */
export const HISTORY_LIMIT = 600

/** One point of an interface's rate history. */
export interface RatePoint {
  t: number
  rxBps: number
  txBps: number
}

export const useTrafficStore = defineStore('traffic', () => {
  const running = ref(false)
  const interval = ref(1)
  /** Why rates stopped coming (the sampler restarts by itself when the connection is back). */
  const note = ref<string | null>(null)
  /** Latest rate of every interface, keyed `ns/ifname`. */
  const rates = shallowRef(new Map<string, IfRate>())
  /** Rate history per interface (bounded), for the charts. */
  const history = shallowRef(new Map<string, RatePoint[]>())
  let offs: Array<() => void> = []

  function onTicks(ticks: TrafficTick[]): void {
    const r = new Map(rates.value)
    const h = history.value
    for (const t of ticks)
      for (const x of t.rates) {
        const k = ifKey(x.ns, x.ifname)
        r.set(k, x)
        const list = h.get(k) ?? []
        list.push({ t: t.t, rxBps: x.rxBps, txBps: x.txBps })
        if (list.length > HISTORY_LIMIT) list.splice(0, list.length - HISTORY_LIMIT)
        h.set(k, list)
      }
    rates.value = r
    triggerRef(history)
  }

  /** Subscribe to the sampler's events (idempotent). */
  function init(): void {
    if (offs.length) return
    offs = [
      on('live:traffic-data', (ticks) => {
        note.value = null
        onTicks(ticks)
      }),
      on('live:traffic-ended', (message) => (note.value = message)),
    ]
  }

  function dispose(): void {
    for (const f of offs) f()
    offs = []
  }

  /** Subscribe this window (starts the target's sampler if it is the first). */
  async function start(intervalS = interval.value): Promise<void> {
    init()
    await invoke('live:traffic-start', intervalS)
    interval.value = intervalS
    running.value = true
  }
  async function stop(): Promise<void> {
    await invoke('live:traffic-stop')
    running.value = false
  }
  async function setInterval(s: number): Promise<void> {
    if (running.value) await invoke('live:traffic-interval', s)
    interval.value = s
  }
  /** Rate of one interface, or null when not sampled. */
  function rateOf(ns: string, ifname: string): IfRate | null {
    return rates.value.get(ifKey(ns, ifname)) ?? null
  }
  /** For the topology: bytes/s through each interface (rx + tx), keyed `ns/ifname`. */
  const edgeRates = computed(() => {
    const m = new Map<string, number>()
    for (const [k, r] of rates.value) m.set(k, r.rxBps + r.txBps)
    return m
  })

  function clear(): void {
    running.value = false
    note.value = null
    rates.value = new Map()
    history.value = new Map()
  }
  // On disconnect the sampler is gone in main too.
  const target = useTargetStore()
  watch(
    () => target.status.state,
    (s) => {
      if (s === 'disconnected' || s === 'failed') clear()
    },
  )

  return {
    running,
    interval,
    note,
    rates,
    history,
    edgeRates,
    init,
    dispose,
    start,
    stop,
    setInterval,
    rateOf,
    clear,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useTrafficStore, import.meta.hot))

// The target's namespaces: the latest snapshot, which one or two are selected, operations and
// reset. Refreshes on `netns:changed`, after every operation, and periodically while connected.
// Also what main says about the target: its NAT tool (previews build with it) and what carries
// the app's own connection (operations that would cut it are marked).

import type { ApplyResult, ResetResult } from '@shared/ipc/domains/core'
import type { BranchFacts } from '@shared/net/branch'
import { findAddressConflicts } from '@shared/net/conflicts'
import type { NetNamespace, Snapshot } from '@shared/net/model'
import { HOST_NS } from '@shared/net/model'
import type { NatBackend, NetOp } from '@shared/net/ops'
import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { invoke, on } from '../ipc/client'
import { describeError, type ErrorView } from '../lib/errors'

/** The tabs of a namespace panel. */
export type PanelTab = 'interfaces' | 'addresses' | 'routes' | 'neighbours' | 'sockets' | 'live'

/** Default period of the background refresh. */
export const REFRESH_MS = 5000

export const useNetnsStore = defineStore('netns', () => {
  const snapshot = shallowRef<Snapshot | null>(null)
  /** Selected namespace names: one, or two for compare mode. */
  const selected = ref<string[]>([HOST_NS])
  const tab = ref<PanelTab>('interfaces')
  const loading = ref(false)
  const busy = ref(false)
  const error = ref<ErrorView | null>(null)
  let inFlight: Promise<void> | null = null
  /** The firewall tool main builds NAT rules with on this target (null until asked). */
  const natBackend = ref<NatBackend | null>(null)
  /** What carries the app's connection to this target (null until asked, or when unknown). */
  const branch = shallowRef<BranchFacts | null>(null)
  let natLoad: Promise<void> | null = null
  let branchLoad: Promise<void> | null = null
  let timer: ReturnType<typeof setInterval> | null = null
  let unsubscribe: (() => void) | null = null

  const namespaces = computed<NetNamespace[]>(() => snapshot.value?.namespaces ?? [])
  const byName = computed(() => new Map(namespaces.value.map((n) => [n.name, n])))
  const names = computed(() => namespaces.value.map((n) => n.name))
  const comparing = computed(() => selected.value.length === 2)
  /** The selected namespaces that exist in the snapshot, in selection order. */
  const current = computed(() =>
    selected.value.map((n) => byName.value.get(n)).filter((n): n is NetNamespace => !!n),
  )
  const conflicts = computed(() => (snapshot.value ? findAddressConflicts(snapshot.value) : []))

  function setSnapshot(s: Snapshot): void {
    snapshot.value = s
    // Drop selections of namespaces that are gone; keep at least the host.
    const keep = selected.value.filter((n) => s.namespaces.some((x) => x.name === n))
    selected.value = keep.length > 0 ? keep : [HOST_NS]
  }

  /** Read a fresh snapshot (a refresh already running is joined, not repeated). */
  function refresh(): Promise<void> {
    inFlight ??= (async () => {
      loading.value = true
      try {
        setSnapshot(await invoke('netns:snapshot'))
        error.value = null
      } catch (e) {
        error.value = describeError(e)
      } finally {
        loading.value = false
        inFlight = null
      }
    })()
    return inFlight
  }

  /** Follow `netns:changed` and refresh every `periodMs` (0: no timer). */
  function start(periodMs = REFRESH_MS): void {
    unsubscribe ??= on('netns:changed', (s) => setSnapshot(s))
    if (timer) clearInterval(timer)
    timer = periodMs > 0 ? setInterval(() => void refresh(), periodMs) : null
  }

  function stop(): void {
    if (timer) clearInterval(timer)
    timer = null
    unsubscribe?.()
    unsubscribe = null
  }

  /** Forget the snapshot and what main said about the target (on disconnect). */
  function clear(): void {
    snapshot.value = null
    selected.value = [HOST_NS]
    natBackend.value = null
    branch.value = null
    natLoad = null
    branchLoad = null
  }

  /** Ask main once per connection which tool NAT rules use (a failure leaves it unknown). */
  function loadNatBackend(): Promise<void> {
    natLoad ??= invoke('netns:nat-backend').then(
      (b) => void (natBackend.value = b),
      () => void (natLoad = null), // not connected yet, or the target did not answer: ask again later
    )
    return natLoad
  }

  /**
   * Ask main what carries the app's connection (once per connection, or again with `fresh`). A
   * failure leaves it unknown: main still refuses a cutting operation and says why.
   */
  function loadBranch(fresh = false): Promise<void> {
    if (fresh) branchLoad = null
    branchLoad ??= invoke('netns:branch').then(
      (f) => void (branch.value = f),
      () => void (branchLoad = null),
    )
    return branchLoad
  }

  /** Select one namespace; with `compare`, add it as the second one (or drop it if selected). */
  function select(name: string, compare = false): void {
    if (!compare) {
      selected.value = [name]
      return
    }
    if (selected.value.includes(name)) {
      if (selected.value.length > 1) selected.value = selected.value.filter((n) => n !== name)
      return
    }
    selected.value = [selected.value[0] ?? HOST_NS, name]
  }

  /** Run one operation, then refresh. Rethrows the AppError so a form can show it inline. */
  async function apply(op: NetOp): Promise<ApplyResult> {
    busy.value = true
    try {
      return await invoke('netns:apply', op)
    } finally {
      busy.value = false
      await refresh()
    }
  }

  /** Remove everything the app created on this target, then refresh. */
  async function reset(): Promise<ResetResult> {
    busy.value = true
    try {
      return await invoke('netns:reset')
    } finally {
      busy.value = false
      await refresh()
    }
  }

  return {
    snapshot,
    natBackend,
    branch,
    selected,
    tab,
    loading,
    busy,
    error,
    namespaces,
    byName,
    names,
    comparing,
    current,
    conflicts,
    setSnapshot,
    refresh,
    start,
    stop,
    clear,
    loadNatBackend,
    loadBranch,
    select,
    apply,
    reset,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useNetnsStore, import.meta.hot))

// Which Linux kernel the app drives (Vagrant VM, an SSH host, or this machine) and the connection
// state, kept in step with main's `target:status-changed` events; a changed host key that main
// refused waits here for the user's review (replace the pin and connect, or leave it).

import type { ConnectionStatus, TargetSpec } from '@shared/ipc/domains/core'
import { checkPort } from '@shared/net/validate'
import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, reactive, ref, toRaw } from 'vue'
import { invoke, on } from '../ipc/client'
import { describeError, type ErrorView } from '../lib/errors'
import { type HostKeyChange, hostKeyChangeOf } from '../lib/host-key-change'

/** The SSH form's fields, as typed by the user. */
export interface SshForm {
  host: string
  port: number
  username: string
  privateKeyPath: string
  useAgent: boolean
}

/** Field → message for the SSH form; empty when valid. */
export function sshFormProblems(f: SshForm): Partial<Record<keyof SshForm, string>> {
  const p: Partial<Record<keyof SshForm, string>> = {}
  if (!/^[A-Za-z0-9.:_-]{1,253}$/.test(f.host)) p.host = 'Give a host name or IP address.'
  const port = checkPort(f.port)
  if (!port.ok) p.port = port.message
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(f.username))
    p.username = 'Give a Linux user name, e.g. root or vagrant.'
  if (f.privateKeyPath.includes('\0')) p.privateKeyPath = 'The key path contains a NUL byte.'
  if (!f.useAgent && f.privateKeyPath.trim() === '')
    p.privateKeyPath = 'Give the path of a private key, or use the SSH agent.'
  return p
}

/** A refused changed host key, under review. */
export interface HostKeyReview {
  change: HostKeyChange
  /** The target that was refused, to connect to again once the pin is replaced. */
  spec: TargetSpec
  /** Why main would not replace the pin (e.g. the key changed again); then: connect again. */
  trustError: ErrorView | null
}

/**
 * A plain copy of a spec. What is kept in a ref comes back as a Vue proxy, and a proxy cannot
 * cross IPC (Electron's structured clone refuses it: "An object could not be cloned").
 */
function plainSpec(s: TargetSpec): TargetSpec {
  return { ...toRaw(s) }
}

export const useTargetStore = defineStore('target', () => {
  const status = ref<ConnectionStatus>({ state: 'disconnected', label: null, kind: null })
  /** The target kind chosen in the bar (Vagrant VM by default). */
  const kind = ref<TargetSpec['kind']>('vm')
  const ssh = reactive<SshForm>({
    host: '127.0.0.1',
    port: 22,
    username: 'root',
    privateKeyPath: '',
    useAgent: false,
  })
  const busy = ref(false)
  const error = ref<ErrorView | null>(null)
  /** The last spec connected to, for Reconnect. */
  const lastSpec = ref<TargetSpec | null>(null)
  /** A changed host key main refused, shown for review until replaced or dismissed. */
  const hostKeyReview = ref<HostKeyReview | null>(null)
  let unsubscribe: (() => void) | null = null

  const connected = computed(() => status.value.state === 'connected')
  const problems = computed(() => (kind.value === 'ssh' ? sshFormProblems(ssh) : {}))
  const canConnect = computed(() => !busy.value && Object.keys(problems.value).length === 0)

  function spec(): TargetSpec {
    if (kind.value !== 'ssh') return { kind: kind.value }
    const s: TargetSpec = {
      kind: 'ssh',
      host: ssh.host.trim(),
      port: ssh.port,
      username: ssh.username.trim(),
    }
    if (ssh.privateKeyPath.trim()) s.privateKeyPath = ssh.privateKeyPath.trim()
    if (ssh.useAgent) s.useAgent = true
    return s
  }

  /** Take a status from main; the bar's target choice follows the live connection's kind. */
  function setStatus(s: ConnectionStatus): void {
    status.value = s
    if (s.kind && s.state !== 'disconnected') kind.value = s.kind
  }

  /** Read the current status and follow changes. Safe to call more than once. */
  async function init(): Promise<void> {
    unsubscribe ??= on('target:status-changed', (s) => setStatus(s))
    try {
      setStatus(await invoke('target:status'))
    } catch (e) {
      error.value = describeError(e)
    }
  }

  async function connectTo(target: TargetSpec): Promise<boolean> {
    const s = plainSpec(target)
    busy.value = true
    error.value = null
    hostKeyReview.value = null
    lastSpec.value = s
    try {
      setStatus(await invoke('target:connect', s))
      return status.value.state === 'connected'
    } catch (e) {
      error.value = describeError(e)
      status.value = { ...status.value, state: 'failed' }
      const change = hostKeyChangeOf(e)
      if (change) hostKeyReview.value = { change, spec: s, trustError: null }
      return false
    } finally {
      busy.value = false
    }
  }

  /**
   * The user reviewed the changed key and chose to trust it: pin exactly the key that was offered
   * (main accepts nothing else), then connect to the same target again. When main refuses the
   * replacement, the review stays open with the reason.
   */
  async function replaceHostKey(): Promise<boolean> {
    const r = hostKeyReview.value
    if (!r || busy.value) return false
    busy.value = true
    r.trustError = null
    try {
      await invoke('target:trust-host-key', {
        id: r.change.id,
        fingerprint: r.change.offeredFingerprint,
      })
    } catch (e) {
      if (hostKeyReview.value === r) r.trustError = describeError(e)
      return false
    } finally {
      busy.value = false
    }
    return connectTo(r.spec)
  }

  /** Close the review and connect to the refused target again (it is reviewed anew if refused). */
  function connectAgain(): Promise<boolean> {
    const r = hostKeyReview.value
    hostKeyReview.value = null
    return connectTo(r?.spec ?? lastSpec.value ?? spec())
  }

  /** Leave the pinned key as it is: close the review; nothing is sent to main. */
  function dismissHostKeyReview(): void {
    hostKeyReview.value = null
  }

  /** Connect to the target chosen in the bar. */
  function connect(): Promise<boolean> {
    return connectTo(spec())
  }

  /** Connect again to the last target. */
  function reconnect(): Promise<boolean> {
    return connectTo(lastSpec.value ?? spec())
  }

  async function disconnect(): Promise<void> {
    busy.value = true
    try {
      await invoke('target:disconnect')
      status.value = { state: 'disconnected', label: null, kind: null }
    } catch (e) {
      error.value = describeError(e)
    } finally {
      busy.value = false
    }
  }

  function dispose(): void {
    unsubscribe?.()
    unsubscribe = null
  }

  return {
    status,
    kind,
    ssh,
    busy,
    error,
    lastSpec,
    hostKeyReview,
    connected,
    problems,
    canConnect,
    spec,
    init,
    connect,
    reconnect,
    replaceHostKey,
    connectAgain,
    dismissHostKeyReview,
    disconnect,
    dispose,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useTargetStore, import.meta.hot))

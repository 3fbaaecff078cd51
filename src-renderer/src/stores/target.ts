// Which Linux kernel the app drives (Vagrant VM, an SSH host, or this machine) and the connection
// state, kept in step with main's `target:status-changed` events.

import type { ConnectionStatus, TargetSpec } from '@shared/ipc/domains/core'
import { checkPort } from '@shared/net/validate'
import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, reactive, ref } from 'vue'
import { invoke, on } from '../ipc/client'
import { describeError, type ErrorView } from '../lib/errors'

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

  async function connectTo(s: TargetSpec): Promise<boolean> {
    busy.value = true
    error.value = null
    lastSpec.value = s
    try {
      setStatus(await invoke('target:connect', s))
      return status.value.state === 'connected'
    } catch (e) {
      error.value = describeError(e)
      status.value = { ...status.value, state: 'failed' }
      return false
    } finally {
      busy.value = false
    }
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
    connected,
    problems,
    canConnect,
    spec,
    init,
    connect,
    reconnect,
    disconnect,
    dispose,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useTargetStore, import.meta.hot))

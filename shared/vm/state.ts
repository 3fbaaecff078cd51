// VM states: Vagrant's provider states (`running`, `poweroff`, `shutoff`, `saved`, ...) mapped to
// the few the UI shows, and the parser for `vagrant status --machine-readable`.

import type { MachineLine } from './machine-readable'
import { parseMachineOutput } from './machine-readable'

/** What the UI shows. `unknown` covers provider states the app does not know (shown raw). */
export type VmState = 'not_created' | 'running' | 'stopped' | 'suspended' | 'unknown'

/** One machine's state as `vagrant status` reported it. */
export interface VagrantStatus {
  /** Machine name in the Vagrantfile (e.g. "default"). */
  machine: string
  state: VmState
  /** The provider's own word: running, poweroff, shutoff, saved, aborted, not_created, ... */
  providerState: string
  /** e.g. "libvirt", "virtualbox"; null when Vagrant did not say. */
  provider: string | null
  /** Vagrant's long explanation of the state, when given. */
  description: string | null
}

const STOPPED = new Set([
  'poweroff',
  'shutoff',
  'stopped',
  'shutdown',
  'off',
  'aborted',
  'crashed',
  'not_running',
  'halted',
])
const SUSPENDED = new Set(['saved', 'suspended', 'paused', 'pmsuspended', 'frozen'])

/** Map a provider state word to the UI state. */
export function normalizeState(providerState: string): VmState {
  const s = providerState.trim().toLowerCase()
  if (s === 'not_created' || s === 'not created') return 'not_created'
  if (s === 'running' || s === 'up') return 'running'
  if (STOPPED.has(s)) return 'stopped'
  if (SUSPENDED.has(s)) return 'suspended'
  return 'unknown'
}

/** Parse `vagrant status --machine-readable` lines into one entry per machine, in output order. */
export function parseStatusLines(lines: MachineLine[]): VagrantStatus[] {
  const byName = new Map<string, VagrantStatus>()
  const get = (name: string): VagrantStatus => {
    let s = byName.get(name)
    if (!s) {
      s = {
        machine: name,
        state: 'unknown',
        providerState: 'unknown',
        provider: null,
        description: null,
      }
      byName.set(name, s)
    }
    return s
  }
  for (const l of lines) {
    if (l.target === '') continue
    const v = l.data[0]
    if (v === undefined) continue
    if (l.type === 'state') {
      const s = get(l.target)
      s.providerState = v
      s.state = normalizeState(v)
    } else if (l.type === 'provider-name') get(l.target).provider = v
    else if (l.type === 'metadata' && v === 'provider' && l.data[1] !== undefined)
      get(l.target).provider = l.data[1]
    else if (l.type === 'state-human-long') get(l.target).description = v
  }
  return [...byName.values()].filter((s) => s.providerState !== 'unknown' || s.provider !== null)
}

/** Parse a captured `vagrant status --machine-readable` output; the first machine, or null. */
export function parseStatus(text: string, machine?: string): VagrantStatus | null {
  const all = parseStatusLines(parseMachineOutput(text))
  return (machine ? all.find((s) => s.machine === machine) : all[0]) ?? null
}

/** Whether an operation makes sense from a state (buttons are enabled from this). */
export function allowedOps(
  state: VmState,
): Array<'up' | 'halt' | 'reload' | 'destroy' | 'suspend' | 'resume'> {
  switch (state) {
    case 'not_created':
      return ['up']
    case 'running':
      return ['halt', 'reload', 'suspend', 'destroy']
    case 'stopped':
      return ['up', 'reload', 'destroy']
    case 'suspended':
      return ['resume', 'up', 'halt', 'destroy']
    default:
      return ['up', 'halt', 'destroy']
  }
}

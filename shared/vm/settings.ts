// The user's VM settings (provider, box, memory, CPUs) as the UI edits them and main passes them to
// the Vagrantfile; with the runtime check main and the preload share. Pure.

import type { Check } from '../net/validate'
import type { ProviderName } from './preflight'
import { PROVIDERS } from './preflight'

/** What the user chose for the app's VM; null means "let the app choose". */
export interface VmSettings {
  /** Provider for `vagrant up --provider`; null: the first usable one preflight finds. */
  provider: ProviderName | null
  /** Box name; null: the box the app recommends for the provider and this CPU. */
  box: string | null
  /** Guest memory in MiB. */
  memoryMiB: number
  /** Guest CPUs. */
  cpus: number
}

export const DEFAULT_VM_SETTINGS: Readonly<VmSettings> = Object.freeze({
  provider: null,
  box: null,
  memoryMiB: 1024,
  cpus: 1,
})

export const VM_MEMORY_RANGE = { min: 512, max: 16384 } as const
export const VM_CPU_RANGE = { min: 1, max: 16 } as const

/**
 * A Vagrant box name: `org/name` from a registry, or a plain `name` added from a file; letters,
 * digits, `.`, `_`, `-`, never a leading dash (so it can never read as an option).
 */
export const BOX_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,63})?$/

const bad = (message: string): Check => ({ ok: false, message })

/** Check settings from the renderer or a settings file. */
export function checkVmSettings(v: unknown): Check {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return bad('VM settings must be an object.')
  const s = v as Record<string, unknown>
  const extra = Object.keys(s).filter((k) => !['provider', 'box', 'memoryMiB', 'cpus'].includes(k))
  if (extra.length) return bad(`Unknown VM setting: ${extra[0]}.`)
  if (s.provider !== null && !PROVIDERS.includes(s.provider as ProviderName))
    return bad(`Provider must be one of ${PROVIDERS.join(', ')}, or automatic.`)
  if (s.box !== null && (typeof s.box !== 'string' || !BOX_NAME_RE.test(s.box)))
    return bad(
      'Box must be a box name like "org/name" or "name" (letters, digits, ".", "_", "-"), or the recommended one.',
    )
  const int = (x: unknown, r: { min: number; max: number }): boolean =>
    typeof x === 'number' && Number.isInteger(x) && x >= r.min && x <= r.max
  if (!int(s.memoryMiB, VM_MEMORY_RANGE))
    return bad(
      `Memory must be a whole number of MiB from ${VM_MEMORY_RANGE.min} to ${VM_MEMORY_RANGE.max}.`,
    )
  if (!int(s.cpus, VM_CPU_RANGE))
    return bad(`CPUs must be a whole number from ${VM_CPU_RANGE.min} to ${VM_CPU_RANGE.max}.`)
  return { ok: true }
}

/** Settings from untrusted JSON: the valid value, or the defaults. */
export function parseVmSettings(v: unknown): VmSettings {
  return checkVmSettings(v).ok ? { ...(v as VmSettings) } : { ...DEFAULT_VM_SETTINGS }
}

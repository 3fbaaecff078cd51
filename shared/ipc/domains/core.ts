// IPC entries of the core engine: target connection, snapshot, operations, command log.

import type { BranchFacts } from '../../net/branch'
import type { LogEntry } from '../../net/command-log'
import type { Snapshot } from '../../net/model'
import type { NatBackend, NetOp } from '../../net/ops'
import { validateOp } from '../../net/ops'
import type { Check } from '../../net/validate'
import { checkPlainObject, checkPort } from '../../net/validate'

/** How to reach a Linux kernel. */
export type TargetSpec =
  | { kind: 'vm' }
  | {
      kind: 'ssh'
      host: string
      port: number
      username: string
      /** Path to a private key file on this machine; main reads it, the renderer never sees it. */
      privateKeyPath?: string
      /** Use the SSH agent from SSH_AUTH_SOCK. */
      useAgent?: boolean
    }
  | { kind: 'local' }

export type ConnectionState =
  'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'failed'

export interface ConnectionStatus {
  state: ConnectionState
  /** A short description of the target, e.g. "vagrant@127.0.0.1:2222" or "this machine". */
  label: string | null
  kind: TargetSpec['kind'] | null
  /** Last error, when state is failed or reconnecting. */
  error?: { code: string; message: string; detail?: string }
}

/** What an applied operation did. */
export interface ApplyResult {
  /** The command lines run, in order. */
  commands: string[]
  durationMs: number
}

/** What the user reviews: the `data` of an SSH_HOSTKEY_CHANGED error from `target:connect`. */
export interface HostKeyChange {
  /** The host-key id the pin is kept under (`ssh:<host>:<port>` or `vm:<name>`). */
  id: string
  host: string
  port: number
  /** The fingerprint pinned earlier. */
  pinnedFingerprint: string
  /** The fingerprint the server offered now (and was refused). */
  offeredFingerprint: string
}

/**
 * Replace a pinned host key after the user reviewed the change. `id` and `fingerprint` come from
 * the `data` of the SSH_HOSTKEY_CHANGED error that refused the last connect (`data.id`,
 * `data.offeredFingerprint`).
 */
export interface TrustHostKeyRequest {
  id: string
  fingerprint: string
}

export interface ResetResult {
  removedNamespaces: string[]
  removedLinks: string[]
  removedNatRules: number
  commands: string[]
}

export interface CoreInvoke {
  /** Connect to a target (replacing any current one). */
  'target:connect': (spec: TargetSpec) => ConnectionStatus
  'target:disconnect': () => void
  'target:status': () => ConnectionStatus
  /**
   * Pin the key a refused connect was offered (SSH_HOSTKEY_CHANGED), replacing the old pin. Only
   * that exact fingerprint is accepted for that id (else INVALID_ARGUMENT); connect again after.
   */
  'target:trust-host-key': (req: TrustHostKeyRequest) => void
  /** Read every namespace in one round trip. */
  'netns:snapshot': () => Snapshot
  /**
   * Validate and run one operation; throws PARTIAL_FAILURE/COMMAND_FAILED with details, and
   * CONFIRM_REQUIRED (the consequence in the message and `data.consequence`) when it would cut the
   * app's own connection and does not carry `confirm: 'cut-connection'`.
   */
  'netns:apply': (op: NetOp) => ApplyResult
  /**
   * What carries the app's connection to the target (on this machine: its real network), read
   * now; `branchCut(op, facts)` (shared/net/branch.ts) says whether an operation cuts it.
   */
  'netns:branch': () => BranchFacts
  /** The firewall tool NAT operations use on the target; previews build with the same one. */
  'netns:nat-backend': () => NatBackend
  /** Remove everything the app created on this target. */
  'netns:reset': () => ResetResult
  'log:list': () => LogEntry[]
  /** The log's successful changes as a shell script. */
  'log:export': () => string
  'log:clear': () => void
}

export interface CoreEvents {
  'target:status-changed': (status: ConnectionStatus) => void
  'log:appended': (entries: LogEntry[]) => void
  /** A fresh snapshot (after an operation, a periodic refresh, or a monitor event). */
  'netns:changed': (snapshot: Snapshot) => void
}

const none = (args: unknown[]): Check =>
  args.length === 0 ? { ok: true } : { ok: false, message: 'This call takes no arguments.' }

/** The fields each kind of target takes, and nothing else. */
const TARGET_FIELDS: Record<TargetSpec['kind'], readonly string[]> = {
  vm: ['kind'],
  local: ['kind'],
  ssh: ['kind', 'host', 'port', 'username', 'privateKeyPath', 'useAgent'],
}

/** Longest key path accepted (PATH_MAX on Linux). */
const MAX_KEY_PATH = 4096

function checkTargetSpec(v: unknown): Check {
  const o = checkPlainObject(v, 'Target')
  if (!o.ok) return o
  const s = v as Record<string, unknown>
  const kind = Object.hasOwn(s, 'kind') ? s.kind : undefined
  if (kind !== 'vm' && kind !== 'local' && kind !== 'ssh')
    return { ok: false, message: 'Target kind must be vm, ssh or local.' }
  const extra = Object.keys(s).find((k) => !TARGET_FIELDS[kind].includes(k))
  if (extra !== undefined)
    return {
      ok: false,
      message: `A target of kind ${kind} has no field "${extra.slice(0, 40)}".`,
    }
  if (kind !== 'ssh') return { ok: true }
  // A host name or address; never starting with "-" or ".".
  if (typeof s.host !== 'string' || !/^[A-Za-z0-9:][A-Za-z0-9.:_-]{0,252}$/.test(s.host))
    return { ok: false, message: 'Host must be a host name or IP address.' }
  const p = checkPort(s.port)
  if (!p.ok) return p
  if (typeof s.username !== 'string' || !/^[a-z_][a-z0-9_-]{0,31}$/.test(s.username))
    return { ok: false, message: 'User name must be a valid Linux user name.' }
  if (s.privateKeyPath !== undefined) {
    const k = s.privateKeyPath
    const control = typeof k === 'string' && [...k].some((c) => c < ' ' || c === '\x7f')
    if (typeof k !== 'string' || k.length > MAX_KEY_PATH || control)
      return {
        ok: false,
        message: `Key path must be a file path (at most ${MAX_KEY_PATH} characters, no control characters).`,
      }
  }
  if (s.useAgent !== undefined && typeof s.useAgent !== 'boolean')
    return { ok: false, message: 'useAgent must be true or false.' }
  return { ok: true }
}

/** A host-key id (`ssh:<host>:<port>`, `vm:<name>`) and an OpenSSH SHA256 fingerprint. */
function checkTrustHostKey(v: unknown): Check {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return { ok: false, message: 'Expected { id, fingerprint }.' }
  const keys = Object.keys(v)
  if (keys.length !== 2 || !keys.includes('id') || !keys.includes('fingerprint'))
    return { ok: false, message: 'Expected exactly { id, fingerprint }.' }
  const r = v as Record<string, unknown>
  if (typeof r.id !== 'string' || !/^(ssh|vm):[A-Za-z0-9._:[\]-]{1,300}$/.test(r.id))
    return { ok: false, message: 'Host-key id must look like ssh:<host>:<port> or vm:<name>.' }
  if (typeof r.fingerprint !== 'string' || !/^SHA256:[A-Za-z0-9+/]{43}$/.test(r.fingerprint))
    return { ok: false, message: 'Fingerprint must be an OpenSSH SHA256 fingerprint (SHA256:…).' }
  return { ok: true }
}

/** Runtime argument checks per channel (the allowlist for this domain). */
export const coreInvokeArgs: { [K in keyof CoreInvoke]: (args: unknown[]) => Check } = {
  'target:connect': (a) =>
    a.length === 1 ? checkTargetSpec(a[0]) : { ok: false, message: 'Expected one target.' },
  'target:disconnect': none,
  'target:status': none,
  'target:trust-host-key': (a) =>
    a.length === 1 ? checkTrustHostKey(a[0]) : { ok: false, message: 'Expected one request.' },
  'netns:snapshot': none,
  'netns:apply': (a) => {
    if (a.length !== 1) return { ok: false, message: 'Expected one operation.' }
    const p = validateOp(a[0])
    return p ? { ok: false, message: p.message } : { ok: true }
  },
  'netns:branch': none,
  'netns:nat-backend': none,
  'netns:reset': none,
  'log:list': none,
  'log:export': none,
  'log:clear': none,
}

export const coreEventNames: { [K in keyof CoreEvents]: true } = {
  'target:status-changed': true,
  'log:appended': true,
  'netns:changed': true,
}

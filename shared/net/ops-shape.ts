// The shape of an operation as it arrives (over IPC, from a lab file): a plain object with a known
// "op" and exactly the fields of that operation, each of the right type (values: ops-validate).

import { CUT_CONNECTION, type NetOpName } from './ops-types'
import type { Check } from './validate'
import { checkText } from './validate'

/** What one field of an operation holds; `?` marks it optional. Numbers are checked by opChecks. */
type Kind = 'text' | 'text?' | 'bool' | 'bool?' | 'number' | 'number?' | 'bridge' | 'confirm'

/** Every field each operation may have, and nothing else (no extra keys, no __proto__). */
const SHAPES: Record<NetOpName, Record<string, Kind>> = {
  'ns.add': { name: 'text' },
  'ns.delete': { name: 'text' },
  'veth.add': { name: 'text', peer: 'text', ns: 'text?', peerNs: 'text?', up: 'bool?' },
  'bridge.add': { ns: 'text', name: 'text', up: 'bool?' },
  'link.delete': { ns: 'text', ifname: 'text', confirm: 'confirm' },
  'link.set-state': { ns: 'text', ifname: 'text', up: 'bool', confirm: 'confirm' },
  'link.move': { ns: 'text', ifname: 'text', toNs: 'text', confirm: 'confirm' },
  'link.set-master': { ns: 'text', ifname: 'text', bridge: 'bridge', confirm: 'confirm' },
  'addr.add': { ns: 'text', ifname: 'text', cidr: 'text' },
  'addr.delete': { ns: 'text', ifname: 'text', cidr: 'text', confirm: 'confirm' },
  'route.add': {
    ns: 'text',
    dst: 'text',
    via: 'text?',
    dev: 'text?',
    table: 'text?',
    confirm: 'confirm',
  },
  'route.delete': {
    ns: 'text',
    dst: 'text',
    via: 'text?',
    dev: 'text?',
    table: 'text?',
    confirm: 'confirm',
  },
  'forwarding.set': { ns: 'text', enabled: 'bool' },
  'nat.masquerade': { ns: 'text', source: 'text', outIf: 'text?', remove: 'bool?' },
  'nat.port-forward': {
    ns: 'text',
    protocol: 'text',
    port: 'number',
    toAddr: 'text',
    toPort: 'number',
    remove: 'bool?',
  },
  'sysctl.set': { ns: 'text', key: 'text', value: 'text' },
  'netem.set': {
    ns: 'text',
    ifname: 'text',
    delayMs: 'number?',
    jitterMs: 'number?',
    lossPct: 'number?',
    rateKbit: 'number?',
    confirm: 'confirm',
  },
  'netem.clear': { ns: 'text', ifname: 'text' },
}

const short = (s: string): string => (s.length > 40 ? `${s.slice(0, 40)}…` : s)

/** The shape of one field: its type, and for text the NUL and length limits. */
function checkKind(key: string, kind: Kind, v: unknown): Check {
  if (v === undefined) return { ok: true } // absent: required fields are opChecks' to name
  if (kind === 'confirm')
    return v === CUT_CONNECTION
      ? { ok: true }
      : {
          ok: false,
          message: `confirm must be "${CUT_CONNECTION}" (it lets this operation cut the app's own connection).`,
        }
  if (kind === 'bool' || kind === 'bool?')
    return typeof v === 'boolean'
      ? { ok: true }
      : { ok: false, message: `${key} must be true or false.` }
  if (kind === 'text' || kind === 'text?' || (kind === 'bridge' && v !== null))
    return checkText(v, key)
  return { ok: true }
}

/**
 * The shape of an operation: a plain object (not a list, not a class instance), a known "op",
 * exactly the fields that operation has, each of the right type. Null when the shape is right.
 */
export function shapeProblem(op: unknown): { field: string; message: string } | null {
  if (Array.isArray(op))
    return { field: 'op', message: 'Expected one operation, not a list of them.' }
  if (typeof op !== 'object' || op === null)
    return { field: 'op', message: 'Operation must be an object with an "op" field.' }
  const proto = Object.getPrototypeOf(op) as unknown
  if (proto !== Object.prototype && proto !== null)
    return { field: 'op', message: 'Operation must be a plain object.' }
  const o = op as Record<string, unknown>
  const name = Object.hasOwn(o, 'op') ? o.op : undefined
  const t = checkText(name, 'op')
  if (!t.ok)
    return {
      field: 'op',
      message:
        typeof name === 'string' ? t.message : 'Operation must be an object with an "op" field.',
    }
  if (!Object.hasOwn(SHAPES, name as string))
    return { field: 'op', message: `Unknown operation "${short(name as string)}".` }
  const shape = SHAPES[name as NetOpName]
  for (const key of Reflect.ownKeys(o)) {
    const k = typeof key === 'symbol' ? String(key) : key
    if (k !== 'op' && (typeof key === 'symbol' || !Object.hasOwn(shape, key)))
      return {
        field: k,
        message: `Operation ${name as string} has an unknown field "${short(k)}".`,
      }
  }
  for (const [key, kind] of Object.entries(shape)) {
    const c = checkKind(key, kind, o[key])
    if (!c.ok) return { field: key, message: c.message }
  }
  return null
}

// Engine operations as data, their validation, and the exact commands each one runs.
// Pure: the UI previews these commands, the engine executes them, lab files will plan with them.

import { CUT_CONNECTION } from './branch'
import { HOST_NETNS_ALIAS, HOST_NS, nsToKernel } from './model'
import { checkNetem, netemClearArgv, netemSetArgv, type NetemSettings } from './netem'
import type { Check } from './validate'
import {
  checkCidr,
  checkIfName,
  checkIp,
  checkNamespaceName,
  checkNamespaceRef,
  checkPort,
  checkProtocol,
  checkRouteDst,
  checkSysctlKey,
  checkSysctlValue,
  checkTable,
  checkText,
  ipFamily,
} from './validate'

/** Which firewall tool builds NAT rules on the target. */
export type NatBackend = 'iptables' | 'nft'

/** The comment/table name that marks firewall rules as the app's own. */
export const APP_TAG = 'netns-studio'

/**
 * An operation that could cut the app's own connection (shared/net/branch.ts) runs only with
 * `confirm: 'cut-connection'`; the field is allowed on these operations and no others.
 */
type Confirmable = { confirm?: typeof CUT_CONNECTION }

/** Every change the engine can make, as a discriminated union. `ns` is HOST_NS for the root namespace. */
export type NetOp =
  | { op: 'ns.add'; name: string }
  | { op: 'ns.delete'; name: string }
  | { op: 'veth.add'; name: string; peer: string; ns?: string; peerNs?: string; up?: boolean }
  | { op: 'bridge.add'; ns: string; name: string; up?: boolean }
  | ({ op: 'link.delete'; ns: string; ifname: string } & Confirmable)
  | ({ op: 'link.set-state'; ns: string; ifname: string; up: boolean } & Confirmable)
  | ({ op: 'link.move'; ns: string; ifname: string; toNs: string } & Confirmable)
  | ({ op: 'link.set-master'; ns: string; ifname: string; bridge: string | null } & Confirmable)
  | { op: 'addr.add'; ns: string; ifname: string; cidr: string }
  | ({ op: 'addr.delete'; ns: string; ifname: string; cidr: string } & Confirmable)
  | ({
      op: 'route.add'
      ns: string
      dst: string
      via?: string
      dev?: string
      table?: string
    } & Confirmable)
  | ({
      op: 'route.delete'
      ns: string
      dst: string
      via?: string
      dev?: string
      table?: string
    } & Confirmable)
  | { op: 'forwarding.set'; ns: string; enabled: boolean }
  | { op: 'nat.masquerade'; ns: string; source: string; outIf?: string; remove?: boolean }
  | {
      op: 'nat.port-forward'
      ns: string
      protocol: 'tcp' | 'udp'
      port: number
      toAddr: string
      toPort: number
      remove?: boolean
    }
  | { op: 'sysctl.set'; ns: string; key: string; value: string }
  | ({ op: 'netem.set'; ns: string; ifname: string } & NetemSettings & Confirmable)
  | { op: 'netem.clear'; ns: string; ifname: string }

export type NetOpName = NetOp['op']

/** One command of an operation: the exact argv, and which namespace it targets (for batching). */
export interface CommandStep {
  argv: string[]
  /** Namespace the command acts in; HOST_NS for the root. */
  ns: string
  /** When set, the step is an `ip` subcommand that can be batched with `ip [-n ns] -batch -`. */
  ipArgs?: string[]
}

/** Human titles for each operation, for logs and menus. */
export const OP_TITLES: Record<NetOpName, string> = {
  'ns.add': 'Create namespace',
  'ns.delete': 'Delete namespace',
  'veth.add': 'Create veth pair',
  'bridge.add': 'Create bridge',
  'link.delete': 'Delete link',
  'link.set-state': 'Set link up/down',
  'link.move': 'Move link to namespace',
  'link.set-master': 'Attach to / detach from bridge',
  'addr.add': 'Add address',
  'addr.delete': 'Delete address',
  'route.add': 'Add route',
  'route.delete': 'Delete route',
  'forwarding.set': 'Set IP forwarding',
  'nat.masquerade': 'NAT masquerade',
  'nat.port-forward': 'Port forward',
  'sysctl.set': 'Set sysctl',
  'netem.set': 'Impair link (netem)',
  'netem.clear': 'Remove link impairment',
}

type Fields = Array<[string, Check]>

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

/** Most operations one apply may run (a lab of a few hundred namespaces fits many times over). */
export const MAX_OPS = 2000

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
function shapeProblem(op: unknown): { field: string; message: string } | null {
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

function optional(v: unknown, check: (x: unknown) => Check): Check {
  return v === undefined ? { ok: true } : check(v)
}

/** Field-level checks for an operation; the first failure names the field. */
export function opChecks(op: NetOp): Fields {
  switch (op.op) {
    case 'ns.add':
      return [['name', checkNamespaceName(op.name)]]
    case 'ns.delete':
      if (op.name === HOST_NS)
        return [['name', { ok: false, message: 'The root namespace cannot be deleted.' }]]
      return [['name', op.name === HOST_NETNS_ALIAS ? { ok: true } : checkNamespaceName(op.name)]]
    case 'veth.add': {
      const f: Fields = [
        ['name', checkIfName(op.name)],
        ['peer', checkIfName(op.peer)],
        ['ns', optional(op.ns, checkNamespaceRef)],
        ['peerNs', optional(op.peerNs, checkNamespaceRef)],
      ]
      if (op.name === op.peer && (op.ns ?? HOST_NS) === (op.peerNs ?? HOST_NS))
        f.push([
          'peer',
          { ok: false, message: 'The two ends need different names in the same namespace.' },
        ])
      return f
    }
    case 'bridge.add':
      return [
        ['ns', checkNamespaceRef(op.ns)],
        ['name', checkIfName(op.name)],
      ]
    case 'link.delete':
    case 'link.set-state':
      return [
        ['ns', checkNamespaceRef(op.ns)],
        ['ifname', checkIfName(op.ifname)],
      ]
    case 'link.move':
      return [
        ['ns', checkNamespaceRef(op.ns)],
        ['ifname', checkIfName(op.ifname)],
        ['toNs', checkNamespaceRef(op.toNs)],
      ]
    case 'link.set-master':
      return [
        ['ns', checkNamespaceRef(op.ns)],
        ['ifname', checkIfName(op.ifname)],
        ['bridge', op.bridge === null ? { ok: true } : checkIfName(op.bridge)],
      ]
    case 'addr.add':
    case 'addr.delete':
      return [
        ['ns', checkNamespaceRef(op.ns)],
        ['ifname', checkIfName(op.ifname)],
        ['cidr', checkCidr(op.cidr)],
      ]
    case 'route.add':
    case 'route.delete': {
      const f: Fields = [
        ['ns', checkNamespaceRef(op.ns)],
        ['dst', checkRouteDst(op.dst)],
        ['via', optional(op.via, (v) => checkIp(v, 'Gateway'))],
        ['dev', optional(op.dev, checkIfName)],
        ['table', optional(op.table, checkTable)],
      ]
      if (op.via === undefined && op.dev === undefined)
        f.push(['via', { ok: false, message: 'Give a gateway ("via"), a device, or both.' }])
      if (op.via !== undefined && op.dst !== 'default') {
        const a = ipFamily(op.via)
        const b = ipFamily(op.dst)
        if (a && b && a !== b)
          f.push([
            'via',
            { ok: false, message: 'Gateway and destination are of different IP families.' },
          ])
      }
      return f
    }
    case 'forwarding.set':
      return [
        ['ns', checkNamespaceRef(op.ns)],
        [
          'enabled',
          typeof op.enabled === 'boolean'
            ? { ok: true }
            : { ok: false, message: 'enabled must be true or false.' },
        ],
      ]
    case 'nat.masquerade':
      return [
        ['ns', checkNamespaceRef(op.ns)],
        ['source', checkCidr(op.source, 'Source network')],
        ['outIf', optional(op.outIf, checkIfName)],
      ]
    case 'nat.port-forward': {
      const f: Fields = [
        ['ns', checkNamespaceRef(op.ns)],
        ['protocol', checkProtocol(op.protocol)],
        ['port', checkPort(op.port)],
        ['toAddr', checkIp(op.toAddr, 'Destination address')],
        ['toPort', checkPort(op.toPort)],
      ]
      if (typeof op.toAddr === 'string' && ipFamily(op.toAddr) === 'inet6')
        f.push([
          'toAddr',
          { ok: false, message: 'Port forwarding supports IPv4 destinations only.' },
        ])
      return f
    }
    case 'sysctl.set':
      return [
        ['ns', checkNamespaceRef(op.ns)],
        ['key', checkSysctlKey(op.key)],
        ['value', checkSysctlValue(op.key, op.value)],
      ]
    case 'netem.set':
      return [
        ['ns', checkNamespaceRef(op.ns)],
        ['ifname', checkIfName(op.ifname)],
        ['netem', checkNetem(op)],
      ]
    case 'netem.clear':
      return [
        ['ns', checkNamespaceRef(op.ns)],
        ['ifname', checkIfName(op.ifname)],
      ]
    default: {
      const unknownOp = (op as { op?: unknown }).op
      return [['op', { ok: false, message: `Unknown operation "${String(unknownOp)}".` }]]
    }
  }
}

/** Validate one operation, shape first, then every field: null when valid, else the first problem. */
export function validateOp(op: unknown): { field: string; message: string } | null {
  const shape = shapeProblem(op)
  if (shape) return shape
  for (const [field, c] of opChecks(op as NetOp)) if (!c.ok) return { field, message: c.message }
  return null
}

/** Validate a list of operations (at most MAX_OPS): null when all are valid, else the first problem. */
export function validateOps(
  ops: unknown,
): { index: number; field: string; message: string } | null {
  if (!Array.isArray(ops)) return { index: -1, field: 'ops', message: 'Operations must be a list.' }
  if (ops.length > MAX_OPS)
    return {
      index: -1,
      field: 'ops',
      message: `At most ${MAX_OPS} operations can run at once; this list has ${ops.length}.`,
    }
  for (let i = 0; i < ops.length; i++) {
    const p = validateOp(ops[i])
    if (p) return { index: i, ...p, message: `Operation ${i + 1} of ${ops.length}: ${p.message}` }
  }
  return null
}

/** The namespaces an operation refers to (not HOST_NS), by field; ns.add's new name is not a reference. */
export function opNamespaceRefs(op: NetOp): Array<[field: string, ns: string]> {
  const refs: Array<[string, string | undefined]> =
    op.op === 'ns.add'
      ? []
      : op.op === 'ns.delete'
        ? [['name', op.name]]
        : op.op === 'veth.add'
          ? [
              ['ns', op.ns],
              ['peerNs', op.peerNs],
            ]
          : op.op === 'link.move'
            ? [
                ['ns', op.ns],
                ['toNs', op.toNs],
              ]
            : [['ns', op.ns]]
  return refs.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== HOST_NS)
}

/**
 * Check that every namespace the operations refer to exists, given the target's namespaces
 * (model names) and what earlier operations of the list create or delete. `ip` would read an
 * unknown numeric name as a process id, so a missing namespace must never reach it.
 */
export function namespaceRefProblem(
  ops: NetOp[],
  existing: Iterable<string>,
): { index: number; field: string; message: string } | null {
  const have = new Set(existing)
  for (const [index, op] of ops.entries()) {
    for (const [field, ns] of opNamespaceRefs(op)) {
      if (have.has(ns)) continue
      const pid = /^\d+$/.test(ns) ? ' (ip would take the number for a process id)' : ''
      return {
        index,
        field,
        message: `There is no namespace "${ns}" on the target${pid}; ${field} must name an existing namespace.`,
      }
    }
    if (op.op === 'ns.add') have.add(op.name)
    if (op.op === 'ns.delete') have.delete(op.name)
  }
  return null
}

/** `-n NS` for an ip command in a namespace (none for the root). */
const nsArgs = (ns: string): string[] => (ns === HOST_NS ? [] : ['-n', nsToKernel(ns)])

function ipStep(ns: string, args: string[]): CommandStep {
  return { argv: ['ip', ...nsArgs(ns), ...args], ns, ipArgs: args }
}

/** Run a non-ip command inside a namespace (or on the host). */
function nsExec(ns: string, argv: string[]): CommandStep {
  return { argv: ns === HOST_NS ? argv : ['ip', 'netns', 'exec', nsToKernel(ns), ...argv], ns }
}

function routeArgs(op: Extract<NetOp, { op: 'route.add' | 'route.delete' }>): string[] {
  const verb = op.op === 'route.add' ? 'add' : 'del'
  const fam = op.dst === 'default' && op.via && ipFamily(op.via) === 'inet6' ? ['-6'] : []
  return [
    ...fam,
    'route',
    verb,
    op.dst,
    ...(op.via ? ['via', op.via] : []),
    ...(op.dev ? ['dev', op.dev] : []),
    ...(op.table ? ['table', op.table] : []),
  ]
}

function iptablesNat(ns: string, chain: string, remove: boolean, rule: string[]): CommandStep {
  return nsExec(ns, [
    'iptables',
    '-t',
    'nat',
    remove ? '-D' : '-A',
    chain,
    ...rule,
    '-m',
    'comment',
    '--comment',
    APP_TAG,
  ])
}

/** The app's nft table (family ip), beside whatever else the target has. */
export const NFT_TABLE = 'netns_studio'

function nftEnsure(ns: string): CommandStep[] {
  return [
    nsExec(ns, ['nft', 'add', 'table', 'ip', NFT_TABLE]),
    nsExec(ns, [
      'nft',
      'add',
      'chain',
      'ip',
      NFT_TABLE,
      'postrouting',
      '{ type nat hook postrouting priority 100 ; }',
    ]),
    nsExec(ns, [
      'nft',
      'add',
      'chain',
      'ip',
      NFT_TABLE,
      'prerouting',
      '{ type nat hook prerouting priority -100 ; }',
    ]),
    nsExec(ns, [
      'nft',
      'add',
      'chain',
      'ip',
      NFT_TABLE,
      'output',
      '{ type nat hook output priority -100 ; }',
    ]),
  ]
}

/**
 * The comment that names one nft rule: the app's tag and the rule itself, so removal finds exactly
 * that rule (nft deletes rules only by handle, and handles differ on every target and every run).
 */
export function nftComment(rule: string[]): string {
  return `${APP_TAG} ${rule.join(' ')}`
}

/** Add `rule` to `chain`, with its comment. */
function nftAdd(ns: string, chain: string, rule: string[]): CommandStep {
  return nsExec(ns, [
    'nft',
    'add',
    'rule',
    'ip',
    NFT_TABLE,
    chain,
    ...rule,
    'comment',
    `"${nftComment(rule)}"`,
  ])
}

/**
 * Delete the first rule of `chain` whose comment is $2 (found with `nft -a list chain`, deleted by
 * its handle); fails, saying so, when there is none. The chain and comment are arguments, never code.
 */
export const NFT_DELETE_BY_COMMENT = [
  `h=$(nft -a list chain ip ${NFT_TABLE} "$1" 2>/dev/null | awk -v c="$2" 'BEGIN { m = "comment \\"" c "\\" # handle " } { i = index($0, m) } i > 0 { print substr($0, i + length(m)); exit }')`,
  `[ -n "$h" ] || { echo "no rule with comment \\"$2\\" in chain $1 of table ip ${NFT_TABLE}" >&2; exit 1; }`,
  `nft delete rule ip ${NFT_TABLE} "$1" handle "$h"`,
].join('; ')

/** Remove the one rule `rule` from `chain` (not the table, not other rules). */
function nftRemove(ns: string, chain: string, rule: string[]): CommandStep {
  return nsExec(ns, ['sh', '-c', NFT_DELETE_BY_COMMENT, 'sh', chain, nftComment(rule)])
}

/** The exact commands an operation runs, in order. The operation must be valid. */
export function opCommands(op: NetOp, nat: NatBackend = 'iptables'): CommandStep[] {
  switch (op.op) {
    case 'ns.add':
      return [
        { argv: ['ip', 'netns', 'add', op.name], ns: HOST_NS, ipArgs: ['netns', 'add', op.name] },
      ]
    case 'ns.delete':
      return [
        {
          argv: ['ip', 'netns', 'delete', nsToKernel(op.name)],
          ns: HOST_NS,
          ipArgs: ['netns', 'delete', nsToKernel(op.name)],
        },
      ]
    case 'veth.add': {
      const a = op.ns && op.ns !== HOST_NS ? ['netns', nsToKernel(op.ns)] : []
      const b = op.peerNs && op.peerNs !== HOST_NS ? ['netns', nsToKernel(op.peerNs)] : []
      const steps = [
        ipStep(HOST_NS, [
          'link',
          'add',
          op.name,
          ...a,
          'type',
          'veth',
          'peer',
          'name',
          op.peer,
          ...b,
        ]),
      ]
      if (op.up) {
        steps.push(ipStep(op.ns ?? HOST_NS, ['link', 'set', 'dev', op.name, 'up']))
        steps.push(ipStep(op.peerNs ?? HOST_NS, ['link', 'set', 'dev', op.peer, 'up']))
      }
      return steps
    }
    case 'bridge.add': {
      const steps = [ipStep(op.ns, ['link', 'add', 'name', op.name, 'type', 'bridge'])]
      if (op.up !== false) steps.push(ipStep(op.ns, ['link', 'set', 'dev', op.name, 'up']))
      return steps
    }
    case 'link.delete':
      return [ipStep(op.ns, ['link', 'delete', 'dev', op.ifname])]
    case 'link.set-state':
      return [ipStep(op.ns, ['link', 'set', 'dev', op.ifname, op.up ? 'up' : 'down'])]
    case 'link.move':
      return [
        ipStep(op.ns, [
          'link',
          'set',
          'dev',
          op.ifname,
          'netns',
          op.toNs === HOST_NS ? '1' : nsToKernel(op.toNs),
        ]),
      ]
    case 'link.set-master':
      return [
        ipStep(op.ns, [
          'link',
          'set',
          'dev',
          op.ifname,
          ...(op.bridge ? ['master', op.bridge] : ['nomaster']),
        ]),
      ]
    case 'addr.add':
      return [ipStep(op.ns, ['addr', 'add', op.cidr, 'dev', op.ifname])]
    case 'addr.delete':
      return [ipStep(op.ns, ['addr', 'del', op.cidr, 'dev', op.ifname])]
    case 'route.add':
    case 'route.delete':
      return [ipStep(op.ns, routeArgs(op))]
    case 'forwarding.set':
      return [nsExec(op.ns, ['sysctl', '-w', `net.ipv4.ip_forward=${op.enabled ? 1 : 0}`])]
    case 'nat.masquerade': {
      const out = op.outIf ? ['-o', op.outIf] : []
      if (nat === 'nft') {
        const rule = [
          'ip',
          'saddr',
          op.source,
          ...(op.outIf ? ['oifname', op.outIf] : []),
          'masquerade',
        ]
        return op.remove
          ? [nftRemove(op.ns, 'postrouting', rule)]
          : [...nftEnsure(op.ns), nftAdd(op.ns, 'postrouting', rule)]
      }
      return [
        iptablesNat(op.ns, 'POSTROUTING', !!op.remove, [
          '-s',
          op.source,
          ...out,
          '-j',
          'MASQUERADE',
        ]),
      ]
    }
    case 'nat.port-forward': {
      const to = `${op.toAddr}:${op.toPort}`
      if (nat === 'nft') {
        const rule = [
          'fib',
          'daddr',
          'type',
          'local',
          op.protocol,
          'dport',
          String(op.port),
          'dnat',
          'to',
          to,
        ]
        return op.remove
          ? [nftRemove(op.ns, 'prerouting', rule), nftRemove(op.ns, 'output', rule)]
          : [...nftEnsure(op.ns), nftAdd(op.ns, 'prerouting', rule), nftAdd(op.ns, 'output', rule)]
      }
      const rule = [
        '-p',
        op.protocol,
        '-m',
        'addrtype',
        '--dst-type',
        'LOCAL',
        '--dport',
        String(op.port),
        '-j',
        'DNAT',
        '--to-destination',
        to,
      ]
      return [
        iptablesNat(op.ns, 'PREROUTING', !!op.remove, rule),
        iptablesNat(op.ns, 'OUTPUT', !!op.remove, rule),
      ]
    }
    case 'sysctl.set':
      return [nsExec(op.ns, ['sysctl', '-w', `${op.key}=${op.value}`])]
    case 'netem.set': {
      const { ns, ifname, delayMs, jitterMs, lossPct, rateKbit } = op
      const req = { ns, ifname, delayMs, jitterMs, lossPct, rateKbit }
      for (const k of ['delayMs', 'jitterMs', 'lossPct', 'rateKbit'] as const)
        if (req[k] === undefined) delete req[k]
      return [{ argv: netemSetArgv(req), ns }]
    }
    case 'netem.clear':
      return [{ argv: netemClearArgv(op.ns, op.ifname), ns: op.ns }]
  }
}

/** What an operation creates, for reset: namespaces and links the app owns. */
export function opCreates(
  op: NetOp,
): Array<{ kind: 'ns'; name: string } | { kind: 'link'; ns: string; ifname: string }> {
  switch (op.op) {
    case 'ns.add':
      return [{ kind: 'ns', name: op.name }]
    case 'veth.add':
      return [
        { kind: 'link', ns: op.ns ?? HOST_NS, ifname: op.name },
        { kind: 'link', ns: op.peerNs ?? HOST_NS, ifname: op.peer },
      ]
    case 'bridge.add':
      return [{ kind: 'link', ns: op.ns, ifname: op.name }]
    default:
      return []
  }
}

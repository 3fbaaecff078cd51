// Engine operations as data, their validation, and the exact commands each one runs.
// Pure: the UI previews these commands, the engine executes them, lab files will plan with them.

import { HOST_NS } from './model'
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
  checkTable,
  ipFamily,
} from './validate'

/** Which firewall tool builds NAT rules on the target. */
export type NatBackend = 'iptables' | 'nft'

/** The comment/table name that marks firewall rules as the app's own. */
export const APP_TAG = 'netns-studio'

/** Every change the engine can make, as a discriminated union. `ns` is HOST_NS for the root namespace. */
export type NetOp =
  | { op: 'ns.add'; name: string }
  | { op: 'ns.delete'; name: string }
  | { op: 'veth.add'; name: string; peer: string; ns?: string; peerNs?: string; up?: boolean }
  | { op: 'bridge.add'; ns: string; name: string; up?: boolean }
  | { op: 'link.delete'; ns: string; ifname: string }
  | { op: 'link.set-state'; ns: string; ifname: string; up: boolean }
  | { op: 'link.move'; ns: string; ifname: string; toNs: string }
  | { op: 'link.set-master'; ns: string; ifname: string; bridge: string | null }
  | { op: 'addr.add'; ns: string; ifname: string; cidr: string }
  | { op: 'addr.delete'; ns: string; ifname: string; cidr: string }
  | { op: 'route.add'; ns: string; dst: string; via?: string; dev?: string; table?: string }
  | { op: 'route.delete'; ns: string; dst: string; via?: string; dev?: string; table?: string }
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
}

type Fields = Array<[string, Check]>

function optional(v: unknown, check: (x: unknown) => Check): Check {
  return v === undefined ? { ok: true } : check(v)
}

/** Field-level checks for an operation; the first failure names the field. */
export function opChecks(op: NetOp): Fields {
  switch (op.op) {
    case 'ns.add':
    case 'ns.delete':
      return [['name', checkNamespaceName(op.name)]]
    case 'veth.add': {
      const f: Fields = [
        ['name', checkIfName(op.name)],
        ['peer', checkIfName(op.peer)],
        ['ns', optional(op.ns, checkNamespaceRef)],
        ['peerNs', optional(op.peerNs, checkNamespaceRef)],
      ]
      if (op.name === op.peer && (op.ns ?? HOST_NS) === (op.peerNs ?? HOST_NS))
        f.push(['peer', { ok: false, message: 'The two ends need different names in the same namespace.' }])
      return f
    }
    case 'bridge.add':
      return [['ns', checkNamespaceRef(op.ns)], ['name', checkIfName(op.name)]]
    case 'link.delete':
    case 'link.set-state':
      return [['ns', checkNamespaceRef(op.ns)], ['ifname', checkIfName(op.ifname)]]
    case 'link.move':
      return [['ns', checkNamespaceRef(op.ns)], ['ifname', checkIfName(op.ifname)], ['toNs', checkNamespaceRef(op.toNs)]]
    case 'link.set-master':
      return [
        ['ns', checkNamespaceRef(op.ns)],
        ['ifname', checkIfName(op.ifname)],
        ['bridge', op.bridge === null ? { ok: true } : checkIfName(op.bridge)],
      ]
    case 'addr.add':
    case 'addr.delete':
      return [['ns', checkNamespaceRef(op.ns)], ['ifname', checkIfName(op.ifname)], ['cidr', checkCidr(op.cidr)]]
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
        if (a && b && a !== b) f.push(['via', { ok: false, message: 'Gateway and destination are of different IP families.' }])
      }
      return f
    }
    case 'forwarding.set':
      return [
        ['ns', checkNamespaceRef(op.ns)],
        ['enabled', typeof op.enabled === 'boolean' ? { ok: true } : { ok: false, message: 'enabled must be true or false.' }],
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
        f.push(['toAddr', { ok: false, message: 'Port forwarding supports IPv4 destinations only.' }])
      return f
    }
    default: {
      const unknownOp = (op as { op?: unknown }).op
      return [['op', { ok: false, message: `Unknown operation "${String(unknownOp)}".` }]]
    }
  }
}

/** Validate an operation: null when valid, else the first problem. */
export function validateOp(op: unknown): { field: string; message: string } | null {
  if (typeof op !== 'object' || op === null || typeof (op as { op?: unknown }).op !== 'string')
    return { field: 'op', message: 'Operation must be an object with an "op" field.' }
  for (const [field, c] of opChecks(op as NetOp)) if (!c.ok) return { field, message: c.message }
  return null
}

const nsArgs = (ns: string): string[] => (ns === HOST_NS ? [] : ['-n', ns])

function ipStep(ns: string, args: string[]): CommandStep {
  return { argv: ['ip', ...nsArgs(ns), ...args], ns, ipArgs: args }
}

/** Run a non-ip command inside a namespace (or on the host). */
function nsExec(ns: string, argv: string[]): CommandStep {
  return { argv: ns === HOST_NS ? argv : ['ip', 'netns', 'exec', ns, ...argv], ns }
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
  return nsExec(ns, ['iptables', '-t', 'nat', remove ? '-D' : '-A', chain, ...rule, '-m', 'comment', '--comment', APP_TAG])
}

function nftEnsure(ns: string): CommandStep[] {
  return [
    nsExec(ns, ['nft', 'add', 'table', 'ip', 'netns_studio']),
    nsExec(ns, ['nft', 'add', 'chain', 'ip', 'netns_studio', 'postrouting', '{ type nat hook postrouting priority 100 ; }']),
    nsExec(ns, ['nft', 'add', 'chain', 'ip', 'netns_studio', 'prerouting', '{ type nat hook prerouting priority -100 ; }']),
    nsExec(ns, ['nft', 'add', 'chain', 'ip', 'netns_studio', 'output', '{ type nat hook output priority -100 ; }']),
  ]
}

/** The exact commands an operation runs, in order. The operation must be valid. */
export function opCommands(op: NetOp, nat: NatBackend = 'iptables'): CommandStep[] {
  switch (op.op) {
    case 'ns.add':
      return [{ argv: ['ip', 'netns', 'add', op.name], ns: HOST_NS, ipArgs: ['netns', 'add', op.name] }]
    case 'ns.delete':
      return [{ argv: ['ip', 'netns', 'delete', op.name], ns: HOST_NS, ipArgs: ['netns', 'delete', op.name] }]
    case 'veth.add': {
      const a = op.ns && op.ns !== HOST_NS ? ['netns', op.ns] : []
      const b = op.peerNs && op.peerNs !== HOST_NS ? ['netns', op.peerNs] : []
      const steps = [ipStep(HOST_NS, ['link', 'add', op.name, ...a, 'type', 'veth', 'peer', 'name', op.peer, ...b])]
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
      return [ipStep(op.ns, ['link', 'set', 'dev', op.ifname, 'netns', op.toNs === HOST_NS ? '1' : op.toNs])]
    case 'link.set-master':
      return [ipStep(op.ns, ['link', 'set', 'dev', op.ifname, ...(op.bridge ? ['master', op.bridge] : ['nomaster'])])]
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
        const rule = ['ip', 'saddr', op.source, ...(op.outIf ? ['oifname', op.outIf] : []), 'masquerade']
        return op.remove
          ? [nsExec(op.ns, ['nft', 'delete', 'table', 'ip', 'netns_studio'])]
          : [...nftEnsure(op.ns), nsExec(op.ns, ['nft', 'add', 'rule', 'ip', 'netns_studio', 'postrouting', ...rule])]
      }
      return [iptablesNat(op.ns, 'POSTROUTING', !!op.remove, ['-s', op.source, ...out, '-j', 'MASQUERADE'])]
    }
    case 'nat.port-forward': {
      const to = `${op.toAddr}:${op.toPort}`
      if (nat === 'nft') {
        const rule = ['fib', 'daddr', 'type', 'local', op.protocol, 'dport', String(op.port), 'dnat', 'to', to]
        return op.remove
          ? [nsExec(op.ns, ['nft', 'delete', 'table', 'ip', 'netns_studio'])]
          : [
              ...nftEnsure(op.ns),
              nsExec(op.ns, ['nft', 'add', 'rule', 'ip', 'netns_studio', 'prerouting', ...rule]),
              nsExec(op.ns, ['nft', 'add', 'rule', 'ip', 'netns_studio', 'output', ...rule]),
            ]
      }
      const rule = ['-p', op.protocol, '-m', 'addrtype', '--dst-type', 'LOCAL', '--dport', String(op.port), '-j', 'DNAT', '--to-destination', to]
      return [
        iptablesNat(op.ns, 'PREROUTING', !!op.remove, rule),
        iptablesNat(op.ns, 'OUTPUT', !!op.remove, rule),
      ]
    }
  }
}

/** What an operation creates, for reset: namespaces and links the app owns. */
export function opCreates(op: NetOp): Array<{ kind: 'ns'; name: string } | { kind: 'link'; ns: string; ifname: string }> {
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

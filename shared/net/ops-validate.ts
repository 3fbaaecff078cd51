// Validation of operations: each field's value, a whole list (at most MAX_OPS), and that every
// namespace an operation refers to exists on the target.

import { HOST_NETNS_ALIAS, HOST_NS } from './model'
import { checkNetem } from './netem'
import type { NetOp } from './ops-types'
import { shapeProblem } from './ops-shape'
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
  ipFamily,
} from './validate'

type Fields = Array<[string, Check]>

/** Most operations one apply may run (a lab of a few hundred namespaces fits many times over). */
export const MAX_OPS = 2000

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

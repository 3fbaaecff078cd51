// What the in-target helper (program.ts) is told to do for one command step: the same change the
// step's `ip`/`sysctl` command makes, as one instruction line, or the step's own argv to run as is.
// Built from the validated operation, never from the command text.

import { HOST_NS, nsToKernel } from '../../../shared/net/model'
import type { CommandStep, NetOp } from '../../../shared/net/ops'
import { ipFamily, parseIPv4, parseIPv6 } from '../../../shared/net/validate'

/** Kernel table numbers of the table names routes may use. */
const TABLES: Record<string, number> = { main: 254, local: 255, default: 253 }

/** What a token may hold: validated names, addresses, numbers and sysctl keys, nothing else. */
const TOKEN = /^[A-Za-z0-9_.:/-]+$/

/** The argv as hex tokens for the helper's `exec`: any byte survives, none is read as syntax. */
function execLine(argv: readonly string[]): string {
  return ['exec', ...argv.map((a) => Buffer.from(a, 'utf8').toString('hex'))].join(' ')
}

/** A validated address as the helper takes it: its bytes in hex, network order (- if it is not one). */
export function addrHex(addr: string): string {
  const v4 = parseIPv4(addr)
  if (v4 !== null) return v4.toString(16).padStart(8, '0')
  const v6 = parseIPv6(addr)
  return v6 ? v6.map((g) => g.toString(16).padStart(4, '0')).join('') : '-'
}

/** "10.0.0.0/24" → family, address bytes, prefix length ("default" → none). */
function prefix(dst: string, family: 4 | 6): [4 | 6, string, number] {
  if (dst === 'default') return [family, '-', 0]
  const [addr = '', len = ''] = dst.split('/')
  return [ipFamily(addr) === 'inet6' ? 6 : 4, addrHex(addr), Number(len)]
}

/** The native instruction for a one-step operation, or null (the step's argv runs instead). */
function native(op: NetOp): string[] | null {
  switch (op.op) {
    case 'link.set-state':
      return [op.up ? 'up' : 'down', op.ifname]
    case 'link.set-master':
      return op.bridge ? ['master', op.ifname, op.bridge] : ['nomaster', op.ifname]
    case 'link.delete':
      return ['linkdel', op.ifname]
    case 'addr.add':
    case 'addr.delete': {
      const [addr = '', len = ''] = op.cidr.split('/')
      const fam = ipFamily(addr) === 'inet6' ? '6' : '4'
      return [op.op === 'addr.add' ? 'addradd' : 'addrdel', op.ifname, fam, addrHex(addr), len]
    }
    case 'route.add':
    case 'route.delete': {
      const viaFam = op.via && ipFamily(op.via) === 'inet6' ? 6 : 4
      const [fam, addr, len] = prefix(op.dst, viaFam)
      const table = op.table ? (TABLES[op.table] ?? Number(op.table)) : TABLES.main!
      return [
        op.op === 'route.add' ? 'routeadd' : 'routedel',
        String(fam),
        addr,
        String(len),
        op.via ? addrHex(op.via) : '-',
        op.dev ?? '-',
        String(table),
      ]
    }
    case 'forwarding.set':
      return ['sysctl', 'net.ipv4.ip_forward', op.enabled ? '1' : '0']
    case 'sysctl.set':
      return ['sysctl', op.key, op.value]
    default:
      return null
  }
}

/**
 * The helper's instruction for `step` of `op` (without the "S index" prefix). Operations of one
 * step that the helper does over netlink get their native form; every other step runs its argv.
 */
export function helperLine(op: NetOp, step: CommandStep): string {
  const n = native(op)
  if (n && n.every((t) => TOKEN.test(t))) return n.join(' ')
  return execLine(step.argv)
}

/** The "N" line that enters `ns` (a lane's namespace; never the root). */
export function enterLine(ns: string): string {
  if (ns === HOST_NS) throw new Error('the helper runs steps inside namespaces, not in the root')
  const name = nsToKernel(ns)
  if (!TOKEN.test(name)) throw new Error(`not a namespace name: ${JSON.stringify(name)}`)
  return `N ${name}`
}

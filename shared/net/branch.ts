// "Don't cut the branch you sit on": whether an operation cuts the app's own connection to the
// target (or, on this machine, its real network), and the sentence that says what is lost.
// Pure: main reads the facts (branch-parse.ts), refuses cutting operations without a confirmation.

import { covers, family, prefix, prefixLen, sameIp } from './branch-ip'
import type { BranchFacts, BranchRoute } from './branch-parse'
import { HOST_NS } from './model'
import type { NetemSettings } from './netem'
import { describeNetem } from './netem'
import { CUT_CONNECTION, type NetOp, type NetOpName } from './ops-types'

export { CUT_CONNECTION } from './ops-types'
export { sameIp } from './branch-ip'
export {
  type BranchFacts,
  type BranchRoute,
  parseBranchFacts,
  parseSshConnection,
  splitSections,
} from './branch-parse'

/**
 * Operations that can cut the connection; only these may carry `confirm: 'cut-connection'`.
 * "netem.set" (an impairment as an engine operation) counts wherever the engine has it.
 */
export const CUTTING_OPS: readonly string[] = [
  'link.set-state',
  'link.delete',
  'link.move',
  'link.set-master',
  'addr.delete',
  'route.delete',
  'route.add',
  'netem.set',
] satisfies ReadonlyArray<NetOpName | 'netem.set'>

/** An operation that would cut the connection: the field that makes it so, and the consequence. */
export interface BranchCut {
  field: string
  /** One sentence naming what is lost, e.g. "Setting eth0 down cuts the app's SSH connection…". */
  consequence: string
}

/** Could `op` cut the connection at all (whatever the facts)? Only these need the facts read. */
export function mayCut(op: NetOp): boolean {
  if (!CUTTING_OPS.includes(op.op) || !('ns' in op) || op.ns !== HOST_NS) return false
  if (op.op === 'link.set-state') return !op.up
  if (op.op === 'link.set-master') return op.bridge !== null
  return true
}

/**
 * `op` with the user's "cut the connection anyway" confirmation when it is of a kind that could
 * cut it, else `op` itself (a new object: the caller's stays as it was).
 */
export function confirmCut(op: NetOp): NetOp {
  return mayCut(op) ? ({ ...op, confirm: CUT_CONNECTION } as NetOp) : op
}

/** What is lost, per target: the subject of the sentence and what follows. */
function stakes(f: BranchFacts, undo: string): { what: string; after: string } {
  if (f.target === 'vm')
    return {
      what: "the app's SSH connection to the VM",
      after: 'the app will lose the VM until it is rebooted (which also deletes every namespace)',
    }
  if (f.target === 'ssh')
    return {
      what: `the app's SSH connection to ${f.label}`,
      after: `the app will lose ${f.label} until someone at its console can ${undo}, or it is rebooted`,
    }
  return {
    what: "this machine's own network",
    after: `every program here, not only the app, loses the network through it until you ${undo}`,
  }
}

/** Why the interface matters, in a few words, for the sentence. */
function carries(f: BranchFacts, ifname: string): string {
  if (f.source === 'default-routes') {
    const guess = f.target === 'local' ? '' : ', which the connection most likely uses'
    return `${ifname} carries the default route${guess}`
  }
  const addr = f.addresses.find((a) => a.ifname === ifname)
  return addr ? `it arrives on ${ifname} at ${addr.address}` : `it runs over ${ifname}`
}

function sentence(
  f: BranchFacts,
  action: string,
  ifname: string,
  undo: string,
  verb = 'cuts',
): string {
  const { what, after } = stakes(f, undo)
  return `${action} ${verb} ${what} (${carries(f, ifname)}): ${after}.`
}

/**
 * Whether `op` cuts the connection the facts describe; null when it does not. Only operations in
 * the root namespace can: the app's connection (and this machine's network) lives there.
 */
export function branchCut(op: NetOp, f: BranchFacts): BranchCut | null {
  if (!mayCut(op)) return null
  const isLink = (ifname: string): boolean => f.links.includes(ifname)
  switch (op.op) {
    case 'link.set-state':
      return isLink(op.ifname)
        ? {
            field: 'up',
            consequence: sentence(
              f,
              `Setting ${op.ifname} down`,
              op.ifname,
              `set ${op.ifname} up again`,
            ),
          }
        : null
    case 'link.delete':
      return isLink(op.ifname)
        ? {
            field: 'ifname',
            consequence: sentence(f, `Deleting ${op.ifname}`, op.ifname, `recreate ${op.ifname}`),
          }
        : null
    case 'link.move':
      return isLink(op.ifname)
        ? {
            field: 'toNs',
            consequence: sentence(
              f,
              `Moving ${op.ifname} to ${op.toNs}`,
              op.ifname,
              `move ${op.ifname} back`,
            ),
          }
        : null
    case 'link.set-master':
      return isLink(op.ifname)
        ? {
            field: 'bridge',
            consequence: sentence(
              f,
              `Attaching ${op.ifname} to the bridge ${op.bridge ?? ''}`,
              op.ifname,
              `detach ${op.ifname} from the bridge`,
            ),
          }
        : null
    case 'addr.delete': {
      const addr = op.cidr.split('/')[0] ?? ''
      const hit = f.addresses.find((a) => a.ifname === op.ifname && sameIp(a.address, addr))
      return hit
        ? {
            field: 'cidr',
            consequence: sentence(
              f,
              `Deleting ${addr} from ${op.ifname}`,
              op.ifname,
              `add ${addr} back`,
            ),
          }
        : null
    }
    case 'route.delete': {
      const hit = f.routes.find((r) => routeIs(op, r))
      return hit
        ? {
            field: 'dst',
            consequence: sentence(
              f,
              `Deleting the route ${routeText(op)}`,
              hit.dev,
              'add the route back',
            ),
          }
        : null
    }
    case 'route.add': {
      const hit = f.connection
        ? f.routes.find((r) => diverts(op, r, f.connection!.client))
        : undefined
      return hit
        ? {
            field: 'dst',
            consequence: sentence(
              f,
              `Adding the route ${routeText(op)}`,
              hit.dev,
              'delete that route',
              'diverts',
            ),
          }
        : null
    }
    default: {
      if ((op.op as string) !== 'netem.set') return null
      const consequence = netemCut(
        op as unknown as NetemSettings & { ns: string; ifname: string },
        f,
      )
      return consequence ? { field: 'ifname', consequence } : null
    }
  }
}

/**
 * Whether an impairment (netem) on `ns`/`ifname` slows or breaks the connection: the sentence,
 * or null. Any delay, loss or rate on an interface that carries it counts.
 */
export function netemCut(
  req: NetemSettings & { ns: string; ifname: string },
  f: BranchFacts,
): string | null {
  if (req.ns !== HOST_NS || !f.links.includes(req.ifname)) return null
  const verb = req.lossPct !== undefined && req.lossPct > 0 ? 'breaks' : 'slows or breaks'
  return sentence(
    f,
    `Adding the impairment ${describeNetem(req)} to ${req.ifname}`,
    req.ifname,
    `remove the impairment from ${req.ifname}`,
    verb,
  )
}

type RouteOp = Extract<NetOp, { op: 'route.add' | 'route.delete' }>

/** The family a route operation acts on (`default` takes its gateway's). */
function opFamily(op: RouteOp): 'inet' | 'inet6' {
  if (op.dst !== 'default') return family(op.dst.split('/')[0] ?? '') ?? 'inet'
  return op.via ? (family(op.via) ?? 'inet') : 'inet'
}

/** Does `route.delete` name route `r` (same table, destination, and device/gateway if given)? */
function routeIs(op: RouteOp, r: BranchRoute): boolean {
  if ((op.table ?? 'main') !== r.table) return false
  const fam = opFamily(op)
  if (fam !== r.family) return false
  const a = prefix(op.dst, fam)
  const b = prefix(r.dst, r.family)
  if (!a || !b || a.net !== b.net || a.len !== b.len) return false
  if (op.dev !== undefined && op.dev !== r.dev) return false
  if (op.via !== undefined && !(r.gateway !== undefined && sameIp(op.via, r.gateway))) return false
  return true
}

/**
 * Does `route.add` take the client's traffic away from route `r`: a more specific route in the
 * same table that covers the client and leads elsewhere (another device or gateway)?
 */
function diverts(op: RouteOp, r: BranchRoute, client: string): boolean {
  if (r.table === 'local' || (op.table ?? 'main') !== r.table) return false
  if (!covers(op.dst, client)) return false
  const fam = opFamily(op)
  if (prefixLen(op.dst, fam) <= prefixLen(r.dst, r.family)) return false
  const otherDev = op.dev !== undefined && op.dev !== r.dev
  const otherGw = op.via !== undefined && !(r.gateway !== undefined && sameIp(op.via, r.gateway))
  return otherDev || otherGw
}

function routeText(op: RouteOp): string {
  return [
    op.dst,
    ...(op.via ? ['via', op.via] : []),
    ...(op.dev ? ['dev', op.dev] : []),
    ...(op.table ? ['table', op.table] : []),
  ].join(' ')
}

// What a guide step would run against the current state: each operation's exact commands (from
// the shared command builder), whether the kernel already shows its effect (someone did it by
// hand, or an earlier run did), and the operations that take a tutorial back to its start.

import type { LabCheck } from '../lab/checks'
import { HOST_NS } from '../net/model'
import type { NetLink, NetNamespace, Snapshot } from '../net/model'
import type { NatBackend, NetOp } from '../net/ops'
import { opCommands } from '../net/ops'
import { serviceArgv } from '../net/service'
import { toShellLine } from '../net/shell'
import type { Guide, GuideService, GuideStep } from './types'

/** One operation of a step, with its command lines and whether its effect is already there. */
export interface PlannedOp {
  op: NetOp
  commands: string[]
  /** True when the snapshot shows the effect; false when it does not or cannot (NAT rules). */
  done: boolean
}

/** The command lines an operation runs, exactly as the engine runs them. */
export function opLines(op: NetOp, nat: NatBackend = 'iptables'): string[] {
  return opCommands(op, nat).map((s) => toShellLine(s.argv))
}

/** A step's "try it yourself" commands as shell lines. */
export function tryLines(step: GuideStep): string[] {
  return (step.tryIt ?? []).map((argv) => toShellLine(argv))
}

function nsOf(snap: Snapshot, name: string): NetNamespace | undefined {
  return snap.namespaces.find((n) => n.name === name)
}

function linkOf(snap: Snapshot, ns: string, ifname: string): NetLink | undefined {
  return nsOf(snap, ns)?.links.find((l) => l.ifname === ifname)
}

/**
 * Whether a NAT operation's rule is in place, as a passing `nat` check of the lab says (read by
 * the check from iptables and nftables; the snapshot holds no NAT rules). Without such a check,
 * or before it passed, the operation is not done: running it again would add the rule twice.
 */
export function natOpDone(
  op: NetOp,
  checks: readonly LabCheck[],
  passed: (name: string) => boolean,
): boolean {
  if (op.op !== 'nat.masquerade' && op.op !== 'nat.port-forward') return false
  return checks.some((c) => {
    const n = c.nat
    if (!n || n.ns !== op.ns || !passed(c.name)) return false
    if (op.op === 'nat.masquerade')
      return n.masquerade?.source === op.source && n.masquerade.out === op.outIf && !op.remove
    if (op.op === 'nat.port-forward')
      return (
        n.forward?.protocol === op.protocol &&
        n.forward.port === op.port &&
        n.forward.to === `${op.toAddr}:${op.toPort}` &&
        !op.remove
      )
    return false
  })
}

/**
 * Whether the snapshot already shows what `op` makes. Only what the snapshot holds is judged:
 * NAT rules are not in it, so a NAT operation is done only as `natDone` says (natOpDone).
 */
export function opDone(op: NetOp, snap: Snapshot, natDone?: (op: NetOp) => boolean): boolean {
  switch (op.op) {
    case 'ns.add':
      return !!nsOf(snap, op.name)
    case 'bridge.add':
      return linkOf(snap, op.ns, op.name)?.kind === 'bridge'
    case 'veth.add':
      return snap.namespaces.some((n) =>
        n.links.some(
          (l) => l.ifname === op.name && l.kind === 'veth' && l.peer?.ifname === op.peer,
        ),
      )
    case 'link.move':
      return !!linkOf(snap, op.toNs, op.ifname) && !linkOf(snap, op.ns, op.ifname)
    case 'link.set-master':
      return (linkOf(snap, op.ns, op.ifname)?.master ?? null) === op.bridge
    case 'link.set-state': {
      const l = linkOf(snap, op.ns, op.ifname)
      return !!l && l.flags.includes('UP') === op.up
    }
    case 'addr.add':
      return !!nsOf(snap, op.ns)?.addresses.some(
        (a) => a.ifname === op.ifname && `${a.local}/${a.prefixlen}` === op.cidr,
      )
    case 'route.add':
      return !!nsOf(snap, op.ns)?.routes.some(
        (r) =>
          r.dst === op.dst &&
          r.table === (op.table ?? 'main') &&
          (op.via === undefined || r.gateway === op.via) &&
          (op.dev === undefined || r.dev === op.dev),
      )
    case 'forwarding.set':
      return nsOf(snap, op.ns)?.ipForward === op.enabled
    case 'nat.masquerade':
    case 'nat.port-forward':
      return natDone?.(op) ?? false
    default:
      return false
  }
}

/** A step's operations with their commands and, given a snapshot, whether each is already done. */
export function planStep(
  step: GuideStep,
  snap: Snapshot | null,
  nat: NatBackend = 'iptables',
  natDone?: (op: NetOp) => boolean,
): PlannedOp[] {
  return step.ops.map((op) => ({
    op,
    commands: opLines(op, nat),
    done: snap ? opDone(op, snap, natDone) : false,
  }))
}

/** The command line a step's service runs, exactly as the services store starts it. */
export function serviceLine(svc: GuideService): string {
  return toShellLine(serviceArgv({ ns: svc.ns, protocol: svc.protocol, port: svc.port }))
}

/** A service by where it listens. */
type Bound = { ns: string; protocol: string; port: number }

/** Whether `running` (services by where they listen) has one where `svc` listens. */
export function serviceRunning(svc: Bound, running: readonly Bound[]): boolean {
  return running.some((r) => r.ns === svc.ns && r.protocol === svc.protocol && r.port === svc.port)
}

/** Every service a guide's steps start, once each. */
export function guideServices(guide: Guide): GuideService[] {
  const out: GuideService[] = []
  for (const s of guide.steps)
    for (const svc of s.services ?? []) if (!serviceRunning(svc, out)) out.push(svc)
  return out
}

/** The namespaces a guide creates. */
export function guideNamespaces(guide: Guide): string[] {
  return guide.steps.flatMap((s) => s.ops.flatMap((o) => (o.op === 'ns.add' ? [o.name] : [])))
}

/**
 * What takes a tutorial back to its start, given what the kernel shows now: delete the links the
 * guide makes in the root namespace that are still there (a veth once, not both ends; a veth whose
 * other end is in a namespace about to go is left to that), then its namespaces (which takes the
 * ends inside them along), then remove its NAT rules (not in the snapshot, so always listed).
 * IP forwarding is left as it is: the value before the tutorial is not known.
 */
export function resetOps(guide: Guide, snap: Snapshot): NetOp[] {
  const ops = guide.steps.flatMap((s) => s.ops)
  const doomed = new Set(guideNamespaces(guide).filter((n) => nsOf(snap, n)))
  const rootNames = new Set<string>()
  for (const o of ops) {
    if (o.op === 'bridge.add' && o.ns === HOST_NS) rootNames.add(o.name)
    if (o.op === 'veth.add') {
      if ((o.ns ?? HOST_NS) === HOST_NS) rootNames.add(o.name)
      if ((o.peerNs ?? HOST_NS) === HOST_NS) rootNames.add(o.peer)
    }
  }
  const out: NetOp[] = []
  const gone = new Set<string>()
  for (const name of rootNames) {
    const l = linkOf(snap, HOST_NS, name)
    if (!l || gone.has(name)) continue
    if (l.kind === 'veth' && l.peer?.namespace && doomed.has(l.peer.namespace)) continue
    out.push({ op: 'link.delete', ns: HOST_NS, ifname: name })
    if (l.kind === 'veth' && l.peer?.namespace === HOST_NS && l.peer.ifname) gone.add(l.peer.ifname)
  }
  for (const n of doomed) out.push({ op: 'ns.delete', name: n })
  for (const o of ops) {
    if (o.op === 'nat.masquerade' || o.op === 'nat.port-forward') out.push({ ...o, remove: true })
  }
  return out
}

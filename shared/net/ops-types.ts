// Engine operations as data: the NetOp union, one command step, and each operation's title.
// Pure types and constants, shared by validation, command building and the branch check.

import type { NetemSettings } from './netem'

/** The value of an operation's `confirm` field that lets it cut the app's connection. */
export const CUT_CONNECTION = 'cut-connection'

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

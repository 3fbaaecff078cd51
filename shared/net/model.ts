// The network model the app shows: namespaces with their links, addresses, routes and neighbours,
// as parsed from `ip -j` output. Plain data, serializable across IPC.

/** The name the UI uses for the target's root network namespace. */
export const HOST_NS = 'host'

/**
 * The model's name for a kernel namespace that is literally called "host" (/run/netns/host, made
 * outside the app; the app refuses to create one). A "/" can never be part of a namespace name,
 * so this collides neither with HOST_NS nor with any real name, and it stays addressable.
 */
export const HOST_NETNS_ALIAS = 'netns/host'

/** The model's name of a kernel namespace (`ip netns list` name): "host" becomes HOST_NETNS_ALIAS. */
export function nsFromKernel(name: string): string {
  return name === HOST_NS ? HOST_NETNS_ALIAS : name
}

/** The name `ip -n` / `ip netns exec` / `netns` take for a model namespace (not HOST_NS: the root has none). */
export function nsToKernel(ns: string): string {
  return ns === HOST_NETNS_ALIAS ? HOST_NS : ns
}

/** What kind of link this is, as far as the UI cares. */
export type LinkKind =
  | 'loopback'
  | 'veth'
  | 'bridge'
  | 'vlan'
  | 'vxlan'
  | 'tun'
  | 'dummy'
  | 'macvlan'
  | 'wireguard'
  | 'ether'
  | 'other'

/** Where the other end of a veth pair is. */
export interface VethPeer {
  /** Namespace name (HOST_NS for the root namespace), or null if it could not be resolved. */
  namespace: string | null
  /** Interface name of the peer, or null if unresolved (e.g. in an unnamed namespace). */
  ifname: string | null
  /** The peer's ifindex inside its own namespace. */
  ifindex: number | null
}

export interface NetLink {
  ifindex: number
  ifname: string
  kind: LinkKind
  /** Raw `linkinfo.info_kind` (or link_type when there is none). */
  rawKind: string
  /** Kernel flags: UP, LOWER_UP, NO-CARRIER, BROADCAST, ... */
  flags: string[]
  /** Operational state: UP, DOWN, LOWERLAYERDOWN, UNKNOWN, ... */
  operstate: string
  mtu: number
  mac: string | null
  /** Name of the bridge (or other master) this link is enslaved to. */
  master: string | null
  /** True when this link is a port of a bridge. */
  isBridgePort: boolean
  /** For veth: the resolved peer. */
  peer: VethPeer | null
  /** `link-netnsid` as reported in this namespace (relative to it). */
  linkNetnsid: number | null
  /** The peer's (veth) or parent's (vlan) index; `ip` gives it when the other end is in another namespace. */
  linkIndex: number | null
  /** The peer's or parent's name; `ip` gives it instead of the index when both are in the same namespace. */
  linkName?: string | null
  /** Queueing discipline name (e.g. noqueue, netem). */
  qdisc: string | null
}

export type AddressFamily = 'inet' | 'inet6'

export interface NetAddress {
  ifname: string
  family: AddressFamily
  local: string
  prefixlen: number
  scope: string
  /** Broadcast address, where set. */
  broadcast: string | null
  /** Flags such as tentative, dadfailed, dynamic. */
  flags: string[]
}

export interface NetRoute {
  family: AddressFamily
  /** Routing table: main, local, or a number/name. */
  table: string
  type: string
  /** Destination prefix, or "default". */
  dst: string
  gateway: string | null
  dev: string | null
  protocol: string | null
  scope: string | null
  prefsrc: string | null
  metric: number | null
  flags: string[]
}

export interface NetNeighbour {
  family: AddressFamily
  dst: string
  dev: string
  mac: string | null
  /** REACHABLE, STALE, DELAY, PROBE, FAILED, INCOMPLETE, PERMANENT, NOARP ... */
  state: string[]
  router: boolean
}

export interface NetNamespace {
  /** Name as in `ip netns list`, or HOST_NS for the root namespace. */
  name: string
  isHost: boolean
  /** nsid of this namespace as seen from the root namespace (null if none assigned). */
  nsid: number | null
  /**
   * The namespace's identity: the inode of its namespace file (`stat -L -c %i /run/netns/NAME`,
   * `net:[INODE]` in /proc/PID/ns/net). Absent when it could not be read.
   */
  inode?: number
  links: NetLink[]
  addresses: NetAddress[]
  routes: NetRoute[]
  neighbours: NetNeighbour[]
  /** IPv4 forwarding (net.ipv4.ip_forward), null if unknown. */
  ipForward: boolean | null
}

export interface Snapshot {
  /** Milliseconds since the epoch when the snapshot was read. */
  takenAt: number
  /** How long the read took end to end, in ms. */
  durationMs: number
  /** Host first, then named namespaces in name order. */
  namespaces: NetNamespace[]
  /** Namespaces that were listed but vanished before they could be read. */
  vanished: string[]
}

// What a lab file describes, as plain data: namespaces, bridges, veth links with the addresses and
// impairment of each end, routes, NAT, sysctls and the topology's layout. IPv4 and IPv6.

import type { LabCheck } from './checks'

/** What a lab is for: a free lab, one of the tutorials' end states, or a challenge to solve. */
export type LabKind = 'lab' | 'tutorial' | 'challenge'

/** The lab kinds, in the order the CLI and the UI list them. */
export const LAB_KINDS: readonly LabKind[] = ['lab', 'tutorial', 'challenge']

/** tc netem on one link end (egress). Absent fields are not set. */
export interface LabNetem {
  /** One-way delay, ms (0–60000). */
  delayMs?: number
  /** Jitter around the delay, ms (0–60000; needs delayMs). */
  jitterMs?: number
  /** Random loss, percent (0–100). */
  lossPct?: number
  /** Rate limit, kbit/s (8–100000000). */
  rateKbit?: number
}

/** A namespace of the lab. The key "host" is the target's root namespace (sysctls only). */
export interface LabNamespace {
  /** Whitelisted sysctls (shared/net/validate.ts SYSCTL_KEYS), e.g. net.ipv4.ip_forward: 1. */
  sysctls?: Record<string, string | number>
  /** Loopback up (default true). */
  lo?: boolean
}

/** A Linux bridge, in the root namespace unless `ns` says otherwise. */
export interface LabBridge {
  name: string
  /** Namespace the bridge lives in (default "host", the root namespace). */
  ns?: string
  /** Addresses of the bridge itself, with prefix length (e.g. 10.0.0.254/24, fd00::1/64). */
  addresses?: string[]
  /** Administratively up (default true). */
  up?: boolean
}

/**
 * One end of a veth link. On a bridge (`bridge`) it lives in the bridge's namespace and is its
 * port; else it lives in `ns` (default "host", the root namespace).
 */
export interface LabEndpoint {
  /** Namespace of this end (default "host"; with `bridge`: the bridge's namespace, to tell apart bridges of one name). */
  ns?: string
  /** The bridge this end is a port of. */
  bridge?: string
  /** Interface name of this end. */
  name: string
  /** Addresses of this end, with prefix length. */
  addresses?: string[]
  /** Impairment on this end's egress. */
  netem?: LabNetem
  /** Administratively up (default true). */
  up?: boolean
}

/** A veth pair: namespace↔namespace, namespace↔bridge or namespace↔host. */
export interface LabLink {
  endpoints: [LabEndpoint, LabEndpoint]
}

/** A route in a namespace ("host" = the root). */
export interface LabRoute {
  ns: string
  /** "default" or a network in CIDR form (host bits zero). */
  to: string
  /** Gateway address. */
  via?: string
  /** Outgoing interface. */
  dev?: string
  /** Routing table: main (default), local, default, or a number 1–4294967295. */
  table?: string | number
}

/** NAT in a namespace: a masquerade or a port forward (exactly one). IPv4. */
export interface LabNat {
  ns: string
  masquerade?: {
    /** Source network (CIDR, host bits zero). */
    source: string
    /** Outgoing interface (default: any). */
    out?: string
  }
  forward?: {
    protocol: 'tcp' | 'udp'
    port: number
    /** Destination, "ADDRESS:PORT" (IPv4). */
    to: string
  }
}

/** Where a node sits on the canvas. */
export interface LabPosition {
  x: number
  y: number
}

/** A whole lab, as parsed, validated and normalized (every list present). */
export interface Lab {
  /** Lab name: letters, digits, "_", "." and "-" (at most 64); names the target's record of what it created. */
  name: string
  kind: LabKind
  title?: string
  description?: string
  /** The lab's namespaces by name; "host" is the root namespace (sysctls only). */
  namespaces: Record<string, LabNamespace>
  bridges: LabBridge[]
  links: LabLink[]
  routes: LabRoute[]
  nat: LabNat[]
  /**
   * Canvas positions by node: a namespace's name ("host" for the root) or "NS/BRIDGE" for a
   * bridge. Kept apart from the network facts; plan and apply ignore it.
   */
  layout?: Record<string, LabPosition>
  /** Checks of the live kernel (shared/lab/checks.ts), run by `netns-studio check` and the app. */
  checks?: LabCheck[]
  /** Reserved for guided labs (steps to follow); accepted as written. */
  steps?: unknown[]
}

/** A problem in a lab file: where (1-based line and column, and the path of keys) and what is expected. */
export interface LabError {
  line: number
  col: number
  /** The path of keys and indexes, e.g. "links[2].endpoints[0].addresses[1]". */
  path: string
  message: string
}

/** A lab the app ships (the tutorials' end states), as YAML text. */
export interface BuiltinLab {
  name: string
  kind: LabKind
  title: string
  yaml: string
}

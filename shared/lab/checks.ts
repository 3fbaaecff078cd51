// The check vocabulary of lab files (modelled on Kathará's lab-checker and netlab validate): what
// the kernel should show (interfaces, addresses, routes, neighbours, sysctls, namespaces) and what
// should answer (ping, a TCP/UDP port, a command), and NAT rules. One kind per check; each has a name, optional
// pass/fail texts and a hint.
//
// A `command` check runs a program the lab file names on the target, as root. Lab files are code
// the user chose to run: the argv is checked (bounded, no NUL, the program from COMMAND_PROGRAMS or
// an absolute path), never passed through a shell, and bounded in time.

/** What an interface check asks of the link. */
export const INTERFACE_STATES = ['up', 'down', 'present', 'carrier', 'no-carrier'] as const

export type InterfaceState = (typeof INTERFACE_STATES)[number]

/** Neighbour states a check may ask for (the kernel's NUD states, lowercase). */
export const NEIGHBOUR_STATES = [
  'reachable',
  'stale',
  'delay',
  'probe',
  'failed',
  'incomplete',
  'permanent',
  'noarp',
] as const

export type NeighbourState = (typeof NEIGHBOUR_STATES)[number]

/** Programs a command check may name without a path (looked up in the target's PATH). */
export const COMMAND_PROGRAMS: readonly string[] = [
  'arping',
  'bridge',
  'cat',
  'curl',
  'dig',
  'echo',
  'ethtool',
  'false',
  'getent',
  'grep',
  'ip',
  'ip6tables',
  'iptables',
  'ls',
  'nc',
  'nft',
  'ping',
  'readlink',
  'socat',
  'ss',
  'stat',
  'sysctl',
  'tc',
  'test',
  'tracepath',
  'traceroute',
  'true',
  'wget',
]

/** Bounds of check fields. */
export const CHECK_LIMITS = {
  checks: 500,
  name: 120,
  text: 2000,
  argv: 64,
  arg: 1024,
  output: 1000,
  pingCount: 10,
  timeoutS: 30,
} as const

/** Seconds a probe (port, command) waits by default. */
export const DEFAULT_PROBE_TIMEOUT_S = 3

/** Interface `dev` in `ns` ("host": the root namespace) is there, in `state` (default up). */
export interface InterfaceCheck {
  ns: string
  dev: string
  state?: InterfaceState
  /** The bridge (or other master) it must be a port of. */
  master?: string
}

/** `address` (with its prefix length) is on an interface of `ns` (on `dev`, when given). */
export interface AddressCheck {
  ns: string
  dev?: string
  address: string
}

/** A route to `to` ("default" or a network) in `ns`, through `via` and/or `dev` when given. */
export interface RouteCheck {
  ns: string
  to: string
  via?: string
  dev?: string
  table?: string | number
}

/** `ns` has a neighbour entry for `address` (resolved, unless `state` says which). */
export interface NeighbourCheck {
  ns: string
  address: string
  dev?: string
  lladdr?: string
  state?: NeighbourState
}

/** Whitelisted sysctl `key` reads `value` in `ns`. */
export interface SysctlCheck {
  ns: string
  key: string
  value: string | number
}

/** Ping from `from` to address `to`, or to namespace `toNs`'s first address. */
export interface ReachCheck {
  from: string
  to?: string
  toNs?: string
  /** Echo requests, 1–10 (default 1); one reply is enough. */
  count?: number
  expect?: 'reachable' | 'unreachable'
}

/** A TCP connect (or a UDP reply) from `from` to `to`:`port`. */
export interface PortCheck {
  from: string
  to: string
  port: number
  protocol?: 'tcp' | 'udp'
  /** open: it answers (default); closed: it does not. */
  expect?: 'open' | 'closed'
  timeoutS?: number
  /**
   * The destination must be an address of `from` itself (a port or a forward on that machine):
   * when the kernel shows no such address there, the check fails and nothing is sent, so a
   * missing address never sends the probe out of a default route to whatever answers there.
   */
  local?: boolean
}

/**
 * A NAT rule in `ns`, exactly one of a masquerade or a port forward (IPv4), whoever added it:
 * read from `iptables -t nat -S` and `nft list ruleset`.
 */
export interface NatCheck {
  ns: string
  masquerade?: { source: string; out?: string }
  forward?: { protocol: 'tcp' | 'udp'; port: number; to: string }
}

/** Namespace `ns` exists (or, with exists: false, does not). */
export interface NamespaceCheck {
  ns: string
  exists?: boolean
}

/** A program run in `ns` (no shell), its exit code and/or output compared. */
export interface CommandCheck {
  ns: string
  argv: string[]
  /** Expected exit code (default 0 when neither output nor match is given). */
  exit?: number
  /** Text stdout must contain. */
  output?: string
  /** A regular expression stdout must match. */
  match?: string
  timeoutS?: number
}

/** The kinds of check, one key each. */
export const CHECK_KINDS = [
  'interface',
  'address',
  'route',
  'neighbour',
  'sysctl',
  'nat',
  'reach',
  'port',
  'namespace',
  'command',
] as const

export type CheckKind = (typeof CHECK_KINDS)[number]

/** One check of a lab: its name and texts, and exactly one kind. */
export interface LabCheck {
  name: string
  /** Said when it passes. */
  pass?: string
  /** Said when it fails. */
  fail?: string
  /** What to look at when it fails. */
  hint?: string
  interface?: InterfaceCheck
  address?: AddressCheck
  route?: RouteCheck
  neighbour?: NeighbourCheck
  sysctl?: SysctlCheck
  nat?: NatCheck
  reach?: ReachCheck
  port?: PortCheck
  namespace?: NamespaceCheck
  command?: CommandCheck
}

/** The outcome of one check: the kernel's answer, or why none could be had. */
export interface CheckResult {
  name: string
  ok: boolean
  detail: string
  hint?: string
}

/** What `check` reports: counts and one result per check, in the lab's order. */
export interface CheckReport {
  passed: number
  failed: number
  checks: CheckResult[]
}

/** The kind of a (validated) check. */
export function checkKind(c: LabCheck): CheckKind {
  const k = CHECK_KINDS.find((kind) => c[kind] !== undefined)
  if (!k) throw new Error(`Check "${c.name}" has no kind.`)
  return k
}

/** Why a command check's argv is refused, or null when it may run. */
export function argvProblem(argv: readonly unknown[]): string | null {
  if (argv.length === 0) return 'argv is empty; give the program and its arguments.'
  if (argv.length > CHECK_LIMITS.argv)
    return `argv has ${argv.length} items; at most ${CHECK_LIMITS.argv}.`
  for (const [i, a] of argv.entries()) {
    if (typeof a !== 'string') return `argv[${i}] is not text.`
    if (a.includes('\u0000')) return `argv[${i}] contains a NUL character.`
    if (a.length > CHECK_LIMITS.arg)
      return `argv[${i}] is ${a.length} characters long; at most ${CHECK_LIMITS.arg}.`
  }
  const prog = argv[0] as string
  if (prog.startsWith('/')) {
    if (prog.length < 2 || prog.endsWith('/') || /[\s]/.test(prog))
      return `Program "${prog.slice(0, 60)}" is not a usable absolute path.`
    return null
  }
  if (!COMMAND_PROGRAMS.includes(prog))
    return `Program "${prog.slice(0, 60)}" is neither one of ${COMMAND_PROGRAMS.join(', ')} nor an absolute path (e.g. /usr/bin/${/^[\w.-]{1,40}$/.test(prog) ? prog : 'tool'}).`
  return null
}

/** A short summary of what the check looks at, for lists and logs. */
export function describeCheck(c: LabCheck): string {
  const kind = checkKind(c)
  switch (kind) {
    case 'interface':
      return `interface ${c.interface!.ns}/${c.interface!.dev} ${c.interface!.state ?? 'up'}`
    case 'address':
      return `address ${c.address!.address} in ${c.address!.ns}`
    case 'route':
      return `route to ${c.route!.to} in ${c.route!.ns}`
    case 'neighbour':
      return `neighbour ${c.neighbour!.address} in ${c.neighbour!.ns}`
    case 'sysctl':
      return `${c.sysctl!.key} = ${c.sysctl!.value} in ${c.sysctl!.ns}`
    case 'nat':
      return c.nat!.masquerade
        ? `masquerade of ${c.nat!.masquerade.source} in ${c.nat!.ns}`
        : `forward of ${c.nat!.forward!.protocol} ${c.nat!.forward!.port} in ${c.nat!.ns}`
    case 'reach':
      return `ping from ${c.reach!.from} to ${c.reach!.to ?? c.reach!.toNs}`
    case 'port':
      return `${c.port!.protocol ?? 'tcp'} ${c.port!.to} port ${c.port!.port} from ${c.port!.from}`
    case 'namespace':
      return `namespace ${c.namespace!.ns}${c.namespace!.exists === false ? ' absent' : ''}`
    case 'command':
      return `${c.command!.argv.join(' ').slice(0, 80)} in ${c.command!.ns}`
  }
}

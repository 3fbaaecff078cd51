// Validation of every user- or file-supplied value before it can reach a command line.
// Each check returns a specific message, so the UI can say exactly what is wrong.

import { HOST_NETNS_ALIAS, HOST_NS } from './model'

/** Outcome of a check: ok, or a message that says what is wrong and what is allowed. */
export type Check = { ok: true } | { ok: false; message: string }

const OK: Check = { ok: true }
const bad = (message: string): Check => ({ ok: false, message })

const SHELL_META = /[;&|`$<>(){}[\]*?!~#\\'"^]/
const ALLOWED_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/

/** Made on first use: the preload's sandbox has no TextEncoder while it loads. */
let utf8: InstanceType<typeof TextEncoder> | undefined

function byteLength(s: string): number {
  utf8 ??= new TextEncoder()
  return utf8.encode(s).length
}

/** The common case, known good at once: ASCII letters, digits, "_", "." and "-", 1-15 bytes. */
const PLAIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/

function describeChar(c: string): string {
  if (c === '\n') return 'a newline'
  if (c === '\r') return 'a carriage return'
  if (c === '\t') return 'a tab'
  if (c === ' ') return 'a space'
  if (c === '\0') return 'a NUL byte'
  const code = c.codePointAt(0) ?? 0
  const hex = code.toString(16).padStart(4, '0')
  if (code < 0x20 || code === 0x7f) return `a control character (U+${hex})`
  // A no-break space, an em space...: invisible when quoted, so name it.
  if (/\s/.test(c)) return `a white-space character (U+${hex})`
  return `"${c}"`
}

/**
 * A Linux interface or namespace name: 1–15 bytes of ASCII letters, digits, `_`, `.` and `-`,
 * not starting with `-` or `.`, never `.` or `..`.
 */
export function checkName(value: unknown, what = 'Name'): Check {
  if (typeof value === 'string' && PLAIN_NAME.test(value)) return OK
  if (typeof value !== 'string') return bad(`${what} must be text.`)
  if (value.length === 0) return bad(`${what} is empty.`)
  if (value === '.' || value === '..') return bad(`${what} cannot be "${value}".`)
  const bytes = byteLength(value)
  if (bytes > 15) return bad(`${what} is ${bytes} bytes long; Linux allows at most 15.`)
  for (const c of value) {
    if (/\s/.test(c) || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)
      return bad(`${what} contains ${describeChar(c)}; use letters, digits, "_", "." or "-".`)
    if (c === '/') return bad(`${what} contains "/"; names cannot contain a slash.`)
    if (c === ':') return bad(`${what} contains ":"; use letters, digits, "_", "." or "-".`)
    if (SHELL_META.test(c))
      return bad(`${what} contains the shell character "${c}", which is not allowed.`)
    if ((c.codePointAt(0) ?? 0) > 0x7e)
      return bad(`${what} contains the non-ASCII character "${c}"; use plain ASCII.`)
  }
  if (value.startsWith('-'))
    return bad(`${what} cannot start with "-" (it would read as an option).`)
  if (!ALLOWED_NAME.test(value)) return bad(`${what} must start with a letter, digit or "_".`)
  return OK
}

/** A namespace name the app may create: a valid name that is not the reserved "host". */
export function checkNamespaceName(value: unknown): Check {
  const c = checkName(value, 'Namespace name')
  if (!c.ok) return c
  if (value === HOST_NS) return bad(`"${HOST_NS}" is reserved for the target's root namespace.`)
  return OK
}

/**
 * Where a command runs: HOST_NS (the root), HOST_NETNS_ALIAS (a kernel namespace literally called
 * "host"), or a valid namespace name. Whether that namespace exists is the engine's check.
 */
export function checkNamespaceRef(value: unknown): Check {
  if (value === HOST_NS || value === HOST_NETNS_ALIAS) return OK
  return checkName(value, 'Namespace')
}

/** A request object: a plain object, not a list (one request is expected) nor a class instance. */
export function checkPlainObject(value: unknown, what: string): Check {
  if (Array.isArray(value)) return bad(`${what} must be one object, not a list.`)
  if (typeof value !== 'object' || value === null) return bad(`${what} must be an object.`)
  const proto = Object.getPrototypeOf(value) as unknown
  if (proto !== Object.prototype && proto !== null) return bad(`${what} must be a plain object.`)
  return OK
}

/** Longest text any operation field may hold (names, addresses and tables are far shorter). */
export const MAX_FIELD_CHARS = 256

/** Text that may go near a command line at all: a string, no NUL byte, at most MAX_FIELD_CHARS. */
export function checkText(value: unknown, what: string): Check {
  if (typeof value !== 'string') return bad(`${what} must be text.`)
  if (value.length > MAX_FIELD_CHARS)
    return bad(`${what} is ${value.length} characters long; at most ${MAX_FIELD_CHARS}.`)
  if (value.includes('\0')) return bad(`${what} contains a NUL byte.`)
  return OK
}

/**
 * A decimal number written as `ip` must receive it: `ip` reads a leading 0 as octal (table 0377
 * is 255 = local, prefix /024 is /20), so "0" is fine and "024" is not.
 */
function leadingZero(digits: string, what: string, plain: string): Check {
  if (digits.length > 1 && digits.startsWith('0'))
    return bad(`${what} has a leading zero, which ip reads as an octal number; write ${plain}.`)
  return OK
}

export function checkIfName(value: unknown): Check {
  return checkName(value, 'Interface name')
}

/** Parse a dotted-quad IPv4 address into its 32-bit value, or null. */
export function parseIPv4(s: string): number | null {
  const parts = s.split('.')
  if (parts.length !== 4) return null
  let v = 0
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return null
    const n = Number(p)
    if (n > 255) return null
    v = v * 256 + n
  }
  return v
}

/** Parse an IPv6 address into 8 groups, or null. Accepts `::` compression and an IPv4 tail. */
export function parseIPv6(s: string): number[] | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || s.length > 45) return null
  const halves = s.split('::')
  if (halves.length > 2) return null
  const parseSide = (side: string): number[] | null => {
    if (side === '') return []
    const out: number[] = []
    const groups = side.split(':')
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i] ?? ''
      if (i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g)
        if (v4 === null) return null
        out.push(Math.floor(v4 / 65536), v4 % 65536)
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null
        out.push(parseInt(g, 16))
      }
    }
    return out
  }
  const left = parseSide(halves[0] ?? '')
  const right = halves.length === 2 ? parseSide(halves[1] ?? '') : []
  if (!left || !right) return null
  if (halves.length === 1) return left.length === 8 ? left : null
  const fill = 8 - left.length - right.length
  if (fill < 1) return null
  return [...left, ...new Array<number>(fill).fill(0), ...right]
}

/** A single IP address (v4 or v6), no prefix. */
export function checkIp(value: unknown, what = 'Address'): Check {
  if (typeof value !== 'string') return bad(`${what} must be text.`)
  if (value.length === 0) return bad(`${what} is empty.`)
  if (value.includes('/'))
    return bad(`${what} "${truncate(value)}" has a prefix length; give the address alone.`)
  if (parseIPv4(value) !== null || parseIPv6(value) !== null) return OK
  return bad(`${what} "${truncate(value)}" is not a valid IPv4 or IPv6 address.`)
}

/** Which family an address (with or without prefix) belongs to, or null. */
export function ipFamily(value: string): 'inet' | 'inet6' | null {
  const addr = value.split('/')[0] ?? ''
  if (parseIPv4(addr) !== null) return 'inet'
  if (parseIPv6(addr) !== null) return 'inet6'
  return null
}

/** An address with prefix length, e.g. 10.0.0.1/24 or fd00::1/64. */
export function checkCidr(value: unknown, what = 'Address'): Check {
  if (typeof value !== 'string') return bad(`${what} must be text.`)
  if (value.trim().length === 0) return bad(`${what} is empty.`)
  if (/\s/.test(value)) return bad(`${what} contains white space.`)
  if (value.includes('//'))
    return bad(`${what} "${truncate(value)}" has a double slash; write it like 10.0.0.1/24.`)
  const parts = value.split('/')
  if (parts.length === 1)
    return bad(`${what} "${truncate(value)}" needs a prefix length, like 10.0.0.1/24.`)
  if (parts.length > 2) return bad(`${what} "${truncate(value)}" has more than one "/".`)
  const [addr = '', len = ''] = parts
  const fam = parseIPv4(addr) !== null ? 'inet' : parseIPv6(addr) !== null ? 'inet6' : null
  if (!fam) return bad(`"${truncate(addr)}" is not a valid IPv4 or IPv6 address.`)
  if (!/^\d{1,3}$/.test(len)) return bad(`Prefix length "${truncate(len)}" must be a whole number.`)
  const max = fam === 'inet' ? 32 : 128
  if (Number(len) > max)
    return bad(
      `Prefix length /${len} is too long for ${fam === 'inet' ? 'IPv4 (max 32)' : 'IPv6 (max 128)'}.`,
    )
  return leadingZero(len, `Prefix length /${len}`, `/${Number(len)}`)
}

/** A route destination: "default" or a CIDR. */
export function checkRouteDst(value: unknown): Check {
  if (value === 'default') return OK
  return checkCidr(value, 'Destination')
}

export function checkMac(value: unknown): Check {
  if (typeof value !== 'string' || value.length === 0) return bad('MAC address is empty.')
  if (!/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/.test(value))
    return bad(`MAC address "${truncate(value)}" must look like 02:00:00:aa:bb:cc.`)
  if ((parseInt(value.slice(0, 2), 16) & 1) === 1)
    return bad(`MAC address ${value} is a multicast address; the first byte must be even.`)
  return OK
}

export function checkPort(value: unknown): Check {
  if (typeof value !== 'number' || !Number.isInteger(value))
    return bad('Port must be a whole number.')
  if (value < 1 || value > 65535) return bad(`Port ${value} is out of range (1–65535).`)
  return OK
}

/** A routing table: main, local, default, or a number 1–4294967295. */
export function checkTable(value: unknown): Check {
  if (value === 'main' || value === 'local' || value === 'default') return OK
  if (typeof value === 'string' && /^\d{1,10}$/.test(value)) {
    const n = Number(value)
    if (n >= 1 && n <= 4294967295) return leadingZero(value, `Table "${value}"`, String(n))
  }
  return bad(
    `Table "${truncate(String(value))}" must be main, local, default or a number from 1 to 4294967295.`,
  )
}

export function checkProtocol(value: unknown): Check {
  if (value === 'tcp' || value === 'udp') return OK
  return bad('Protocol must be tcp or udp.')
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s
}

/** Throw-style helper: collects the first failing check into a message, or null when all pass. */
export function firstProblem(
  checks: Array<[string, Check]>,
): { field: string; message: string } | null {
  for (const [field, c] of checks) if (!c.ok) return { field, message: c.message }
  return null
}

/** What a whitelisted sysctl may be set to. */
interface SysctlRule {
  /** The allowed values, as `sysctl` prints them. */
  values: readonly string[]
  /** What the setting does, for messages and the lab schema. */
  about: string
}

/** The sysctls labs may set: forwarding, reverse-path filtering and a few neighbour/ICMP knobs. */
const SYSCTL_GLOBAL: Record<string, SysctlRule> = {
  'net.ipv4.ip_forward': { values: ['0', '1'], about: 'IPv4 forwarding' },
  'net.ipv4.icmp_echo_ignore_all': { values: ['0', '1'], about: 'ignore every ping' },
}

/** Per-interface sysctls, `net.ipv4.conf.<all|default|IFNAME>.<name>` (or ipv6). */
const SYSCTL_CONF: Record<string, SysctlRule> = {
  'ipv4.forwarding': { values: ['0', '1'], about: 'IPv4 forwarding' },
  'ipv6.forwarding': { values: ['0', '1'], about: 'IPv6 forwarding' },
  'ipv4.rp_filter': {
    values: ['0', '1', '2'],
    about: 'reverse-path filter (0 off, 1 strict, 2 loose)',
  },
  'ipv4.proxy_arp': { values: ['0', '1'], about: 'proxy ARP' },
  'ipv4.accept_redirects': { values: ['0', '1'], about: 'accept ICMP redirects' },
  'ipv4.send_redirects': { values: ['0', '1'], about: 'send ICMP redirects' },
  'ipv6.accept_dad': { values: ['0', '1', '2'], about: 'IPv6 duplicate address detection' },
}

/** Every sysctl key shape a lab may set, for messages and the lab schema. */
export const SYSCTL_KEYS: readonly string[] = [
  ...Object.keys(SYSCTL_GLOBAL),
  ...Object.keys(SYSCTL_CONF).map((k) => {
    const [fam, name] = k.split('.')
    return `net.${fam}.conf.<all|default|IFNAME>.${name}`
  }),
]

/** The rule for a key and the interface it names (null for all/default/global), or why not. */
function sysctlRule(key: string): { rule: SysctlRule; ifname: string | null } | string {
  const g = SYSCTL_GLOBAL[key]
  if (g && Object.hasOwn(SYSCTL_GLOBAL, key)) return { rule: g, ifname: null }
  const m = /^net\.(ipv4|ipv6)\.conf\.([^]*)\.([a-z_]+)$/.exec(key)
  const rule =
    m && Object.hasOwn(SYSCTL_CONF, `${m[1]}.${m[3]}`) ? SYSCTL_CONF[`${m[1]}.${m[3]}`] : undefined
  if (!m || !rule)
    return `Sysctl "${truncate(key)}" is not one a lab may set; allowed: ${SYSCTL_KEYS.join(', ')}.`
  const dev = m[2] ?? ''
  if (dev === 'all' || dev === 'default') return { rule, ifname: null }
  if (dev.includes('.'))
    return `Sysctl "${truncate(key)}": an interface name with "." cannot be written in a sysctl key.`
  const c = checkIfName(dev)
  if (!c.ok) return `Sysctl "${truncate(key)}": ${c.message}`
  return { rule, ifname: dev }
}

/** A sysctl key labs may set (see SYSCTL_KEYS). */
export function checkSysctlKey(value: unknown): Check {
  if (typeof value !== 'string' || value.length === 0) return bad('Sysctl key is empty.')
  const r = sysctlRule(value)
  return typeof r === 'string' ? bad(r) : OK
}

/** The interface a per-interface sysctl key names (null for all/default and global keys). */
export function sysctlInterface(key: string): string | null {
  const r = sysctlRule(key)
  return typeof r === 'string' ? null : r.ifname
}

/** A value for a whitelisted sysctl key: one of its allowed numbers, written plainly. */
export function checkSysctlValue(key: string, value: unknown): Check {
  const r = sysctlRule(key)
  if (typeof r === 'string') return bad(r)
  const v = typeof value === 'number' && Number.isInteger(value) ? String(value) : value
  if (typeof v === 'string' && r.rule.values.includes(v)) return OK
  const shown = typeof value === 'string' ? `"${truncate(value)}"` : String(value)
  return bad(
    `${key} (${r.rule.about}) must be ${r.rule.values.join(', ').replace(/, (\d)$/, ' or $1')}; got ${shown}.`,
  )
}

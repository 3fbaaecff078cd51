// Canonical ids for pinned host keys: one id per (host, port) however the user spells the host,
// so `LOCALHOST`, `localhost:22` and `[::0001]` can neither pin a key twice nor dodge a pin.

import { AppError } from '../../shared/errors'

/** A host name or IPv4 literal as typed: letters, digits, dots, dashes, underscores. */
const NAME = /^[A-Za-z0-9._-]{1,253}$/
/** An IPv6 literal without brackets (zone ids are not allowed). */
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/

function invalidHost(host: string): AppError {
  return new AppError(
    'INVALID_ARGUMENT',
    `"${host.slice(0, 80)}" is not a host name or IP address.`,
  )
}

/**
 * A host in one spelling: names lower-cased, IPv4 as a dotted quad (`127.1` → `127.0.0.1`, as the
 * resolver reads it), IPv6 compressed, lower-case, in brackets. Uses the WHATWG URL host parser.
 * Throws INVALID_ARGUMENT for anything else.
 */
export function canonicalHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  const v6 = bare.includes(':')
  if (!(v6 ? IPV6 : NAME).test(bare)) throw invalidHost(host)
  try {
    return new URL(`http://${v6 ? `[${bare}]` : bare}/`).hostname
  } catch {
    // The URL parser also refuses names whose last label is a number ("lab.1"); the resolver
    // would look those up as names, so they stay names here.
    if (v6 || /^[0-9.]+$/.test(bare)) throw invalidHost(host)
    return bare.toLowerCase()
  }
}

/**
 * The id a host key is pinned under: `<scheme>:<canonical host>:<port>`, the default port 22
 * written out, e.g. `ssh:[::1]:22`, `ssh:127.0.0.1:2222`. Throws INVALID_ARGUMENT for a bad host
 * or port.
 */
export function hostKeyId(scheme: 'ssh' | 'vm', host: string, port = 22): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new AppError('INVALID_ARGUMENT', `Port ${String(port)} is not between 1 and 65535.`)
  return `${scheme}:${canonicalHost(host)}:${port}`
}

/**
 * The canonical id for a key written by older versions (`<host>:<port>`, host as typed), or null
 * when `key` is not such a key (current ids, `vm:<name>`, anything unparseable).
 */
export function legacyPinKey(key: string): string | null {
  if (/^(ssh|vm):/.test(key)) return null
  const m = /^(.+):(\d{1,5})$/.exec(key)
  if (!m) return null
  try {
    return hostKeyId('ssh', m[1]!, Number(m[2]))
  } catch {
    // not a host and port: nothing to migrate
    return null
  }
}

// Address arithmetic the lab needs beyond shared/net/validate.ts: canonical text (as the kernel
// prints it), whether a CIDR is a network (host bits zero), and "ADDRESS:PORT" targets.

import { parseIPv4, parseIPv6 } from '../net/validate'

/** IPv6 groups as RFC 5952 text (what `ip` prints): lowercase, the longest run of ≥2 zero groups as "::". */
function v6Text(g: number[]): string {
  let best = -1
  let bestLen = 0
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && g[j] === 0) j++
    if (j - i > bestLen) {
      best = i
      bestLen = j - i
    }
    i = j
  }
  const hex = g.map((x) => x.toString(16))
  if (bestLen < 2) return hex.join(':')
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`
}

/** An address as the kernel prints it (IPv6 compressed, lowercase), or null if it is not one. */
export function canonIp(addr: string): string | null {
  if (parseIPv4(addr) !== null) return addr
  const g = parseIPv6(addr)
  return g ? v6Text(g) : null
}

/** "ADDR/LEN" with the address canonical; a bare address gets /32 or /128 (as `ip` omits them). */
export function canonCidr(cidr: string): string {
  const [addr = '', len] = cidr.split('/')
  const a = canonIp(addr) ?? addr
  const max = a.includes(':') ? 128 : 32
  return `${a}/${len ?? max}`
}

/** The bits of an address, most significant first (32 or 128 of them), or null. */
function bits(addr: string): number[] | null {
  const v4 = parseIPv4(addr)
  if (v4 !== null) return [...Array(32).keys()].map((i) => Math.floor(v4 / 2 ** (31 - i)) % 2)
  const g = parseIPv6(addr)
  if (!g) return null
  return g.flatMap((x) => [...Array(16).keys()].map((i) => (x >> (15 - i)) & 1))
}

/** True when the CIDR's host bits are all zero (10.1.0.0/24, not 10.1.0.5/24). */
export function isNetwork(cidr: string): boolean {
  const [addr = '', len = ''] = cidr.split('/')
  const b = bits(addr)
  return !!b && b.slice(Number(len)).every((x) => x === 0)
}

/** The network of a CIDR ("10.1.0.5/24" → "10.1.0.0/24"), canonical; the input when it is not an address. */
export function networkOf(cidr: string): string {
  const [addr = '', len = ''] = cidr.split('/')
  const b = bits(addr)
  if (!b) return cidr
  const n = Number(len)
  const kept = b.map((x, i) => (i < n ? x : 0))
  if (b.length === 32) {
    const octets = [0, 1, 2, 3].map((o) =>
      kept.slice(o * 8, o * 8 + 8).reduce((v, x) => v * 2 + x, 0),
    )
    return `${octets.join('.')}/${n}`
  }
  const groups = [...Array(8).keys()].map((k) =>
    kept.slice(k * 16, k * 16 + 16).reduce((v, x) => v * 2 + x, 0),
  )
  return `${v6Text(groups)}/${n}`
}

/** "ADDRESS:PORT" (IPv4) split, or null when it is not of that form. */
export function splitHostPort(s: string): { addr: string; port: number } | null {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(s)
  if (!m || parseIPv4(m[1]!) === null) return null
  const port = Number(m[2])
  if ((m[2]!.length > 1 && m[2]!.startsWith('0')) || port < 1 || port > 65535) return null
  return { addr: m[1]!, port }
}

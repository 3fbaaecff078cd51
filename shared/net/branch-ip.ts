// IP address arithmetic for the branch check: families, equality in any spelling, prefixes and
// whether one covers an address. Pure; parsing of addresses is validate.ts's.

import { parseIPv4, parseIPv6 } from './validate'

/** The family of an address, or null when it is none. */
export function family(a: string): 'inet' | 'inet6' | null {
  if (parseIPv4(a) !== null) return 'inet'
  if (parseIPv6(a) !== null) return 'inet6'
  return null
}

/** Two addresses are the same (IPv6 in any spelling). */
export function sameIp(a: string, b: string): boolean {
  const x = bits(a)
  const y = bits(b)
  return x !== null && y !== null && x.fam === y.fam && x.v === y.v
}

/** An address as a bigint of its family's width. */
function bits(a: string): { fam: 'inet' | 'inet6'; v: bigint } | null {
  const v4 = parseIPv4(a)
  if (v4 !== null) return { fam: 'inet', v: BigInt(v4) }
  const v6 = parseIPv6(a)
  if (v6 === null) return null
  return { fam: 'inet6', v: v6.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n) }
}

/** A destination ("default", a CIDR, or a bare host address) as family, network and length. */
export function prefix(
  dst: string,
  fam?: 'inet' | 'inet6',
): { fam: 'inet' | 'inet6'; net: bigint; len: number } | null {
  if (dst === 'default') {
    const f = fam ?? 'inet'
    return { fam: f, net: 0n, len: 0 }
  }
  const [addr = '', len] = dst.split('/')
  const b = bits(addr)
  if (!b) return null
  const width = b.fam === 'inet' ? 32 : 128
  const n = len === undefined ? width : Number(len)
  if (!Number.isInteger(n) || n < 0 || n > width) return null
  const mask = n === 0 ? 0n : ((1n << BigInt(n)) - 1n) << BigInt(width - n)
  return { fam: b.fam, net: b.v & mask, len: n }
}

/** The prefix length of a destination, or -1 when it is not one. */
export function prefixLen(dst: string, fam: 'inet' | 'inet6'): number {
  return prefix(dst, fam)?.len ?? -1
}

/** Does `dst` contain `addr`? */
export function covers(dst: string, addr: string): boolean {
  const a = bits(addr)
  if (!a) return false
  const p = prefix(dst, a.fam)
  if (!p || p.fam !== a.fam) return false
  const width = a.fam === 'inet' ? 32 : 128
  const mask = p.len === 0 ? 0n : ((1n << BigInt(p.len)) - 1n) << BigInt(width - p.len)
  return (a.v & mask) === p.net
}

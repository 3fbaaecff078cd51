// Verdicts of NAT checks from the rules the kernel holds, whoever added them: `iptables -t nat -S`
// (iptables-legacy or iptables-nft) and `nft list ruleset` (the app's nft table and any other).

import { canonCidr } from './addr'
import type { NatCheck } from './checks'
import type { Judged, ProbeOutcome } from './checks-verdict'

/** The two reads a NAT check looks at, in its namespace. */
export const NAT_READS = {
  iptables: ['iptables', '-w', '5', '-t', 'nat', '-S'],
  nft: ['nft', 'list', 'ruleset'],
} as const

const words = (line: string): string[] => line.trim().split(/\s+/)

function iptablesHas(c: NatCheck, text: string): boolean {
  return text.split('\n').some((line) => {
    const w = words(line)
    const opt = (flag: string): string | undefined => {
      const i = w.indexOf(flag)
      return i >= 0 ? w[i + 1] : undefined
    }
    if (w[0] !== '-A') return false
    if (c.masquerade) {
      const src = opt('-s')
      return (
        w[1] === 'POSTROUTING' &&
        opt('-j') === 'MASQUERADE' &&
        src !== undefined &&
        canonCidr(src) === canonCidr(c.masquerade.source) &&
        (c.masquerade.out === undefined || opt('-o') === c.masquerade.out)
      )
    }
    const f = c.forward!
    return (
      (w[1] === 'PREROUTING' || w[1] === 'OUTPUT') &&
      opt('-j') === 'DNAT' &&
      opt('-p') === f.protocol &&
      opt('--dport') === String(f.port) &&
      opt('--to-destination') === f.to
    )
  })
}

function nftHas(c: NatCheck, text: string): boolean {
  return text.split('\n').some((raw) => {
    // a rule's comment may hold any text (the app's holds the rule itself): it is not the rule
    const line = raw.replace(/\s+comment\s+"(?:[^"\\]|\\.)*"/g, '')
    if (c.masquerade) {
      const m = /\bip saddr (\S+)\b.*\bmasquerade\b/.exec(line)
      if (!m || canonCidr(m[1]!) !== canonCidr(c.masquerade.source)) return false
      return c.masquerade.out === undefined || line.includes(`oifname "${c.masquerade.out}"`)
    }
    const f = c.forward!
    const m = /\b(tcp|udp) dport (\d+)\b.*\bdnat (?:ip )?to (\S+)/.exec(line)
    return !!m && m[1] === f.protocol && m[2] === String(f.port) && m[3] === f.to
  })
}

/**
 * Whether the rule is there. A tool that is missing or refuses counts only if the other answered;
 * when neither could be read, nothing is known and the check says so.
 */
export function judgeNat(
  c: NatCheck,
  iptables: ProbeOutcome | undefined,
  nft: ProbeOutcome | undefined,
): Judged {
  const what = c.masquerade
    ? `a masquerade of ${c.masquerade.source}${c.masquerade.out ? ` out of ${c.masquerade.out}` : ''}`
    : `a forward of ${c.forward!.protocol} port ${c.forward!.port} to ${c.forward!.to}`
  const ns = c.ns === 'host' ? 'the root namespace (host)' : c.ns
  const readable = (o: ProbeOutcome | undefined): o is ProbeOutcome => o?.exitCode === 0
  const found = [
    readable(iptables) && iptablesHas(c, iptables.stdout) ? 'iptables' : null,
    readable(nft) && nftHas(c, nft.stdout) ? 'nft' : null,
  ].filter((x): x is string => x !== null)
  if (found.length) return { ok: true, detail: `${ns} has ${what} (${found.join(' and ')})` }
  const read = [readable(iptables) ? 'iptables' : null, readable(nft) ? 'nft' : null].filter(
    (x) => x !== null,
  )
  if (!read.length) {
    const why = [iptables, nft]
      .map((o) => o?.stderr.trim().split('\n')[0])
      .filter(Boolean)
      .join('; ')
    return {
      ok: false,
      detail: `the NAT rules of ${ns} could not be read (neither iptables nor nft answered${why ? `: ${why}` : ''})`,
    }
  }
  return {
    ok: false,
    detail: `${ns} has no ${what.replace(/^a /, '')} (read with ${read.join(' and ')})`,
  }
}

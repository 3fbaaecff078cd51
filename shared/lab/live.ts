// What a plan needs beyond the snapshot, read from the target alongside it: sysctl values, the
// app's NAT rules (iptables or nft) and netem settings. Parsers of those commands' output.

import { APP_TAG, NFT_TABLE } from '../net/ops'
import type { NetemSettings } from '../net/netem'
import type { LabNat } from './types'

/** Live state by namespace ("host" for the root). Absent entries were not read. */
export interface LabLive {
  /** sysctl values by namespace, then key. */
  sysctls?: Record<string, Record<string, string>>
  /** The app's NAT rules by namespace. */
  nat?: Record<string, LabNat[]>
  /** netem by "NS/IFNAME" (null: the root qdisc is not netem). */
  netem?: Record<string, NetemSettings | null>
}

/** `sysctl KEY...` output ("key = value" lines) → values by key. */
export function parseSysctlOutput(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_./-]+) = (\S*)\s*$/.exec(line)
    if (m) out[m[1]!.replace(/\//g, '.')] = m[2]!
  }
  return out
}

/** Split an iptables -S line into words, honouring "quoted words". */
function words(line: string): string[] {
  const out: string[] = []
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? '')
  return out
}

/** The app's rules in `iptables -t nat -S` output, as lab NAT entries of namespace `ns`. */
export function parseIptablesNat(text: string, ns: string): LabNat[] {
  const out: LabNat[] = []
  for (const line of text.split('\n')) {
    const w = words(line.trim())
    if (w[0] !== '-A') continue
    const opt = (flag: string): string | undefined => {
      const i = w.indexOf(flag)
      return i >= 0 ? w[i + 1] : undefined
    }
    if (opt('--comment') !== APP_TAG) continue
    const chain = w[1]
    const target = opt('-j')
    if (chain === 'POSTROUTING' && target === 'MASQUERADE') {
      const source = opt('-s')
      const outIf = opt('-o')
      if (source) out.push({ ns, masquerade: { source, ...(outIf ? { out: outIf } : {}) } })
    } else if (chain === 'PREROUTING' && target === 'DNAT') {
      const protocol = opt('-p')
      const port = Number(opt('--dport'))
      const to = opt('--to-destination')
      if ((protocol === 'tcp' || protocol === 'udp') && port && to)
        out.push({ ns, forward: { protocol, port, to } })
    }
  }
  return out
}

/**
 * The app's rules in `nft list table ip netns_studio` output. Each rule's comment is the app's
 * tag followed by the rule as it was added (shared/net/ops.ts nftComment), which is read back.
 */
export function parseNftNat(text: string, ns: string): LabNat[] {
  const out: LabNat[] = []
  let chain = ''
  for (const line of text.split('\n')) {
    const c = /^\s*chain (\S+) \{/.exec(line)
    if (c) chain = c[1]!
    const m = new RegExp(`comment "${APP_TAG} ([^"]*)"`).exec(line)
    if (!m) continue
    const w = m[1]!.split(' ')
    if (
      chain === 'postrouting' &&
      w[0] === 'ip' &&
      w[1] === 'saddr' &&
      w[w.length - 1] === 'masquerade'
    ) {
      const source = w[2]
      const i = w.indexOf('oifname')
      if (source)
        out.push({ ns, masquerade: { source, ...(i > 0 && w[i + 1] ? { out: w[i + 1]! } : {}) } })
    } else if (chain === 'prerouting' && w[0] === 'fib') {
      const protocol = w[4]
      const port = Number(w[6])
      const to = w[9]
      if ((protocol === 'tcp' || protocol === 'udp') && port && to)
        out.push({ ns, forward: { protocol, port, to } })
    }
  }
  return out
}

/** The command (in the namespace) that lists the app's NAT rules for a backend. */
export function natListArgv(nat: 'iptables' | 'nft'): string[] {
  return nat === 'nft' ? ['nft', 'list', 'table', 'ip', NFT_TABLE] : ['iptables', '-t', 'nat', '-S']
}

/** Whether two NAT entries are the same rule. */
export function sameNat(a: LabNat, b: LabNat): boolean {
  if (a.ns !== b.ns) return false
  if (a.masquerade && b.masquerade)
    return (
      a.masquerade.source === b.masquerade.source &&
      (a.masquerade.out ?? '') === (b.masquerade.out ?? '')
    )
  if (a.forward && b.forward)
    return (
      a.forward.protocol === b.forward.protocol &&
      a.forward.port === b.forward.port &&
      a.forward.to === b.forward.to
    )
  return false
}

// The exact commands each operation runs (ip, sysctl, iptables or nft, tc), and what it creates.
// Pure: the UI previews these commands, the engine executes them, lab plans list them.

import { HOST_NS, nsToKernel } from './model'
import { netemClearArgv, netemSetArgv } from './netem'
import type { CommandStep, NetOp } from './ops-types'
import { ipFamily } from './validate'

/** Which firewall tool builds NAT rules on the target. */
export type NatBackend = 'iptables' | 'nft'

/** The comment/table name that marks firewall rules as the app's own. */
export const APP_TAG = 'netns-studio'

/** `-n NS` for an ip command in a namespace (none for the root). */
const nsArgs = (ns: string): string[] => (ns === HOST_NS ? [] : ['-n', nsToKernel(ns)])

function ipStep(ns: string, args: string[]): CommandStep {
  return { argv: ['ip', ...nsArgs(ns), ...args], ns, ipArgs: args }
}

/** Run a non-ip command inside a namespace (or on the host). */
function nsExec(ns: string, argv: string[]): CommandStep {
  return { argv: ns === HOST_NS ? argv : ['ip', 'netns', 'exec', nsToKernel(ns), ...argv], ns }
}

function routeArgs(op: Extract<NetOp, { op: 'route.add' | 'route.delete' }>): string[] {
  const verb = op.op === 'route.add' ? 'add' : 'del'
  const fam = op.dst === 'default' && op.via && ipFamily(op.via) === 'inet6' ? ['-6'] : []
  return [
    ...fam,
    'route',
    verb,
    op.dst,
    ...(op.via ? ['via', op.via] : []),
    ...(op.dev ? ['dev', op.dev] : []),
    ...(op.table ? ['table', op.table] : []),
  ]
}

function iptablesNat(ns: string, chain: string, remove: boolean, rule: string[]): CommandStep {
  return nsExec(ns, [
    'iptables',
    '-t',
    'nat',
    remove ? '-D' : '-A',
    chain,
    ...rule,
    '-m',
    'comment',
    '--comment',
    APP_TAG,
  ])
}

/** The app's nft table (family ip), beside whatever else the target has. */
export const NFT_TABLE = 'netns_studio'

function nftEnsure(ns: string): CommandStep[] {
  return [
    nsExec(ns, ['nft', 'add', 'table', 'ip', NFT_TABLE]),
    nsExec(ns, [
      'nft',
      'add',
      'chain',
      'ip',
      NFT_TABLE,
      'postrouting',
      '{ type nat hook postrouting priority 100 ; }',
    ]),
    nsExec(ns, [
      'nft',
      'add',
      'chain',
      'ip',
      NFT_TABLE,
      'prerouting',
      '{ type nat hook prerouting priority -100 ; }',
    ]),
    nsExec(ns, [
      'nft',
      'add',
      'chain',
      'ip',
      NFT_TABLE,
      'output',
      '{ type nat hook output priority -100 ; }',
    ]),
  ]
}

/**
 * The comment that names one nft rule: the app's tag and the rule itself, so removal finds exactly
 * that rule (nft deletes rules only by handle, and handles differ on every target and every run).
 */
export function nftComment(rule: string[]): string {
  return `${APP_TAG} ${rule.join(' ')}`
}

/** Add `rule` to `chain`, with its comment. */
function nftAdd(ns: string, chain: string, rule: string[]): CommandStep {
  return nsExec(ns, [
    'nft',
    'add',
    'rule',
    'ip',
    NFT_TABLE,
    chain,
    ...rule,
    'comment',
    `"${nftComment(rule)}"`,
  ])
}

/**
 * Delete the first rule of `chain` whose comment is $2 (found with `nft -a list chain`, deleted by
 * its handle); fails, saying so, when there is none. The chain and comment are arguments, never code.
 */
export const NFT_DELETE_BY_COMMENT = [
  `h=$(nft -a list chain ip ${NFT_TABLE} "$1" 2>/dev/null | awk -v c="$2" 'BEGIN { m = "comment \\"" c "\\" # handle " } { i = index($0, m) } i > 0 { print substr($0, i + length(m)); exit }')`,
  `[ -n "$h" ] || { echo "no rule with comment \\"$2\\" in chain $1 of table ip ${NFT_TABLE}" >&2; exit 1; }`,
  `nft delete rule ip ${NFT_TABLE} "$1" handle "$h"`,
].join('; ')

/** Remove the one rule `rule` from `chain` (not the table, not other rules). */
function nftRemove(ns: string, chain: string, rule: string[]): CommandStep {
  return nsExec(ns, ['sh', '-c', NFT_DELETE_BY_COMMENT, 'sh', chain, nftComment(rule)])
}

/** The exact commands an operation runs, in order. The operation must be valid. */
export function opCommands(op: NetOp, nat: NatBackend = 'iptables'): CommandStep[] {
  switch (op.op) {
    case 'ns.add':
      return [
        { argv: ['ip', 'netns', 'add', op.name], ns: HOST_NS, ipArgs: ['netns', 'add', op.name] },
      ]
    case 'ns.delete':
      return [
        {
          argv: ['ip', 'netns', 'delete', nsToKernel(op.name)],
          ns: HOST_NS,
          ipArgs: ['netns', 'delete', nsToKernel(op.name)],
        },
      ]
    case 'veth.add': {
      // The first name is made where ip runs: older kernels (Debian 12's 6.1 in the app's VM
      // among them) look a new link's name up there, not where it is made, so `ip link add eth0
      // netns red type veth peer ...` fails with "File exists" when the root has an eth0. The
      // root's end comes first; else the command runs in the first end's namespace.
      const a = op.ns ?? HOST_NS
      const b = op.peerNs ?? HOST_NS
      const [first, firstNs, second, secondNs] =
        a !== HOST_NS && b === HOST_NS ? [op.peer, b, op.name, a] : [op.name, a, op.peer, b]
      const into = secondNs === firstNs ? [] : ['netns', nsToKernel(secondNs)]
      const steps = [
        ipStep(firstNs, ['link', 'add', first, 'type', 'veth', 'peer', 'name', second, ...into]),
      ]
      if (op.up) {
        steps.push(ipStep(op.ns ?? HOST_NS, ['link', 'set', 'dev', op.name, 'up']))
        steps.push(ipStep(op.peerNs ?? HOST_NS, ['link', 'set', 'dev', op.peer, 'up']))
      }
      return steps
    }
    case 'bridge.add': {
      const steps = [ipStep(op.ns, ['link', 'add', 'name', op.name, 'type', 'bridge'])]
      if (op.up !== false) steps.push(ipStep(op.ns, ['link', 'set', 'dev', op.name, 'up']))
      return steps
    }
    case 'link.delete':
      return [ipStep(op.ns, ['link', 'delete', 'dev', op.ifname])]
    case 'link.set-state':
      return [ipStep(op.ns, ['link', 'set', 'dev', op.ifname, op.up ? 'up' : 'down'])]
    case 'link.move':
      return [
        ipStep(op.ns, [
          'link',
          'set',
          'dev',
          op.ifname,
          'netns',
          op.toNs === HOST_NS ? '1' : nsToKernel(op.toNs),
        ]),
      ]
    case 'link.set-master':
      return [
        ipStep(op.ns, [
          'link',
          'set',
          'dev',
          op.ifname,
          ...(op.bridge ? ['master', op.bridge] : ['nomaster']),
        ]),
      ]
    case 'addr.add':
      return [ipStep(op.ns, ['addr', 'add', op.cidr, 'dev', op.ifname])]
    case 'addr.delete':
      return [ipStep(op.ns, ['addr', 'del', op.cidr, 'dev', op.ifname])]
    case 'route.add':
    case 'route.delete':
      return [ipStep(op.ns, routeArgs(op))]
    case 'forwarding.set':
      return [nsExec(op.ns, ['sysctl', '-w', `net.ipv4.ip_forward=${op.enabled ? 1 : 0}`])]
    case 'nat.masquerade': {
      const out = op.outIf ? ['-o', op.outIf] : []
      if (nat === 'nft') {
        const rule = [
          'ip',
          'saddr',
          op.source,
          ...(op.outIf ? ['oifname', op.outIf] : []),
          'masquerade',
        ]
        return op.remove
          ? [nftRemove(op.ns, 'postrouting', rule)]
          : [...nftEnsure(op.ns), nftAdd(op.ns, 'postrouting', rule)]
      }
      return [
        iptablesNat(op.ns, 'POSTROUTING', !!op.remove, [
          '-s',
          op.source,
          ...out,
          '-j',
          'MASQUERADE',
        ]),
      ]
    }
    case 'nat.port-forward': {
      const to = `${op.toAddr}:${op.toPort}`
      if (nat === 'nft') {
        const rule = [
          'fib',
          'daddr',
          'type',
          'local',
          op.protocol,
          'dport',
          String(op.port),
          'dnat',
          'to',
          to,
        ]
        return op.remove
          ? [nftRemove(op.ns, 'prerouting', rule), nftRemove(op.ns, 'output', rule)]
          : [...nftEnsure(op.ns), nftAdd(op.ns, 'prerouting', rule), nftAdd(op.ns, 'output', rule)]
      }
      const rule = [
        '-p',
        op.protocol,
        '-m',
        'addrtype',
        '--dst-type',
        'LOCAL',
        '--dport',
        String(op.port),
        '-j',
        'DNAT',
        '--to-destination',
        to,
      ]
      return [
        iptablesNat(op.ns, 'PREROUTING', !!op.remove, rule),
        iptablesNat(op.ns, 'OUTPUT', !!op.remove, rule),
      ]
    }
    case 'sysctl.set':
      return [nsExec(op.ns, ['sysctl', '-w', `${op.key}=${op.value}`])]
    case 'netem.set': {
      const { ns, ifname, delayMs, jitterMs, lossPct, rateKbit } = op
      const req = { ns, ifname, delayMs, jitterMs, lossPct, rateKbit }
      for (const k of ['delayMs', 'jitterMs', 'lossPct', 'rateKbit'] as const)
        if (req[k] === undefined) delete req[k]
      return [{ argv: netemSetArgv(req), ns }]
    }
    case 'netem.clear':
      return [{ argv: netemClearArgv(op.ns, op.ifname), ns: op.ns }]
  }
}

/** What an operation creates, for reset: namespaces and links the app owns. */
export function opCreates(
  op: NetOp,
): Array<{ kind: 'ns'; name: string } | { kind: 'link'; ns: string; ifname: string }> {
  switch (op.op) {
    case 'ns.add':
      return [{ kind: 'ns', name: op.name }]
    case 'veth.add':
      return [
        { kind: 'link', ns: op.ns ?? HOST_NS, ifname: op.name },
        { kind: 'link', ns: op.peerNs ?? HOST_NS, ifname: op.peer },
      ]
    case 'bridge.add':
      return [{ kind: 'link', ns: op.ns, ifname: op.name }]
    default:
      return []
  }
}

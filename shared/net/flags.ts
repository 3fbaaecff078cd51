// Link flags and operational state explained in plain words, so a learner can tell "down" from
// "up but the peer is down" without reading kernel docs. Pure: used by the Interfaces table.

import type { NetLink } from './model'

/** A coarse state for coloring: working, not working, half working, or not reported. */
export type LinkHealth = 'up' | 'down' | 'partial' | 'unknown'

/** One kernel flag and what it means. */
export interface FlagMeaning {
  flag: string
  meaning: string
}

/** A link's state in plain words. */
export interface LinkStateExplanation {
  health: LinkHealth
  /** Short label for a badge, e.g. "up", "down", "peer down". */
  label: string
  /** One or two sentences: what the state means and what to do about it. */
  explanation: string
  /** Every flag of the link with its meaning (unknown flags get a generic one). */
  flags: FlagMeaning[]
}

const FLAG_MEANINGS: Record<string, string> = {
  UP: 'administratively up (someone ran "ip link set … up")',
  LOWER_UP: 'the layer below has a signal: for a veth, its peer is up',
  'NO-CARRIER': 'no carrier: nothing is listening at the other end of the cable',
  BROADCAST: 'can send broadcast frames (e.g. ARP requests)',
  MULTICAST: 'can send and receive multicast',
  LOOPBACK: 'loopback: traffic never leaves this namespace',
  POINTOPOINT: 'point-to-point link with exactly one peer',
  NOARP: 'does not use ARP to find neighbours',
  PROMISC: 'promiscuous: receives every frame, not only its own (e.g. a capture or a bridge port)',
  ALLMULTI: 'receives all multicast frames',
  DORMANT: 'dormant: waiting for an external event (e.g. 802.1X)',
  'M-DOWN': 'the master (bridge or bond) of this port is down',
  SLAVE: 'enslaved to a bond',
  MASTER: 'a bond master',
  ECHO: 'echoes sent packets back (CAN)',
}

/** What one flag means. */
export function explainFlag(flag: string): FlagMeaning {
  return { flag, meaning: FLAG_MEANINGS[flag] ?? 'a kernel link flag' }
}

type LinkLike = Pick<NetLink, 'flags' | 'operstate' | 'kind' | 'ifname'> & {
  peer?: NetLink['peer']
}

function peerText(link: LinkLike): string {
  const p = link.peer
  if (!p || !p.ifname) return 'its peer'
  return p.namespace ? `its peer ${p.ifname} in ${p.namespace}` : `its peer ${p.ifname}`
}

/**
 * Explain a link's state: the operstate the kernel reports, read together with its flags.
 * E.g. operstate LOWERLAYERDOWN on a veth: "this end is up but its peer is down".
 */
export function explainLinkState(link: LinkLike): LinkStateExplanation {
  const flags = link.flags.map(explainFlag)
  const adminUp = link.flags.includes('UP')
  const noCarrier = link.flags.includes('NO-CARRIER')
  const op = link.operstate.toUpperCase()
  const up = `ip link set dev ${link.ifname} up`
  const out = (health: LinkHealth, label: string, explanation: string): LinkStateExplanation => ({
    health,
    label,
    explanation,
    flags,
  })

  if (!adminUp)
    return out(
      'down',
      'down',
      `Administratively down: nothing passes until you bring it up (${up}).`,
    )
  if (op === 'LOWERLAYERDOWN' || (link.kind === 'veth' && noCarrier))
    return link.kind === 'veth'
      ? out(
          'partial',
          'peer down',
          `This end is up but ${peerText(link)} is down, so no traffic flows yet. Bring the peer up too.`,
        )
      : out('partial', 'lower layer down', 'This link is up but the device below it is down.')
  if (noCarrier && link.kind === 'bridge')
    return out(
      'partial',
      'no ports up',
      'The bridge is up but none of its ports is up yet; attach a port and bring it up.',
    )
  if (noCarrier)
    return out(
      'partial',
      'no carrier',
      'Up, but there is no carrier: nothing is connected at the other end.',
    )
  if (op === 'UP') return out('up', 'up', 'Up and passing traffic.')
  if (op === 'UNKNOWN') {
    if (link.kind === 'loopback' || link.flags.includes('LOOPBACK'))
      return out('up', 'up', 'Up. Loopback reports state UNKNOWN; that is normal.')
    if (link.flags.includes('LOWER_UP'))
      return out(
        'up',
        'up',
        'Up. The driver does not report an operational state; that is normal for this kind.',
      )
    return out('unknown', 'unknown', 'Up, but the driver reports no operational state.')
  }
  if (op === 'DORMANT')
    return out('partial', 'dormant', 'Up but dormant: waiting for an external event.')
  if (op === 'NOTPRESENT') return out('down', 'not present', 'The underlying device is missing.')
  if (op === 'TESTING') return out('partial', 'testing', 'The link is in test mode.')
  if (op === 'DOWN')
    return out('down', 'down', 'Up administratively, but the kernel reports it down.')
  return out('unknown', op.toLowerCase(), `The kernel reports state ${op}.`)
}

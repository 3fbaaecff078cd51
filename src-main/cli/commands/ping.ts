// `netns-studio ping A B`: a bounded ping from namespace A to namespace B's first address (or to
// an address), through the app's PingSession; ping's lines on stdout, or the statistics as JSON.

import { InvalidArgumentError, type Command } from 'commander'
import type { LiveEnd, PingPoint } from '../../../shared/ipc/domains/live'
import { checkPingRequest, type PingRequest, type PingStats } from '../../../shared/net/ping'
import { readSnapshot } from '../../netns/snapshot'
import { PingSession } from '../../streams/ping'
import type { Target } from '../../target/target'
import {
  action,
  addTargetCommandOptions,
  onTarget,
  type CliContext,
  type CommonFlags,
} from '../context'
import { CliError, EXIT, usageError } from '../errors'
import { printJson } from '../io'
import { firstAddress, namespaceIn, parseDestination } from '../resolve-address'
import type { TargetFlags } from '../target-options'

interface PingFlags extends CommonFlags, TargetFlags {
  count: number
  interval: number
  deadline?: number
  ipv6?: boolean
}

/** A commander parser for a number within [lo, hi] (whole when `int`). */
export function numberIn(lo: number, hi: number, int: boolean): (v: string) => number {
  return (v) => {
    const n = Number(v)
    if (v.trim() === '' || !Number.isFinite(n) || n < lo || n > hi || (int && !Number.isInteger(n)))
      throw new InvalidArgumentError(
        `expected ${int ? 'a whole number' : 'a number'} from ${lo} to ${hi}.`,
      )
    return n
  }
}

export function registerPing(program: Command, ctx: CliContext): void {
  addTargetCommandOptions(
    program
      .command('ping')
      .argument('<A>', 'source namespace ("host" is the root namespace)')
      .argument('<B>', 'destination: a namespace (its first global address) or an IP address')
      .description('ping from namespace A to B (exit 1 when no echo is answered)')
      .option('-c, --count <n>', 'echoes to send', numberIn(1, 100000, true), 3)
      .option('-i, --interval <s>', 'seconds between echoes', numberIn(0.1, 10, false), 0.2)
      .option(
        '-w, --deadline <s>',
        'stop after this many seconds (default: enough for the count)',
        numberIn(1, 86400, true),
      )
      .option('-6, --ipv6', "ping B's first global IPv6 address"),
  ).action(
    action<PingFlags>(ctx, async ([a, b], flags) => {
      const src = parseDestination(a as string)
      if (!('ns' in src))
        throw usageError(`A must be a namespace, not an address ("${a as string}").`)
      const dst = parseDestination(b as string)
      const deadlineS =
        flags.deadline ?? Math.min(86400, Math.ceil(flags.count * flags.interval) + 2)
      const result = await onTarget(ctx, flags, async (target, progress) => {
        const snap = await readSnapshot(target)
        namespaceIn(snap, src.ns)
        let address: string
        if ('address' in dst) address = dst.address
        else {
          const found = firstAddress(namespaceIn(snap, dst.ns), flags.ipv6 ? 'inet6' : undefined)
          if (!found)
            throw new CliError(
              EXIT.TARGET,
              'NOT_FOUND',
              `Namespace "${dst.ns}" has no global ${flags.ipv6 ? 'IPv6 ' : ''}address to ping.`,
            )
          address = found
        }
        const req: PingRequest = {
          ns: src.ns,
          address,
          count: flags.count,
          intervalS: flags.interval,
          deadlineS,
        }
        const c = checkPingRequest(req)
        if (!c.ok) throw usageError(c.message)
        progress(`Pinging ${address} from ${src.ns}…`)
        return pingOnce(target, req, (lines) => {
          if (!flags.json) for (const l of lines) ctx.io.out(`${l}\n`)
        })
      })
      if (flags.json)
        printJson(ctx.io, {
          from: src.ns,
          ...('ns' in dst ? { to: dst.ns } : {}),
          address: result.address,
          ...result.stats,
          replies: [...new Map(result.points.map((p) => [p.seq, p])).values()],
          ...(result.error ? { error: result.error } : {}),
        })
      if (result.ended === 'error')
        throw new CliError(
          EXIT.TARGET,
          'COMMAND_FAILED',
          `The ping stopped: ${result.error ?? 'connection lost'}.`,
        )
      return result.stats.received > 0 ? EXIT.OK : EXIT.PENDING
    }),
  )
}

/** Run one bounded ping to its end (Ctrl-C stops it early), passing its lines on as they come. */
async function pingOnce(
  target: Target,
  req: PingRequest,
  onLines: (lines: string[]) => void,
): Promise<{
  stats: PingStats
  address: string
  points: PingPoint[]
  ended: LiveEnd['reason']
  error?: string
}> {
  const points: PingPoint[] = []
  let ended!: (e: LiveEnd) => void
  const end = new Promise<LiveEnd>((resolve) => (ended = resolve))
  const session = await PingSession.start(target, req, {
    data: (b) => {
      points.push(...b.points)
      onLines(b.lines)
    },
    ended: (e) => ended(e),
  })
  const stop = (): void => void session.stop()
  process.once('SIGINT', stop)
  try {
    const e = await end
    return {
      stats: session.stats,
      address: req.address,
      points,
      ended: e.reason,
      ...(e.error ? { error: e.error.message } : {}),
    }
  } finally {
    process.off('SIGINT', stop)
  }
}

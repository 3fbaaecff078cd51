// Verdicts of checks from what the kernel said: the snapshot (interfaces, addresses, routes,
// neighbours, namespaces), sysctl reads, and the output of ping, socat and command probes. A check
// that cannot be decided fails and says why; nothing here guesses.

import { HOST_NS, type NetNamespace, type Snapshot } from '../net/model'
import { ipFamily } from '../net/validate'
import { canonCidr, canonIp } from './addr'
import type { CheckResult, LabCheck } from './checks'

/** A verdict before the check's own texts are added. */
export interface Judged {
  ok: boolean
  detail: string
}

/** What a probe (ping, socat, a command) left: null exit code when it never reported back. */
export interface ProbeOutcome {
  exitCode: number | null
  stdout: string
  stderr: string
}

const where = (ns: string): string => (ns === HOST_NS ? 'the root namespace (host)' : ns)

/** The failure of a check whose namespace is not there. */
export const missingNs = (ns: string): Judged => ({
  ok: false,
  detail: `namespace ${ns} does not exist`,
})

export function findNs(snap: Snapshot, ns: string): NetNamespace | undefined {
  return snap.namespaces.find((n) => n.name === ns)
}

/** The check's result: the verdict with its pass or fail text first, the hint on a failure. */
export function finish(c: LabCheck, j: Judged): CheckResult {
  const text = j.ok ? c.pass : c.fail
  return {
    name: c.name,
    ok: j.ok,
    detail: text ? `${text} (${j.detail})` : j.detail,
    ...(c.hint && !j.ok ? { hint: c.hint } : {}),
  }
}

const listed = (xs: string[]): string => (xs.length ? xs.join(', ') : 'none')

function judgeInterface(c: NonNullable<LabCheck['interface']>, n: NetNamespace): Judged {
  const l = n.links.find((x) => x.ifname === c.dev)
  if (!l)
    return {
      ok: false,
      detail: `${where(c.ns)} has no interface ${c.dev} (it has: ${listed(n.links.map((x) => x.ifname))})`,
    }
  const up = l.flags.includes('UP')
  const carrier = up && l.flags.includes('LOWER_UP')
  const facts = `state ${l.operstate}, flags ${l.flags.join(',') || 'none'}`
  const state = c.state ?? 'up'
  const ok =
    state === 'present' ||
    (state === 'up' && up) ||
    (state === 'down' && !up) ||
    (state === 'carrier' && carrier) ||
    (state === 'no-carrier' && up && !carrier)
  if (c.master !== undefined && l.master !== c.master)
    return {
      ok: false,
      detail: `${c.dev} in ${where(c.ns)} is ${l.master ? `a port of ${l.master}` : 'a port of no bridge'}, not of ${c.master}`,
    }
  const is = !up
    ? 'administratively down'
    : carrier
      ? 'up with a carrier'
      : 'up with no carrier (its other end is down or missing)'
  const port = c.master !== undefined ? `a port of ${c.master}, ` : ''
  return { ok, detail: `${c.dev} in ${where(c.ns)} is ${port}${is} (${facts})` }
}

function judgeAddress(c: NonNullable<LabCheck['address']>, n: NetNamespace): Judged {
  const [want, len] = canonCidr(c.address).split('/') as [string, string]
  const same = n.addresses.filter((a) => canonIp(a.local) === want)
  const exact = same.find((a) => String(a.prefixlen) === len && (!c.dev || a.ifname === c.dev))
  const on = (dev: string): string => `${dev} in ${where(c.ns)}`
  if (c.dev && !n.links.some((l) => l.ifname === c.dev))
    return { ok: false, detail: `${where(c.ns)} has no interface ${c.dev}` }
  if (exact) {
    if (exact.flags.includes('dadfailed'))
      return {
        ok: false,
        detail: `${c.address} is on ${on(exact.ifname)} but duplicate address detection failed: another host has it`,
      }
    return { ok: true, detail: `${c.address} is on ${on(exact.ifname)}` }
  }
  const other = same[0]
  if (other)
    return {
      ok: false,
      detail:
        String(other.prefixlen) !== len
          ? `${want} is on ${on(other.ifname)} with prefix /${other.prefixlen}, not /${len}`
          : `${want}/${len} is on ${on(other.ifname)}, not on ${c.dev}`,
    }
  const have = n.addresses
    .filter((a) => (c.dev ? a.ifname === c.dev : a.ifname !== 'lo'))
    .map((a) => `${a.local}/${a.prefixlen}`)
  return {
    ok: false,
    detail: `${c.address} is not in ${where(c.ns)}; ${c.dev ?? 'its interfaces'} ${have.length === 1 ? 'has' : 'have'}: ${listed(have)}`,
  }
}

const TABLE_IDS: Record<string, string> = { '253': 'default', '254': 'main', '255': 'local' }
const tableName = (t: string | number | undefined): string =>
  TABLE_IDS[String(t ?? 'main')] ?? String(t ?? 'main')

function judgeRoute(c: NonNullable<LabCheck['route']>, n: NetNamespace): Judged {
  const family =
    c.to === 'default' ? (c.via ? ipFamily(c.via) : 'inet') : ipFamily(c.to.split('/')[0]!)
  const dst = c.to === 'default' ? 'default' : canonCidr(c.to)
  const table = tableName(c.table)
  const routes = n.routes.filter(
    (r) =>
      r.family === family &&
      tableName(r.table) === table &&
      (r.dst === 'default' ? 'default' : canonCidr(r.dst)) === dst,
  )
  const text = (r: (typeof routes)[number]): string =>
    `${r.dst}${r.gateway ? ` via ${r.gateway}` : ''}${r.dev ? ` dev ${r.dev}` : ''}`
  const t = table === 'main' ? '' : ` (table ${table})`
  if (!routes.length) {
    const others = n.routes
      .filter((r) => r.family === family && tableName(r.table) === table && r.type === 'unicast')
      .map(text)
    return {
      ok: false,
      detail: `${where(c.ns)} has no route to ${c.to}${t}; its routes: ${listed(others)}`,
    }
  }
  const match = routes.find(
    (r) =>
      (!c.via || (r.gateway !== null && canonIp(r.gateway) === canonIp(c.via))) &&
      (!c.dev || r.dev === c.dev),
  )
  if (match) return { ok: true, detail: `${where(c.ns)} routes ${text(match)}${t}` }
  return {
    ok: false,
    detail: `${where(c.ns)} routes ${routes.map(text).join('; ')}${t}, not${c.via ? ` via ${c.via}` : ''}${c.dev ? ` dev ${c.dev}` : ''}`,
  }
}

function judgeNeighbour(c: NonNullable<LabCheck['neighbour']>, n: NetNamespace): Judged {
  const want = canonIp(c.address)
  const entries = n.neighbours.filter((e) => canonIp(e.dst) === want && (!c.dev || e.dev === c.dev))
  const text = (e: (typeof entries)[number]): string =>
    `${e.dst} dev ${e.dev}${e.mac ? ` lladdr ${e.mac}` : ''} ${e.state.join(',') || 'no state'}`
  if (!entries.length)
    return {
      ok: false,
      detail: `${where(c.ns)} has no neighbour entry for ${c.address}${c.dev ? ` on ${c.dev}` : ''}`,
    }
  const good = entries.find((e) => {
    const resolved = !!e.mac && !e.state.some((s) => s === 'FAILED' || s === 'INCOMPLETE')
    const state = c.state ? e.state.includes(c.state.toUpperCase()) : resolved
    return state && (!c.lladdr || (e.mac ?? '').toLowerCase() === c.lladdr.toLowerCase())
  })
  if (good) return { ok: true, detail: `${where(c.ns)} has ${text(good)}` }
  const asked = [c.state ?? 'resolved', c.lladdr ? `lladdr ${c.lladdr}` : ''].filter(Boolean)
  return {
    ok: false,
    detail: `${where(c.ns)} has ${entries.map(text).join('; ')}, not ${asked.join(' with ')}`,
  }
}

/**
 * The verdict of a check that the snapshot decides (interface, address, route, neighbour,
 * namespace), or null for the kinds it does not.
 */
export function judgeFromSnapshot(c: LabCheck, snap: Snapshot): Judged | null {
  if (c.namespace) {
    const there = !!findNs(snap, c.namespace.ns)
    const want = c.namespace.exists ?? true
    return {
      ok: there === want,
      detail: `namespace ${c.namespace.ns} ${there ? 'exists' : 'does not exist'}`,
    }
  }
  const ns = c.interface?.ns ?? c.address?.ns ?? c.route?.ns ?? c.neighbour?.ns
  if (ns === undefined) return null
  const n = findNs(snap, ns)
  if (!n) return missingNs(ns)
  if (c.interface) return judgeInterface(c.interface, n)
  if (c.address) return judgeAddress(c.address, n)
  if (c.route) return judgeRoute(c.route, n)
  return judgeNeighbour(c.neighbour!, n)
}

/** A sysctl check from what `sysctl KEY` printed in its namespace (undefined: not printed). */
export function judgeSysctl(
  c: NonNullable<LabCheck['sysctl']>,
  value: string | undefined,
  stderr: string,
): Judged {
  if (value === undefined) {
    const why = stderr.trim().split('\n')[0]
    return {
      ok: false,
      detail: `${c.key} could not be read in ${where(c.ns)}${why ? `: ${why}` : ''}`,
    }
  }
  const norm = (v: string): string => v.trim().split(/\s+/).join(' ')
  const ok = norm(value) === norm(String(c.value))
  return {
    ok,
    detail: `${c.key} is ${value} in ${where(c.ns)}${ok ? '' : `, not ${c.value}`}`,
  }
}

/**
 * Why a probe says nothing about the network: it never reported, its program could not be
 * started, its namespace could not be entered, or it was stopped at its time limit. Null when
 * it ran to its end.
 */
export function probeProblem(out: ProbeOutcome | undefined, what: string): string | null {
  if (!out || out.exitCode === null) return `${what} did not report back, so nothing is known`
  const err = out.stderr.trim()
  const line = (re: RegExp): string | undefined => err.split('\n').find((l) => re.test(l))
  const notRun = line(
    /timeout: failed to run command|Cannot open network namespace|setting the network namespace/,
  )
  if (notRun) return `${what} could not be run: ${notRun.trim()}`
  if ((out.exitCode === 124 || out.exitCode === 137) && line(/timeout: sending signal/))
    return `${what} did not finish in time and was stopped, so nothing is known`
  return null
}

/** Reachability from ping's output (`ping -q`): one reply is enough. */
export function judgeReach(
  c: NonNullable<LabCheck['reach']>,
  dest: string,
  out: ProbeOutcome | undefined,
): Judged {
  const expect = c.expect ?? 'reachable'
  const problem = probeProblem(out, `ping from ${c.from} to ${dest}`)
  if (problem) return { ok: false, detail: problem }
  const o = out!
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(o.stdout)
  const fatal = /^ping: (.+)$/m.exec(o.stderr)?.[1]?.trim()
  let reached: boolean
  let facts: string
  if (m) {
    reached = Number(m[2]) > 0
    facts = `${m[2]} of ${m[1]} echo requests answered`
    const icmp = /From (\S+) icmp_seq=\d+ (.+)$/m.exec(o.stdout)
    if (!reached && icmp) facts += `; ${icmp[1]} said: ${icmp[2]!.trim()}`
  } else if (fatal && /unreachable|No route|Cannot assign/i.test(fatal)) {
    reached = false
    facts = `the kernel refused to send: ${fatal}`
  } else {
    return {
      ok: false,
      detail: `ping from ${c.from} to ${dest} gave no verdict (exit ${o.exitCode}${fatal ? `: ${fatal}` : ''})`,
    }
  }
  const verb = reached ? 'reaches' : 'does not reach'
  return {
    ok: reached === (expect === 'reachable'),
    detail: `${where(c.from)} ${verb} ${dest}: ${facts}`,
  }
}

/** Whether a port answered, from socat's exit and messages. */
export function judgePort(c: NonNullable<LabCheck['port']>, out: ProbeOutcome | undefined): Judged {
  const proto = c.protocol ?? 'tcp'
  const to = `${c.to.includes(':') ? `[${c.to}]` : c.to}:${c.port}`
  const what = `${proto.toUpperCase()} ${to} from ${c.from}`
  const problem = probeProblem(out, `the ${proto.toUpperCase()} probe of ${to}`)
  if (problem) return { ok: false, detail: problem }
  const o = out!
  const err = /E (?:connect|read|write|recv|send)\w*\([^)]*\): (.+)$/m.exec(o.stderr)?.[1]?.trim()
  let open: boolean
  let facts: string
  if (proto === 'tcp') {
    if (o.exitCode === 0) [open, facts] = [true, 'the connection was accepted']
    else if (err && /refused/i.test(err))
      [open, facts] = [
        false,
        'connection refused: the kernel answered with a reset (nothing listens on the port the connection reached)',
      ]
    else if (err && /timed out|in progress/i.test(err))
      [open, facts] = [
        false,
        `no answer within ${c.timeoutS ?? 3} s (nothing answered; a firewall may drop it)`,
      ]
    else if (err && /unreachable|no route/i.test(err)) [open, facts] = [false, err]
    else
      return {
        ok: false,
        detail: `${what} gave no verdict: ${err ?? (o.stderr.trim() || `exit ${o.exitCode}`)}`,
      }
  } else {
    if (o.exitCode === 0 && o.stdout.length > 0) [open, facts] = [true, 'a reply arrived']
    else if (err && /refused/i.test(err))
      [open, facts] = [false, 'port unreachable: the kernel answered that nothing listens there']
    else if (o.exitCode === 0)
      [open, facts] = [
        false,
        `no answer within ${c.timeoutS ?? 3} s: nothing listens, a firewall drops it, or the service does not reply to this probe`,
      ]
    else if (err && /unreachable|no route/i.test(err)) [open, facts] = [false, err]
    else
      return {
        ok: false,
        detail: `${what} gave no verdict: ${err ?? (o.stderr.trim() || `exit ${o.exitCode}`)}`,
      }
  }
  return {
    ok: open === ((c.expect ?? 'open') === 'open'),
    detail: `${what}: ${facts}`,
  }
}

const clip = (s: string, n = 200): string => {
  const t = s.trim().replace(/\s+/g, ' ')
  return t.length > n ? `${t.slice(0, n)}…` : t
}

/** A command check from its exit code and stdout. */
export function judgeCommand(
  c: NonNullable<LabCheck['command']>,
  out: ProbeOutcome | undefined,
): Judged {
  const prog = c.argv[0]!
  const problem = probeProblem(out, `${prog} in ${c.ns}`)
  if (problem) return { ok: false, detail: problem }
  const o = out!
  const wantExit = c.exit ?? (c.output === undefined && c.match === undefined ? 0 : undefined)
  const misses: string[] = []
  if (wantExit !== undefined && o.exitCode !== wantExit)
    misses.push(
      `exited ${o.exitCode}, not ${wantExit}${o.stderr.trim() ? ` (${clip(o.stderr, 120)})` : ''}`,
    )
  if (c.output !== undefined && !o.stdout.includes(c.output))
    misses.push(`its output does not contain "${clip(c.output, 60)}"`)
  if (c.match !== undefined && !new RegExp(c.match).test(o.stdout))
    misses.push(`its output does not match /${clip(c.match, 60)}/`)
  if (misses.length)
    return {
      ok: false,
      detail: `${prog} in ${c.ns} ${misses.join('; ')}${o.stdout.trim() ? `; output: ${clip(o.stdout)}` : ''}`,
    }
  return {
    ok: true,
    detail: `${prog} in ${c.ns} exited ${o.exitCode}${c.output !== undefined || c.match !== undefined ? ' and its output matched' : ''}`,
  }
}

/** Namespace `ns`'s first address: global scope, not on lo, IPv4 before IPv6. */
/** Whether namespace `n` has `address` on one of its interfaces (as the kernel lists it). */
export function hasAddress(n: NetNamespace | undefined, address: string): boolean {
  return !!n?.addresses.some((a) => a.local === address)
}

export function firstAddressOf(n: NetNamespace): string | null {
  const global = n.addresses.filter((a) => a.ifname !== 'lo' && a.scope === 'global')
  return (global.find((a) => a.family === 'inet') ?? global[0])?.local ?? null
}

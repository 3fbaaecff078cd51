// Probes of checks (ping, a TCP/UDP port through socat, a command) run side by side in ONE remote
// script, a few at a time, each bounded by `timeout`; their exit codes and output come back
// framed (base64), so any output of any probe is read back exactly.

import type { ProbeOutcome } from '../../shared/lab/checks-verdict'
import { DEFAULT_PROBE_TIMEOUT_S, type LabCheck } from '../../shared/lab/checks'
import { inNamespace } from '../../shared/net/ping'
import { ipFamily } from '../../shared/net/validate'
import type { CommandResult, Target } from '../target/target'

/** Probes running at once on the target. */
export const PROBE_CONCURRENCY = 4

/** Bytes of stdout (stderr: an eighth) kept per probe. */
const MAX_OUTPUT = 65536

/** One probe: its argv (validated values only) and whether it is fed a line on stdin (UDP). */
export interface Probe {
  argv: string[]
  feed?: boolean
  /** Seconds it may take at most (its own bound; `timeout` stops it after that). */
  seconds: number
}

const bounded = (seconds: number, argv: string[]): string[] => [
  'timeout',
  '--verbose',
  '-k',
  '1',
  String(seconds),
  ...argv,
]

/** The ping of a reach check: `count` echoes, 0.2 s apart, one reply enough, within a deadline. */
export function reachProbe(c: NonNullable<LabCheck['reach']>, address: string): Probe {
  const count = c.count ?? 1
  const deadline = Math.ceil(count * 0.2) + 2
  const fam = ipFamily(address) === 'inet6' ? '-6' : '-4'
  const ping = ['ping', fam, '-n', '-q', '-c', String(count), '-i', '0.2', '-W', '1']
  return {
    argv: inNamespace(c.from, bounded(deadline + 2, [...ping, '-w', String(deadline), address])),
    seconds: deadline + 3,
  }
}

/** socat to ADDRESS:PORT: a TCP connect (then nothing sent), or one UDP line and a wait for a reply. */
export function portProbe(c: NonNullable<LabCheck['port']>): Probe {
  const t = c.timeoutS ?? DEFAULT_PROBE_TIMEOUT_S
  const v6 = ipFamily(c.to) === 'inet6'
  const host = v6 ? `[${c.to}]` : c.to
  if ((c.protocol ?? 'tcp') === 'tcp')
    return {
      argv: inNamespace(
        c.from,
        bounded(t + 2, [
          'socat',
          '-u',
          'OPEN:/dev/null',
          `TCP${v6 ? 6 : 4}:${host}:${c.port},connect-timeout=${t}`,
        ]),
      ),
      seconds: t + 3,
    }
  return {
    argv: inNamespace(
      c.from,
      bounded(t + 2, [
        'socat',
        '-t',
        String(t),
        '-T',
        String(t),
        '-',
        `UDP${v6 ? 6 : 4}:${host}:${c.port}`,
      ]),
    ),
    feed: true,
    seconds: t + 3,
  }
}

/** The program of a command check, in its namespace, stopped after its time limit. */
export function commandProbe(c: NonNullable<LabCheck['command']>): Probe {
  const t = c.timeoutS ?? DEFAULT_PROBE_TIMEOUT_S
  return { argv: inNamespace(c.ns, bounded(t, c.argv)), seconds: t + 1 }
}

/**
 * The remote script. Probes arrive as positional parameters, each as "COUNT FEED ARG…"; a probe's
 * command line is rebuilt from parameter NUMBERS only (eval sees digits, never a value), so no
 * value is ever parsed by the shell. Output goes to a private mktemp folder, removed on exit.
 */
export function probeScript(concurrency = PROBE_CONCURRENCY): string {
  return [
    'umask 077; d=$(mktemp -d /tmp/nss-check.XXXXXX) || exit 1',
    `trap 'rm -rf "$d"' EXIT`,
    `trap 'exit 1' HUP INT TERM`,
    'i=0; base=0',
    'while [ $# -gt 0 ]; do',
    '  n=$1; feed=$2; shift 2; i=$((i+1))',
    '  a=; k=1; while [ $k -le $n ]; do a="$a \\"\\${$k}\\""; k=$((k+1)); done',
    '  if [ "$feed" = 1 ]; then',
    `    ( printf 'netns-studio probe\\n' | eval "$a" >"$d/$i.o" 2>"$d/$i.e"; echo $? >"$d/$i.r" ) &`,
    '  else',
    '    ( eval "$a" </dev/null >"$d/$i.o" 2>"$d/$i.e"; echo $? >"$d/$i.r" ) &',
    '  fi',
    '  shift $n',
    `  [ $((i % ${concurrency})) -eq 0 ] && wait`,
    'done',
    'wait',
    'j=1; while [ $j -le $i ]; do',
    `  printf '@@P %s %s\\n' "$j" "$(cat "$d/$j.r" 2>/dev/null || echo x)"`,
    `  head -c ${MAX_OUTPUT} "$d/$j.o" 2>/dev/null | base64 | tr -d '\\n'; echo`,
    `  head -c ${MAX_OUTPUT / 8} "$d/$j.e" 2>/dev/null | base64 | tr -d '\\n'; echo`,
    '  j=$((j+1))',
    'done',
  ].join('\n')
}

/** The script's output → each probe's outcome, by index (a probe that never reported is absent). */
export function parseProbeOutput(stdout: string): Map<number, ProbeOutcome> {
  const out = new Map<number, ProbeOutcome>()
  const lines = stdout.split('\n')
  const text = (b64: string | undefined): string =>
    Buffer.from(b64 ?? '', 'base64').toString('utf8')
  for (let i = 0; i < lines.length; i++) {
    const m = /^@@P (\d+) (\d+|x)$/.exec(lines[i]!)
    if (!m) continue
    out.set(Number(m[1]) - 1, {
      exitCode: m[2] === 'x' ? null : Number(m[2]),
      stdout: text(lines[i + 1]),
      stderr: text(lines[i + 2]),
    })
    i += 2
  }
  return out
}

/**
 * Run `probes` on `target` in one round trip; outcomes in the probes' order. `then` runs in the
 * same round trip once every probe has ended (the runner re-reads the neighbours there).
 */
export async function runProbes(
  target: Target,
  probes: Probe[],
  then: string[][] = [],
  concurrency = PROBE_CONCURRENCY,
): Promise<{ outcomes: Array<ProbeOutcome | undefined>; then: CommandResult[] }> {
  if (!probes.length) return { outcomes: [], then: [] }
  const params = probes.flatMap((p) => [String(p.argv.length), p.feed ? '1' : '0', ...p.argv])
  const rounds = Math.ceil(probes.length / concurrency)
  const longest = Math.max(...probes.map((p) => p.seconds))
  const [r, ...rest] = await target.run(
    [['sh', '-c', probeScript(concurrency), 'sh', ...params], ...then],
    { timeoutMs: (rounds * longest + 15) * 1000 + then.length * 30_000 },
  )
  const got = parseProbeOutput(r?.stdout ?? '')
  return { outcomes: probes.map((_, i) => got.get(i)), then: rest }
}

// Live-view benchmarks on a real lab of 100 namespaces (200 interfaces) on one bridge, through the
// real composition root over SSH to a private sshd: the traffic sampler's own CPU (from /proc), the
// latency from a plain `ip` change to the pushed snapshot, and the 9,900-pair reachability matrix
// against Mininet's `pingall` on the same shape, measured in the same run. The matrix figure is a
// time only when the answer is right (every pair reachable); otherwise the bench fails.

import { execFileSync, spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import type { MatrixResult } from '../../shared/ipc/domains/live'
import type { MatrixPair } from '../../shared/net/matrix'
import { neighbourEntriesNeeded, neighLimitsFor } from '../../shared/net/matrix'
import type { Snapshot } from '../../shared/net/model'
import { openHarness, sleep, type Harness } from '../integration/live/harness'
import { cleanupPrefix, runPrefix, sh } from '../support/netns'
import { startSshd } from '../support/sshd'

export interface LiveFigures {
  sampler_cpu_pct: number
  monitor_p95_ms: number
  /** null when the matrix answer was wrong (the bench then fails). */
  matrix_100ns_s: number | null
  mininet_pingall_100_s: number | null
}

const N = 100
const SAMPLE_S = 30
const MONITOR_ROUNDS = 40

const addrOf = (i: number): string => `10.99.${Math.floor(i / 250)}.${(i % 250) + 1}`

/** The lab, built with plain `ip` (not measured): bridge, N namespaces, a veth port each. */
function buildLab(p: string): string[] {
  const br = `${p}br`
  const names = [...Array(N).keys()].map((i) => `${p}n${i}`)
  const host = [`link add ${br} type bridge`, `link set ${br} up`]
  names.forEach((ns, i) => {
    host.push(`netns add ${ns}`)
    host.push(`link add ${p}v${i} type veth peer name eth0 netns ${ns}`)
    host.push(`link set ${p}v${i} master ${br} up`)
  })
  sh(['ip', '-batch', '-'], host.join('\n') + '\n')
  names.forEach((ns, i) =>
    sh(
      ['ip', '-n', ns, '-batch', '-'],
      `addr add ${addrOf(i)}/16 dev eth0\nlink set eth0 up\nlink set lo up\n`,
    ),
  )
  return names
}

/** CPU ticks (user + system, with reaped children) of the given processes. */
function ticksOf(pids: string[]): number {
  let sum = 0
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      sum += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])
    } catch {
      // gone
    }
  }
  return sum
}

function pidsMatching(pattern: string): string[] {
  try {
    return sh(['pgrep', '-f', pattern]).trim().split('\n').filter(Boolean)
  } catch {
    return []
  }
}

const p95 = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.max(0, Math.ceil(s.length * 0.95) - 1)] ?? NaN
}

/** Mininet's pingall on the same shape; the seconds of its ping phase, or null (and why). */
async function mininetPingall(): Promise<number | null> {
  try {
    execFileSync('which', ['mn'], { stdio: 'ignore' })
  } catch {
    console.log('mininet: `mn` is not installed (Debian package mininet): not measured')
    return null
  }
  const busy = sh(['ip', '-br', 'link'])
    .split('\n')
    .some((l) => /^s1(-eth\d+)?[\s@]/.test(l))
  if (busy) {
    console.log('mininet: a switch s1 already exists here (another Mininet run?): not measured')
    return null
  }
  return new Promise((resolve) => {
    const started = Date.now()
    const mn = spawn(
      'mn',
      ['--topo', `single,${N}`, '--switch', 'lxbr', '--controller', 'none', '--test', 'pingall'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let pingAt = 0
    let doneAt = 0
    let out = ''
    const onData = (d: Buffer): void => {
      const now = Date.now()
      out += d.toString()
      if (!pingAt && out.includes('*** Ping: testing ping reachability')) pingAt = now
      if (pingAt && !doneAt && out.includes('*** Results:')) doneAt = now
    }
    mn.stdout.on('data', onData)
    mn.stderr.on('data', onData)
    const timer = setTimeout(() => mn.kill('SIGINT'), 600_000)
    mn.on('close', (code) => {
      clearTimeout(timer)
      const res = /\*\*\* Results: (\d+)% dropped \((\d+)\/(\d+) received\)/.exec(out)
      if (!pingAt || !doneAt || !res) {
        console.log(
          `mininet: pingall did not complete (exit ${String(code)}): ${out.trim().split('\n').slice(-3).join(' | ')}`,
        )
        resolve(null)
        return
      }
      const s = (doneAt - pingAt) / 1000
      console.log(
        `mininet pingall ${N} hosts: ${s.toFixed(2)} s for the ping phase (${res[2]}/${res[3]} received, ${res[1]}% dropped); whole run ${((Date.now() - started) / 1000).toFixed(1)} s`,
      )
      resolve(s)
    })
  })
}

/** Which parts to run (all by default; a subset is handy while tuning one). */
export type LivePart = 'sampler' | 'monitor' | 'matrix' | 'mininet'

type H = Harness

/** The sampler's own CPU: 200 interfaces at 1 Hz for 30 s, from /proc of its processes. */
async function samplerCpu(h: H, p: string): Promise<number> {
  const NEEDLE = 'setns: unknown arch' // text of the sampler script: its perl and its wrapper
  const before = new Set(pidsMatching(NEEDLE))
  await h.call('live:traffic-start', 1)
  await sleep(1500)
  const pids = pidsMatching(NEEDLE).filter((x) => !before.has(x))
  const ticks = Number(sh(['getconf', 'CLK_TCK']).trim()) || 100
  const t0 = ticksOf(pids)
  const w0 = Date.now()
  const from = h.events.length
  await sleep(SAMPLE_S * 1000)
  const cpuS = (ticksOf(pids) - t0) / ticks
  const wall = (Date.now() - w0) / 1000
  const pct = (cpuS / wall) * 100
  const batches = h.events.slice(from).filter((e) => e.channel === 'live:traffic-data').length
  const ifs = (h.services.live.trafficSampler?.latest?.counters ?? []).filter((c) =>
    c.ns.startsWith(p),
  ).length
  await h.call('live:traffic-stop')
  console.log(
    `sampler: ${cpuS.toFixed(2)} s CPU in ${wall.toFixed(1)} s = ${pct.toFixed(2)}% of one core (${pids.length} processes, ${ifs} lab interfaces per tick, ${batches} batches)`,
  )
  return pct
}

/** A plain `ip link set down/up` → the pushed snapshot shows it; p95 in ms. */
async function monitorLatency(h: H, names: string[]): Promise<number> {
  const lat: number[] = []
  const flagUp = (s: Snapshot, ns: string): boolean | undefined =>
    s.namespaces
      .find((n) => n.name === ns)
      ?.links.find((l) => l.ifname === 'eth0')
      ?.flags.includes('UP')
  for (let r = 0; r < MONITOR_ROUNDS; r++) {
    const ns = names[(r * 37) % N]!
    for (const up of [false, true]) {
      await sleep(150) // let the previous change's trailing events settle, as between user actions
      const mark = h.events.length
      const at = Date.now()
      sh(['ip', '-n', ns, 'link', 'set', 'eth0', up ? 'up' : 'down'])
      const ev = await h.waitEvent('netns:changed', (a) => flagUp(a[0], ns) === up, 5000, mark)
      lat.push(ev.at - at)
    }
  }
  const sorted = [...lat].sort((a, b) => a - b)
  const p = p95(lat)
  const c = h.services.live.refreshCounts
  console.log(
    `monitor: ${c.partial} partial and ${c.full} full re-reads; latencies ${lat.join(' ')}`,
  )
  console.log(
    `monitor: ${lat.length} changes, median ${sorted[lat.length >> 1]} ms, p95 ${p} ms, max ${sorted.at(-1)} ms`,
  )
  return p
}

const GC_THRESH = [1, 2, 3].map((k) => `/proc/sys/net/ipv4/neigh/default/gc_thresh${k}`)

/**
 * The kernel's ARP table is shared by all namespaces and holds gc_thresh3 entries (1024 by
 * default); a full mesh of N namespaces needs N·(N−1), 9,900 here. As for any large topology
 * (Mininet's pingall too), raise the limits when they are lower than the lab needs: raising takes
 * nothing from anyone else on the machine. Returns the restore, to call once the lab is deleted
 * (its entries would otherwise overflow the restored table for everyone until they age out).
 * LIVE_KEEP_NEIGH_LIMITS=1 keeps the kernel's limits: the matrix then reports the pairs it could
 * not check as unknown, and the bench fails.
 */
function sizeNeighbourTable(pairs: MatrixPair[]): () => void {
  const before = GC_THRESH.map((f) => readFileSync(f, 'utf8').trim())
  const need = neighbourEntriesNeeded(pairs).v4 + Number(before[0]) // + what others may hold
  if (process.env.LIVE_KEEP_NEIGH_LIMITS === '1' || Number(before[2]) >= need) {
    console.log(`matrix: ARP table limits gc_thresh1..3 = ${before.join('/')} (kept)`)
    return () => undefined
  }
  const want = neighLimitsFor(need, Number(before[2]))
  // raise gc_thresh3 first and lower nothing: each step keeps thresh1 <= thresh2 <= thresh3
  for (const k of [2, 1, 0])
    writeFileSync(GC_THRESH[k]!, String(Math.max(want[k]!, Number(before[k]))))
  console.log(
    `matrix: ARP table limits gc_thresh1..3 raised from ${before.join('/')} to ${want.join('/')} for the run (the lab needs ${need} entries)`,
  )
  return () => {
    for (const k of [0, 1, 2]) writeFileSync(GC_THRESH[k]!, before[k]!)
    console.log(`matrix: ARP table limits restored to ${before.join('/')}`)
  }
}

/** Every ordered pair of the lab, each pinged on its one address. */
function meshPairs(names: string[]): MatrixPair[] {
  return names.flatMap((s, _, all) =>
    all.filter((d) => d !== s).map((d) => ({ src: s, dst: d, address: addrOf(all.indexOf(d)) })),
  )
}

/** table_fulls of the kernel's ARP table, summed over the per-CPU rows (hex). */
function arpTableFulls(): number {
  const [head = '', ...rows] = readFileSync('/proc/net/stat/arp_cache', 'utf8').trim().split('\n')
  const col = head.trim().split(/\s+/).indexOf('table_fulls')
  return rows.reduce((s, r) => s + parseInt(r.trim().split(/\s+/)[col] ?? '0', 16), 0)
}

/**
 * 9,900 ordered pairs, one echo each, in ONE remote run; seconds. Every pair is reachable on this
 * flat bridge: any other answer (unreachable, or unknown because the kernel dropped probes) is a
 * wrong answer, and the figure is then an error, not a time.
 */
async function matrixRun(h: H, names: string[]): Promise<number> {
  const refreshes0 = h.events.filter((e) => e.channel === 'netns:changed').length
  const pairs = meshPairs(names)
  const fulls0 = arpTableFulls()
  const m0 = Date.now()
  const res = (await h.call('live:matrix-run', pairs, {
    count: 1,
    timeoutS: 1,
  })) as MatrixResult
  const s = (Date.now() - m0) / 1000
  const fulls = arpTableFulls() - fulls0
  const n = (v: string): number => res.cells.filter((c) => c.verdict === v).length
  const refreshes = h.events.filter((e) => e.channel === 'netns:changed').length - refreshes0
  console.log(
    `matrix: ${pairs.length} pairs in ${s.toFixed(2)} s: ${n('reachable')} reachable, ${n('unreachable')} unreachable, ${n('unknown')} unknown; ${res.rounds.length} run(s); ARP table_fulls +${fulls} (${refreshes} snapshots pushed meanwhile: ARP tables filling)`,
  )
  if (n('reachable') !== pairs.length) {
    const wrong = res.cells.filter((c) => c.verdict !== 'reachable')
    const sample = wrong
      .slice(0, 3)
      .map((c) => `${c.src} → ${c.dst}: ${c.verdict} (${c.reason ?? 'no reason'})`)
    throw new Error(
      `wrong answer on a flat bridge where every pair is reachable: ${wrong.length} of ${pairs.length} pairs are not (${n('unreachable')} unreachable, ${n('unknown')} unknown), e.g. ${sample.join('; ')}.${res.advice ? ` ${res.advice}` : ''}`,
    )
  }
  return s
}

/** Run the live benchmarks; test/bench/run.ts calls this. Parts not run report NaN/null. */
export async function benchLive(
  parts: LivePart[] = ['sampler', 'monitor', 'matrix', 'mininet'],
): Promise<LiveFigures> {
  const p = runPrefix()
  const sshd = await startSshd()
  let h: H | null = null
  let restoreLimits = (): void => undefined
  const f: LiveFigures = {
    sampler_cpu_pct: NaN,
    monitor_p95_ms: NaN,
    matrix_100ns_s: NaN,
    mininet_pingall_100_s: null,
  }
  try {
    const names = buildLab(p)
    h = await openHarness(sshd)
    await h.waitEvent('live:monitor-changed', (a) => a[0].state === 'watching', 20_000)
    await sleep(1000)
    if (parts.includes('sampler')) f.sampler_cpu_pct = await samplerCpu(h, p)
    if (parts.includes('monitor')) f.monitor_p95_ms = await monitorLatency(h, names)
    // sized for the matrix and for Mininet's pingall alike; restored once both labs are gone
    if (parts.includes('matrix') || parts.includes('mininet'))
      restoreLimits = sizeNeighbourTable(meshPairs(names))
    if (parts.includes('matrix'))
      try {
        f.matrix_100ns_s = await matrixRun(h, names)
      } catch (e) {
        // no time for a wrong answer: the figure is null and the bench exits non-zero
        f.matrix_100ns_s = null
        process.exitCode = 1
        console.error(`matrix: FAILED: ${e instanceof Error ? e.message : String(e)}`)
      }
    await h.close()
    h = null
    cleanupPrefix(p)
    // Mininet on the same shape, in the same run (after our lab is gone).
    if (parts.includes('mininet')) f.mininet_pingall_100_s = await mininetPingall()
    if (f.mininet_pingall_100_s && f.matrix_100ns_s)
      console.log(
        `matrix vs mininet pingall: ${(f.mininet_pingall_100_s / f.matrix_100ns_s).toFixed(1)}× faster`,
      )
    return f
  } finally {
    await h?.close().catch(() => undefined)
    await sshd.stop()
    cleanupPrefix(p)
    restoreLimits()
  }
}

// Run alone: `node --import tsx test/bench/live.ts`
if (process.argv[1]?.endsWith('bench/live.ts')) {
  const only = process.env.LIVE_PARTS?.split(',') as LivePart[] | undefined
  benchLive(only).then(
    (f) => console.log(`BENCH ${JSON.stringify(f)}`),
    (e: unknown) => {
      console.error(e)
      process.exitCode = 1
    },
  )
}

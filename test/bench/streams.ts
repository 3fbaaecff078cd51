// Bulk data through the target, over SSH to a private sshd on 127.0.0.1: reading 64 MiB of command
// output and saving a real 256 MiB tcpdump capture, each against 4 MiB measured in the same run
// (per-MiB cost ratio; linear ≤ 1.5). Every byte is checked (size and SHA-256): a wrong copy fails
// the bench instead of printing a time. Run alone: BENCH_ONLY=streams npm run bench.

import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CaptureSaveResult, CaptureStarted } from '../../shared/ipc/domains/live'
import { openHarness, type Harness } from '../integration/live/harness'
import { cleanupPrefix, runPrefix, sh } from '../support/netns'
import { startSshd } from '../support/sshd'

export interface StreamFigures {
  /** Median ms to read 64 MiB of command output, and its per-MiB cost over 4 MiB's. */
  read_64mib_ms: number
  read_per_mib_ratio: number
  /** Median ms to save a 256 MiB capture, and its per-MiB cost over a 4 MiB capture's. */
  save_256mib_ms: number
  save_per_mib_ratio: number
  /** The same, 256 MiB over 64 MiB (the fixed cost of a session no longer dominates). */
  save_256_vs_64_per_mib_ratio: number
  /** Most the main process's resident memory grew while saving 256 MiB (MiB). */
  save_rss_growth_mib: number
}

const MiB = 1024 * 1024
/** What "linear" allows: the big size may cost at most this much more per MiB. */
const LINEAR_BOUND = 1.5
/** One ICMP echo of 65,000 bytes on lo as tcpdump stores it: 16 + 14 + 20 + 8 + 65,000 bytes. */
const PCAP_RECORD = 16 + 14 + 20 + 8 + 65_000
const PCAP_HEADER = 24

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256')
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer)
  return h.digest('hex')
}

/** `cat` of a text file of exactly `bytes` through the command channel; ms. Checks every byte. */
async function readOnce(h: Harness, file: string, bytes: number, want: string): Promise<number> {
  const t = h.services.connection.target()
  const t0 = performance.now()
  const [r] = await t.run([['cat', '--', file]], { timeoutMs: 300_000 })
  const ms = performance.now() - t0
  const got = r?.stdout ?? ''
  const hash = createHash('sha256').update(got).digest('hex')
  if (r?.exitCode !== 0 || got.length !== bytes || hash !== want)
    throw new Error(
      `read ${file}: got ${got.length} chars (exit ${String(r?.exitCode)}, sha256 ${hash.slice(0, 12)}…), want ${bytes} (sha256 ${want.slice(0, 12)}…)`,
    )
  return ms
}

/** A file of `bytes` printable characters (base64 of random bytes) and its SHA-256. */
function textFile(dir: string, name: string, bytes: number): { path: string; sha: string } {
  const text = randomBytes(Math.ceil((bytes * 3) / 4))
    .toString('base64')
    .slice(0, bytes)
  const path = join(dir, name)
  writeFileSync(path, text)
  return { path, sha: createHash('sha256').update(text).digest('hex') }
}

/**
 * A real capture of at least `bytes`: tcpdump on lo in a namespace, stopped by its packet limit
 * while `ping -f -s 65000` floods it (pinged again until tcpdump has its count).
 */
async function captureOf(h: Harness, ns: string, bytes: number): Promise<CaptureStarted> {
  const packets = Math.ceil((bytes - PCAP_HEADER) / PCAP_RECORD)
  const from = h.events.length
  const cap = (await h.call('live:capture-start', {
    ns,
    ifname: 'lo',
    filter: 'icmp',
    maxPackets: packets,
  })) as CaptureStarted
  const ended = h.waitEvent('live:capture-ended', (a) => a[0] === cap.id, 120_000, from)
  let done = false
  void ended.then(() => (done = true))
  const exists = (): boolean => {
    try {
      return statSync(cap.remotePath).size >= PCAP_HEADER
    } catch {
      return false
    }
  }
  for (let i = 0; i < 200 && !exists(); i++) await new Promise((r) => setTimeout(r, 25))
  await new Promise((r) => setTimeout(r, 300)) // tcpdump attached and listening
  for (let round = 0; !done && round < 50; round++) {
    const pings = Math.ceil(packets / 2) + 2
    sh([
      'ip',
      'netns',
      'exec',
      ns,
      'ping',
      '-f',
      '-q',
      '-s',
      '65000',
      '-c',
      String(pings),
      '127.0.0.1',
    ])
    await new Promise((r) => setTimeout(r, 100))
  }
  await ended
  return cap
}

/** Save the capture through the save-dialog stand-in; ms and the bytes, every one checked. */
async function saveOnce(
  h: Harness,
  cap: CaptureStarted,
  dest: string,
  want: { size: number; sha: string },
  rss?: { max: number },
): Promise<number> {
  h.saveDialog.answer = () => dest
  const timer = rss
    ? setInterval(() => (rss.max = Math.max(rss.max, process.memoryUsage().rss)), 20)
    : null
  const t0 = performance.now()
  const r = (await h.call('live:capture-save', cap.id)) as CaptureSaveResult
  const ms = performance.now() - t0
  if (timer) clearInterval(timer)
  if (r.status !== 'saved')
    throw new Error(`save: the dialog stand-in chose a path, got ${r.status}`)
  const size = statSync(dest).size
  const sha = await sha256File(dest)
  if (r.bytes !== want.size || size !== want.size || sha !== want.sha)
    throw new Error(
      `save: ${size} bytes on disk (reported ${r.bytes}, sha256 ${sha.slice(0, 12)}…), want ${want.size} (sha256 ${want.sha.slice(0, 12)}…)`,
    )
  rmSync(dest)
  return ms
}

function checkLinear(what: string, ratio: number): void {
  const verdict = ratio <= LINEAR_BOUND ? 'linear' : `OVER the ${LINEAR_BOUND}× bound`
  console.log(`${what}: per-MiB cost ratio ${ratio.toFixed(2)} (${verdict})`)
  if (ratio > LINEAR_BOUND) process.exitCode = 1
}

/** Run the bulk-data benchmarks; test/bench/run.ts calls this. Throws on a wrong byte. */
export async function benchStreams(log: (s: string) => void = console.log): Promise<StreamFigures> {
  const p = runPrefix()
  const ns = `${p}bulk`
  const dir = mkdtempSync(join(tmpdir(), 'nss-bench-bulk-'))
  const sshd = await startSshd()
  let h: Harness | null = null
  try {
    cleanupPrefix(p)
    sh(['ip', 'netns', 'add', ns])
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
    h = await openHarness(sshd)

    // -- reading command output: 4 MiB and 64 MiB of text through the command channel
    const small = textFile(dir, 'out-4.txt', 4 * MiB)
    const big = textFile(dir, 'out-64.txt', 64 * MiB)
    await readOnce(h, small.path, 4 * MiB, small.sha) // warm-up
    const r4: number[] = []
    for (let i = 0; i < 5; i++) r4.push(await readOnce(h, small.path, 4 * MiB, small.sha))
    const r64: number[] = []
    for (let i = 0; i < 3; i++) r64.push(await readOnce(h, big.path, 64 * MiB, big.sha))
    rmSync(big.path)
    const read4 = median(r4)
    const read64 = median(r64)
    const readRatio = read64 / 64 / (read4 / 4)
    log(
      `read command output: 4 MiB ${read4.toFixed(0)} ms (${r4.map((x) => x.toFixed(0)).join(', ')}), ` +
        `64 MiB ${read64.toFixed(0)} ms (${r64.map((x) => x.toFixed(0)).join(', ')}), ${(64 / (read64 / 1000)).toFixed(0)} MiB/s; every byte checked`,
    )
    checkLinear('read 64 MiB vs 4 MiB', readRatio)

    // -- saving a capture: a real 4 MiB and a real 256 MiB tcpdump file, streamed to this machine
    const results: Record<number, { ms: number; size: number; rss: number }> = {}
    for (const [mib, runs] of [
      [4, 5],
      [64, 3],
      [256, 3],
    ] as const) {
      const cap = await captureOf(h, ns, mib * MiB)
      const size = statSync(cap.remotePath).size
      const want = { size, sha: await sha256File(cap.remotePath) }
      const dest = join(dir, `saved-${mib}.pcap`)
      if (mib === 4) await saveOnce(h, cap, dest, want) // warm-up
      const rss = { max: process.memoryUsage().rss }
      const rss0 = rss.max
      const times: number[] = []
      for (let i = 0; i < runs; i++) times.push(await saveOnce(h, cap, dest, want, rss))
      await h.call('live:capture-close', cap.id)
      results[mib] = { ms: median(times), size, rss: (rss.max - rss0) / MiB }
      log(
        `save capture ${(size / MiB).toFixed(2)} MiB (${size} bytes): ${median(times).toFixed(0)} ms ` +
          `(${times.map((x) => x.toFixed(0)).join(', ')}), ${(size / MiB / (median(times) / 1000)).toFixed(0)} MiB/s, ` +
          `main's RSS +${results[mib].rss.toFixed(0)} MiB at most; size and SHA-256 match`,
      )
    }
    const perMiB = (r: { ms: number; size: number }): number => r.ms / (r.size / MiB)
    const s4 = results[4]!
    const s256 = results[256]!
    const saveRatio = perMiB(s256) / perMiB(s4)
    checkLinear('save 256 MiB vs 4 MiB', saveRatio)
    // 4 MiB is mostly the fixed cost of a new SSH session (sshd starting `cat`); 64 → 256 MiB
    // shows the copy itself stays linear
    const bigRatio = perMiB(s256) / perMiB(results[64]!)
    checkLinear('save 256 MiB vs 64 MiB', bigRatio)
    return {
      read_64mib_ms: Math.round(read64),
      read_per_mib_ratio: Number(readRatio.toFixed(2)),
      save_256mib_ms: Math.round(s256.ms),
      save_per_mib_ratio: Number(saveRatio.toFixed(2)),
      save_256_vs_64_per_mib_ratio: Number(bigRatio.toFixed(2)),
      save_rss_growth_mib: Math.round(s256.rss),
    }
  } finally {
    await h?.close().catch(() => undefined)
    await sshd.stop()
    cleanupPrefix(p)
    rmSync(dir, { recursive: true, force: true })
  }
}

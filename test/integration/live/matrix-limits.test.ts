// The reachability matrix when the kernel's neighbour table really overflows: a flat bridge with
// more namespaces than the ARP table holds, checked through the real composition root over SSH.
// A pair whose probe the kernel dropped must come back unknown (with the reason) or, after the
// paced retry, reachable: never unreachable. A pair whose link is down is still unreachable.
//
// The neighbour tables, their gc_thresh* limits and /proc/net/stat/{arp,ndisc}_cache belong to the
// kernel, not to a namespace (the first test shows it): the overflow is made by the lab's size, with
// the kernel's own limits untouched, and it ends when the lab's namespaces are deleted.

import { existsSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MatrixResult } from '../../../shared/ipc/domains/live'
import type { MatrixPair } from '../../../shared/net/matrix'
import { cleanupPrefix, runPrefix, sh } from '../../support/netns'
import { integrationSkipReason, startSshd, type SshdFixture } from '../../support/sshd'
import { openHarness, type Harness } from './harness'

const skip = integrationSkipReason()
if (skip) console.warn(`SKIP matrix limits integration: ${skip}`)

const P = runPrefix()
const BR = `${P}br`
const THRESH3 = '/proc/sys/net/ipv4/neigh/default/gc_thresh3'
const gcThresh3 = skip || !existsSync(THRESH3) ? 1024 : Number(readFileSync(THRESH3, 'utf8'))
/** Enough namespaces that a full mesh needs 1.5× the ARP table (n·(n−1) entries), plus one down. */
const N = Math.ceil(Math.sqrt(gcThresh3 * 1.5)) + 1
const tooBig = N > 100
if (!skip && tooBig)
  console.warn(
    `SKIP matrix overflow test: gc_thresh3 is ${gcThresh3}; overflowing it takes over 100 namespaces`,
  )

const nsName = (i: number): string => `${P}n${i}`
const addrOf = (i: number): string => `10.97.${Math.floor(i / 250)}.${(i % 250) + 1}`
const DOWN = N // one more namespace, its link down

/** table_fulls of the kernel's ARP table, summed over the per-CPU rows (hex). */
function arpTableFulls(): number {
  const [head = '', ...rows] = readFileSync('/proc/net/stat/arp_cache', 'utf8').trim().split('\n')
  const col = head.trim().split(/\s+/).indexOf('table_fulls')
  return rows.reduce((s, r) => s + parseInt(r.trim().split(/\s+/)[col] ?? '0', 16), 0)
}

/** `ip -batch` lines for namespace i with a veth port on the bridge (eth0 inside). */
function addNamespace(i: number): string[] {
  const ns = nsName(i)
  return [
    `netns add ${ns}`,
    `link add ${P}v${i} type veth peer name eth0 netns ${ns}`,
    `link set ${P}v${i} master ${BR} up`,
  ]
}

describe.skipIf(!!skip || tooBig)('matrix when the kernel neighbour table overflows', () => {
  let sshd: SshdFixture
  let h: Harness
  const all = [...Array(N + 1).keys()]

  beforeAll(async () => {
    cleanupPrefix(P)
    sh(['ip', '-batch', '-'], [`link add ${BR} type bridge`, `link set ${BR} up`].join('\n') + '\n')
    sh(['ip', '-batch', '-'], all.flatMap(addNamespace).join('\n') + '\n')
    for (const i of all) {
      sh(
        ['ip', '-n', nsName(i), '-batch', '-'],
        `addr add ${addrOf(i)}/16 dev eth0\nlink set lo up\n${i === DOWN ? '' : 'link set eth0 up\n'}`,
      )
      // The lab's own entries leave "reachable" after ~1 s instead of 15–45 s, so the kernel can
      // reclaim them before the retry (per interface, in the lab only; its limits stay as they are).
      sh(
        ['ip', 'netns', 'exec', nsName(i), 'sysctl', '-q', '-w'].concat([
          'net.ipv4.neigh.eth0.base_reachable_time_ms=1000',
          'net.ipv4.neigh.eth0.delay_first_probe_time=1',
        ]),
      )
    }
    sshd = await startSshd()
    h = await openHarness(sshd)
  })

  afterAll(async () => {
    await h?.close()
    await sshd?.stop()
    cleanupPrefix(P)
  })

  it('the table and its counters are the kernel’s: absent inside a namespace', () => {
    const inNs = (argv: string[]): string => sh(['ip', 'netns', 'exec', nsName(0), ...argv])
    expect(() => inNs(['cat', '/proc/net/stat/arp_cache'])).toThrow(/No such file/)
    expect(() => inNs(['cat', THRESH3])).toThrow(/No such file/)
    expect(readFileSync('/proc/net/stat/arp_cache', 'utf8')).toMatch(/table_fulls/)
  })

  it('pairs the kernel dropped are unknown with the reason, or reachable after the retry; never unreachable', async () => {
    const pairs: MatrixPair[] = all.flatMap((s) =>
      all
        .filter((d) => d !== s)
        .map((d) => ({ src: nsName(s), dst: nsName(d), address: addrOf(d) })),
    )
    const fulls0 = arpTableFulls()
    const t0 = Date.now()
    const r = (await h.call('live:matrix-run', pairs, { count: 1, timeoutS: 1 })) as MatrixResult
    const fulls = arpTableFulls() - fulls0
    const by = (v: string): number => r.cells.filter((c) => c.verdict === v).length
    console.log(
      `matrix limits: ${N + 1} namespaces (gc_thresh3 ${gcThresh3}), ${pairs.length} pairs in ${((Date.now() - t0) / 1000).toFixed(1)} s: ` +
        `${by('reachable')} reachable, ${by('unreachable')} unreachable, ${by('unknown')} unknown; ` +
        `table_fulls +${fulls} (seen from the test); rounds ${JSON.stringify(r.rounds)}`,
    )
    console.log(`matrix limits: advice: ${r.advice ?? '(none)'}`)

    // the kernel really overflowed, and the matrix saw it
    expect(fulls).toBeGreaterThan(0)
    expect(r.rounds[0]!.drops?.arpTableFull).toBeGreaterThan(0)
    expect(r.rounds[0]!.unknown).toBeGreaterThan(0)
    expect(r.limits.arp?.[2]).toBe(gcThresh3)

    const touchesDown = (c: { src: string; dst: string }): boolean =>
      c.src === nsName(DOWN) || c.dst === nsName(DOWN)
    for (const c of r.cells) {
      const what = `${c.src} → ${c.dst}: ${c.verdict} ${c.reason ?? ''}`
      if (c.src === nsName(DOWN)) {
        // no route out of a namespace whose link is down: an answer, whatever the table did
        expect(c.verdict, what).toBe('unreachable')
        expect(c.reason, what).toMatch(/network is unreachable/)
      } else if (touchesDown(c)) {
        expect(c.verdict, what).not.toBe('reachable')
      } else {
        expect(c.verdict, what).not.toBe('unreachable')
      }
      if (c.verdict === 'unknown') expect(c.reason, what).toMatch(/kernel/)
    }
    // the paced retries probed the unknown pairs again and got answers for some
    expect(r.rounds.length).toBeGreaterThan(1)
    expect(r.rounds[1]!.pairs).toBe(r.rounds[0]!.unknown)
    expect(by('reachable')).toBeGreaterThan(r.rounds[0]!.reachable)
    if (by('unknown') > 0) {
      expect(r.advice).toMatch(/gc_thresh3 = \d+ entries/)
      expect(r.advice).toMatch(/sysctl -w net\.ipv4\.neigh\.default\.gc_thresh1=/)
    }
  }, 120_000)

  it('once the table has room again, a down link is unreachable and the rest reachable', async () => {
    // delete all but three namespaces: their neighbour entries go with them
    for (const i of all.slice(2, DOWN)) sh(['ip', 'netns', 'delete', nsName(i)])
    const three = [0, 1, DOWN]
    const pairs: MatrixPair[] = three.flatMap((s) =>
      three
        .filter((d) => d !== s)
        .map((d) => ({ src: nsName(s), dst: nsName(d), address: addrOf(d) })),
    )
    const r = (await h.call('live:matrix-run', pairs, { count: 2 })) as MatrixResult
    for (const c of r.cells) {
      const down = c.src === nsName(DOWN) || c.dst === nsName(DOWN)
      expect(c.verdict, `${c.src} → ${c.dst}: ${c.reason ?? ''}`).toBe(
        down ? 'unreachable' : 'reachable',
      )
    }
    expect(r.advice).toBeUndefined()
  })
})

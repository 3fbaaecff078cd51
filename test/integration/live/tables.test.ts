// Reachability matrix, traffic rates and the event-driven tables end to end: the real composition
// root over SSH, tutorial 2's bridge topology (plus a third namespace), changes made by plain commands.

import { existsSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MatrixResult, MonitorStatus, TrafficTick } from '../../../shared/ipc/domains/live'
import type { MatrixPair } from '../../../shared/net/matrix'
import type { Snapshot } from '../../../shared/net/model'
import { cleanupPrefix, runPrefix, sh } from '../../support/netns'
import { integrationSkipReason, startSshd, type SshdFixture } from '../../support/sshd'
import { openHarness, sleep, until, type Harness } from './harness'

const skip = integrationSkipReason()
if (skip) console.warn(`SKIP live tables integration: ${skip}`)

const P = runPrefix()
const BR = `${P}br`
const NS = { red: `${P}red`, green: `${P}green`, blue: `${P}blue` }
const ADDR = { red: '10.0.0.1', green: '10.0.0.2', blue: '10.0.0.3' }
const ADDR6 = { red: 'fd00:99::1', green: 'fd00:99::2', blue: 'fd00:99::3' }
type Color = keyof typeof NS
const COLORS: Color[] = ['red', 'green', 'blue']

/** Kernel tx counters of an interface in a namespace. */
function txCounters(ns: string, dev: string): { bytes: number; packets: number } {
  const [l] = JSON.parse(sh(['ip', '-n', ns, '-s', '-j', 'link', 'show', 'dev', dev])) as Array<{
    stats64: { tx: { bytes: number; packets: number } }
  }>
  return l!.stats64.tx
}

/** PIDs matching `pattern` whose ancestors include our sshd (so other runs' processes are not counted). */
function underSshd(sshd: SshdFixture, pattern: string): string[] {
  let roots: string[]
  let found: string[]
  try {
    roots = sh(['pgrep', '-f', `sshd.*${sshd.dir}`])
      .trim()
      .split('\n')
    found = sh(['pgrep', '-f', pattern]).trim().split('\n').filter(Boolean)
  } catch {
    return []
  }
  const ppid = (pid: string): string | null => {
    try {
      const st = readFileSync(`/proc/${pid}/stat`, 'utf8')
      return st.slice(st.lastIndexOf(')') + 2).split(' ')[1] ?? null
    } catch {
      return null
    }
  }
  return found.filter((pid) => {
    let cur: string | null = pid
    for (let i = 0; i < 12 && cur && cur !== '1'; i++) {
      if (roots.includes(cur)) return true
      cur = ppid(cur)
    }
    return false
  })
}

/** PIDs of `ip monitor all-nsid` processes on this host. */
const monitorPids = (): Set<string> => {
  try {
    return new Set(
      sh(['pgrep', '-f', '^ip -o monitor all-nsid all$']).trim().split('\n').filter(Boolean),
    )
  } catch {
    return new Set()
  }
}

describe.skipIf(!!skip)('matrix, traffic and event-driven tables over SSH', () => {
  let sshd: SshdFixture
  let h: Harness
  let ourMonitor: string[] = []

  beforeAll(async () => {
    cleanupPrefix(P)
    // tutorial 2: red and green on a bridge, 10.0.0.0/24; blue joins the same bridge
    sh(['ip', 'link', 'add', BR, 'type', 'bridge'])
    sh(['ip', 'link', 'set', BR, 'up'])
    for (const c of COLORS) {
      const ns = NS[c]
      const port = `${P}v${c[0]!}`
      sh(['ip', 'netns', 'add', ns])
      sh(['ip', 'link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', port])
      sh(['ip', 'link', 'set', port, 'master', BR, 'up'])
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
      sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up'])
      sh(['ip', '-n', ns, 'addr', 'add', `${ADDR[c]}/24`, 'dev', 'eth0'])
      sh(['ip', '-n', ns, 'addr', 'add', `${ADDR6[c]}/64`, 'dev', 'eth0', 'nodad'])
    }
    sshd = await startSshd()
    const before = monitorPids()
    h = await openHarness(sshd)
    await h.waitEvent('live:monitor-changed', (a) => a[0].state === 'watching', 10_000)
    ourMonitor = [...monitorPids()].filter((p) => !before.has(p))
  })

  afterAll(async () => {
    await h?.close()
    await sshd?.stop()
    cleanupPrefix(P)
  })

  const allPairs = (): MatrixPair[] =>
    COLORS.flatMap((s) =>
      COLORS.filter((d) => d !== s).map((d) => ({ src: NS[s], dst: NS[d], address: ADDR[d] })),
    )

  it('reachability matrix on the tutorial 2 topology is all ✓; after a link goes down its pairs are ✗', async () => {
    const r = (await h.call('live:matrix-run', allPairs(), { count: 2 })) as MatrixResult
    expect(r.cells).toHaveLength(6)
    for (const c of r.cells) {
      expect(c, `${c.src} → ${c.dst}`).toMatchObject({ ok: true, verdict: 'reachable' })
      expect(c.rttMs).toBeGreaterThan(0)
      expect(c.rttMs).toBeLessThan(100)
    }
    // IPv6 pairs (ping -6 inside the source), and a source namespace that does not exist
    const extra = (await h.call('live:matrix-run', [
      { src: NS.red, dst: NS.green, address: ADDR6.green },
      { src: NS.blue, dst: NS.red, address: ADDR6.red },
      { src: `${P}gone`, dst: NS.red, address: ADDR.red },
    ])) as MatrixResult
    expect(extra.cells.map((c) => c.verdict)).toEqual(['reachable', 'reachable', 'unreachable'])
    expect(extra.cells.map((c) => c.ok)).toEqual([true, true, false])
    expect(extra.cells[0]!.rttMs).toBeGreaterThan(0)
    expect(extra.cells[2]!.reason).toMatch(/source namespace does not exist/)
    sh(['ip', '-n', NS.blue, 'link', 'set', 'eth0', 'down'])
    try {
      const down = (await h.call('live:matrix-run', allPairs())) as MatrixResult
      for (const c of down.cells) {
        const touchesBlue = c.src === NS.blue || c.dst === NS.blue
        expect(c.verdict, `${c.src} → ${c.dst}: ${c.reason ?? ''}`).toBe(
          touchesBlue ? 'unreachable' : 'reachable',
        )
        expect(c.ok).toBe(!touchesBlue)
        if (touchesBlue) expect(c.rttMs).toBeNull()
      }
    } finally {
      sh(['ip', '-n', NS.blue, 'link', 'set', 'eth0', 'up'])
    }
  })

  it('traffic: after ping -s 1000 -c 200 -i 0.01, the measured bytes match the kernel counters within 5%', async () => {
    const from = h.events.length
    await h.call('live:traffic-start', 0.2)
    const ticks = (): TrafficTick[] =>
      h.events
        .slice(from)
        .filter((e) => e.channel === 'live:traffic-data')
        .flatMap((e) => e.args[0] as TrafficTick[])
    expect(await until(() => ticks().length >= 1, 5000)).toBe(true)
    const startAt = ticks().length
    const k0 = txCounters(NS.red, 'eth0')
    sh([
      'ip',
      'netns',
      'exec',
      NS.red,
      'ping',
      '-q',
      '-s',
      '1000',
      '-c',
      '200',
      '-i',
      '0.01',
      ADDR.green,
    ])
    await sleep(700) // a few more ticks so the last packets are counted
    const k1 = txCounters(NS.red, 'eth0')
    const all = ticks()
    let bytes = 0
    let packets = 0
    for (let i = startAt; i < all.length; i++) {
      const dt = (all[i]!.t - all[i - 1]!.t) / 1000
      const r = all[i]!.rates.find((x) => x.ns === NS.red && x.ifname === 'eth0')
      bytes += (r?.txBps ?? 0) * dt
      packets += (r?.txPps ?? 0) * dt
    }
    const kernel = k1.bytes - k0.bytes
    console.log(
      `traffic: measured ${bytes.toFixed(0)} B / ${packets.toFixed(1)} pkts, kernel ${kernel} B / ${k1.packets - k0.packets} pkts`,
    )
    expect(kernel).toBeGreaterThanOrEqual(200 * 1042) // 200 echo requests of 1000 B payload + ICMP/IP/Ethernet
    expect(Math.abs(bytes - kernel) / kernel).toBeLessThan(0.05)
    expect(Math.abs(packets - (k1.packets - k0.packets)) / (k1.packets - k0.packets)).toBeLessThan(
      0.05,
    )
    // the peer's rx side sees the same bytes (the rates cover every namespace)
    const green = all
      .slice(startAt)
      .some((t) =>
        t.rates.some((x) => x.ns === NS.green && x.ifname === 'eth0' && x.rxBps > 50_000),
      )
    expect(green).toBe(true)
    // ONE sampler per target, shared: a second window does not start another one
    const id = h.services.live.trafficSampler?.streamId
    await h.callAs(2, 'live:traffic-start')
    expect(h.services.live.trafficSampler?.streamId).toBe(id)
    await h.call('live:traffic-interval', 1)
    await h.call('live:traffic-stop')
    expect(h.services.live.trafficSampler?.running).toBe(true)
    await h.callAs(2, 'live:traffic-stop')
    expect(h.services.live.trafficSampler?.running).toBe(false)
  })

  /** Time from `at` until a pushed snapshot satisfies `pred`. */
  const watchMs: number[] = []
  async function snapshotLatency(
    at: number,
    pred: (s: Snapshot) => boolean,
    from: number,
  ): Promise<number> {
    const ev = await h.waitEvent('netns:changed', (a) => pred(a[0]), 3000, from)
    const snap = ev.args[0] as Snapshot
    watchMs.push(snap.takenAt - at) // the monitor's part: change → snapshot read started
    return ev.at - at
  }

  it('monitor: `ip netns add`, `ip link set down` and a new ARP entry done by plain commands reach the model within 300 ms', async () => {
    expect(ourMonitor.length).toBe(1)
    const NEW = `${P}mon`
    const lat: number[] = []
    for (let round = 0; round < 3; round++) {
      let from = h.events.length
      let t0 = Date.now()
      sh(['ip', 'netns', 'add', NEW])
      lat.push(await snapshotLatency(t0, (s) => s.namespaces.some((n) => n.name === NEW), from))

      from = h.events.length
      t0 = Date.now()
      sh(['ip', '-n', NS.green, 'link', 'set', 'eth0', 'down'])
      const isDown = (s: Snapshot): boolean =>
        s.namespaces
          .find((n) => n.name === NS.green)
          ?.links.find((l) => l.ifname === 'eth0')
          ?.flags.includes('UP') === false
      lat.push(await snapshotLatency(t0, isDown, from))
      // what the monitor pushed (a partial re-read merged in) is what a full read shows
      const pushed = h.events.filter((e) => e.channel === 'netns:changed').at(-1)!
        .args[0] as Snapshot
      const full = (await h.call('netns:snapshot')) as Snapshot
      // (not the root namespace: other runs on this machine add and remove links there meanwhile)
      for (const name of [NS.green, NS.red]) {
        const a = pushed.namespaces.find((n) => n.name === name)!
        const b = full.namespaces.find((n) => n.name === name)!
        expect({ links: a.links, addresses: a.addresses, routes: a.routes, nsid: a.nsid }).toEqual({
          links: b.links,
          addresses: b.addresses,
          routes: b.routes,
          nsid: b.nsid,
        })
      }
      sh(['ip', '-n', NS.green, 'link', 'set', 'eth0', 'up'])

      sh(['ip', '-n', NS.red, 'neigh', 'flush', 'all'])
      await sleep(100)
      from = h.events.length
      t0 = Date.now()
      sh(['ip', 'netns', 'exec', NS.red, 'ping', '-c', '1', '-W', '1', ADDR.blue])
      const hasArp = (s: Snapshot): boolean =>
        !!s.namespaces
          .find((n) => n.name === NS.red)
          ?.neighbours.some((x) => x.dst === ADDR.blue && !!x.mac)
      lat.push(await snapshotLatency(t0, hasArp, from))

      from = h.events.length
      t0 = Date.now()
      sh(['ip', 'netns', 'delete', NEW])
      lat.push(await snapshotLatency(t0, (s) => !s.namespaces.some((n) => n.name === NEW), from))
      await sleep(100)
    }
    const pct = (xs: number[], q: number): number =>
      [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * q) - 1]!
    console.log(
      `monitor → model latencies (ms): ${lat.join(', ')}; median ${pct(lat, 0.5)}, p90 ${pct(lat, 0.9)}; ` +
        `change → snapshot read started: p90 ${pct(watchMs, 0.9)} ms`,
    )
    // The 300 ms line holds at the median even when this 2-core machine is shared with other runs;
    // the monitor's own part (event seen, debounced, read started) stays well under it at p90,
    // the rest is the snapshot read itself. No change ever waits for a periodic refresh (refreshMs 0).
    expect(pct(lat, 0.5)).toBeLessThan(300)
    expect(pct(watchMs, 0.9)).toBeLessThan(150)
    expect(Math.max(...lat)).toBeLessThan(1000)
    const counts = h.services.live.refreshCounts
    console.log(`monitor refreshes: ${counts.partial} partial, ${counts.full} full`)
    expect(counts.partial).toBeGreaterThan(0) // link and ARP changes re-read one namespace
    expect(counts.full).toBeGreaterThan(0) // namespaces coming and going read everything
    expect((await h.call('live:monitor-status')) as MonitorStatus).toMatchObject({
      state: 'watching',
    })
  })

  it('monitor: when the watcher dies, periodic snapshots take over, then the watcher comes back', async () => {
    const from = h.events.length
    sh(['kill', ...ourMonitor])
    const down = await h.waitEvent(
      'live:monitor-changed',
      (a) => a[0].state === 'polling',
      3000,
      from,
    )
    expect((down.args[0] as MonitorStatus).error).toMatch(/ended/)
    const NEW = `${P}poll`
    const t0 = Date.now()
    sh(['ip', 'netns', 'add', NEW])
    try {
      const ms = await snapshotLatency(t0, (s) => s.namespaces.some((n) => n.name === NEW), from)
      expect(ms).toBeLessThan(2000) // the 1 s poll, not a manual refresh
      await h.waitEvent('live:monitor-changed', (a) => a[0].state === 'watching', 10_000, from)
    } finally {
      sh(['ip', 'netns', 'delete', NEW])
    }
  })

  it('disconnecting stops everything in the target: streams, sampler, monitor, and the capture folder', async () => {
    await h.call('live:ping-start', { ns: NS.red, address: ADDR.green, intervalS: 0.5 })
    await h.call('live:terminal-open', { ns: NS.green, cols: 80, rows: 24 })
    const { remotePath } = (await h.call('live:capture-start', {
      ns: NS.blue,
      ifname: 'eth0',
    })) as { remotePath: string }
    await h.call('live:traffic-start')
    const pids = (ns: string): string[] =>
      sh(['ip', 'netns', 'pids', ns]).trim().split('\n').filter(Boolean)
    expect(await until(() => COLORS.every((c) => pids(NS[c]).length > 0), 5000)).toBe(true)
    const watchers = (): string[] => [
      ...underSshd(sshd, 'setns: unknown arch'), // the sampler (and its wrapper)
      ...underSshd(sshd, '^ip -o monitor all-nsid all$'), // the table monitor's ip monitor
    ]
    expect(await until(() => watchers().length >= 2, 5000)).toBe(true)
    expect(await until(() => existsSync(remotePath), 5000)).toBe(true) // the target is this machine
    await h.call('target:disconnect')
    // the capture's private folder went before the connection did (no leftover in /tmp)
    expect(existsSync(dirname(remotePath))).toBe(false)
    expect(await until(() => COLORS.every((c) => pids(NS[c]).length === 0), 5000)).toBe(true)
    expect(await until(() => watchers().length === 0, 5000)).toBe(true)
    expect(h.services.live.count()).toBe(0)
    expect((await h.call('live:monitor-status')) as MonitorStatus).toMatchObject({ state: 'off' })
  })
})

// Live streams end to end: the real composition root over SSH to a private sshd, driving ping,
// capture, netem and terminals in real namespaces; "nothing left behind" is checked in the kernel.

import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  CaptureSaveResult,
  LiveEnd,
  NetemEntry,
  PingBatch,
} from '../../../shared/ipc/domains/live'
import type { CaptureLine } from '../../../shared/net/capture'
import type { PingRequest, PingStats } from '../../../shared/net/ping'
import { cleanupPrefix, runPrefix, sh } from '../../support/netns'
import { integrationSkipReason, startSshd, type SshdFixture } from '../../support/sshd'
import { openHarness, processesMatching, until, type Harness } from './harness'

const skip = integrationSkipReason()
if (skip) console.warn(`SKIP live streams integration: ${skip}`)

const P = runPrefix()
const A = `${P}a`
const B = `${P}b`
const VA = `${P}va`
const VB = `${P}vb`

/** PIDs of processes running inside a namespace (the kernel's view: nothing may be left). */
/** Why netem cannot be tested here (this kernel lacks sch_netem), or null. */
function netemMissing(): string | null {
  const ns = `${P}nq`
  try {
    sh(['ip', 'netns', 'add', ns])
    sh([
      'ip',
      'netns',
      'exec',
      ns,
      'tc',
      'qdisc',
      'add',
      'dev',
      'lo',
      'root',
      'netem',
      'delay',
      '1ms',
    ])
    return null
  } catch (e) {
    return `this kernel has no netem qdisc (${String((e as { stderr?: string }).stderr ?? e).trim()})`
  } finally {
    sh(['ip', 'netns', 'delete', ns])
  }
}

const pidsIn = (ns: string): string[] =>
  sh(['ip', 'netns', 'pids', ns]).trim().split('\n').filter(Boolean)

describe.skipIf(!!skip)('live streams over SSH on real namespaces', () => {
  let sshd: SshdFixture
  let h: Harness
  const netemReason = skip ? null : netemMissing()

  beforeAll(async () => {
    cleanupPrefix(P)
    for (const ns of [A, B]) sh(['ip', 'netns', 'add', ns])
    sh(['ip', 'link', 'add', VA, 'type', 'veth', 'peer', 'name', VB])
    sh(['ip', 'link', 'set', VA, 'netns', A])
    sh(['ip', 'link', 'set', VB, 'netns', B])
    for (const [ns, dev, cidr] of [
      [A, VA, '10.66.0.1/24'],
      [B, VB, '10.66.0.2/24'],
    ] as const) {
      sh(['ip', '-n', ns, 'addr', 'add', cidr, 'dev', dev])
      sh(['ip', '-n', ns, 'link', 'set', dev, 'up'])
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
    }
    sshd = await startSshd()
    h = await openHarness(sshd)
  })

  afterAll(async () => {
    await h?.close()
    await sshd?.stop()
    cleanupPrefix(P)
  })

  /** Run a bounded ping through the app and return its final statistics and end. */
  async function runPing(
    req: PingRequest,
  ): Promise<{ stats: PingStats; end: LiveEnd; points: number }> {
    const from = h.events.length
    const { id } = (await h.call('live:ping-start', req)) as { id: string }
    const ended = await h.waitEvent('live:ping-ended', (a) => a[0] === id, 30_000, from)
    const batches = h.events
      .slice(from)
      .filter((e) => e.channel === 'live:ping-data' && e.args[0] === id)
      .map((e) => e.args[1] as PingBatch)
    const last = batches.at(-1)
    if (!last) throw new Error('no ping data arrived')
    return {
      stats: last.stats,
      end: ended.args[1] as LiveEnd,
      points: batches.reduce((n, b) => n + b.points.length, 0),
    }
  }

  it('a ping stream yields parsed samples in batches; stop leaves 0 ping processes in the target', async () => {
    const count = 30000 + Math.floor(Math.random() * 9999) // unique argv to find our ping with pgrep -f
    const from = h.events.length
    const { id } = (await h.call('live:ping-start', {
      ns: A,
      address: '10.66.0.2',
      intervalS: 0.1,
      count,
    })) as { id: string }
    const got = await h.waitEvent(
      'live:ping-data',
      (a) => a[0] === id && a[1].stats.received >= 10,
      10_000,
      from,
    )
    const stats = (got.args[1] as PingBatch).stats
    expect(stats.lossPct).toBe(0)
    expect(stats.minMs).toBeGreaterThan(0)
    expect(stats.maxMs).toBeLessThan(50)
    const batches = h.events
      .slice(from)
      .filter((e) => e.channel === 'live:ping-data' && e.args[0] === id)
    const points = batches.flatMap((e) => (e.args[1] as PingBatch).points)
    expect(points.length).toBeGreaterThanOrEqual(10)
    expect(points.every((p) => p.rttMs !== null && p.rttMs > 0)).toBe(true)
    expect(points.map((p) => p.seq).slice(0, 3)).toEqual([1, 2, 3])
    // batched: ~10 replies per second arrive in fewer, larger messages
    expect(batches.length).toBeLessThan(points.length)
    const raw = batches.flatMap((e) => (e.args[1] as PingBatch).lines)
    expect(raw.some((l) => /bytes from 10\.66\.0\.2: icmp_seq=1 /.test(l))).toBe(true)

    expect(processesMatching(`-c ${count} `).length).toBeGreaterThan(0) // it is there while it runs
    expect(pidsIn(A).length).toBeGreaterThan(0)
    await h.call('live:ping-stop', id)
    const end = await h.waitEvent('live:ping-ended', (a) => a[0] === id, 5000, from)
    expect((end.args[1] as LiveEnd).reason).toBe('stopped')
    expect(pidsIn(A)).toEqual([])
    // the watchdog wrapper (its command line holds the same argv) is gone shortly after too
    expect(await until(() => processesMatching(`-c ${count} `).length === 0, 3000)).toBe(true)
    expect(h.services.live.count()).toBe(0)
  })

  it('an address without a host reports "Destination Host Unreachable" as lost points; no route fails clearly', async () => {
    const r = await runPing({
      ns: A,
      address: '10.66.0.99',
      intervalS: 0.2,
      count: 6,
      deadlineS: 6,
    })
    expect(r.stats.received).toBe(0)
    expect(r.stats.lossPct).toBe(100)
    expect(r.stats.lastError ?? '').toMatch(/unreachable/i)

    const n = await runPing({ ns: A, address: '192.0.2.1', count: 2, deadlineS: 3 })
    expect(n.end.reason).toBe('exit')
    expect(n.end.error?.code).toBe('COMMAND_FAILED')
    expect(n.end.error?.message).toMatch(/Network is unreachable/)
    // the exit is reported as the ping ends; the kernel lists it in the namespace until it is reaped
    expect(await until(() => pidsIn(A).length === 0, 3000)).toBe(true)
  })

  it.runIf(!netemReason)(
    'netem: 100 ms delay raises the measured RTT to ≥ 100 ms; removing it restores it',
    async () => {
      const before = await runPing({ ns: A, address: '10.66.0.2', intervalS: 0.1, count: 5 })
      expect(before.stats.received).toBe(5)
      expect(before.stats.maxMs!).toBeLessThan(50)

      const from = h.events.length
      const entry = (await h.call('live:netem-set', {
        ns: A,
        ifname: VA,
        delayMs: 100,
      })) as NetemEntry
      expect(entry).toMatchObject({ ns: A, ifname: VA, delayMs: 100 })
      expect(sh(['tc', '-n', A, 'qdisc', 'show', 'dev', VA])).toMatch(/netem .*delay 100ms/)
      await h.waitEvent('live:netem-changed', (a) => a[0].some((e) => e.ifname === VA), 2000, from)
      expect(await h.call('live:netem-list')).toEqual([entry])

      const slow = await runPing({ ns: A, address: '10.66.0.2', intervalS: 0.1, count: 5 })
      expect(slow.stats.received).toBe(5)
      expect(slow.stats.minMs!).toBeGreaterThanOrEqual(100)

      await h.call('live:netem-clear', A, VA)
      expect(sh(['tc', '-n', A, 'qdisc', 'show', 'dev', VA])).not.toMatch(/netem/)
      expect(await h.call('live:netem-list')).toEqual([])
      const after = await runPing({ ns: A, address: '10.66.0.2', intervalS: 0.1, count: 5 })
      expect(after.stats.maxMs!).toBeLessThan(50)
      // clearing twice is not an error
      await h.call('live:netem-clear', A, VA)
    },
  )

  it.runIf(!!netemReason)(
    'netem on a kernel without sch_netem: a clear error and nothing recorded',
    async () => {
      console.warn(`SKIP netem RTT test: ${netemReason ?? ''}`)
      const err = await h
        .call('live:netem-set', { ns: A, ifname: VA, delayMs: 100 })
        .catch((e: Error) => e)
      expect(err).toBeInstanceOf(Error)
      expect((err as Error).message).toMatch(/COMMAND_FAILED .*no netem \(sch_netem\) support/)
      expect(await h.call('live:netem-list')).toEqual([])
    },
  )

  it('capture: live ICMP summary lines; saved where the save dialog said (0600), a pcap tcpdump reads; Cancel writes nothing', async () => {
    const from = h.events.length
    const { id, remotePath } = (await h.call('live:capture-start', {
      ns: B,
      ifname: VB,
      filter: 'icmp',
    })) as {
      id: string
      remotePath: string
    }
    // tcpdump needs a moment to attach; wait until it is in the namespace and listening
    await until(() => pidsIn(B).length > 0, 3000)
    await new Promise((r) => setTimeout(r, 500))
    sh(['ip', 'netns', 'exec', A, 'ping', '-c', '5', '-i', '0.1', '10.66.0.2'])
    const data = await h.waitEvent(
      'live:capture-data',
      (a) => a[0] === id && a[2] >= 10,
      5000,
      from,
    )
    expect(data.args[2]).toBe(10)
    const lines = h.events
      .slice(from)
      .filter((e) => e.channel === 'live:capture-data' && e.args[0] === id)
      .flatMap((e) => e.args[1] as CaptureLine[])
    expect(lines.filter((l) => /ICMP echo request/.test(l.info))).toHaveLength(5)
    expect(lines[0]).toMatchObject({ proto: 'IP', src: '10.66.0.1', dst: '10.66.0.2' })

    await h.call('live:capture-stop', id)
    expect(pidsIn(B)).toEqual([])
    // main asks the (stand-in) save dialog; the renderer names no path
    const dest = join(h.dataDir, 'icmp.pcap')
    h.saveDialog.answer = () => dest
    const saved = (await h.call('live:capture-save', id)) as CaptureSaveResult
    expect(saved).toEqual({ status: 'saved', path: dest, bytes: statSync(remotePath).size })
    expect(h.saveDialog.asked.at(-1)).toMatchObject({
      owner: 1,
      title: 'Save capture',
      filters: [{ name: 'Packet capture (pcap)', extensions: ['pcap'] }],
    })
    expect(h.saveDialog.asked.at(-1)!.defaultName).toMatch(
      new RegExp(`^capture-${B}-${VB}-\\d{4}-\\d\\d-\\d\\dT[\\d-]+Z\\.pcap$`),
    )
    expect((statSync(dest).mode & 0o777).toString(8)).toBe('600')
    const read = sh(['tcpdump', '-n', '-r', dest])
    expect(read.match(/ICMP echo request/g)).toHaveLength(5)
    expect(read.match(/ICMP echo reply/g)).toHaveLength(5)
    expect(readdirSync(h.dataDir).filter((f) => f.endsWith('.part'))).toEqual([]) // temp file renamed
    // Cancel in the dialog: an answer, not an error, and nothing is written
    const before = readdirSync(h.dataDir).sort()
    h.saveDialog.answer = () => null
    expect(await h.call('live:capture-save', id)).toEqual({ status: 'cancelled' })
    expect(readdirSync(h.dataDir).sort()).toEqual(before)
    // a path is not an argument any more: the contract refuses one
    await expect(
      (h.call as (c: string, ...a: unknown[]) => Promise<unknown>)(
        'live:capture-save',
        id,
        '/tmp/x.pcap',
      ),
    ).rejects.toThrow(/INVALID_ARGUMENT Expected only a capture id/)

    expect(existsSync(remotePath)).toBe(true) // the target is this machine
    await h.call('live:capture-close', id)
    expect(existsSync(remotePath)).toBe(false)
  })

  it('terminal: bash in the namespace shows its interfaces; resize; close leaves nothing', async () => {
    const from = h.events.length
    const { id } = (await h.call('live:terminal-open', { ns: A, cols: 100, rows: 30 })) as {
      id: string
    }
    const out = (): string =>
      h.events
        .slice(from)
        .filter((e) => e.channel === 'live:terminal-data' && e.args[0] === id)
        .map((e) => e.args[1] as string)
        .join('')
    await h.call('live:terminal-write', id, 'ip -br link; stty size\r')
    expect(await until(() => out().includes(VA) && /[\r\n]30 100\r?\n/.test(out()), 5000)).toBe(
      true,
    )
    expect(out()).not.toContain(VB) // the other namespace's end is not visible here
    // the prompt names the namespace (no rc file of the target's user is read)
    expect(out()).toMatch(new RegExp(`\\(${A.replace(/[.]/g, '\\.')}\\) root@`))
    await h.call('live:terminal-resize', id, 120, 40)
    await h.call('live:terminal-write', id, 'stty size\r')
    expect(await until(() => /[\r\n]40 120\r?\n/.test(out()), 5000), JSON.stringify(out())).toBe(
      true,
    )
    expect(pidsIn(A).length).toBeGreaterThan(0)
    await h.call('live:terminal-close', id)
    await h.waitEvent('live:terminal-ended', (a) => a[0] === id, 5000, from)
    expect(await until(() => pidsIn(A).length === 0, 3000)).toBe(true)
  })

  it('a window that goes away takes its streams with it (ping, capture, terminal)', async () => {
    await h.callAs(7, 'live:ping-start', { ns: A, address: '10.66.0.2', intervalS: 0.5 })
    await h.callAs(7, 'live:capture-start', { ns: B, ifname: VB })
    await h.callAs(7, 'live:terminal-open', { ns: A, cols: 80, rows: 24 })
    await h.call('live:ping-start', { ns: B, address: '10.66.0.1', intervalS: 0.5, count: 3 }) // window 1's
    expect(await until(() => pidsIn(A).length >= 2, 3000)).toBe(true)
    expect(h.services.live.count(7)).toBe(3)
    h.services.senderGone(7)
    expect(await until(() => pidsIn(A).length === 0 && h.services.live.count(7) === 0, 5000)).toBe(
      true,
    )
    expect(await until(() => pidsIn(B).length === 0, 5000)).toBe(true)
  })

  it('killing the SSH connection mid-stream ends the stream with a typed error and leaves 0 processes', async () => {
    const count = 40000 + Math.floor(Math.random() * 9999)
    expect(await until(() => pidsIn(A).length === 0, 5000)).toBe(true) // earlier tests' shells are gone
    const from = h.events.length
    const { id } = (await h.call('live:ping-start', {
      ns: A,
      address: '10.66.0.2',
      intervalS: 0.2,
      count,
    })) as { id: string }
    await h.call('live:traffic-start', 0.5)
    await h.waitEvent('live:ping-data', (a) => a[0] === id && a[1].stats.received >= 2, 5000, from)
    expect(pidsIn(A).length).toBe(1)
    sshd.kill()
    const gone = await h.waitEvent('live:traffic-ended', () => true, 15_000, from)
    expect(gone.senderId).toBe(1) // told to the window that subscribed
    const ended = await h.waitEvent('live:ping-ended', (a) => a[0] === id, 15_000, from)
    const end = ended.args[1] as LiveEnd
    expect(end.reason).toBe('error')
    expect(end.error?.code).toMatch(/^[A-Z_]+$/)
    expect(end.error?.message.length).toBeGreaterThan(0)
    expect(await until(() => pidsIn(A).length === 0, 5000)).toBe(true)
    expect(await until(() => processesMatching(`-c ${count} `).length === 0, 5000)).toBe(true)
    console.log(`ssh drop ended the ping with ${end.error?.code}: ${end.error?.message}`)
  })

  it('after the drop, the traffic sampler and the table monitor come back with the connection', async () => {
    // (continues the previous test: sshd is down, the sampler had a subscriber when it died)
    const from = h.events.length
    await sshd.restart()
    await h.waitEvent('target:status-changed', (a) => a[0].state === 'connected', 30_000, from)
    await h.waitEvent('live:monitor-changed', (a) => a[0].state === 'watching', 15_000, from)
    await h.waitEvent(
      'live:traffic-data',
      (a) => a[0].some((t) => t.rates.some((r) => r.ns === A)),
      15_000,
      from,
    )
    expect(h.services.live.trafficSampler?.running).toBe(true)
    await h.call('live:traffic-stop')
    expect(h.services.live.trafficSampler?.running).toBe(false)
  })
})

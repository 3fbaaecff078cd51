// The live store over the TEST DOUBLE of the preload (window.api; jsdom has no Electron main):
// bounded buffers, stream events that arrive before the start reply (one per-id buffer), saving a
// capture (main asks where), rates for topology edges, and forgetting every stream on disconnect.

import type { CaptureLine } from '@shared/net/capture'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { emptyPingStats } from '@shared/net/ping'
import { PendingById } from '../../../src-renderer/src/lib/pending-by-id'
import { LIMITS, useLiveStore } from '../../../src-renderer/src/stores/live'
import { useTargetStore } from '../../../src-renderer/src/stores/target'
import { HISTORY_LIMIT, useTrafficStore } from '../../../src-renderer/src/stores/traffic'
import { type FakeApi, flush, installFakeApi } from './support/fake-api'

let fake: FakeApi

beforeEach(() => {
  setActivePinia(createPinia())
  fake = installFakeApi()
  fake.handle('live:netem-list', () => [])
  fake.handle('live:monitor-status', () => ({ state: 'watching', events: 0, lastEventAt: null }))
})
afterEach(() => fake.uninstall())

describe('per-id buffer of early events', () => {
  it('replays what was held for an id in arrival order, once', () => {
    const early = new PendingById()
    const seen: string[] = []
    early.hold('a', () => seen.push('a1'))
    early.hold('b', () => seen.push('b1'))
    early.hold('a', () => seen.push('a2'))
    early.release('a')
    expect(seen).toEqual(['a1', 'a2'])
    early.release('a')
    expect(seen).toEqual(['a1', 'a2'])
    expect(early.size).toBe(1)
    early.clear()
    early.release('b')
    expect(seen).toEqual(['a1', 'a2'])
  })

  it('stays bounded: the oldest id goes first, and an id keeps its first events', () => {
    const early = new PendingById(3, 2)
    const seen: string[] = []
    for (const id of ['a', 'b', 'c', 'd']) early.hold(id, () => seen.push(id))
    expect(early.size).toBe(3)
    early.release('a') // dropped for d
    expect(seen).toEqual([])
    for (let i = 0; i < 5; i++) early.hold('b', () => seen.push(`b+${i}`))
    early.release('b')
    expect(seen).toEqual(['b', 'b+0']) // 2 per id
  })
})

describe('live store', () => {
  it('keeps ping points, lines and stats, bounded', async () => {
    fake.handle('live:ping-start', () => ({ id: 'p1' }))
    const live = useLiveStore()
    const id = await live.startPing({ ns: 'red', address: '10.0.0.2' })
    const points = Array.from({ length: LIMITS.points + 50 }, (_, i) => ({
      seq: i + 1,
      at: i,
      rttMs: 0.05,
    }))
    const stats = { ...emptyPingStats(), sent: points.length, received: points.length }
    fake.emit('live:ping-data', id, { points, stats, lines: points.map((p) => `seq ${p.seq}`) })
    const p = live.pingOf('red')!
    expect(p.points).toHaveLength(LIMITS.points)
    expect(p.points[0]!.seq).toBe(51) // the oldest went first
    expect(p.lines).toHaveLength(LIMITS.lines)
    expect(p.stats.received).toBe(points.length)
    fake.emit('live:ping-ended', id, { reason: 'stopped' })
    expect(p.running).toBe(false)
    expect(live.pingOf('green')).toBeNull()
  })

  it('keeps a terminal prompt that arrives before the open reply, and bounds the scrollback', async () => {
    fake.handle('live:terminal-open', async () => {
      fake.emit('live:terminal-data', 't1', 'root@vm:~# ')
      await flush()
      return { id: 't1' }
    })
    const live = useLiveStore()
    live.init()
    const id = await live.openTerminal('red', 80, 24)
    expect(live.terminals.get(id)!.buffer).toBe('root@vm:~# ')
    fake.emit('live:terminal-data', id, 'x'.repeat(LIMITS.terminal))
    const t = live.terminals.get(id)!
    expect(t.buffer.length).toBe(LIMITS.terminal)
    expect(t.total).toBe(LIMITS.terminal + 11)
    expect(live.terminalsOf('red')).toHaveLength(1)
  })

  it('ping and capture events that come before the start reply are applied in order once it has answered', async () => {
    const stats = { ...emptyPingStats(), sent: 2, received: 2 }
    fake.handle('live:ping-start', async () => {
      fake.emit('live:ping-data', 'p9', {
        points: [{ seq: 1, at: 1, rttMs: 0.1 }],
        stats: { ...stats, sent: 1, received: 1 },
        lines: ['seq 1'],
      })
      fake.emit('live:ping-data', 'p9', {
        points: [{ seq: 2, at: 2, rttMs: 0.2 }],
        stats,
        lines: ['seq 2'],
      })
      fake.emit('live:ping-ended', 'p9', { reason: 'exit' })
      await flush()
      return { id: 'p9' }
    })
    fake.handle('live:capture-start', async () => {
      fake.emit('live:capture-data', 'c9', [line('ARP')], 1)
      await flush()
      return { id: 'c9', remotePath: '/tmp/netns-studio-cap-c9/capture.pcap' }
    })
    const live = useLiveStore()
    live.init()
    await live.startPing({ ns: 'red', address: '10.0.0.2' })
    const p = live.pings.get('p9')!
    expect(p.points.map((x) => x.seq)).toEqual([1, 2])
    expect(p.lines).toEqual(['seq 1', 'seq 2'])
    expect(p.stats.received).toBe(2)
    expect(p.running).toBe(false)
    expect(p.end).toEqual({ reason: 'exit' })
    await live.startCapture('red', 'eth0', '')
    expect(live.captures.get('c9')).toMatchObject({ total: 1, running: true })
    expect(live.captures.get('c9')!.lines.map((l) => l.proto)).toEqual(['ARP'])
  })

  it('saving a capture sends only its id (main asks where); it shows where it went, and Cancel changes nothing', async () => {
    fake.handle('live:capture-start', () => ({ id: 'c1', remotePath: '/tmp/x/capture.pcap' }))
    const live = useLiveStore()
    live.init()
    await live.startCapture('red', 'eth0', 'icmp')
    fake.handle('live:capture-save', () => ({ status: 'cancelled' }))
    expect(await live.saveCapture('c1')).toEqual({ status: 'cancelled' })
    expect(live.captures.get('c1')!.saved).toBeNull()
    fake.handle('live:capture-save', () => ({
      status: 'saved',
      path: '/home/me/red.pcap',
      bytes: 1234,
    }))
    await live.saveCapture('c1')
    expect(live.captures.get('c1')!.saved).toEqual({ path: '/home/me/red.pcap', bytes: 1234 })
    expect(fake.callsOf('live:capture-save')).toEqual([['c1'], ['c1']])
  })

  it('turns traffic ticks into per-interface rates, edge totals and a bounded history', async () => {
    fake.handle('live:traffic-start', () => undefined)
    const traffic = useTrafficStore()
    await traffic.start(1)
    expect(fake.callsOf('live:traffic-start')).toEqual([[1]])
    const tick = (t: number) => ({
      t,
      rates: [{ ns: 'red', ifname: 'eth0', rxBps: 100, txBps: 250, rxPps: 1, txPps: 2 }],
    })
    fake.emit(
      'live:traffic-data',
      Array.from({ length: HISTORY_LIMIT + 5 }, (_, i) => tick(i * 1000)),
    )
    expect(traffic.rateOf('red', 'eth0')).toMatchObject({ rxBps: 100, txBps: 250 })
    expect(traffic.edgeRates.get('red/eth0')).toBe(350)
    expect(traffic.history.get('red/eth0')).toHaveLength(HISTORY_LIMIT)
    expect(traffic.rateOf('red', 'lo')).toBeNull()
    fake.emit('live:traffic-ended', 'The connection was lost.')
    expect(traffic.note).toBe('The connection was lost.')
    fake.emit('live:traffic-data', [tick(999_000)])
    expect(traffic.note).toBeNull()
  })

  it('forgets every stream when the target disconnects', async () => {
    fake.handle('target:status', () => ({ state: 'connected', label: 'x', kind: 'ssh' }))
    fake.handle('live:ping-start', () => ({ id: 'p2' }))
    const target = useTargetStore()
    await target.init()
    const live = useLiveStore()
    await live.startPing({ ns: 'red', address: '10.0.0.2' })
    expect(live.pings.size).toBe(1)
    fake.emit('target:status-changed', { state: 'disconnected', label: null, kind: null })
    await flush()
    expect(live.pings.size).toBe(0)
  })
})

function line(proto: string): CaptureLine {
  return { time: '10:00:00.000001', proto, src: null, dst: null, info: 'x', raw: 'x' }
}

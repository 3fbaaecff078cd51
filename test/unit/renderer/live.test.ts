// The live store over the TEST DOUBLE of the preload (window.api; jsdom has no Electron main):
// bounded buffers, terminal output that arrives before the open reply, rates for topology edges,
// and forgetting every stream when the target disconnects.

import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { emptyPingStats } from '@shared/net/ping'
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

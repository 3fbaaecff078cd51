// Ping parsing against real iputils output captured in this repo's own test namespaces.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { PingEvent } from '../../../../shared/net/ping'
import {
  addPingEvent,
  checkPingRequest,
  emptyPingStats,
  parsePingLine,
  pingArgv,
} from '../../../../shared/net/ping'

const fx = (name: string): string[] =>
  readFileSync(`test/fixtures/ping/${name}`, 'utf8').split('\n')
const events = (name: string): PingEvent[] =>
  fx(name)
    .map(parsePingLine)
    .filter((e): e is PingEvent => e !== null)
const stats = (name: string) => events(name).reduce(addPingEvent, emptyPingStats())

describe('parsePingLine', () => {
  it('reads replies, the header and both summary lines', () => {
    const ev = events('ok.txt')
    expect(ev[0]).toEqual({ kind: 'header', target: '10.77.0.2', address: '10.77.0.2' })
    expect(ev[1]).toEqual({
      kind: 'reply',
      bytes: 64,
      from: '10.77.0.2',
      seq: 1,
      ttl: 64,
      rttMs: 0.965,
    })
    expect(ev.filter((e) => e.kind === 'reply')).toHaveLength(4)
    expect(ev.at(-2)).toEqual({
      kind: 'summary',
      transmitted: 4,
      received: 4,
      errors: 0,
      lossPct: 0,
    })
    expect(ev.at(-1)).toEqual({
      kind: 'rtt-summary',
      minMs: 0.031,
      avgMs: 0.276,
      maxMs: 0.965,
      mdevMs: 0.398,
    })
  })
  it('reads timeouts printed by -O', () => {
    expect(
      events('timeout-O.txt')
        .filter((e) => e.kind === 'timeout')
        .map((e) => (e as { seq: number }).seq),
    ).toEqual([1, 2])
  })
  it('reads "Destination Host Unreachable" and the +errors summary', () => {
    const ev = events('host-unreachable.txt')
    expect(ev).toContainEqual({
      kind: 'icmp-error',
      from: '10.77.0.1',
      seq: 3,
      message: 'Destination Host Unreachable',
    })
    expect(ev).toContainEqual({
      kind: 'summary',
      transmitted: 6,
      received: 0,
      errors: 6,
      lossPct: 100,
    })
  })
  it('reads "Network is unreachable" as a fatal error', () => {
    expect(events('network-unreachable.txt')).toEqual([
      { kind: 'fatal', message: 'Network is unreachable' },
    ])
  })
  it('reads -D timestamps and IPv6 replies', () => {
    expect(events('timestamps-D.txt')[1]).toMatchObject({ kind: 'reply', seq: 1, rttMs: 0.035 })
    expect(events('ipv6-lo.txt')[1]).toMatchObject({
      kind: 'reply',
      from: '::1',
      seq: 1,
      rttMs: 0.03,
    })
  })
  it('ignores blank, separator and "pipe" lines', () => {
    for (const l of ['', '--- 10.77.0.2 ping statistics ---', 'pipe 6'])
      expect(parsePingLine(l)).toBeNull()
  })
})

describe('ping statistics', () => {
  it('computes loss and min/avg/max', () => {
    expect(stats('ok.txt')).toMatchObject({
      sent: 4,
      received: 4,
      lossPct: 0,
      minMs: 0.031,
      maxMs: 0.965,
    })
    expect(stats('host-unreachable.txt')).toMatchObject({
      sent: 6,
      received: 0,
      lossPct: 100,
      lastError: 'Destination Host Unreachable',
    })
    expect(stats('timeout-O.txt')).toMatchObject({ sent: 3, received: 0, lossPct: 100 })
  })
  it('keeps running figures while streaming (before the summary)', () => {
    const partial = events('ok.txt')
      .filter((e) => e.kind === 'reply')
      .slice(0, 2)
      .reduce(addPingEvent, emptyPingStats())
    expect(partial.sent).toBe(2)
    expect(partial.avgMs).toBeCloseTo((0.965 + 0.074) / 2, 6)
  })
})

describe('pingArgv', () => {
  it('builds a bounded, numeric ping in the namespace', () => {
    expect(pingArgv({ ns: 'red', address: '10.0.0.2', intervalS: 0.2, count: 10 })).toEqual([
      'ip',
      'netns',
      'exec',
      'red',
      'ping',
      '-4',
      '-n',
      '-O',
      '-W',
      '1',
      '-i',
      '0.2',
      '-c',
      '10',
      '-w',
      '3600',
      '10.0.0.2',
    ])
    expect(pingArgv({ ns: 'host', address: 'fd00::1' }).slice(0, 2)).toEqual(['ping', '-6'])
  })
  it('rejects hostile or out-of-range input', () => {
    expect(checkPingRequest({ ns: 'red;reboot', address: '10.0.0.2' }).ok).toBe(false)
    expect(checkPingRequest({ ns: 'red', address: '10.0.0.2 -f' }).ok).toBe(false)
    expect(checkPingRequest({ ns: 'red', address: '10.0.0.2', intervalS: 0.01 }).ok).toBe(false)
    expect(checkPingRequest({ ns: 'red', address: '10.0.0.2', count: 1.5 }).ok).toBe(false)
    expect(() => pingArgv({ ns: '-x', address: '10.0.0.2' })).toThrow()
  })
})

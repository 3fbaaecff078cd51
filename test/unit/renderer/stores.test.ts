// The renderer's stores (real Pinia stores) against the fake preload: snapshot refresh and
// selection, operations then refresh, connection status and the SSH form, the command log.
import { AppError } from '@shared/errors'
import type { LogEntry } from '@shared/net/command-log'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LOG_LIMIT, useLogStore } from '../../../src-renderer/src/stores/log'
import { useNetnsStore } from '../../../src-renderer/src/stores/netns'
import { sshFormProblems, useTargetStore } from '../../../src-renderer/src/stores/target'
import { type FakeApi, FakeIpcError, flush, installFakeApi } from './support/fake-api'
import { tutorial1 } from './support/snapshot'

let fake: FakeApi
beforeEach(() => {
  setActivePinia(createPinia())
  fake = installFakeApi()
})
afterEach(() => {
  fake.uninstall()
  vi.useRealTimers()
})

function entry(id: number, p: Partial<LogEntry> = {}): LogEntry {
  return {
    id,
    at: 1_700_000_000_000 + id,
    durationMs: 3,
    argv: ['ip', 'netns', 'add', `ns${id}`],
    line: `ip netns add ns${id}`,
    exitCode: 0,
    stderr: '',
    source: 'ns.add',
    mutating: true,
    ...p,
  }
}

describe('netns store', () => {
  it('reads the snapshot, joins a refresh already running, and keeps the host selected', async () => {
    let n = 0
    fake.handle('netns:snapshot', async () => {
      n++
      await flush(1)
      return tutorial1()
    })
    const s = useNetnsStore()
    await Promise.all([s.refresh(), s.refresh()])
    expect(n).toBe(1)
    expect(s.names).toEqual(['host', 'ns1', 'ns2'])
    expect(s.selected).toEqual(['host'])
    expect(s.current.map((x) => x.name)).toEqual(['host'])
  })

  it('selects one, adds a second for compare, drops it again, and forgets vanished ones', async () => {
    fake.handle('netns:snapshot', () => tutorial1())
    const s = useNetnsStore()
    await s.refresh()
    s.select('ns1')
    s.select('ns2', true)
    expect(s.selected).toEqual(['ns1', 'ns2'])
    expect(s.comparing).toBe(true)
    s.select('ns2', true)
    expect(s.selected).toEqual(['ns1'])
    s.select('ns2', true)
    // ns1 is deleted elsewhere: the event's snapshot no longer has it.
    s.start(0)
    const next = tutorial1()
    next.namespaces.splice(1, 1)
    fake.emit('netns:changed', next)
    expect(s.selected).toEqual(['ns2'])
    next.namespaces.splice(1, 1)
    fake.emit('netns:changed', next)
    expect(s.selected).toEqual(['host'])
    s.stop()
    expect(fake.listeners('netns:changed')).toBe(0)
  })

  it('applies an operation and then reads the tables again', async () => {
    fake.handle('netns:snapshot', () => tutorial1())
    fake.handle('netns:apply', () => ({ commands: ['ip netns add ns3'] }) as never)
    const s = useNetnsStore()
    const r = await s.apply({ op: 'ns.add', name: 'ns3' })
    expect(r.commands).toEqual(['ip netns add ns3'])
    expect(fake.calls.map((c) => c.channel)).toEqual(['netns:apply', 'netns:snapshot'])
    expect(fake.callsOf('netns:apply')).toEqual([[{ op: 'ns.add', name: 'ns3' }]])
  })

  it('rethrows a failed operation as AppError with its code, and still refreshes', async () => {
    fake.handle('netns:snapshot', () => tutorial1())
    fake.handle('netns:apply', () => {
      throw new FakeIpcError({
        code: 'COMMAND_FAILED',
        message: 'RTNETLINK answers: File exists',
        detail: 'ip netns add ns1',
      })
    })
    const s = useNetnsStore()
    const err = await s.apply({ op: 'ns.add', name: 'ns1' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('COMMAND_FAILED')
    expect(fake.callsOf('netns:snapshot')).toHaveLength(1)
    expect(s.busy).toBe(false)
  })

  it('shows a read failure as an error with a hint, and clears it on the next good read', async () => {
    fake.handle('netns:snapshot', () => {
      throw new FakeIpcError({ code: 'NOT_CONNECTED', message: 'Not connected.' })
    })
    const s = useNetnsStore()
    await s.refresh()
    expect(s.error).toMatchObject({ code: 'NOT_CONNECTED', message: 'Not connected.' })
    expect(s.error?.hint).toMatch(/Connect/)
    fake.handle('netns:snapshot', () => tutorial1())
    await s.refresh()
    expect(s.error).toBeNull()
  })

  it('refreshes periodically while started, and not after stop', async () => {
    vi.useFakeTimers()
    fake.handle('netns:snapshot', () => tutorial1())
    const s = useNetnsStore()
    s.start(1000)
    await vi.advanceTimersByTimeAsync(3100)
    expect(fake.callsOf('netns:snapshot')).toHaveLength(3)
    s.stop()
    await vi.advanceTimersByTimeAsync(3000)
    expect(fake.callsOf('netns:snapshot')).toHaveLength(3)
  })

  it('reports duplicate addresses of connected namespaces', async () => {
    const snap = tutorial1()
    snap.namespaces[2]!.addresses[1]!.local = '10.10.10.1'
    fake.handle('netns:snapshot', () => snap)
    const s = useNetnsStore()
    await s.refresh()
    expect(s.conflicts.map((c) => c.address)).toEqual(['10.10.10.1'])
  })
})

describe('target store', () => {
  it('checks the SSH form with the shared rules', () => {
    const ok = {
      host: '10.0.0.5',
      port: 22,
      username: 'vagrant',
      privateKeyPath: '~/.ssh/k',
      useAgent: false,
    }
    expect(sshFormProblems(ok)).toEqual({})
    const bad = sshFormProblems({
      ...ok,
      host: 'a;b',
      port: 70000,
      username: 'Root!',
      privateKeyPath: '',
    })
    expect(Object.keys(bad).sort()).toEqual(['host', 'port', 'privateKeyPath', 'username'])
    expect(sshFormProblems({ ...ok, privateKeyPath: '', useAgent: true })).toEqual({})
  })

  it('connects with the spec built from the form, and follows status events', async () => {
    fake.handle('target:status', () => ({ state: 'disconnected', label: null, kind: null }))
    fake.handle('target:connect', () => ({
      state: 'connected',
      label: 'root@10.0.0.5:2222',
      kind: 'ssh',
    }))
    const t = useTargetStore()
    await t.init()
    expect(t.kind).toBe('vm')
    t.kind = 'ssh'
    Object.assign(t.ssh, { host: ' 10.0.0.5 ', port: 2222, username: 'root', privateKeyPath: '/k' })
    expect(await t.connect()).toBe(true)
    expect(fake.callsOf('target:connect')).toEqual([
      [{ kind: 'ssh', host: '10.0.0.5', port: 2222, username: 'root', privateKeyPath: '/k' }],
    ])
    expect(t.connected).toBe(true)
    fake.emit('target:status-changed', {
      state: 'reconnecting',
      label: 'root@10.0.0.5:2222',
      kind: 'ssh',
    })
    expect(t.connected).toBe(false)
    expect(t.status.state).toBe('reconnecting')
  })

  it('takes the target kind from a connection made elsewhere (e.g. at startup)', async () => {
    fake.handle('target:status', () => ({
      state: 'connected',
      label: 'this machine',
      kind: 'local',
    }))
    const t = useTargetStore()
    await t.init()
    expect(t.kind).toBe('local')
  })

  it('keeps a failed connection as an error with what to try, and reconnects to the same spec', async () => {
    fake.handle('target:connect', () => {
      throw new FakeIpcError({ code: 'SSH_AUTH', message: 'All authentication methods failed.' })
    })
    const t = useTargetStore()
    t.kind = 'local'
    expect(await t.connect()).toBe(false)
    expect(t.status.state).toBe('failed')
    expect(t.error).toMatchObject({ code: 'SSH_AUTH' })
    expect(t.error?.hint).toMatch(/key/)
    fake.handle('target:connect', () => ({
      state: 'connected',
      label: 'this machine',
      kind: 'local',
    }))
    t.kind = 'vm'
    expect(await t.reconnect()).toBe(true)
    expect(fake.callsOf('target:connect')[1]).toEqual([{ kind: 'local' }])
  })
})

describe('log store', () => {
  it('loads, appends events without duplicates, hides reads unless asked, counts failures', async () => {
    fake.handle('log:list', () => [entry(1), entry(2, { mutating: false, line: 'ip -batch -' })])
    const log = useLogStore()
    await log.init()
    fake.emit('log:appended', [entry(2), entry(3, { exitCode: 2, stderr: 'File exists' })])
    expect(log.entries.map((e) => e.id)).toEqual([1, 2, 3])
    expect(log.visible.map((e) => e.id)).toEqual([1, 3])
    log.showReads = true
    expect(log.visible).toHaveLength(3)
    expect(log.failures).toBe(1)
  })

  it('keeps at most LOG_LIMIT entries, the newest', () => {
    const log = useLogStore()
    log.append(Array.from({ length: LOG_LIMIT + 5 }, (_, i) => entry(i + 1)))
    expect(log.entries).toHaveLength(LOG_LIMIT)
    expect(log.entries[0]!.id).toBe(6)
  })

  it('exports through log:export and clears through log:clear', async () => {
    fake.handle('log:export', () => '#!/bin/sh\nip netns add ns1\n')
    fake.handle('log:clear', () => undefined)
    const log = useLogStore()
    log.append([entry(1)])
    expect(await log.exportScript()).toContain('ip netns add ns1')
    await log.clear()
    expect(log.entries).toEqual([])
    expect(fake.calls.map((c) => c.channel)).toEqual(['log:export', 'log:clear'])
  })
})

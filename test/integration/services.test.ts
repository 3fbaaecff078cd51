// The composition root over real parts: createServices → core handlers → ConnectionManager →
// SshTarget → a real sshd on 127.0.0.1 → real namespaces (and LocalTarget on this machine). It
// needs root and sshd, so it runs in the integration project.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../shared/errors'
import type { EventArgs, EventChannel } from '../../shared/ipc/contract'
import type { ConnectionStatus } from '../../shared/ipc/domains/core'
import type { LogEntry } from '../../shared/net/command-log'
import type { Snapshot } from '../../shared/net/model'
import { createServices, type Services } from '../../src-main/app/services'
import { cleanupPrefix, namespacesWithPrefix, runPrefix } from '../support/netns'
import { integrationSkipReason, startSshd, type SshdFixture } from '../support/sshd'

const skip = integrationSkipReason()
if (skip) console.warn(`[services] skipped: ${skip}`)

type Seen = { [C in EventChannel]?: Array<EventArgs<C>> }

/** This file's own record of what it created, so no other run's reset touches it. */
const OWNED = `/run/netns-studio/owned-svc-${process.pid}`

/** Services with a recording sink; handlers called as the router would (sender 1). */
function open(
  dataDir: string,
  refreshMs = 0,
): { s: Services; seen: Seen; call: Services['handlers'] } {
  const s = createServices({
    dataDir,
    refreshMs,
    logBatchMs: 50,
    ownedFile: OWNED,
  })
  const seen: Seen = {}
  const record = (ch: EventChannel, args: unknown[]): void => {
    ;((seen[ch] ??= []) as unknown[][]).push(args)
  }
  s.events.attach({ send: (ch, ...a) => record(ch, a), sendTo: (_id, ch, ...a) => record(ch, a) })
  return { s, seen, call: s.handlers }
}
const ctx = { senderId: 1 }
const states = (seen: Seen): string[] =>
  (seen['target:status-changed'] ?? []).map(([st]) => st.state)

describe.skipIf(skip !== null)('createServices over a real sshd', { timeout: 30_000 }, () => {
  let sshd: SshdFixture
  const prefix = runPrefix()
  const dirs: string[] = []
  const all: Services[] = []
  const dataDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'nss-svc-'))
    dirs.push(d)
    return d
  }
  const spec = () => ({
    kind: 'ssh' as const,
    host: sshd.host,
    port: sshd.port,
    username: sshd.username,
    privateKeyPath: sshd.privateKeyPath,
  })

  beforeAll(async () => {
    sshd = await startSshd()
  }, 60_000)
  afterEach(async () => {
    for (const s of all.splice(0)) await s.dispose()
  })
  afterAll(async () => {
    await sshd?.stop()
    cleanupPrefix(prefix)
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
    rmSync(OWNED, { force: true })
  })

  it('connects, pins the host key, applies an operation, pushes the snapshot and the log', async () => {
    const dir = dataDir()
    const { s, seen, call } = open(dir)
    all.push(s)
    expect(await call['target:status'](ctx)).toEqual({
      state: 'disconnected',
      label: null,
      kind: null,
    })
    const st = await call['target:connect'](ctx, spec())
    expect(st).toEqual({ state: 'connected', label: `root@127.0.0.1:${sshd.port}`, kind: 'ssh' })
    expect(states(seen)).toEqual(['connecting', 'connected'])
    const pinned = JSON.parse(readFileSync(join(dir, 'known_hosts.json'), 'utf8')) as Record<
      string,
      string
    >
    expect(pinned[`ssh:127.0.0.1:${sshd.port}`]).toBe(sshd.hostKeyFingerprint)

    const ns = `${prefix}svc`
    const res = await call['netns:apply'](ctx, { op: 'ns.add', name: ns })
    expect(res.commands).toEqual([`ip netns add ${ns}`])
    expect(namespacesWithPrefix(prefix)).toEqual([ns])
    // netns:changed carries a snapshot that already has the new namespace.
    const snaps = (seen['netns:changed'] ?? []).map(([snap]) => snap)
    expect(snaps.at(-1)?.namespaces.map((n) => n.name)).toContain(ns)
    // log:appended arrives batched, with the command and its exit code.
    await expect
      .poll(() => (seen['log:appended'] ?? []).flatMap(([e]) => e).map((e) => e.line))
      .toContain(`ip netns add ${ns}`)
    const log: LogEntry[] = await call['log:list'](ctx)
    expect(log.find((e) => e.line === `ip netns add ${ns}`)?.exitCode).toBe(0)
    expect(await call['log:export'](ctx)).toContain(`ip netns add ${ns}\n`)

    await call['netns:apply'](ctx, { op: 'ns.delete', name: ns })
    expect(namespacesWithPrefix(prefix)).toEqual([])
    await call['log:clear'](ctx)
    expect(await call['log:list'](ctx)).toEqual([])
    await call['target:disconnect'](ctx)
    expect(states(seen).at(-1)).toBe('disconnected')
    await expect(call['netns:snapshot'](ctx)).rejects.toMatchObject({ code: 'NOT_CONNECTED' })
  })

  it('reports a failed operation as a typed error, and still pushes a fresh snapshot', async () => {
    const { s, seen, call } = open(dataDir())
    all.push(s)
    await call['target:connect'](ctx, spec())
    const before = (seen['netns:changed'] ?? []).length
    const sent = Date.now()
    const err = await Promise.resolve(
      // a link that is not there: the kernel refuses it (a missing namespace is refused before)
      call['netns:apply'](ctx, { op: 'link.delete', ns: 'host', ifname: `${prefix}nope` }),
    ).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('COMMAND_FAILED')
    expect((err as AppError).message).toMatch(/^Delete link failed: Cannot find device/)
    // The snapshot read after the failure was pushed by the time the call answered (the table
    // monitor may push others too: count only those read after the call was sent).
    const after = (seen['netns:changed'] ?? []).slice(before).map(([snap]) => snap.takenAt)
    expect(after.filter((t) => t >= sent).length).toBeGreaterThanOrEqual(1)
  })

  it('refreshes periodically while connected, and stops when disconnected', async () => {
    const { s, seen, call } = open(dataDir(), 300)
    all.push(s)
    await call['target:connect'](ctx, spec())
    await expect
      .poll(() => (seen['netns:changed'] ?? []).length, { timeout: 5000 })
      .toBeGreaterThanOrEqual(2)
    const snap: Snapshot = seen['netns:changed']![0]![0]
    expect(snap.namespaces.some((n) => n.name === 'host')).toBe(true)
    await call['target:disconnect'](ctx)
    const n = seen['netns:changed']!.length
    // "Stops" is an absence over time: there is no event to poll for, so wait three periods.
    await new Promise((r) => setTimeout(r, 3 * 300))
    expect(seen['netns:changed']!.length).toBe(n)
  })

  it('fails with SSH_AUTH for a wrong key, and the status says so', async () => {
    const { s, seen, call } = open(dataDir())
    all.push(s)
    const err = await Promise.resolve(
      call['target:connect'](ctx, { ...spec(), privateKeyPath: '/nonexistent/key' }),
    ).catch((e: unknown) => e)
    expect((err as AppError).code).toBe('SSH_AUTH')
    const st: ConnectionStatus = await call['target:status'](ctx)
    expect(st.state).toBe('failed')
    expect(st.error?.code).toBe('SSH_AUTH')
    expect(states(seen)).toEqual(['connecting', 'failed'])
  })

  it('refuses a changed host key with SSH_HOSTKEY_CHANGED', async () => {
    const dir = dataDir()
    const a = open(dir)
    all.push(a.s)
    await a.call['target:connect'](ctx, spec())
    await a.call['target:disconnect'](ctx)
    sshd.rotateHostKey()
    sshd.kill()
    await sshd.restart()
    const err = await Promise.resolve(a.call['target:connect'](ctx, spec())).catch(
      (e: unknown) => e,
    )
    expect((err as AppError).code).toBe('SSH_HOSTKEY_CHANGED')
  })

  it('reports the VM as unavailable until the VM module registers its hook', async () => {
    const { s, call } = open(dataDir())
    all.push(s)
    await expect(
      Promise.resolve(call['target:connect'](ctx, { kind: 'vm' })),
    ).rejects.toMatchObject({ code: 'VM_NOT_RUNNING' })
  })

  it('connects to this machine with LocalTarget', async () => {
    const { s, call } = open(dataDir())
    all.push(s)
    expect(await call['target:connect'](ctx, { kind: 'local' })).toEqual({
      state: 'connected',
      label: 'this machine',
      kind: 'local',
    })
    const snap = await call['netns:snapshot'](ctx)
    expect(
      snap.namespaces.find((n) => n.name === 'host')?.links.some((l) => l.ifname === 'lo'),
    ).toBe(true)
  })

  it('a newer connect replaces the current target; dispose disconnects and is idempotent', async () => {
    const { s, seen, call } = open(dataDir())
    await call['target:connect'](ctx, { kind: 'local' })
    const first = s.connection.target()
    await call['target:connect'](ctx, spec())
    expect(first.connected).toBe(false)
    expect(s.connection.status().kind).toBe('ssh')
    await Promise.all([s.dispose(), s.dispose()])
    expect(states(seen).at(-1)).toBe('disconnected')
    expect(() => s.connection.target()).toThrow(/Not connected/)
  })
})

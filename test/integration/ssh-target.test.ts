// SshTarget against a real sshd on 127.0.0.1: batches over the persistent channel, host-key
// pinning, a dropped server mid-call, reconnect after restart, and streams that leave nothing behind.

import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../shared/errors'
import { MemoryHostKeyStore } from '../../src-main/target/host-keys'
import { SshTarget } from '../../src-main/target/ssh-target'
import { integrationSkipReason, startSshd, type SshdFixture } from '../support/sshd'

const skip = integrationSkipReason()
if (skip) console.warn(`SKIP ssh-target integration: ${skip}`)

function targetFor(d: SshdFixture, hostKeys = new MemoryHostKeyStore()): SshTarget {
  return new SshTarget({
    host: d.host,
    port: d.port,
    username: d.username,
    privateKey: d.privateKey,
    hostKeys,
    connectTimeoutMs: 5000,
    keepaliveMs: 1000,
  })
}

/** Processes whose command line contains `marker` (excluding pgrep itself). */
function procsMatching(marker: string): number {
  try {
    return execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean).length
  } catch {
    return 0
  }
}

describe.skipIf(!!skip)('SshTarget against a real sshd', () => {
  let sshd: SshdFixture

  beforeAll(async () => {
    sshd = await startSshd()
  })
  afterAll(async () => {
    await sshd?.stop()
  })

  it('runs a batch in one round trip with per-command stdout, stderr and exit codes', async () => {
    const t = targetFor(sshd)
    await t.connect()
    try {
      const r = await t.run(
        [['echo', 'hello world'], ['sh', '-c', 'echo oops >&2; exit 3'], ['cat']],
        {
          stdin: [undefined, undefined, 'fed via stdin\n$(not expanded)'],
        },
      )
      expect(r.map((x) => x.exitCode)).toEqual([0, 3, 0])
      expect(r[0]!.stdout).toBe('hello world\n')
      expect(r[1]!.stderr).toBe('oops\n')
      expect(r[2]!.stdout).toBe('fed via stdin\n$(not expanded)\n')
      const stopped = await t.run([['false'], ['echo', 'never']], { stopOnError: true })
      expect(stopped).toHaveLength(1)
      expect(stopped[0]!.exitCode).toBe(1)
    } finally {
      await t.close()
    }
  })

  it('pins the host key on first use and refuses a changed key with SSH_HOSTKEY_CHANGED', async () => {
    const keys = new MemoryHostKeyStore()
    const first = targetFor(sshd, keys)
    await first.connect()
    await first.close()
    const id = `ssh:127.0.0.1:${sshd.port}`
    expect(await keys.get(id)).toBe(sshd.hostKeyFingerprint)

    const stale = 'SHA256:AAAAnotTheRealKeyAAAAAAAAAAAAAAAAAAAAAAAAAAA'
    await keys.set(id, stale)
    const second = targetFor(sshd, keys)
    const err = await second.connect().then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('SSH_HOSTKEY_CHANGED')
    expect((err as AppError).message).toMatch(/host key .* has changed/)
    expect((err as AppError).data).toEqual({
      id,
      host: sshd.host,
      port: sshd.port,
      pinnedFingerprint: stale,
      offeredFingerprint: sshd.hostKeyFingerprint,
    })
    expect(await keys.get(id)).toBe(stale)
    await second.close()
  })

  it('refuses a wrong client key with SSH_AUTH and a closed port with TARGET_UNREACHABLE', async () => {
    const wrong = new SshTarget({
      host: sshd.host,
      port: sshd.port,
      username: 'root',
      privateKey: execFileSync(
        'sh',
        ['-c', 'd=$(mktemp -d); ssh-keygen -q -t ed25519 -N "" -f $d/k; cat $d/k; rm -r $d'],
        {
          encoding: 'utf8',
        },
      ),
      hostKeys: new MemoryHostKeyStore(),
    })
    await expect(wrong.connect()).rejects.toMatchObject({ code: 'SSH_AUTH' })
    const closed = new SshTarget({
      host: '127.0.0.1',
      port: 1,
      username: 'root',
      privateKey: sshd.privateKey,
      hostKeys: new MemoryHostKeyStore(),
    })
    await expect(closed.connect()).rejects.toMatchObject({ code: 'TARGET_UNREACHABLE' })
  })

  it('a stream yields lines and stop() leaves no remote process behind', async () => {
    const t = targetFor(sshd)
    await t.connect()
    const marker = `nss-stream-${process.pid}-${Date.now()}`
    try {
      const s = await t.stream(['sh', '-c', `while :; do echo tick; sleep 0.1; done # ${marker}`], {
        lines: true,
      })
      const lines: string[] = []
      s.on('line', (l: string) => lines.push(l))
      await expect
        .poll(() => lines.filter((l) => l === 'tick').length, { timeout: 5000 })
        .toBeGreaterThanOrEqual(2)
      expect(procsMatching(marker)).toBeGreaterThan(0)
      const ended = new Promise((resolve) => s.once('end', resolve))
      await s.stop()
      expect(await ended).toMatchObject({ reason: 'stopped' })
      await expect.poll(() => procsMatching(marker), { timeout: 5000 }).toBe(0)
    } finally {
      await t.close()
    }
  })

  it('a server killed mid-call gives a typed error, not a hang; after restart the target reconnects', async () => {
    const t = targetFor(sshd)
    await t.connect()
    const events: string[] = []
    for (const ev of ['disconnected', 'reconnecting', 'reconnected', 'failed'])
      t.on(ev, () => events.push(ev))
    const marker = `nss-drop-${process.pid}-${Date.now()}`
    const call = t.run([['sh', '-c', `sleep 20 # ${marker}`]], { timeoutMs: 30_000 })
    const stream = await t.stream(['sh', '-c', `while :; do sleep 0.2; done # ${marker}-s`])
    const streamEnd = new Promise((resolve) => stream.once('end', resolve))
    // Both remote commands run before the server goes: the stream's loop, and the batch's sleep
    // (the processes with the marker that are not the stream's).
    await expect.poll(() => procsMatching(`${marker}-s`), { timeout: 5000 }).toBeGreaterThan(0)
    await expect
      .poll(() => procsMatching(marker) - procsMatching(`${marker}-s`), { timeout: 5000 })
      .toBeGreaterThan(0)
    const killedAt = Date.now()
    sshd.kill()
    const err = await call.then(
      () => null,
      (e: unknown) => e,
    )
    expect(Date.now() - killedAt).toBeLessThan(5000)
    expect(err).toBeInstanceOf(AppError)
    expect(['TARGET_UNREACHABLE', 'NOT_CONNECTED']).toContain((err as AppError).code)
    expect(await streamEnd).toMatchObject({
      reason: 'error',
      error: { code: 'TARGET_UNREACHABLE' },
    })
    expect(events).toContain('disconnected')
    await sshd.restart()
    // Calls made while it reconnects wait for it (bounded) instead of failing.
    const r = await t.run([['echo', 'back']], { timeoutMs: 20_000 })
    expect(r[0]!.stdout).toBe('back\n')
    expect(events).toContain('reconnected')
    expect(t.connected).toBe(true)
    await t.close()
    // The stream's watchdog saw its stdin close with the connection and killed the command.
    // (The batch's `sleep 20` was orphaned by the hard kill of sshd; it ends at its own bound.)
    await expect.poll(() => procsMatching(`${marker}-s`), { timeout: 5000 }).toBe(0)
  })

  it('a call that exceeds its timeout gives TIMEOUT and the next call works on a fresh channel', async () => {
    const t = targetFor(sshd)
    await t.connect()
    try {
      await expect(t.run([['sleep', '5']], { timeoutMs: 300 })).rejects.toMatchObject({
        code: 'TIMEOUT',
      })
      const r = await t.run([['echo', 'ok']])
      expect(r[0]!.stdout).toBe('ok\n')
    } finally {
      await t.close()
    }
  })

  it('a login shell that never runs the command (a hanging ~/.bashrc) is named as the cause', async () => {
    // Stand-in for a remote user's startup file that waits forever: sshd runs every command as
    // `sleep 600` instead, exactly as the user's shell would leave it unrun.
    const marker = `nss-hung-login-${process.pid}-${Date.now()}`
    const hung = await startSshd({ extraConfig: [`ForceCommand sleep 600 # ${marker}`] })
    const t = targetFor(hung)
    try {
      const err = await t.connect().then(
        () => null,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(AppError)
      expect(err).toMatchObject({ code: 'TIMEOUT' })
      expect((err as AppError).message).toContain('~/.bashrc')
      expect((err as AppError).message).toContain(`root@127.0.0.1:${hung.port}`)
    } finally {
      await t.close()
      await hung.stop()
    }
    await expect.poll(() => procsMatching(marker), { timeout: 5000 }).toBe(0)
  })
})

// Pinned host keys through the real composition root (router → core handlers → ConnectionManager
// → SshTarget → FileHostKeyStore) against a real sshd: a pin file that cannot be read or parsed
// refuses the connect and stays byte-for-byte as it was; a changed host key is refused with both
// fingerprints, and `target:trust-host-key` replaces the pin only with the key that was refused.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AppErrorData, IpcResult } from '../../shared/errors'
import type { ConnectionStatus } from '../../shared/ipc/domains/core'
import { createServices, type Services } from '../../src-main/app/services'
import { integrationSkipReason, startSshd, type SshdFixture } from '../support/sshd'

const skip = integrationSkipReason()
if (skip) console.warn(`SKIP host-keys integration: ${skip}`)

const sender = { senderId: 1, frameUrl: 'app://netns-studio/index.html', isMainFrame: true }
/** This file's own record of what the engine created (it creates nothing here; removed after). */
const OWNED = `/run/netns-studio/owned-hostkeys-${process.pid}`

describe.skipIf(!!skip)('host keys through the IPC router and a real sshd', () => {
  let sshd: SshdFixture
  const dirs: string[] = []
  const open: Services[] = []

  beforeAll(async () => {
    sshd = await startSshd()
  })
  afterEach(async () => {
    for (const s of open.splice(0)) await s.dispose()
  })
  afterAll(async () => {
    await sshd?.stop()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
    rmSync(OWNED, { force: true })
  })

  /** Services over a fresh data folder, and a way to call the router as a trusted window would. */
  function app(): {
    dir: string
    pins: string
    call: (ch: string, ...a: unknown[]) => Promise<IpcResult<unknown>>
  } {
    const dir = mkdtempSync(join(tmpdir(), 'nss-hostkeys-'))
    dirs.push(dir)
    const s = createServices({ dataDir: dir, refreshMs: 0, ownedFile: OWNED })
    open.push(s)
    const router = s.router(() => true)
    return {
      dir,
      pins: join(dir, 'known_hosts.json'),
      call: (ch, ...a) => router.handle(sender, ch, a),
    }
  }
  const spec = (): object => ({
    kind: 'ssh',
    host: sshd.host,
    port: sshd.port,
    username: sshd.username,
    privateKeyPath: sshd.privateKeyPath,
  })
  const failure = (r: IpcResult<unknown>): AppErrorData => {
    expect(r.ok).toBe(false)
    return (r as { ok: false; error: AppErrorData }).error
  }

  it('refuses to connect when the pin file is not valid JSON, and leaves its bytes alone', async () => {
    const { pins, call } = app()
    const bytes = Buffer.from('{"ssh:127.0.0.1:22": "SHA256:abc", \x00 oops')
    writeFileSync(pins, bytes)
    const err = failure(await call('target:connect', spec()))
    expect(err.code).toBe('HOSTKEY_STORE')
    expect(err.message).toContain(pins)
    expect(err.message).toMatch(/not valid JSON/)
    expect(readFileSync(pins).equals(bytes)).toBe(true)
    const st = (await call('target:status')) as { ok: true; value: ConnectionStatus }
    expect(st.value).toMatchObject({ state: 'failed', error: { code: 'HOSTKEY_STORE' } })
  })

  it('refuses to connect when the pin file cannot be read (a directory there), and leaves it alone', async () => {
    const { pins, call } = app()
    mkdirSync(pins)
    writeFileSync(join(pins, 'keep'), 'x')
    const err = failure(await call('target:connect', spec()))
    expect(err.code).toBe('HOSTKEY_STORE')
    expect(err.message).toContain(pins)
    expect(err.message).toMatch(/cannot be read \(EISDIR\)/)
    expect(statSync(pins).isDirectory()).toBe(true)
    expect(readFileSync(join(pins, 'keep'), 'utf8')).toBe('x')
  })

  it('refuses a changed key with both fingerprints; trust-host-key pins only the refused key', async () => {
    const { pins, call } = app()
    const id = `ssh:127.0.0.1:${sshd.port}`
    expect((await call('target:connect', spec())).ok).toBe(true)
    const first = sshd.hostKeyFingerprint
    expect(JSON.parse(readFileSync(pins, 'utf8'))).toEqual({ [id]: first })
    expect(statSync(pins).mode & 0o777).toBe(0o600)
    expect((await call('target:disconnect')).ok).toBe(true)

    // Nothing was refused yet: nothing can be trusted.
    expect(failure(await call('target:trust-host-key', { id, fingerprint: first }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/No connection to .* was refused/),
    })

    sshd.rotateHostKey()
    sshd.kill()
    await sshd.restart()
    const offered = sshd.hostKeyFingerprint
    expect(offered).not.toBe(first)

    const refused = failure(await call('target:connect', spec()))
    expect(refused.code).toBe('SSH_HOSTKEY_CHANGED')
    expect(refused.data).toEqual({
      id,
      host: '127.0.0.1',
      port: sshd.port,
      pinnedFingerprint: first,
      offeredFingerprint: offered,
    })
    expect(refused.detail).toContain(first)
    expect(refused.detail).toContain(offered)
    expect(JSON.parse(readFileSync(pins, 'utf8'))).toEqual({ [id]: first })

    // Malformed requests stop at the contract's argument check.
    for (const bad of [
      [],
      [{ id }],
      [{ id, fingerprint: offered, extra: 1 }],
      [{ id, fingerprint: 'SHA256:short' }],
      [{ id: 'host:22', fingerprint: offered }],
      [[id, offered]],
      [{ id, fingerprint: offered }, 'more'],
    ]) {
      const e = failure(await call('target:trust-host-key', ...bad))
      expect(e.code).toBe('INVALID_ARGUMENT')
      expect(e.detail).toBe('target:trust-host-key')
    }
    // A well-formed fingerprint that is not the refused key, or another id: refused by main.
    const wrong = `SHA256:${'B'.repeat(43)}`
    expect(failure(await call('target:trust-host-key', { id, fingerprint: wrong }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/is not the key .* offered/),
    })
    expect(failure(await call('target:trust-host-key', { id, fingerprint: first })).code).toBe(
      'INVALID_ARGUMENT',
    )
    expect(
      failure(
        await call('target:trust-host-key', {
          id: `ssh:localhost:${sshd.port}`,
          fingerprint: offered,
        }),
      ).code,
    ).toBe('INVALID_ARGUMENT')
    expect(JSON.parse(readFileSync(pins, 'utf8'))).toEqual({ [id]: first })
    expect(failure(await call('target:connect', spec())).code).toBe('SSH_HOSTKEY_CHANGED')

    // The reviewed key: pinned, and the next connect succeeds.
    expect(await call('target:trust-host-key', { id, fingerprint: offered })).toEqual({
      ok: true,
      value: undefined,
    })
    expect(JSON.parse(readFileSync(pins, 'utf8'))).toEqual({ [id]: offered })
    const connected = await call('target:connect', spec())
    expect(connected).toMatchObject({ ok: true, value: { state: 'connected' } })
    // One review, one replacement.
    expect(failure(await call('target:trust-host-key', { id, fingerprint: offered })).code).toBe(
      'INVALID_ARGUMENT',
    )
  })
})

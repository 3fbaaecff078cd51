// The router's log lines, read back from a real log file: every call at debug with its channel,
// sender, duration and outcome code, arguments only as their types (a key path the user typed
// never reaches the file); a refused sender at warn; a handler's bug at error with its stack.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../../shared/errors'
import { invokeArgChecks, type InvokeChannel } from '../../../../shared/ipc/contract'
import { createRouter, type SenderContext } from '../../../../src-main/ipc/router'
import type { HandlerMap } from '../../../../src-main/ipc/types'
import { closeLogs, initLogs } from '../../../../src-main/log'

const dir = mkdtempSync(join(tmpdir(), 'nss-iplog-'))
beforeAll(() => initLogs({ dir, level: 'debug' }))
afterAll(() => {
  closeLogs()
  rmSync(dir, { recursive: true, force: true })
})

const ipcLines = (): Array<Record<string, unknown>> =>
  readdirSync(dir)
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.scope === 'ipc')
const fileText = (): string =>
  readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('')

const trusted: SenderContext = { senderId: 7, frameUrl: 'app://netns-studio/', isMainFrame: true }
const handlers = Object.fromEntries(
  Object.keys(invokeArgChecks).map((ch) => [ch, () => `${ch} done`]),
) as unknown as HandlerMap<InvokeChannel>
handlers['target:connect'] = () => {
  throw new AppError('SSH_AUTH', 'The server refused the key.')
}
handlers['netns:snapshot'] = () => {
  throw new TypeError('x is undefined')
}
const router = createRouter(handlers, {
  isTrustedSender: (c) => c.frameUrl.startsWith('app://netns-studio/'),
})

describe('router logging', () => {
  it('logs a call at debug with channel, sender, duration and outcome, never the argument values', async () => {
    const secret = '/home/alice/.ssh/id_secret_key_4711'
    const spec = {
      kind: 'ssh',
      host: 'h.example',
      port: 22,
      username: 'alice',
      privateKeyPath: secret,
    }
    expect((await router.handle(trusted, 'target:connect', [spec])).ok).toBe(false)
    expect((await router.handle(trusted, 'target:status', [])).ok).toBe(true)
    expect(ipcLines()).toEqual([
      expect.objectContaining({
        level: 20,
        channel: 'target:connect',
        sender: 7,
        outcome: 'SSH_AUTH',
        args: ['object'],
        ms: expect.any(Number) as unknown,
      }),
      expect.objectContaining({ level: 20, channel: 'target:status', outcome: 'ok', args: [] }),
    ])
    const text = fileText()
    expect(text).not.toContain(secret)
    expect(text).not.toContain('h.example')
    expect(text).not.toContain('alice')
  })

  it('logs a refused sender at warn, and an unexpected handler error at error with its stack', async () => {
    const before = ipcLines().length
    await router.handle({ ...trusted, frameUrl: 'https://evil.example/' }, 'target:status', [])
    await router.handle(trusted, 'netns:snapshot', [])
    const got = ipcLines().slice(before)
    expect(got).toEqual([
      expect.objectContaining({ level: 40, channel: 'target:status', outcome: 'FORBIDDEN_SENDER' }),
      expect.objectContaining({
        level: 50,
        channel: 'netns:snapshot',
        err: expect.objectContaining({
          type: 'TypeError',
          stack: expect.stringContaining('x is undefined') as unknown,
        }) as unknown,
      }),
      expect.objectContaining({ level: 20, channel: 'netns:snapshot', outcome: 'INTERNAL' }),
    ])
  })
})

// Router rules, one test each: sender check, unknown channel, argument checks before any handler,
// handler errors as data, success envelope.
import { describe, expect, it } from 'vitest'
import { AppError } from '../../../../shared/errors'
import { invokeArgChecks, type InvokeChannel } from '../../../../shared/ipc/contract'
import { validateOp } from '../../../../shared/net/ops'
import { createRouter, type SenderContext } from '../../../../src-main/ipc/router'
import type { HandlerMap } from '../../../../src-main/ipc/types'

const trusted: SenderContext = {
  senderId: 7,
  frameUrl: 'file:///app/out/renderer/index.html',
  isMainFrame: true,
}

/** A complete handler map that records which handler ran with which arguments. */
function recordingHandlers(): {
  handlers: HandlerMap<InvokeChannel>
  calls: Array<[string, unknown[]]>
} {
  const calls: Array<[string, unknown[]]> = []
  const handlers = Object.fromEntries(
    Object.keys(invokeArgChecks).map((ch) => [
      ch,
      (_ctx: unknown, ...args: unknown[]) => {
        calls.push([ch, args])
        return `${ch} done`
      },
    ]),
  ) as unknown as HandlerMap<InvokeChannel>
  return { handlers, calls }
}

const onlyFileApp = (ctx: SenderContext): boolean =>
  ctx.isMainFrame && ctx.frameUrl.startsWith('file:///app/')

describe('createRouter', () => {
  it('runs the handler for a trusted sender and valid arguments, and wraps the value', async () => {
    const { handlers, calls } = recordingHandlers()
    const router = createRouter(handlers, { isTrustedSender: onlyFileApp })
    const op = { op: 'ns.add', name: 'red' }
    const res = await router.handle(trusted, 'netns:apply', [op])
    expect(res).toEqual({ ok: true, value: 'netns:apply done' })
    expect(calls).toEqual([['netns:apply', [op]]])
  })

  it('rejects an untrusted sender before looking at the channel or running anything', async () => {
    const { handlers, calls } = recordingHandlers()
    const router = createRouter(handlers, { isTrustedSender: onlyFileApp })
    const foreign = { senderId: 7, frameUrl: 'https://evil.example/', isMainFrame: true }
    const sub = { ...trusted, isMainFrame: false }
    for (const ctx of [foreign, sub]) {
      const res = await router.handle(ctx, 'target:status', [])
      expect(res.ok).toBe(false)
      if (!res.ok) expect(res.error.code).toBe('FORBIDDEN_SENDER')
    }
    expect(calls).toEqual([])
  })

  it('treats a throwing sender check as untrusted', async () => {
    const { handlers, calls } = recordingHandlers()
    const router = createRouter(handlers, {
      isTrustedSender: () => {
        throw new Error('frame gone')
      },
    })
    const res = await router.handle(trusted, 'target:status', [])
    expect(!res.ok && res.error.code).toBe('FORBIDDEN_SENDER')
    expect(calls).toEqual([])
  })

  it('rejects an unknown channel, including prototype names', async () => {
    const { handlers, calls } = recordingHandlers()
    const router = createRouter(handlers, { isTrustedSender: onlyFileApp })
    for (const ch of ['shell:exec', 'constructor', '__proto__', 'toString', 42, null]) {
      const res = await router.handle(trusted, ch, [])
      expect(res.ok).toBe(false)
      if (!res.ok) expect(res.error.code).toBe('UNKNOWN_CHANNEL')
    }
    expect(calls).toEqual([])
  })

  it('rejects invalid arguments with the contract check message, before any handler runs', async () => {
    const { handlers, calls } = recordingHandlers()
    const router = createRouter(handlers, { isTrustedSender: onlyFileApp })
    const bad = { op: 'ns.add', name: 'red; reboot' }
    const res = await router.handle(trusted, 'netns:apply', [bad])
    expect(res.ok).toBe(false)
    if (!res.ok) {
      expect(res.error.code).toBe('INVALID_ARGUMENT')
      expect(res.error.message).toBe(validateOp(bad)!.message)
    }
    const extra = await router.handle(trusted, 'target:status', ['surprise'])
    expect(!extra.ok && extra.error.code).toBe('INVALID_ARGUMENT')
    const spec = await router.handle(trusted, 'target:connect', [
      { kind: 'ssh', host: 'a b', port: 22, username: 'root' },
    ])
    expect(!spec.ok && spec.error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'Host must be a host name or IP address.',
    })
    const notList = await router.handle(trusted, 'target:status', 'x' as unknown as unknown[])
    expect(!notList.ok && notList.error.code).toBe('INVALID_ARGUMENT')
    expect(calls).toEqual([])
  })

  it('returns handler errors as data: AppError keeps its code and detail, others become INTERNAL', async () => {
    const { handlers } = recordingHandlers()
    handlers['netns:snapshot'] = () => {
      throw new AppError('NOT_CONNECTED', 'Not connected.', { detail: 'connect first' })
    }
    handlers['log:export'] = () => Promise.reject(new TypeError('boom'))
    const router = createRouter(handlers, { isTrustedSender: onlyFileApp })
    expect(await router.handle(trusted, 'netns:snapshot', [])).toEqual({
      ok: false,
      error: { code: 'NOT_CONNECTED', message: 'Not connected.', detail: 'connect first' },
    })
    expect(await router.handle(trusted, 'log:export', [])).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'boom' },
    })
  })

  it('passes only the sender id to handlers and reports each call to onCall', async () => {
    const seen: unknown[] = []
    const log: Array<[string, boolean]> = []
    const { handlers } = recordingHandlers()
    handlers['target:status'] = (ctx) => {
      seen.push(ctx)
      return { state: 'disconnected', label: null, kind: null }
    }
    const router = createRouter(handlers, {
      isTrustedSender: onlyFileApp,
      onCall: (ch, ok) => log.push([ch, ok]),
    })
    await router.handle(trusted, 'target:status', [])
    await router.handle(trusted, 'nope', [])
    expect(seen).toEqual([{ senderId: 7 }])
    expect(log).toEqual([
      ['target:status', true],
      ['nope', false],
    ])
  })
})

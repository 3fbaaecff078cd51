// The renderer's IPC client against the real router, bridged the way the preload does it:
// values come back unwrapped, router errors come back as typed AppErrors.
import { afterEach, describe, expect, it } from 'vitest'
import { AppError } from '../../../../shared/errors'
import {
  invokeArgChecks,
  isInvokeChannel,
  type InvokeChannel,
  type PreloadApi,
} from '../../../../shared/ipc/contract'
import { createRouter } from '../../../../src-main/ipc/router'
import type { HandlerMap } from '../../../../src-main/ipc/types'
import { invoke, on } from '../../../../src-renderer/src/ipc/client'

const g = globalThis as { api?: PreloadApi }
afterEach(() => delete g.api)

function install(handlers: Partial<HandlerMap<InvokeChannel>>): void {
  const all = Object.fromEntries(
    Object.keys(invokeArgChecks).map((ch) => [ch, () => null]),
  ) as unknown as HandlerMap<InvokeChannel>
  const router = createRouter(
    { ...all, ...handlers },
    {
      isTrustedSender: () => true,
    },
  )
  const ctx = { senderId: 1, frameUrl: 'file:///x', isMainFrame: true }
  g.api = {
    invoke: (channel, ...args) =>
      isInvokeChannel(channel)
        ? router.handle(ctx, channel, args)
        : Promise.resolve({
            ok: false,
            error: { code: 'UNKNOWN_CHANNEL', message: 'Unknown call.' },
          }),
    on: () => () => undefined,
  }
}

describe('ipc client', () => {
  it('returns the handler value', async () => {
    install({
      'target:status': () => ({ state: 'connected', label: 'this machine', kind: 'local' }),
    })
    await expect(invoke('target:status')).resolves.toEqual({
      state: 'connected',
      label: 'this machine',
      kind: 'local',
    })
  })

  it('throws an AppError with the router code and message', async () => {
    install({})
    const err = await invoke('netns:apply', { op: 'ns.add', name: 'a/b' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('INVALID_ARGUMENT')
    const unknown = await invoke('nope' as InvokeChannel).catch((e: unknown) => e)
    expect((unknown as AppError).code).toBe('UNKNOWN_CHANNEL')
  })

  it('keeps detail from handler errors', async () => {
    install({
      'netns:snapshot': () => {
        throw new AppError('COMMAND_FAILED', 'ip failed', {
          detail: 'RTNETLINK answers: File exists',
        })
      },
    })
    const err = (await invoke('netns:snapshot').catch((e: unknown) => e)) as AppError
    expect([err.code, err.message, err.detail]).toEqual([
      'COMMAND_FAILED',
      'ip failed',
      'RTNETLINK answers: File exists',
    ])
  })

  it('reports a missing bridge as an AppError, and a malformed reply too', async () => {
    expect(() => on('log:appended', () => undefined)).toThrow(AppError)
    g.api = { invoke: () => Promise.resolve('raw'), on: () => () => undefined }
    const err = (await invoke('target:status').catch((e: unknown) => e)) as AppError
    expect(err.code).toBe('INTERNAL')
  })
})

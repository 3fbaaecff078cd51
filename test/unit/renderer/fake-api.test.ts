// The shared fake preload answers a call the real boundary refuses exactly as the real IPC router
// (src-main/ipc/router.ts, plain code, run here) answers it, refuses what Electron cannot clone
// (a Vue proxy), and makes the test that let such a call through fail at uninstall().
import type { IpcResult } from '@shared/errors'
import type { InvokeChannel, PreloadApi } from '@shared/ipc/contract'
import { afterEach, describe, expect, it } from 'vitest'
import { reactive } from 'vue'
import { createRouter } from '../../../src-main/ipc/router'
import type { HandlerMap } from '../../../src-main/ipc/types'
import { invoke } from '../../../src-renderer/src/ipc/client'
import { type FakeApi, installFakeApi } from './support/fake-api'

const FP = 'SHA256:DsbJI7q4TG2wQB2Q55XFZB/PIGtafugzBWE5Q7fNOoA'
/** The real router; no handler is reached by a call that fails its checks. */
const router = createRouter({} as HandlerMap<InvokeChannel>, { isTrustedSender: () => true })
const ctx = { senderId: 1, frameUrl: 'app://netns-studio/index.html', isMainFrame: true }

/** Calls the contract refuses: wrong shapes, extra keys, wrong counts, unknown channels. */
const BAD: Array<[string, unknown[]]> = [
  ['target:trust-host-key', [{ id: 'ssh:10.0.0.5:22', fingerprint: FP, host: '10.0.0.5' }]],
  ['target:trust-host-key', [{ id: 'ssh:10.0.0.5:22' }]],
  ['target:trust-host-key', [{ id: 'host:22', fingerprint: FP }]],
  ['target:trust-host-key', [['ssh:10.0.0.5:22', FP]]],
  ['target:connect', []],
  ['target:connect', [{ kind: 'ssh', host: 'a;b', port: 22, username: 'root' }]],
  ['target:connect', [{ kind: 'ssh', host: '10.0.0.5', port: 0, username: 'root' }]],
  ['netns:apply', [[{ op: 'ns.add', name: 'ns1' }]]],
  ['netns:apply', [{ op: 'ns.add', name: '-x' }]],
  ['log:clear', ['all']],
  ['live:ping-stop', []],
  ['no:such-call', []],
  ['__proto__', []],
]

let fake: FakeApi | null = null
afterEach(() => {
  fake?.takeRefusals()
  fake?.uninstall()
  fake = null
})
const api = (): PreloadApi => (globalThis as { api?: PreloadApi }).api as PreloadApi

describe('the shared fake window.api', () => {
  it('answers each refused call with the real router’s envelope, and records it', async () => {
    fake = installFakeApi()
    const codes: string[][] = []
    for (const [channel, args] of BAD) {
      const real = await router.handle(ctx, channel, args)
      const got = (await (api().invoke as (c: string, ...a: unknown[]) => Promise<unknown>)(
        channel,
        ...args,
      )) as IpcResult<unknown>
      expect(real.ok, channel).toBe(false)
      expect(got, `${channel} ${JSON.stringify(args)}`).toEqual(real)
      if (!real.ok) codes.push([channel, real.error.code])
    }
    expect(fake.calls).toEqual([])
    expect(fake.takeRefusals().map((r) => [r.channel, r.error.code])).toEqual(codes)
    expect(codes.filter(([, c]) => c === 'UNKNOWN_CHANNEL').map(([ch]) => ch)).toEqual([
      'no:such-call',
      '__proto__',
    ])
  })

  it('fails the test at uninstall when a refused call was not expected', async () => {
    const f = installFakeApi()
    await expect(
      invoke('target:trust-host-key', { id: 'ssh:10.0.0.5:22', fingerprint: 'SHA256:short' }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', detail: 'target:trust-host-key' })
    expect(() => f.uninstall()).toThrow(
      /invoke\("target:trust-host-key"\) → INVALID_ARGUMENT: Fingerprint must be an OpenSSH SHA256/,
    )
  })

  it('refuses a Vue proxy as Electron does ("could not be cloned"), and passes a plain copy', async () => {
    fake = installFakeApi()
    fake.handle('target:connect', () => ({
      state: 'connected',
      label: 'this machine',
      kind: 'local',
    }))
    const spec = reactive({ kind: 'local' as const })
    await expect(invoke('target:connect', spec)).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'An object could not be cloned.',
    })
    expect(fake.takeRefusals().map((r) => r.channel)).toEqual(['target:connect'])
    await expect(invoke('target:connect', { ...spec })).resolves.toMatchObject({
      state: 'connected',
    })
    expect(fake.callsOf('target:connect')).toEqual([[{ kind: 'local' }]])
  })

  it('refuses an unknown event as the preload does, and hands listeners a copy of what main sent', () => {
    fake = installFakeApi()
    expect(() =>
      (api().on as (c: string, f: () => void) => () => void)('no:such-event', () => undefined),
    ).toThrow('Unknown event "no:such-event".')
    expect(fake.takeRefusals().map((r) => [r.via, r.channel])).toEqual([['on', 'no:such-event']])
    const got: unknown[] = []
    const off = api().on('log:appended', (entries) => got.push(entries))
    const sent = [
      {
        id: 1,
        at: 0,
        durationMs: 1,
        argv: ['ip', 'netns', 'add', 'ns1'],
        line: 'ip netns add ns1',
        exitCode: 0,
        stderr: '',
        source: 'ns.add',
        mutating: true,
      },
    ]
    fake.emit('log:appended', sent)
    expect(got).toEqual([sent])
    expect(got[0]).not.toBe(sent)
    off()
    expect(fake.listeners('log:appended')).toBe(0)
  })
})

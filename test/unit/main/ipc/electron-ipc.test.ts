// Electron glue without Electron (its binary is not installed here): the sender context read from
// stand-in invoke events, one handler per contract channel, and the window event sink.
import { describe, expect, it } from 'vitest'
import { invokeArgChecks, type InvokeChannel } from '../../../../shared/ipc/contract'
import { registerIpc, senderContext, windowsSink } from '../../../../src-main/ipc/electron-ipc'
import { createRouter } from '../../../../src-main/ipc/router'
import type { HandlerMap } from '../../../../src-main/ipc/types'
import { makeSenderCheck } from '../../../../src-main/security'

type Ev = Parameters<typeof senderContext>[0]
const appUrl = 'app://netns-studio/index.html'
const top = { url: appUrl, parent: null }
const ev = (frame: unknown, id = 3): Ev => ({ sender: { id }, senderFrame: frame }) as unknown as Ev

describe('senderContext', () => {
  it('reads id, URL and main-frame-ness; a gone frame is an empty URL', () => {
    expect(senderContext(ev(top))).toEqual({ senderId: 3, frameUrl: appUrl, isMainFrame: true })
    expect(senderContext(ev({ url: appUrl, parent: top }))).toMatchObject({ isMainFrame: false })
    expect(senderContext(ev(null))).toEqual({ senderId: 3, frameUrl: '', isMainFrame: false })
  })
})

describe('registerIpc', () => {
  it('registers exactly the contract channels and routes through the sender check', async () => {
    const registered = new Map<string, (e: Ev, ...a: unknown[]) => Promise<unknown>>()
    const ipcMain = {
      handle: (ch: string, fn: (e: Ev, ...a: unknown[]) => Promise<unknown>) =>
        void registered.set(ch, fn),
      removeHandler: (ch: string) => void registered.delete(ch),
    }
    const handlers = Object.fromEntries(
      Object.keys(invokeArgChecks).map((ch) => [ch, () => `${ch} ok`]),
    ) as unknown as HandlerMap<InvokeChannel>
    const router = createRouter(handlers, {
      isTrustedSender: makeSenderCheck({ kind: 'scheme', origin: 'app://netns-studio' }),
    })
    const unregister = registerIpc(ipcMain as never, router)
    expect([...registered.keys()].sort()).toEqual(Object.keys(invokeArgChecks).sort())
    const h = registered.get('target:status')!
    expect(await h(ev(top))).toEqual({ ok: true, value: 'target:status ok' })
    const child = await h(ev({ url: appUrl, parent: top }))
    expect(child).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } })
    const foreign = await h(ev({ url: 'https://evil.example/', parent: null }))
    expect(foreign).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } })
    unregister()
    expect(registered.size).toBe(0)
  })
})

describe('windowsSink', () => {
  it('sends to live windows only, and to one window by id', () => {
    const sent: Array<[number, string, unknown[]]> = []
    const win = (id: number, destroyed = false) => ({
      id,
      isDestroyed: () => destroyed,
      isCrashed: () => false,
      send: (ch: string, ...a: unknown[]) => sent.push([id, ch, a]),
    })
    const sink = windowsSink(() => [win(1), win(2, true), win(3)] as never)
    sink.send('log:appended', [])
    sink.sendTo(3, 'target:status-changed', { state: 'disconnected', label: null, kind: null })
    expect(sent.map(([id, ch]) => `${id} ${ch}`)).toEqual([
      '1 log:appended',
      '3 log:appended',
      '3 target:status-changed',
    ])
  })
})

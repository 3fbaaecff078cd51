// The stream registry's bookkeeping: slots reserved before anything is awaited (concurrent starts
// never overshoot a cap), streams stopped with their window, target or the app (also while still
// starting), and early events held until the start call has returned. Real streams over a real
// sshd and real namespaces: test/integration/live/registry.test.ts.

import { describe, expect, it } from 'vitest'
import { AppError } from '../../../../shared/errors'
import type { EventChannel } from '../../../../shared/ipc/contract'
import {
  type OwnedStream,
  type StreamContext,
  StreamRegistry,
} from '../../../../src-main/streams/stream-registry'
import type { Target } from '../../../../src-main/target/target'

/**
 * STAND-IN for a Target: the registry reads only its label and stream cap (and compares it by
 * identity); starting and stopping the real thing is what the integration tests do.
 */
const targetStandIn = (label: string, streamCap: number): Target =>
  ({ label, streamCap, connected: true }) as unknown as Target

/** A stream whose start the test finishes by hand, and which counts its closes. */
class ManualStream implements OwnedStream {
  closes = 0
  close(): Promise<void> {
    this.closes++
    return Promise.resolve()
  }
}

interface Sent {
  owner: number
  channel: EventChannel
  args: unknown[]
}

function setup(maxPerOwner?: number): { reg: StreamRegistry; sent: Sent[] } {
  const sent: Sent[] = []
  const reg = new StreamRegistry({
    events: { sendTo: (owner, channel, ...args) => void sent.push({ owner, channel, args }) },
    ...(maxPerOwner !== undefined ? { maxPerOwner } : {}),
  })
  return { reg, sent }
}

/** A factory that resolves when the test says so. */
function deferred(): {
  factory: (ctx: StreamContext) => Promise<ManualStream>
  resolve: () => void
  reject: (e: Error) => void
  ctx: () => StreamContext
  called: () => boolean
  stream: ManualStream
} {
  const stream = new ManualStream()
  let ok: (s: ManualStream) => void = () => undefined
  let fail: (e: Error) => void = () => undefined
  let seen: StreamContext | null = null
  return {
    stream,
    factory: (ctx) => {
      seen = ctx
      return new Promise<ManualStream>((resolve, reject) => {
        ok = resolve
        fail = reject
      })
    },
    resolve: () => ok(stream),
    reject: (e) => fail(e),
    ctx: () => seen!,
    called: () => seen !== null,
  }
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r))

describe('stream registry', () => {
  it('200 concurrent starts from one window: exactly the window cap start, the rest are refused before their factory runs', async () => {
    const { reg } = setup(8)
    const t = targetStandIn('root@vm:22', 50)
    const pending = Array.from({ length: 200 }, () => deferred())
    const calls = pending.map((d) => reg.start(1, t, 'ping', d.factory))
    expect(pending.filter((d) => d.called())).toHaveLength(8) // factories run only for reserved slots
    for (const d of pending) d.resolve()
    const results = await Promise.allSettled(calls)
    const ok = results.filter((r) => r.status === 'fulfilled')
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as AppError] : []))
    expect(ok).toHaveLength(8)
    expect(refused).toHaveLength(192)
    for (const e of refused) {
      expect(e.code).toBe('LIMIT_REACHED')
      expect(e.message).toBe(
        'At most 8 live streams (ping, capture, terminal) per window; stop or close one first.',
      )
    }
    expect(reg.count(1)).toBe(8)
  })

  it('the target cap holds across windows, with a message naming the target', async () => {
    const { reg } = setup(8)
    const t = targetStandIn('root@127.0.0.1:2222', 6)
    const calls = [1, 2, 3].flatMap((owner) =>
      Array.from({ length: 5 }, () => reg.start(owner, t, 'terminal', () => ok())),
    )
    const results = await Promise.allSettled(calls)
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(6)
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as AppError] : []))
    expect(refused.map((e) => e.message)).toEqual(
      Array(9).fill(
        'At most 6 live streams at once on root@127.0.0.1:2222, across all windows; stop one first.',
      ),
    )
    expect(reg.countOn(t)).toBe(6)
    // another target has its own budget
    await expect(reg.start(4, targetStandIn('this machine', 16), 'ping', ok)).resolves.toBeTruthy()
  })

  it('a slot comes back when a start fails, a stream ends, or it is closed; a kept capture still counts for its window only', async () => {
    const { reg } = setup(2)
    const t = targetStandIn('t', 2)
    await expect(
      reg.start(1, t, 'ping', () => Promise.reject(new AppError('COMMAND_FAILED', 'no ping'))),
    ).rejects.toThrow('no ping')
    expect(reg.count()).toBe(0)
    let ctxA: StreamContext | null = null
    const a = await reg.start(1, t, 'capture', (ctx) => ((ctxA = ctx), ok()))
    const b = await reg.start(1, t, 'ping', ok)
    await expect(reg.start(1, t, 'ping', ok)).rejects.toThrow(/per window/)
    ctxA!.ended({ keep: true }) // tcpdump exited; its file stays until closed
    expect(reg.countOn(t)).toBe(1)
    expect(reg.count(1)).toBe(2)
    await expect(reg.start(2, t, 'ping', ok)).resolves.toBeTruthy() // the target slot is free
    await reg.close(1, b.id)
    expect(reg.count(1)).toBe(1)
    await reg.close(1, a.id)
    expect(reg.count(1)).toBe(0)
    expect(a.stream.closes).toBe(1)
  })

  it('a start in flight when its window goes: the call fails, the stream is closed once it has started', async () => {
    const { reg, sent } = setup()
    const t = targetStandIn('t', 6)
    const d = deferred()
    const call = reg.start(9, t, 'ping', d.factory)
    d.ctx().send('live:ping-data', d.ctx().id, { points: [], stats: {} as never, lines: [] })
    const gone = reg.ownerGone(9)
    expect(d.stream.closes).toBe(0) // it has not started yet: nothing to close
    d.resolve()
    await expect(call).rejects.toMatchObject({
      code: 'CANCELLED',
      message: 'The window that started this stream is gone.',
    })
    await gone
    expect(d.stream.closes).toBe(1)
    expect(reg.count()).toBe(0)
    await settle()
    expect(sent).toEqual([]) // nothing is sent for a stream whose id nobody learned
  })

  it('holds events sent before the start call has returned, then delivers them in order', async () => {
    const { reg, sent } = setup()
    const t = targetStandIn('t', 6)
    const { id } = await reg.start(3, t, 'terminal', (ctx) => {
      ctx.send('live:terminal-data', ctx.id, 'root@')
      ctx.send('live:terminal-data', ctx.id, 'ns:~# ')
      return ok()
    })
    expect(sent).toEqual([]) // the answer goes out first
    await settle()
    expect(sent.map((s) => [s.owner, s.channel, ...s.args])).toEqual([
      [3, 'live:terminal-data', id, 'root@'],
      [3, 'live:terminal-data', id, 'ns:~# '],
    ])
    expect(id).toMatch(/^[0-9a-f]{16}$/)
  })

  it('disconnect stops the target streams (also those starting) and refuses new ones there', async () => {
    const { reg } = setup()
    const t = targetStandIn('root@vm:22', 6)
    const running = await reg.start(1, t, 'ping', ok)
    const d = deferred()
    const call = reg.start(2, t, 'capture', d.factory)
    const stopped = reg.stopTarget(t)
    d.resolve()
    await expect(call).rejects.toMatchObject({ code: 'NOT_CONNECTED' })
    await stopped
    expect(running.stream.closes).toBe(1)
    expect(d.stream.closes).toBe(1)
    await expect(reg.start(1, t, 'ping', ok)).rejects.toMatchObject({
      code: 'NOT_CONNECTED',
      message: 'Not connected to root@vm:22.',
    })
  })

  it('quit stops everything and refuses new streams', async () => {
    const { reg } = setup()
    const t = targetStandIn('t', 6)
    const a = await reg.start(1, t, 'ping', ok)
    const b = await reg.start(2, t, 'terminal', ok)
    await reg.dispose()
    expect([a, b].map((x) => x.stream.closes)).toEqual([1, 1])
    await expect(reg.start(1, t, 'ping', ok)).rejects.toMatchObject({ code: 'CANCELLED' })
  })

  it('finds only the owner’s own stream of the asked kind', async () => {
    const { reg } = setup()
    const t = targetStandIn('t', 6)
    const { id } = await reg.start(1, t, 'ping', ok)
    const isManual = (s: OwnedStream): s is ManualStream => s instanceof ManualStream
    expect(reg.find(1, id, isManual)).toBeInstanceOf(ManualStream)
    expect(() => reg.find(2, id, isManual)).toThrow('No such live stream (it may have ended).')
  })
})

const ok = (): Promise<ManualStream> => Promise.resolve(new ManualStream())

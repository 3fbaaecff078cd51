// The stream registry on real streams: the real composition root over SSH to a private sshd (and
// once on this machine as the Local target), real namespaces. Caps hold under 200 concurrent
// starts, a start in flight when its window goes is stopped, events reach the window only after
// the start call has answered, nothing is left running in the target (the kernel's view), and a
// capture is saved with streams on the Local target too.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import type {
  CaptureSaveResult,
  CaptureStarted,
  LiveEnd,
  PingBatch,
} from '../../../shared/ipc/domains/live'
import { createServices } from '../../../src-main/app/services'
import { saveAtomically } from '../../../src-main/streams/save-file'
import { MemoryHostKeyStore } from '../../../src-main/target/host-keys'
import { SshTarget } from '../../../src-main/target/ssh-target'
import type { StreamHandle } from '../../../src-main/target/target'
import { cleanupPrefix, runPrefix, sh } from '../../support/netns'
import { integrationSkipReason, startSshd, type SshdFixture } from '../../support/sshd'
import {
  openHarness,
  pidsIn,
  processesMatching,
  saveDialogStandIn,
  underSshd,
  until,
  type Harness,
} from './harness'

const skip = integrationSkipReason()
if (skip) console.warn(`SKIP stream registry integration: ${skip}`)

const P = runPrefix()
const A = `${P}a`
const B = `${P}b`
const VA = `${P}va`
const VB = `${P}vb`

/** A ping count no other test uses, so `pgrep -f "-c N "` finds exactly our pings. */
const uniqueCount = (): number => 50_000 + Math.floor(Math.random() * 40_000)

interface CallError {
  code: string
  message: string
}

describe.skipIf(!!skip)('stream registry on real streams', () => {
  let sshd: SshdFixture
  let h: Harness

  beforeAll(async () => {
    cleanupPrefix(P)
    for (const ns of [A, B]) sh(['ip', 'netns', 'add', ns])
    sh(['ip', 'link', 'add', VA, 'type', 'veth', 'peer', 'name', VB])
    sh(['ip', 'link', 'set', VA, 'netns', A])
    sh(['ip', 'link', 'set', VB, 'netns', B])
    for (const [ns, dev, cidr] of [
      [A, VA, '10.77.0.1/24'],
      [B, VB, '10.77.0.2/24'],
    ] as const) {
      sh(['ip', '-n', ns, 'addr', 'add', cidr, 'dev', dev])
      sh(['ip', '-n', ns, 'link', 'set', dev, 'up'])
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
    }
    sshd = await startSshd()
    h = await openHarness(sshd)
  })

  afterAll(async () => {
    await h?.close()
    await sshd?.stop()
    cleanupPrefix(P)
  })

  /** Nothing of ours runs in the namespaces or under our sshd any more. */
  async function nothingLeft(count: number): Promise<void> {
    expect(await until(() => pidsIn(A).length === 0 && pidsIn(B).length === 0, 8000)).toBe(true)
    expect(await until(() => underSshd(sshd, `-c ${count} `).length === 0, 8000)).toBe(true)
  }

  it('200 concurrent ping starts from one window: exactly the target cap run, the rest get LIMIT_REACHED; all stopped after', async () => {
    const count = uniqueCount()
    const cap = h.services.connection.target().streamCap
    expect(cap).toBe(6) // sshd's MaxSessions 10 − a spare − command channel, monitor, sampler
    const req = { ns: A, address: '10.77.0.2', intervalS: 0.5, count }
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () => h.call('live:ping-start', req)),
    )
    const ids = results.flatMap((r) =>
      r.status === 'fulfilled' ? [(r.value as { id: string }).id] : [],
    )
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as CallError] : []))
    expect(ids).toHaveLength(cap)
    expect(refused).toHaveLength(200 - cap)
    const label = `root@127.0.0.1:${sshd.port}`
    for (const e of refused) {
      expect(e.code).toBe('LIMIT_REACHED')
      expect(e.message).toBe(
        `live:ping-start: LIMIT_REACHED At most ${cap} live streams at once on ${label}, across all windows; stop one first.`,
      )
    }
    // the kernel's view: exactly `cap` pings in the namespace, each under our sshd
    expect(await until(() => pidsIn(A).length === cap, 5000)).toBe(true)
    expect(underSshd(sshd, `^ping .*-c ${count} `)).toHaveLength(cap)
    expect(h.services.live.count(1)).toBe(cap)
    await Promise.all(ids.map((id) => h.call('live:ping-stop', id)))
    await nothingLeft(count)
    expect(h.services.live.count()).toBe(0)
  })

  it('the SSH channel cap holds under 200 concurrent stream opens (reserved before the channel is asked for)', async () => {
    const t = new SshTarget({
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKeyPath: sshd.privateKeyPath,
      hostKeys: new MemoryHostKeyStore(),
      reconnect: false,
    })
    await t.connect()
    const secs = String(3000 + Math.floor(Math.random() * 999))
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 200 }, () => t.stream(['ip', 'netns', 'exec', B, 'sleep', secs])),
      )
      const handles = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
      const refused = results.flatMap((r) =>
        r.status === 'rejected' ? [r.reason as CallError] : [],
      )
      // 9 channels by default (MaxSessions 10 − a spare), one of them the command channel
      expect(handles).toHaveLength(8)
      expect(new Set(refused.map((e) => `${e.code} ${e.message}`))).toEqual(
        new Set([
          `LIMIT_REACHED Too many live views on root@127.0.0.1:${sshd.port} (at most 8 channels besides the command channel). Stop one first.`,
        ]),
      )
      expect(await until(() => pidsIn(B).length === 8, 5000)).toBe(true)
      await Promise.all(handles.map((s: StreamHandle) => s.stop()))
      expect(await until(() => pidsIn(B).length === 0, 8000)).toBe(true)
      // the slots came back: a new stream opens again
      const again = await t.stream(['ip', 'netns', 'exec', B, 'sleep', secs])
      await again.stop()
    } finally {
      await t.close()
    }
    expect(await until(() => underSshd(sshd, `sleep ${secs}`).length === 0, 8000)).toBe(true)
  })

  it('a ping whose window goes while it is starting is stopped once it has started: the call fails, 0 processes', async () => {
    const count = uniqueCount()
    const req = { ns: A, address: '10.77.0.2', intervalS: 0.2, count }
    const calls = Array.from({ length: 3 }, () => h.callAs(9, 'live:ping-start', req))
    h.services.senderGone(9) // same turn: every start is still opening its channel
    const results = await Promise.allSettled(calls)
    for (const r of results) {
      expect(r.status).toBe('rejected')
      expect((r as PromiseRejectedResult).reason).toMatchObject({
        code: 'CANCELLED',
        message: 'live:ping-start: CANCELLED The window that started this stream is gone.',
      })
    }
    expect(h.services.live.count(9)).toBe(0)
    await nothingLeft(count)
    expect(processesMatching(`-c ${count} `)).toEqual([])
    // and the window's id can start streams again (a reloaded page keeps its webContents id)
    const { id } = (await h.callAs(9, 'live:ping-start', { ...req, count: 2 })) as { id: string }
    await h.waitEvent('live:ping-ended', (a) => a[0] === id, 10_000)
  })

  it('events reach the window only after its start call answered, each stream in order', async () => {
    const replyAt = new Map<string, number>()
    const started = (r: unknown): string => {
      const { id } = r as { id: string }
      replyAt.set(id, h.events.length)
      return id
    }
    const from = h.events.length
    const pings = await Promise.all(
      [0, 1, 2].map(() =>
        h
          .call('live:ping-start', { ns: A, address: '10.77.0.2', intervalS: 0.1, count: 8 })
          .then(started),
      ),
    )
    const terms = await Promise.all(
      [0, 1].map(() => h.call('live:terminal-open', { ns: B, cols: 80, rows: 24 }).then(started)),
    )
    for (const [i, id] of terms.entries())
      await h.call('live:terminal-write', id, `echo "term-${i}-$((6*7))"\r`)
    for (const id of pings) await h.waitEvent('live:ping-ended', (a) => a[0] === id, 15_000, from)
    const out = (id: string): string =>
      h.events
        .filter((e) => e.channel === 'live:terminal-data' && e.args[0] === id)
        .map((e) => e.args[1] as string)
        .join('')
    for (const [i, id] of terms.entries())
      expect(await until(() => out(id).includes(`term-${i}-42`), 5000)).toBe(true)

    for (const id of [...pings, ...terms]) {
      const mine = h.events
        .map((e, index) => ({ e, index }))
        .filter(({ e }) => e.senderId === 1 && e.args[0] === id)
      expect(mine.length).toBeGreaterThan(0)
      expect(mine[0]!.index, `first event of ${id}`).toBeGreaterThanOrEqual(replyAt.get(id)!)
    }
    for (const id of pings) {
      const mine = h.events.filter((e) => e.args[0] === id)
      expect(mine.at(-1)!.channel).toBe('live:ping-ended') // the end comes after every batch
      expect((mine.at(-1)!.args[1] as LiveEnd).reason).toBe('exit')
      const seqs = mine
        .filter((e) => e.channel === 'live:ping-data')
        .flatMap((e) => (e.args[1] as PingBatch).points.map((p) => p.seq))
      expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    }
    for (const [i, id] of terms.entries()) {
      const text = out(id)
      // the command echoed by the pty comes before its output
      expect(text.indexOf('$((6*7))')).toBeLessThan(text.indexOf(`term-${i}-42\r\n`))
      await h.call('live:terminal-close', id)
    }
    expect(await until(() => pidsIn(A).length === 0 && pidsIn(B).length === 0, 5000)).toBe(true)
  })

  it('the Local target has a cap too: 24 concurrent starts from 3 windows, exactly 16 run; closing the windows stops them', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nss-local-'))
    const ownedFile = `/run/netns-studio/owned-local-${process.pid}-${Date.now()}`
    const services = createServices({ dataDir, refreshMs: 0, ownedFile })
    const count = uniqueCount()
    try {
      await services.connection.connect({ kind: 'local' })
      const cap = services.connection.target().streamCap
      expect(cap).toBe(16)
      const router = services.router(() => true)
      const start = async (owner: number): Promise<string> => {
        const r = await router.handle(
          { senderId: owner, frameUrl: 'app://test', isMainFrame: true },
          'live:ping-start',
          [{ ns: A, address: '10.77.0.2', intervalS: 0.5, count }],
        )
        if (!r.ok) throw AppError.fromData(r.error)
        return (r.value as { id: string }).id
      }
      const results = await Promise.allSettled(
        [21, 22, 23].flatMap((owner) => Array.from({ length: 8 }, () => start(owner))),
      )
      const ok = results.filter((r) => r.status === 'fulfilled')
      const refused = results.flatMap((r) =>
        r.status === 'rejected' ? [r.reason as CallError] : [],
      )
      expect(ok).toHaveLength(cap)
      expect(refused).toHaveLength(24 - cap)
      for (const e of refused)
        expect(e).toMatchObject({
          code: 'LIMIT_REACHED',
          message: `At most ${cap} live streams at once on this machine, across all windows; stop one first.`,
        })
      expect(await until(() => pidsIn(A).length === cap, 5000)).toBe(true)
      for (const owner of [21, 22, 23]) services.senderGone(owner)
      expect(await until(() => pidsIn(A).length === 0, 8000)).toBe(true)
      expect(await until(() => processesMatching(`-c ${count} `).length === 0, 8000)).toBe(true)
      expect(services.live.count()).toBe(0)
    } finally {
      await services.dispose()
      rmSync(dataDir, { recursive: true, force: true })
      rmSync(ownedFile, { force: true })
    }
  })

  it('a file that cannot be read fails the save clearly and leaves nothing behind', async () => {
    const t = h.services.connection.target()
    const dest = join(h.dataDir, 'never.pcap')
    const missing = '/tmp/netns-studio-cap-0000000000000000/capture.pcap'
    const err = (await saveAtomically(dest, (into) => t.copyFile(missing, into)).catch(
      (e: unknown) => e,
    )) as CallError & { detail?: string }
    expect(err).toMatchObject({
      code: 'COMMAND_FAILED',
      message: `Could not read ${missing} on root@127.0.0.1:${sshd.port}.`,
    })
    expect(err.detail).toMatch(/No such file or directory/)
    expect(existsSync(dest)).toBe(false)
    expect(readdirSync(h.dataDir).filter((f) => f.includes('never.pcap'))).toEqual([])
  })

  it('on the Local target a capture is saved with streams too: where the dialog said, 0600, tcpdump reads it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nss-local-'))
    const ownedFile = `/run/netns-studio/owned-local-${process.pid}-${Date.now()}`
    const dialog = saveDialogStandIn(dataDir)
    const services = createServices({
      dataDir,
      refreshMs: 0,
      ownedFile,
      chooseSavePath: dialog.choose,
    })
    const router = services.router(() => true)
    const call = async (channel: string, ...args: unknown[]): Promise<unknown> => {
      const r = await router.handle(
        { senderId: 1, frameUrl: 'app://test', isMainFrame: true },
        channel,
        args,
      )
      if (!r.ok) throw AppError.fromData(r.error)
      return r.value
    }
    try {
      await services.connection.connect({ kind: 'local' })
      const cap = (await call('live:capture-start', {
        ns: B,
        ifname: VB,
        filter: 'icmp',
      })) as CaptureStarted
      expect(await until(() => existsSync(cap.remotePath), 5000)).toBe(true)
      await new Promise((r) => setTimeout(r, 500)) // tcpdump listening
      sh(['ip', 'netns', 'exec', A, 'ping', '-c', '4', '-i', '0.1', '10.77.0.2'])
      await call('live:capture-stop', cap.id)
      const dest = join(dataDir, 'local.pcap')
      dialog.answer = () => dest
      const saved = (await call('live:capture-save', cap.id)) as CaptureSaveResult
      expect(saved).toEqual({ status: 'saved', path: dest, bytes: statSync(cap.remotePath).size })
      expect((statSync(dest).mode & 0o777).toString(8)).toBe('600')
      // byte for byte the capture file, which tcpdump reads
      expect(readFileSync(dest).equals(readFileSync(cap.remotePath))).toBe(true)
      const read = sh(['tcpdump', '-n', '-r', dest])
      expect(read.match(/ICMP echo request/g)?.length).toBeGreaterThanOrEqual(3)
      await call('live:capture-close', cap.id)
      expect(existsSync(cap.remotePath)).toBe(false)
    } finally {
      await services.dispose()
      rmSync(dataDir, { recursive: true, force: true })
      rmSync(ownedFile, { force: true })
    }
  })
})

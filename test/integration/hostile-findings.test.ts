// The security review's findings in main, each against real parts: namespace references that are
// not namespaces (and a kernel namespace called "host"), the batch cap, key files that are not
// files, unbounded line buffers, and remote temp files others could read.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../shared/errors'
import { MAX_LINE_CHARS, TRUNCATED_MARK } from '../../shared/net/line-buffer'
import { HOST_NETNS_ALIAS, HOST_NS, type Snapshot } from '../../shared/net/model'
import { MAX_OPS, type NetOp } from '../../shared/net/ops'
import { SamplerParser, samplerArgv, type TrafficSample } from '../../shared/net/traffic'
import { NetnsEngine } from '../../src-main/netns/engine'
import { LineSplitter } from '../../src-main/streams/batcher'
import { CaptureSession } from '../../src-main/streams/capture'
import { runMatrix } from '../../src-main/streams/oneshot'
import { MemoryHostKeyStore } from '../../src-main/target/host-keys'
import { LocalTarget } from '../../src-main/target/local-target'
import { SshTarget } from '../../src-main/target/ssh-target'
import type { StreamHandle } from '../../src-main/target/target'
import { cleanupPrefix, runPrefix, sh } from '../support/netns'
import { sshTargetForSuite } from '../support/ssh-target'
import { integrationSkipReason } from '../support/sshd'

const skip = integrationSkipReason()
if (skip) console.warn(`SKIP hostile-findings integration: ${skip}`)

const P = runPrefix()

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<AppError> {
  const r = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(r).toBeInstanceOf(AppError)
  return r as AppError
}

/** Poll `fn` until true or `ms` pass. */
async function until(fn: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (fn()) return true
    await new Promise((r) => setTimeout(r, 10))
  }
  return fn()
}

/** Which namespace (by inode) an interface is in: null when it is not in the root namespace. */
const inRoot = (ifname: string): boolean => {
  try {
    sh(['ip', 'link', 'show', 'dev', ifname])
    return true
  } catch {
    return false
  }
}

describe('line buffers are capped (no real target needed)', () => {
  it('LineSplitter: 10 MB without a newline keeps at most the cap, then yields one marked line', () => {
    const s = new LineSplitter()
    const lines: string[] = []
    const chunk = 'a'.repeat(64 * 1024)
    for (let sent = 0; sent < 10 * 1024 * 1024; sent += chunk.length) {
      s.push(chunk, (l) => lines.push(l))
      expect(s.pending).toBeLessThanOrEqual(MAX_LINE_CHARS)
    }
    s.push('\nnext\r\n', (l) => lines.push(l))
    expect(lines).toHaveLength(2)
    expect(lines[0]!.length).toBe(MAX_LINE_CHARS + TRUNCATED_MARK.length)
    expect(lines[0]!.endsWith(TRUNCATED_MARK)).toBe(true)
    expect(lines[1]).toBe('next')
  })
})

describe.skipIf(!!skip)('hostile findings against real namespaces over SSH', () => {
  const ssh = sshTargetForSuite()
  let engine: NetnsEngine
  const keyDir = skip ? '' : mkdtempSync(join(tmpdir(), 'nss-keys-'))
  let other: ChildProcess | null = null

  beforeAll(() => {
    cleanupPrefix(P)
    engine = new NetnsEngine(ssh.target, undefined, {
      ownedFile: `/run/netns-studio/owned-${P}hostile`,
    })
  })

  afterAll(async () => {
    other?.kill('SIGKILL')
    await engine?.reset().catch(() => undefined)
    cleanupPrefix(P)
    rmSync(keyDir, { recursive: true, force: true })
  })

  it('toNs "1234" that names no namespace never moves a link into that process\'s namespace', async () => {
    // a process in a network namespace of its own, with no name: ip would take its PID for toNs
    other = spawn('unshare', ['-n', 'sleep', '600'], { stdio: 'ignore' })
    const pid = String(other.pid)
    await until(
      () =>
        sh(['readlink', `/proc/${pid}/ns/net`]).trim() !==
        sh(['readlink', '/proc/self/ns/net']).trim(),
      3000,
    )
    const link = `${P}mv0`
    sh(['ip', 'link', 'add', link, 'type', 'veth', 'peer', 'name', `${P}mv1`])
    const before = engine.log.entries.length
    const e = await rejection(
      engine.apply({ op: 'link.move', ns: HOST_NS, ifname: link, toNs: pid }),
    )
    expect(e.code).toBe('INVALID_ARGUMENT')
    expect(e.message).toMatch(
      new RegExp(`no namespace "${pid}".*process id.*toNs must name an existing namespace`),
    )
    expect(e.data).toMatchObject({ field: 'toNs' })
    expect(inRoot(link)).toBe(true)
    expect(sh(['nsenter', '-t', pid, '-n', 'ip', '-o', 'link'])).not.toContain(link)
    const e2 = await rejection(
      engine.apply({ op: 'veth.add', name: `${P}pv0`, peer: `${P}pv1`, peerNs: pid }),
    )
    expect(e2.message).toMatch(/peerNs must name an existing namespace/)
    expect(inRoot(`${P}pv0`)).toBe(false)
    // nothing reached the target: the command log holds no entry for either
    expect(engine.log.entries.length).toBe(before)
  })

  it('a namespace created earlier in the same list counts as existing', async () => {
    const ns = `${P}fresh`
    await engine.apply([
      { op: 'ns.add', name: ns },
      { op: 'link.set-state', ns, ifname: 'lo', up: true },
    ])
    expect(sh(['ip', '-n', ns, '-o', 'link', 'show', 'lo'])).toMatch(/UP/)
    const e = await rejection(
      engine.apply([
        { op: 'ns.delete', name: ns },
        { op: 'link.set-state', ns, ifname: 'lo', up: false },
      ]),
    )
    expect(e.message).toMatch(/Operation 2 of 2|ns must name an existing namespace/)
    expect(sh(['ip', 'netns', 'list'])).toContain(ns) // nothing ran: the delete did not happen either
  })

  it(`a list of more than ${MAX_OPS} operations is refused before anything runs`, async () => {
    const ns = `${P}cap`
    sh(['ip', 'netns', 'add', ns])
    const before = engine.log.entries.length
    const op: NetOp = { op: 'link.set-state', ns, ifname: 'lo', up: true }
    const e = await rejection(engine.apply(new Array<NetOp>(MAX_OPS + 1).fill(op)))
    expect(e.code).toBe('INVALID_ARGUMENT')
    expect(e.message).toMatch(new RegExp(`At most ${MAX_OPS} operations`))
    expect(engine.log.entries.length).toBe(before)
    expect(sh(['ip', '-n', ns, '-o', 'link', 'show', 'lo'])).not.toMatch(/[<,]UP[,>]/)
  })

  describe('a kernel namespace actually called "host"', () => {
    // "host" cannot carry the run prefix; never touch one this run did not create
    const preexisting = skip
      ? false
      : sh(['ip', 'netns', 'list'])
          .split('\n')
          .some((l) => l.split(' ')[0] === 'host')
    if (preexisting)
      console.warn('SKIP "host" namespace tests: a namespace called "host" already exists here')
    const dev = `${P}h0`
    const rootDev = `${P}r0`

    beforeAll(() => {
      if (preexisting) return
      sh(['ip', 'netns', 'add', 'host'])
      sh(['ip', '-n', 'host', 'link', 'add', dev, 'type', 'veth', 'peer', 'name', `${P}h1`])
      sh(['ip', 'link', 'add', rootDev, 'type', 'veth', 'peer', 'name', `${P}r1`])
    })
    afterAll(() => {
      if (preexisting) return
      try {
        sh(['ip', 'netns', 'delete', 'host'])
      } catch {
        // already gone
      }
    })

    it.skipIf(preexisting)(
      `is shown as "${HOST_NETNS_ALIAS}", never as (or merged into) the root`,
      async () => {
        const snap: Snapshot = await engine.snapshot()
        expect(snap.namespaces.filter((n) => n.isHost).map((n) => n.name)).toEqual([HOST_NS])
        const named = snap.namespaces.find((n) => n.name === HOST_NETNS_ALIAS)
        expect(named?.isHost).toBe(false)
        expect(named?.links.map((l) => l.ifname)).toContain(dev)
        const root = snap.namespaces.find((n) => n.isHost)
        expect(root?.links.map((l) => l.ifname)).not.toContain(dev)
        expect(root?.links.map((l) => l.ifname)).toContain(rootDev)
      },
    )

    it.skipIf(preexisting)(
      'is addressed by its alias; "host" still addresses the root',
      async () => {
        await engine.apply([
          { op: 'addr.add', ns: HOST_NETNS_ALIAS, ifname: dev, cidr: '10.213.0.1/24' },
          { op: 'link.set-state', ns: HOST_NETNS_ALIAS, ifname: dev, up: true },
          { op: 'link.set-state', ns: HOST_NETNS_ALIAS, ifname: 'lo', up: true },
          { op: 'link.move', ns: HOST_NS, ifname: rootDev, toNs: HOST_NETNS_ALIAS },
        ])
        expect(sh(['ip', '-n', 'host', '-o', 'addr', 'show', 'dev', dev])).toContain(
          '10.213.0.1/24',
        )
        expect(sh(['ip', '-o', 'addr', 'show'])).not.toContain('10.213.0.1/24')
        expect(inRoot(rootDev)).toBe(false)
        expect(sh(['ip', '-n', 'host', '-o', 'link'])).toContain(rootDev)
        await engine.apply({
          op: 'link.move',
          ns: HOST_NETNS_ALIAS,
          ifname: rootDev,
          toNs: HOST_NS,
        })
        expect(inRoot(rootDev)).toBe(true)
        // the reachability matrix probes from the right one: only the real "host" has 10.213.0.1
        const m = await runMatrix(ssh.target, [
          { src: HOST_NETNS_ALIAS, dst: HOST_NETNS_ALIAS, address: '10.213.0.1' },
          { src: HOST_NS, dst: HOST_NETNS_ALIAS, address: '10.213.0.1' },
        ])
        expect(m.cells.map((c) => [c.src, c.ok])).toEqual([
          [HOST_NETNS_ALIAS, true],
          [HOST_NS, false],
        ])
      },
    )

    it.skipIf(preexisting)(
      "traffic samples keep its interfaces apart from the root's",
      async () => {
        const h: StreamHandle = await ssh.target.stream(samplerArgv(0.2), { lines: true })
        const parser = new SamplerParser()
        let sample: TrafficSample | null = null
        h.on('line', (l: string) => (sample = parser.push(l) ?? sample))
        await until(() => sample !== null, 5000)
        await h.stop()
        const s = sample as TrafficSample | null
        expect(s?.counters.filter((c) => c.ifname === dev).map((c) => c.ns)).toEqual([
          HOST_NETNS_ALIAS,
        ])
      },
    )

    it.skipIf(preexisting)('the app still refuses to create one', async () => {
      const e = await rejection(engine.apply({ op: 'ns.add', name: 'host' }))
      expect(e.message).toMatch(/reserved for the target's root namespace/)
    })
  })

  describe('key files', () => {
    const connect = (path: string): Promise<unknown> => {
      const t = new SshTarget({
        host: ssh.sshd.host,
        port: ssh.sshd.port,
        username: ssh.sshd.username,
        privateKeyPath: path,
        hostKeys: new MemoryHostKeyStore(),
      })
      // a hang is a failure too: give up after 5 s
      return Promise.race([
        t.connect().finally(() => void t.close()),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`connect hung on ${path}`)), 5000),
        ),
      ])
    }

    it('a FIFO is refused at once, without waiting for a writer', async () => {
      const fifo = join(keyDir, 'fifo')
      execFileSync('mkfifo', [fifo])
      const started = Date.now()
      try {
        const e = await rejection(connect(fifo))
        expect(e.code).toBe('INVALID_ARGUMENT')
        expect(e.message).toMatch(/is not a regular file/)
        expect(Date.now() - started).toBeLessThan(2000)
      } finally {
        // release a reader that is still blocked opening it, so no thread stays stuck
        try {
          closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK))
        } catch {
          // no reader: nothing to release
        }
      }
    })

    it('/dev/zero is refused without reading it', async () => {
      const e = await rejection(connect('/dev/zero'))
      expect(e.code).toBe('INVALID_ARGUMENT')
      expect(e.message).toMatch(/\/dev\/zero is not a regular file/)
    })

    it('a directory is refused', async () => {
      const dir = join(keyDir, 'dir')
      mkdirSync(dir)
      const e = await rejection(connect(dir))
      expect(e.code).toBe('INVALID_ARGUMENT')
      expect(e.message).toMatch(/is not a regular file/)
    })

    it('a file over 64 KiB is refused', async () => {
      const big = join(keyDir, 'big')
      writeFileSync(big, Buffer.alloc(65 * 1024, 0x41))
      const e = await rejection(connect(big))
      expect(e.code).toBe('INVALID_ARGUMENT')
      expect(e.message).toMatch(/is larger than 64 KiB/)
    })

    it('the real key still works', async () => {
      await expect(connect(ssh.sshd.privateKeyPath)).resolves.toBeUndefined()
    })
  })

  describe('remote temp files are private', () => {
    it('the snapshot keeps its temp files in a private folder it removes; none is ever readable by others', async () => {
      for (let i = 0; i < 24; i++) sh(['ip', 'netns', 'add', `${P}s${i}`])
      const seen = new Map<string, number>()
      const before = new Set(readdirSync('/tmp').filter((n) => n.startsWith('nss-snap')))
      let done = false
      const watch = (async () => {
        while (!done) {
          for (const n of readdirSync('/tmp')) {
            if (!n.startsWith('nss-snap') || before.has(n) || seen.has(n)) continue
            try {
              seen.set(n, statSync(join('/tmp', n)).mode)
            } catch {
              // gone between readdir and stat
            }
          }
          await new Promise((r) => setImmediate(r))
        }
      })()
      for (let i = 0; i < 5; i++) await engine.snapshot()
      done = true
      await watch
      expect(seen.size).toBeGreaterThan(0) // the watcher did see the snapshot's temp files
      for (const [n, mode] of seen) {
        expect((mode & 0o170000).toString(8), `${n} is a folder`).toBe('40000')
        expect((mode & 0o777).toString(8), n).toBe('700')
      }
      // each is removed when its snapshot ends (poll: another run's snapshot may still be ending)
      expect(
        await until(() => [...seen.keys()].every((n) => !existsSync(join('/tmp', n))), 3000),
      ).toBe(true)
    })

    it('a capture file is 0600 in a 0700 folder, and closing removes the folder', async () => {
      const ns = `${P}cap1`
      sh(['ip', 'netns', 'add', ns])
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
      const s = await CaptureSession.start(
        ssh.target,
        { ns, ifname: 'lo', filter: 'icmp' },
        { data: () => undefined, ended: () => undefined },
      )
      const exists = (): boolean => {
        try {
          statSync(s.remotePath)
          return true
        } catch {
          return false
        }
      }
      expect(await until(exists, 5000)).toBe(true)
      sh(['ip', 'netns', 'exec', ns, 'ping', '-c', '2', '-i', '0.2', '127.0.0.1'])
      expect((statSync(s.remotePath).mode & 0o777).toString(8)).toBe('600')
      expect((statSync(s.remoteDir).mode & 0o777).toString(8)).toBe('700')
      expect(s.remotePath.startsWith(`${s.remoteDir}/`)).toBe(true)
      await s.close()
      expect(exists()).toBe(false)
      expect(() => statSync(s.remoteDir)).toThrow()
    })

    it('a capture filter that smuggles options never reaches the target', async () => {
      const ns = `${P}cap2`
      sh(['ip', 'netns', 'add', ns])
      const before = engine.log.entries.length
      await expect(
        CaptureSession.start(
          ssh.target,
          { ns, ifname: 'lo', filter: '-W 1 -G 1 -z /bin/sh -Z root icmp' },
          { data: () => undefined, ended: () => undefined },
        ),
      ).rejects.toThrow(/begins with "-"/)
      expect(sh(['ip', 'netns', 'pids', ns]).trim()).toBe('')
      expect(engine.log.entries.length).toBe(before)
    })
  })
})

describe.skipIf(!!skip)('stream lines are capped on a real process', () => {
  it('10 MB without a newline from a local process: the buffer stays under the cap, the line arrives cut and marked', async () => {
    const t = new LocalTarget()
    await t.connect()
    try {
      const h = await t.stream(
        ['sh', '-c', "head -c 10485760 /dev/zero | tr '\\0' a; echo; echo done"],
        { lines: true },
      )
      const lines: string[] = []
      let maxPending = 0
      const pending = (): number => (h as unknown as { pendingLineChars: number }).pendingLineChars
      h.on('stdout', () => (maxPending = Math.max(maxPending, pending())))
      h.on('line', (l: string) => lines.push(l))
      await new Promise<void>((resolve) => h.once('end', () => resolve()))
      expect(maxPending).toBeLessThanOrEqual(MAX_LINE_CHARS)
      expect(lines.map((l) => l.length)).toEqual([MAX_LINE_CHARS + TRUNCATED_MARK.length, 4])
      expect(lines[1]).toBe('done')
    } finally {
      await t.close()
    }
  })
})

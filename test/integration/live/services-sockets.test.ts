// Services and listening sockets end to end: the real composition root over SSH to a private sshd,
// socat listeners started in real namespaces; what listens is read back from the kernel (ss) and
// what is left behind from the process table.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LiveEnd, ServiceStarted } from '../../../shared/ipc/domains/live'
import type { ServiceEvent } from '../../../shared/net/service'
import type { SocketTable } from '../../../shared/net/sockets'
import { cleanupPrefix, runPrefix, sh } from '../../support/netns'
import { integrationSkipReason, startSshd, type SshdFixture } from '../../support/sshd'
import { openHarness, pidsIn, processesMatching, until, type Harness } from './harness'

const skip = integrationSkipReason() ?? (hasSocat() ? null : 'socat is not installed here')
if (skip) console.warn(`SKIP services/sockets integration: ${skip}`)

function hasSocat(): boolean {
  try {
    sh(['sh', '-c', 'command -v socat'])
    return true
  } catch {
    return false
  }
}

const P = runPrefix()
const A = `${P}a`
const B = `${P}b`
// A port per run, so a stray listener of another run can never answer for ours.
const PORT = 20000 + Math.floor(Math.random() * 20000)

/** What a TCP client inside `ns` reads from 127.0.0.1:port (bash's /dev/tcp, no other tool). */
function tcpReply(ns: string, port: number): string {
  return sh([
    'ip',
    'netns',
    'exec',
    ns,
    'timeout',
    '5',
    'bash',
    '-c',
    `exec 3<>/dev/tcp/127.0.0.1/${port}; cat <&3`,
  ])
}

describe.skipIf(!!skip)('services and sockets over SSH on real namespaces', () => {
  let sshd: SshdFixture
  let h: Harness

  beforeAll(async () => {
    cleanupPrefix(P)
    for (const ns of [A, B]) {
      sh(['ip', 'netns', 'add', ns])
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

  const sockets = async (ns: string): Promise<SocketTable> =>
    (await h.call('live:sockets', ns)) as SocketTable
  const onPort = (t: SocketTable, port: number, proto = 'tcp') =>
    t.rows.filter((r) => r.port === port && r.proto === proto)

  it('the same TCP port in two namespaces: both sockets tables show it held by socat; each answers for itself', async () => {
    const from = h.events.length
    const a = (await h.call('live:service-start', {
      ns: A,
      protocol: 'tcp',
      port: PORT,
    })) as ServiceStarted
    const b = (await h.call('live:service-start', {
      ns: B,
      protocol: 'tcp',
      port: PORT,
    })) as ServiceStarted
    expect(a.listening).toBe(`0.0.0.0:${PORT}`)
    expect(b.reply).toBe(`netns-studio ${B}:${PORT}`)
    for (const ns of [A, B]) {
      const rows = onPort(await sockets(ns), PORT)
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ state: 'LISTEN', address: '0.0.0.0' })
      expect(rows[0]!.processes.map((p) => p.name)).toEqual(['socat'])
      // the pid ss names is a process of that namespace (the kernel's view)
      expect(pidsIn(ns)).toContain(String(rows[0]!.processes[0]!.pid))
    }
    expect(tcpReply(A, PORT)).toBe(`netns-studio ${A}:${PORT}\n`)
    expect(tcpReply(B, PORT)).toBe(`netns-studio ${B}:${PORT}\n`)
    const seen = await h.waitEvent(
      'live:service-data',
      (args) => args[0] === a.id && args[1].some((e) => e.kind === 'connection'),
      5000,
      from,
    )
    expect(seen.senderId).toBe(1)
    const events = h.events
      .slice(from)
      .filter((e) => e.channel === 'live:service-data' && e.args[0] === a.id)
      .flatMap((e) => e.args[1] as ServiceEvent[])
    expect(events[0]).toMatchObject({ kind: 'listening', address: `0.0.0.0:${PORT}` })
    expect(events.find((e) => e.kind === 'connection')).toMatchObject({ from: /^127\.0\.0\.1:/ })

    // a second listener on the same port in the same namespace: refused by the kernel, said so
    const before = pidsIn(A).length
    const err = (await h
      .call('live:service-start', { ns: A, protocol: 'tcp', port: PORT })
      .catch((e: unknown) => e)) as Error & { code?: string }
    expect(err.code).toBe('COMMAND_FAILED')
    expect(err.message).toContain(`Port ${PORT}/tcp is already in use in ${A}`)
    expect(await until(() => pidsIn(A).length === before, 5000)).toBe(true)

    // stop: gone from ss, and no socat of ours is left
    for (const s of [a, b]) await h.call('live:service-stop', s.id)
    for (const ns of [A, B]) expect(onPort(await sockets(ns), PORT)).toEqual([])
    expect(await until(() => processesMatching(`TCP4-LISTEN:${PORT},`).length === 0, 5000)).toBe(
      true,
    )
    expect(pidsIn(A)).toEqual([])
    const ended = await h.waitEvent('live:service-ended', (x) => x[0] === a.id, 5000, from)
    expect((ended.args[1] as LiveEnd).reason).toBe('stopped')
  })

  it('a UDP service answers each datagram with its line and shows as UNCONN', async () => {
    const s = (await h.call('live:service-start', {
      ns: A,
      protocol: 'udp',
      port: PORT,
      reply: 'hello from $(A) `x`',
    })) as ServiceStarted
    const rows = onPort(await sockets(A), PORT, 'udp')
    expect(rows[0]).toMatchObject({ state: 'UNCONN', address: '0.0.0.0' })
    const got = sh(
      ['ip', 'netns', 'exec', A, 'timeout', '5', 'socat', '-T', '2', '-', `UDP4:127.0.0.1:${PORT}`],
      'ping\n',
    )
    expect(got).toBe('hello from $(A) `x`\n')
    await h.call('live:service-stop', s.id)
    expect(onPort(await sockets(A), PORT, 'udp')).toEqual([])
    expect(await until(() => pidsIn(A).length === 0, 5000)).toBe(true)
  })

  it('a namespace that does not exist is refused by name, for sockets and services', async () => {
    const missing = `${P}zz`
    for (const call of [
      () => h.call('live:sockets', missing),
      () => h.call('live:service-start', { ns: missing, protocol: 'tcp', port: PORT }),
    ]) {
      const err = (await call().catch((e: unknown) => e)) as Error & { code?: string }
      expect(err.code).toBe('INVALID_ARGUMENT')
      expect(err.message).toContain(`There is no namespace "${missing}" on the target.`)
    }
    const bad = (await h
      .call('live:service-start', { ns: A, protocol: 'tcp', port: 0 } as never)
      .catch((e: unknown) => e)) as Error & { code?: string }
    expect(bad.code).toBe('INVALID_ARGUMENT')
  })

  it('the root namespace has a sockets table too (the test sshd listens there)', async () => {
    const t = await sockets('host')
    expect(t.rows.some((r) => r.proto === 'tcp' && r.port === sshd.port)).toBe(true)
  })

  it('a closed window stops its services; a dropped SSH connection ends them and leaves no process', async () => {
    const s7 = (await h.callAs(7, 'live:service-start', {
      ns: B,
      protocol: 'tcp',
      port: PORT,
    })) as ServiceStarted
    expect(onPort(await sockets(B), PORT)).toHaveLength(1)
    h.services.senderGone(7)
    expect(await until(() => pidsIn(B).length === 0, 5000)).toBe(true)
    expect(s7.id).toMatch(/^[0-9a-f]{16}$/)

    const from = h.events.length
    const s = (await h.call('live:service-start', {
      ns: A,
      protocol: 'tcp',
      port: PORT,
    })) as ServiceStarted
    expect(pidsIn(A).length).toBe(1)
    sshd.kill()
    const ended = await h.waitEvent('live:service-ended', (a) => a[0] === s.id, 15_000, from)
    const end = ended.args[1] as LiveEnd
    expect(end.reason).toBe('error')
    expect(end.error?.message.length).toBeGreaterThan(0)
    expect(await until(() => pidsIn(A).length === 0, 5000)).toBe(true)
    expect(processesMatching(`TCP4-LISTEN:${PORT},`)).toEqual([])
    console.log(`ssh drop ended the service with ${end.error?.code}: ${end.error?.message}`)
  })
})

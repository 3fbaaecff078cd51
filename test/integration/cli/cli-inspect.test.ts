// The CLI end to end, the commands that need no lab: the real bin against this machine (--local)
// and the private sshd (--ssh), on hand-made namespaces with a per-run prefix. Exit codes per
// class, --json shapes, data only on stdout, host keys pinned in the data folder like the app.

import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MatrixResult } from '../../../shared/ipc/domains/live'
import type { NetNamespace, Snapshot } from '../../../shared/net/model'
import { cleanupPrefix, namespacesWithPrefix, runPrefix, sh } from '../../support/netns'
import { integrationSkipReason, startSshd, type SshdFixture } from '../../support/sshd'
import { openCli, type Cli } from './run-cli'

const skip = integrationSkipReason()
if (skip) console.warn(`SKIP CLI integration: ${skip}`)

const P = runPrefix()
const A = `${P}a`
const B = `${P}b`
const C = `${P}c`

/** Pids of processes whose command line matches `pattern`. */
function pgrep(pattern: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split('\n')
  } catch {
    return [] // pgrep exits 1 when nothing matches
  }
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => done(typeof a === 'object' && a ? a.port : 1))
    })
  })
}

describe.skipIf(!!skip)('netns-studio CLI: show, ping, matrix, usage and target errors', () => {
  let sshd: SshdFixture
  let cli: Cli
  let ssh: string[]

  beforeAll(async () => {
    sshd = await startSshd()
    cli = openCli()
    ssh = ['--ssh', `root@127.0.0.1:${sshd.port}`, '--key', sshd.privateKeyPath]
    // hand-made: A and B joined by a veth pair with IPv4 and IPv6; C has no address
    for (const n of [A, B, C]) sh(['ip', 'netns', 'add', n])
    sh([
      'ip',
      'link',
      'add',
      `${P}x`,
      'netns',
      A,
      'type',
      'veth',
      'peer',
      'name',
      `${P}y`,
      'netns',
      B,
    ])
    sh(['ip', '-n', A, 'addr', 'add', '10.231.0.1/24', 'dev', `${P}x`])
    sh(['ip', '-n', B, 'addr', 'add', '10.231.0.2/24', 'dev', `${P}y`])
    sh(['ip', '-n', A, '-6', 'addr', 'add', 'fd31::1/64', 'dev', `${P}x`, 'nodad'])
    sh(['ip', '-n', B, '-6', 'addr', 'add', 'fd31::2/64', 'dev', `${P}y`, 'nodad'])
    for (const [ns, dev] of [
      [A, `${P}x`],
      [B, `${P}y`],
    ] as const)
      sh(['ip', '-n', ns, 'link', 'set', dev, 'up'])
  })

  afterAll(async () => {
    cleanupPrefix(P)
    await sshd?.stop()
    cli?.close()
  })

  it('--help and --version exit 0 with the text on stdout only', async () => {
    const help = await cli.run(['--help'])
    expect(help.code).toBe(0)
    expect(help.stderr).toBe('')
    for (const cmd of [
      'show',
      'ping',
      'matrix',
      'save',
      'labs',
      'up',
      'plan',
      'down',
      'check',
      'export',
    ])
      expect(help.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'))
    expect(help.stdout).toContain('Exit codes:')
    const version = await cli.run(['--version'])
    expect(version.code).toBe(0)
    expect(version.stdout.trim()).toBe(
      (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version,
    )
  })

  it('usage errors exit 2 with one clear line on stderr and nothing on stdout', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /Usage: netns-studio/],
      [['bogus'], /unknown command 'bogus'/],
      [['ping', A], /missing required argument 'B'/],
      [['ping', '-c', '0', A, B], /'0' is invalid\. expected a whole number from 1 to 100000/],
      [['ping', A, 'x;y'], /neither an IP address nor a namespace name: .*shell character ";"/],
      [['ping', '10.0.0.1', B], /A must be a namespace, not an address/],
      [['show', '-x'], /unknown option '-x'/],
      [['show', '../etc'], /Namespace contains "\/"/],
      [
        ['show', '--local', '--ssh', 'root@h'],
        /option '--local' cannot be used with option '--ssh/,
      ],
      [['show', '--ssh', 'nobody'], /--ssh wants USER@HOST\[:PORT\], got "nobody"/],
      [
        ['show', '--ssh', 'root@h:port', '--key', sshd.privateKeyPath],
        /port "port" is not a number/,
      ],
      [
        ['show', '--ssh', 'root@h', '--key', '/nonexistent/key'],
        /--key: \/nonexistent\/key is not a file/,
      ],
      [
        ['show', '--ssh', 'root@-oProxyCommand=x', '--key', sshd.privateKeyPath],
        /Host must be a host name/,
      ],
      [['show', '--key', sshd.privateKeyPath], /--key goes with --ssh/],
      [['show', '--boot'], /--boot goes with --vm/],
      [['matrix', '--ns', 'a', 'somelab'], /Give a LAB or --ns, not both/],
    ]
    for (const [args, message] of cases) {
      const r = await cli.run(args)
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' })
      expect(r.stderr, args.join(' ')).toMatch(message)
    }
    // with --json, the error is also on stdout as JSON
    const j = await cli.json<{ error: { code: string; message: string } }>(['ping', A, 'x;y'])
    expect(j.code).toBe(2)
    expect(j.value.error).toMatchObject({
      code: 'USAGE',
      message: expect.stringContaining('shell character'),
    })
  })

  it('an SSH target nothing answers on exits 3 and says which', async () => {
    const port = await closedPort()
    const r = await cli.run([
      'show',
      '--ssh',
      `root@127.0.0.1:${port}`,
      '--key',
      sshd.privateKeyPath,
    ])
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(new RegExp(`Cannot reach root@127\\.0\\.0\\.1:${port}.*ECONNREFUSED`))
    const j = await cli.json<{ error: { code: string } }>([
      'show',
      '--ssh',
      `root@127.0.0.1:${port}`,
      '--key',
      sshd.privateKeyPath,
    ])
    expect(j.code).toBe(3)
    expect(j.value.error.code).toBe('TARGET_UNREACHABLE')
  })

  it('show --json over SSH prints the model, and pins the host key in the data folder like the app', async () => {
    const r = await cli.json<Snapshot>(['show', ...ssh])
    expect(r.code).toBe(0)
    expect(r.value.namespaces[0]).toMatchObject({ name: 'host', isHost: true })
    const a = r.value.namespaces.find((n) => n.name === A)!
    expect(a.addresses.map((x) => `${x.local}/${x.prefixlen}`)).toEqual(
      expect.arrayContaining(['10.231.0.1/24', 'fd31::1/64']),
    )
    expect(a.links.find((l) => l.ifname === `${P}x`)?.peer).toMatchObject({
      namespace: B,
      ifname: `${P}y`,
    })
    expect(r.stderr).toContain(`Connecting to root@127.0.0.1:${sshd.port}`)
    const pins = JSON.parse(readFileSync(`${cli.dataDir}/known_hosts.json`, 'utf8')) as Record<
      string,
      string
    >
    expect(pins[`ssh:127.0.0.1:${sshd.port}`]).toBe(sshd.hostKeyFingerprint)
  })

  it('show NS prints one namespace (text and JSON), --quiet keeps stderr empty; an unknown one exits 3', async () => {
    const text = await cli.run(['show', A, '--local', '-q'])
    expect(text.code).toBe(0)
    expect(text.stderr).toBe('')
    expect(text.stdout.split('\n')[0]).toBe(A)
    expect(text.stdout).toMatch(
      new RegExp(`^  ${P}x +veth +UP +10\\.231\\.0\\.1/24 fd31::1/64 +peer ${B}:${P}y$`, 'm'),
    )
    const j = await cli.json<NetNamespace>(['show', B, ...ssh])
    expect(j.value.name).toBe(B)
    expect(j.value.addresses.some((x) => x.local === '10.231.0.2')).toBe(true)
    const missing = await cli.run(['show', `${P}nope`])
    expect(missing.code).toBe(3)
    expect(missing.stdout).toBe('')
    expect(missing.stderr).toContain(`No namespace "${P}nope" on the target.`)
  })

  it("ping A B pings B's first address: exit 0 with ping's lines, JSON statistics; no answer exits 1", async () => {
    const r = await cli.run(['ping', A, B, '-c', '2'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^64 bytes from 10\.231\.0\.2: icmp_seq=1 /m)
    expect(r.stdout).toContain('2 packets transmitted, 2 received')
    expect(r.stderr).toContain(`Pinging 10.231.0.2 from ${A}`)
    const six = await cli.json<{
      address: string
      received: number
      replies: Array<{ seq: number; rttMs: number | null }>
    }>(['ping', B, A, '-6', '-c', '2', ...ssh])
    expect(six.code).toBe(0)
    expect(six.value).toMatchObject({
      from: B,
      to: A,
      address: 'fd31::1',
      sent: 2,
      received: 2,
      lossPct: 0,
    })
    expect(six.value.replies.map((p) => p.seq)).toEqual([1, 2])
    expect(six.value.replies.every((p) => typeof p.rttMs === 'number')).toBe(true)
    const none = await cli.json<{ received: number; lossPct: number }>([
      'ping',
      A,
      '10.231.0.99',
      '-c',
      '1',
      '-i',
      '0.2',
      '-w',
      '2',
    ])
    expect(none.code).toBe(1)
    expect(none.value).toMatchObject({ received: 0, lossPct: 100 })
    const noAddress = await cli.run(['ping', A, C])
    expect(noAddress.code).toBe(3)
    expect(noAddress.stderr).toContain(`Namespace "${C}" has no global address to ping.`)
  })

  it('matrix --ns probes every ordered pair in one run: a grid, and the MatrixResult as JSON', async () => {
    const text = await cli.run(['matrix', '--ns', `${A},${B},${C}`, '--local'])
    expect(text.code).toBe(0)
    expect(text.stderr).toContain(`Left out (no address): ${C}`)
    expect(text.stderr).toContain('Probing 2 pairs of 2 namespaces')
    const lines = text.stdout.split('\n')
    expect(lines[0]).toMatch(new RegExp(`^from \\\\ to +${A} +${B}$`))
    expect(lines[1]).toMatch(new RegExp(`^${A} +- +✓ [\\d.]+ms$`))
    expect(text.stdout).toMatch(/^2 of 2 reachable, 0 unreachable, in [\d.]+ s$/m)
    sh(['ip', '-n', B, 'link', 'set', `${P}y`, 'down'])
    try {
      const j = await cli.json<MatrixResult>(['matrix', '--ns', A, '--ns', B, ...ssh])
      expect(j.code).toBe(0)
      expect(j.value.cells.map((c) => [c.src, c.dst, c.address, c.verdict])).toEqual([
        [A, B, '10.231.0.2', 'unreachable'],
        [B, A, '10.231.0.1', 'unreachable'],
      ])
      expect(j.value.rounds).toHaveLength(1)
    } finally {
      sh(['ip', '-n', B, 'link', 'set', `${P}y`, 'up'])
    }
  })

  it('a changed host key is refused (exit 3): both fingerprints and where the pin is kept; the pin stays', async () => {
    // last of the SSH tests: the server keeps its new key from here on
    const pins = `${cli.dataDir}/known_hosts.json`
    const before = readFileSync(pins, 'utf8')
    const pinned = sshd.hostKeyFingerprint
    sshd.rotateHostKey()
    await sshd.restart()
    const r = await cli.run(['show', ...ssh])
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(
      `The host key of root@127.0.0.1:${sshd.port} has changed; refusing to connect.`,
    )
    expect(r.stderr).toContain(`Pinned: ${pinned}`)
    expect(r.stderr).toContain(`Offered: ${sshd.hostKeyFingerprint}`)
    expect(r.stderr).toContain(`remove "ssh:127.0.0.1:${sshd.port}" from ${pins}`)
    expect(readFileSync(pins, 'utf8')).toBe(before)
  })

  it('leaves nothing behind: no process, no temp file of its own, only the namespaces this test made', () => {
    expect(namespacesWithPrefix(P).sort()).toEqual([A, B, C].sort())
    expect(pgrep('ping .*10\\.231\\.0\\.')).toEqual([])
  })
})

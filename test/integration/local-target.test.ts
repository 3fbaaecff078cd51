// LocalTarget on this Linux machine: the engine's commands without SSH (as root), streams that
// leave nothing behind, an interactive shell in a namespace, and a clear error for a user who
// is neither root nor allowed `sudo -n` (checked by running the real code as `nobody`).

import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NetnsEngine } from '../../src-main/netns/engine'
import { LocalTarget } from '../../src-main/target/local-target'
import { cleanupPrefix, runPrefix } from '../support/netns'
import { integrationSkipReason } from '../support/sshd'

const skip = integrationSkipReason()
if (skip) console.warn(`SKIP LocalTarget integration: ${skip}`)
const P = runPrefix()

const pgrepCount = (pattern: string): number =>
  Number(spawnSync('pgrep', ['-fc', pattern]).stdout.toString().trim() || 0)

describe.skipIf(!!skip)('LocalTarget', () => {
  const target = new LocalTarget()
  const engine = new NetnsEngine(target, undefined, {
    ownedFile: `/run/netns-studio/owned-${P}test`,
  })

  beforeAll(() => target.connect())
  afterAll(async () => {
    await engine.reset().catch(() => undefined)
    await target.close()
    cleanupPrefix(P)
  })

  it('runs the engine locally: create a namespace, see it in the snapshot', async () => {
    await engine.apply([
      { op: 'ns.add', name: `${P}l1` },
      { op: 'link.set-state', ns: `${P}l1`, ifname: 'lo', up: true },
    ])
    const snap = await engine.snapshot()
    const ns = snap.namespaces.find((n) => n.name === `${P}l1`)
    expect(ns?.links.find((l) => l.ifname === 'lo')?.flags).toContain('UP')
  })

  it('a stream yields lines and stop() leaves no process behind', async () => {
    const marker = `${P}l1`
    const h = await target.stream(
      ['ip', 'netns', 'exec', marker, 'ping', '-n', '-i', '0.2', '127.0.0.1'],
      { lines: true },
    )
    const lines: string[] = []
    h.on('line', (l: string) => lines.push(l))
    await expect.poll(() => lines.length, { timeout: 5000 }).toBeGreaterThan(2)
    expect(lines.some((l) => /bytes from 127\.0\.0\.1/.test(l))).toBe(true)
    expect(pgrepCount(`ping -n -i 0.2 127.0.0.1`)).toBeGreaterThan(0)
    await h.stop()
    await expect.poll(() => pgrepCount(`ping -n -i 0.2 127.0.0.1`), { timeout: 5000 }).toBe(0)
  })

  it('opens a shell inside a namespace that answers typed commands', async () => {
    const sh = await target.shell({
      cols: 100,
      rows: 30,
      argv: ['ip', 'netns', 'exec', `${P}l1`, 'sh'],
    })
    let out = ''
    sh.on('data', (d: Buffer | string) => (out += d.toString()))
    sh.write('ip -br link\n')
    await expect.poll(() => out, { timeout: 5000 }).toMatch(/lo\s+UNKNOWN/)
    await sh.close()
    expect(pgrepCount(`netns exec ${P}l1 sh`)).toBe(0)
  })
})

/** The non-root check runs this checkout's code as `nobody`, who must be able to read it. */
function nobodySkipReason(): string | null {
  if (skip) return skip
  const r = spawnSync('runuser', [
    '-u',
    'nobody',
    '--',
    'test',
    '-r',
    'node_modules/tsx/package.json',
  ])
  return r.status === 0 ? null : 'user nobody cannot read this checkout (or runuser is missing)'
}
const skipNobody = nobodySkipReason()
if (skipNobody) console.warn(`SKIP LocalTarget without root: ${skipNobody}`)

describe.skipIf(!!skipNobody)('LocalTarget without root', () => {
  it('says clearly that it needs root or sudo -n', () => {
    const script = `
      import { LocalTarget } from './src-main/target/local-target.ts'
      try { await new LocalTarget().connect(); console.log('CONNECTED') }
      catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }`
    const r = spawnSync(
      'runuser',
      [
        '-u',
        'nobody',
        '--',
        process.execPath,
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
      ],
      {
        cwd: process.cwd(),
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/tmp' },
      },
    )
    const out = r.stdout.toString().trim().split('\n').pop() ?? ''
    expect(out, r.stderr.toString()).not.toBe('CONNECTED')
    const err = JSON.parse(out) as { code: string; message: string }
    expect(err.code).toBe('PERMISSION_DENIED')
    expect(err.message).toMatch(/run as root, or allow passwordless sudo/)
  })
})

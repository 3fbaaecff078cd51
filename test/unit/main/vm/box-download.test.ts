// The box download step with the real vagrant: `vagrant box add NAME --provider P
// --machine-readable` from a catalog on 127.0.0.1 that serves a box slowly, read by the driver's
// output follower: step box-download, rising percent with rate and time left; cancel stops it and
// adds nothing; a box without a build for the provider gets the hint.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { VmProgress } from '../../../../shared/vm/progress'
import { OpOutput } from '../../../../src-main/vm/op-output'
import { findVagrant, startVagrant, vagrantEnv } from '../../../../src-main/vm/vagrant-cli'

const vagrant = findVagrant({})
if (!vagrant) console.warn('SKIP box download: no vagrant on PATH')
// vagrant unpacks the box with tar.
const tar = spawnSync('tar', ['--version']).status === 0
if (vagrant && !tar) console.warn('SKIP box download: no tar')

describe.skipIf(!vagrant || !tar)('downloading a box with the real vagrant', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nss-boxdl-'))
  let box = Buffer.alloc(0)
  let port = 0
  /** Bytes per 100 ms tick the server sends the box at. */
  let rate = 150_000
  const server: Server = createServer((req, res) => {
    const base = `http://127.0.0.1:${port}`
    if (req.url === '/netns/testbox') {
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(
        JSON.stringify({
          name: 'netns/testbox',
          versions: [
            { version: '1.0.0', providers: [{ name: 'libvirt', url: `${base}/box.box` }] },
          ],
        }),
      )
    }
    if (req.url === '/box.box') {
      res.writeHead(200, {
        'content-length': box.length,
        'content-type': 'application/octet-stream',
      })
      if (req.method === 'HEAD') return res.end()
      let off = 0
      const t = setInterval(() => {
        if (res.destroyed) return clearInterval(t)
        const chunk = box.subarray(off, off + rate)
        off += chunk.length
        if (chunk.length) res.write(chunk)
        else {
          clearInterval(t)
          res.end()
        }
      }, 100)
      res.on('close', () => clearInterval(t))
      return
    }
    res.writeHead(404)
    res.end()
  })
  const env = (): NodeJS.ProcessEnv =>
    vagrantEnv({
      vagrantHome: join(dir, 'home'),
      env: { VAGRANT_SERVER_URL: `http://127.0.0.1:${port}` },
    })

  beforeAll(async () => {
    // A valid libvirt box: metadata.json and a 3 MB incompressible disk image.
    const src = join(dir, 'src')
    mkdirSync(src)
    writeFileSync(
      join(src, 'metadata.json'),
      '{"provider":"libvirt","format":"qcow2","virtual_size":1}',
    )
    writeFileSync(join(src, 'box.img'), randomBytes(3_000_000))
    spawnSync('tar', ['-C', src, '-czf', join(dir, 'test.box'), '.'])
    box = readFileSync(join(dir, 'test.box'))
    port = await new Promise((r) =>
      server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)),
    )
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
    rmSync(dir, { recursive: true, force: true })
  })

  const follow = (args: string[]) => {
    const out = new OpOutput('up', Date.now())
    const progress: VmProgress[] = []
    const proc = startVagrant(vagrant ?? 'vagrant', [...args, '--machine-readable'], {
      cwd: dir,
      env: env(),
      onLine: (l) => {
        const p = out.line(l, Date.now())
        if (p) progress.push(p)
      },
    })
    return { out, progress, proc }
  }
  const boxList = (): string =>
    spawnSync(vagrant ?? 'vagrant', ['box', 'list', '--machine-readable'], {
      cwd: dir,
      env: env(),
      encoding: 'utf8',
    }).stdout

  it('reports the step and a rising percent with rate and time left, and adds the box', async () => {
    rate = 150_000
    const { progress, proc } = follow(['box', 'add', 'netns/testbox', '--provider', 'libvirt'])
    expect(await proc.done).toMatchObject({ code: 0 })
    expect(progress[0]?.step).toBe('box-download')
    const pct = progress.filter((p) => p.percent !== null).map((p) => p.percent ?? 0)
    expect(pct.length).toBeGreaterThanOrEqual(3)
    expect([...pct].sort((a, b) => a - b)).toEqual(pct)
    expect(pct.at(-1)).toBeGreaterThan(50)
    expect(progress.some((p) => p.transfer?.rate && p.transfer.remaining)).toBe(true)
    expect(boxList()).toContain(',box-name,netns/testbox')
    spawnSync(vagrant ?? 'vagrant', ['box', 'remove', 'netns/testbox', '--force'], {
      cwd: dir,
      env: env(),
    })
  }, 60_000)

  it('cancel during the download stops vagrant and adds nothing', async () => {
    rate = 20_000
    const { out, progress, proc } = follow(['box', 'add', 'netns/testbox', '--provider', 'libvirt'])
    const t0 = Date.now()
    while (!progress.some((p) => (p.percent ?? 0) > 0)) {
      if (Date.now() - t0 > 30_000) throw new Error('no progress')
      await new Promise((r) => setTimeout(r, 100))
    }
    out.markCancelled(Date.now())
    const t1 = Date.now()
    await proc.cancel(10_000)
    expect(Date.now() - t1).toBeLessThan(10_000)
    const f = out.failure({ ...(await proc.done), cancelled: true }, Date.now())
    expect(f).toMatchObject({ step: 'box-download', cancelled: true })
    expect(boxList()).not.toContain('netns/testbox')
  }, 60_000)

  it('a box without a build for the provider fails at box-download with the hint', async () => {
    const { out, proc } = follow(['box', 'add', 'netns/testbox', '--provider', 'virtualbox'])
    const end = await proc.done
    expect(end.code).toBe(1)
    const f = out.failure({ ...end, cancelled: false }, Date.now())
    expect(f).toMatchObject({
      step: 'box-download',
      errorType: 'Vagrant::Errors::BoxAddNoMatchingProvider',
      hint: { code: 'box-no-build' },
    })
  }, 60_000)
})

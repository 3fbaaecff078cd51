// The app's Vagrantfile, evaluated by Ruby (the one vagrant runs on) through a stand-in for
// Vagrant's config objects: its box for every provider and CPU equals shared/vm/boxes.ts, so plain
// `vagrant up` gets the same box as the app. Real Vagrant then validates the file.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, copyFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type BoxArch, recommendedBox } from '../../../../shared/vm/boxes'
import { PROVIDERS } from '../../../../shared/vm/preflight'
import { findExecutable } from '../../../../src-main/vm/vagrant-cli'

const REPO = join(import.meta.dirname, '../../../..')
const HARNESS = join(REPO, 'test/support/vm/vagrantfile-harness.rb')
// The Ruby vagrant runs on: the system one (Debian's vagrant) or the installer's embedded one.
const ruby =
  findExecutable('ruby') ??
  ['/opt/vagrant/embedded/bin/ruby', 'C:\\HashiCorp\\Vagrant\\embedded\\bin\\ruby.exe'].find((p) =>
    existsSync(p),
  ) ??
  null
if (!ruby)
  console.warn("SKIP Vagrantfile box table: no ruby (neither on PATH nor vagrant's embedded one)")
const vagrant = findExecutable('vagrant')
if (!vagrant) console.warn('SKIP Vagrantfile validation: no vagrant on PATH')

interface Evaluated {
  globalBox: string
  boxes: Record<string, string>
  table: Record<string, Record<string, string>>
  networks: Record<string, Array<{ type: string; bridge: string | null }>>
  provisions: Array<{ name: string; type: string; inline: string }>
}

function evaluate(env: Record<string, string>): Evaluated {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('NETNS_STUDIO_')),
  )
  const out = execFileSync(ruby ?? 'ruby', [HARNESS, join(REPO, 'Vagrantfile')], {
    env: { ...clean, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  })
  return JSON.parse(out) as Evaluated
}

describe.skipIf(!ruby)('the Vagrantfile under Ruby', () => {
  it('gives every provider the box of shared/vm/boxes.ts on amd64 and arm64', () => {
    for (const arch of ['amd64', 'arm64'] as BoxArch[]) {
      const v = evaluate({ VAGRANT_HOST_ARCHITECTURE: arch })
      expect(Object.keys(v.boxes).sort()).toEqual([...PROVIDERS].sort())
      for (const p of PROVIDERS) {
        const want = recommendedBox(p, arch)
        if (want) expect(v.boxes[p], `${p} ${arch}`).toBe(want.name)
        // No published box: the Vagrantfile has no entry either (the global one stays).
        else {
          expect(v.table[p]?.[arch], `${p} ${arch}`).toBeUndefined()
          expect(v.boxes[p]).toBe(v.globalBox)
        }
      }
    }
  })

  it("with NETNS_STUDIO_PROVIDER, the global box is that provider's; NETNS_STUDIO_BOX wins everywhere", () => {
    expect(
      evaluate({ VAGRANT_HOST_ARCHITECTURE: 'amd64', NETNS_STUDIO_PROVIDER: 'libvirt' }).globalBox,
    ).toBe('generic/debian12')
    const own = evaluate({ VAGRANT_HOST_ARCHITECTURE: 'arm64', NETNS_STUDIO_BOX: 'me/own' })
    expect(new Set(Object.values(own.boxes))).toEqual(new Set(['me/own']))
  })

  it('puts Hyper-V on a named switch ("Default Switch", or the one the app chose)', () => {
    expect(evaluate({}).networks.hyperv).toEqual([
      { type: 'public_network', bridge: 'Default Switch' },
    ])
    expect(evaluate({ NETNS_STUDIO_HYPERV_SWITCH: 'External LAN' }).networks.hyperv).toEqual([
      { type: 'public_network', bridge: 'External LAN' },
    ])
    expect(evaluate({}).networks.virtualbox).toEqual([])
  })

  it('provisions without network when nothing is missing, and says so in one line when apt-get fails', () => {
    const p = evaluate({}).provisions
    expect(p).toHaveLength(1)
    expect(p[0]?.inline).toMatch(/dpkg-query -W/)
    expect(p[0]?.inline).toMatch(/netns-studio: cannot install\$missing: the VM has no network/)
    expect(spawnSync('sh', ['-n', '-c', p[0]?.inline ?? '']).status).toBe(0)
  })
})

describe.skipIf(!vagrant)('the Vagrantfile under the real Vagrant', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nss-vfile-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('validates, for the default provider and with a chosen one', () => {
    copyFileSync(join(REPO, 'Vagrantfile'), join(dir, 'Vagrantfile'))
    const env = { ...process.env, VAGRANT_CHECKPOINT_DISABLE: '1', VAGRANT_HOME: join(dir, 'home') }
    for (const extra of [{}, { NETNS_STUDIO_PROVIDER: 'libvirt', NETNS_STUDIO_MEMORY: '768' }]) {
      const r = spawnSync(vagrant ?? 'vagrant', ['validate'], {
        cwd: dir,
        env: { ...env, ...extra },
        encoding: 'utf8',
        timeout: 60_000,
      })
      expect(r.stdout + r.stderr).toContain('Vagrantfile validated successfully.')
      expect(r.status).toBe(0)
    }
  }, 90_000)
})

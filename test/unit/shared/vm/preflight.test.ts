// Preflight judgement and the outputs it reads (plugin list, box list, version), on real captures.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isStackFrame, parseRubyCrash } from '../../../../shared/vm/failure'
import { EXPECTED_STEPS, rebootLosesNamespaces } from '../../../../shared/vm/info'
import { parseMachineOutput } from '../../../../shared/vm/machine-readable'
import { BOXES, boxArch, providersWithBox, recommendedBox } from '../../../../shared/vm/boxes'
import type { PreflightFacts, ProviderFacts } from '../../../../shared/vm/preflight'
import {
  compareVersions,
  evaluatePreflight,
  maxVirtualBoxFor,
  parseBoxList,
  parsePluginList,
  parseVagrantVersion,
  PROVIDERS,
} from '../../../../shared/vm/preflight'

const fixture = (name: string): string =>
  readFileSync(join(import.meta.dirname, '../../../fixtures/vagrant', name), 'utf8')

const prov = (p: Partial<ProviderFacts> & Pick<ProviderFacts, 'name'>): ProviderFacts => ({
  installed: true,
  usable: true,
  version: null,
  detail: 'found',
  ...p,
})
const facts = (f: Partial<PreflightFacts> = {}): PreflightFacts => ({
  platform: 'linux',
  arch: 'x64',
  vagrant: { path: '/usr/bin/vagrant', version: '2.3.4' },
  providers: [prov({ name: 'libvirt' })],
  requestedProvider: null,
  customBox: null,
  boxes: [{ name: 'generic/debian12', provider: 'libvirt', version: '4.3.12' }],
  network: null,
  proxy: null,
  downloadMB: null,
  existing: null,
  hypervSwitches: null,
  ...f,
})

describe('outputs preflight reads', () => {
  it('reads the version, plugins and boxes of the real vagrant here', () => {
    expect(parseVagrantVersion(fixture('version.txt'))).toBe('2.3.4')
    expect(parsePluginList(parseMachineOutput(fixture('plugin-list.txt')))).toEqual([
      { name: 'vagrant-libvirt', version: '0.11.2' },
    ])
    expect(parseBoxList(parseMachineOutput(fixture('box-list.txt')))).toEqual([
      { name: 'netns-test-manual', provider: 'libvirt', version: '0' },
    ])
  })

  it('compares versions numerically', () => {
    expect(compareVersions('7.0.10', '7.0.9')).toBe(1)
    expect(compareVersions('6.1', '6.1.0')).toBe(0)
    expect(compareVersions('2.3.4', '2.4.2')).toBe(-1)
  })
})

describe('the box table', () => {
  it('has one box per published provider and CPU, each with its source, hyperv arm64 none', () => {
    for (const b of BOXES) {
      expect(PROVIDERS).toContain(b.provider)
      expect(b.source).toMatch(/^https:\/\/portal\.cloud\.hashicorp\.com\/vagrant\/discover\//)
      expect(BOXES.filter((x) => x.provider === b.provider && x.arch === b.arch)).toHaveLength(1)
    }
    expect(recommendedBox('virtualbox', 'arm64')?.name).toBe('bento/debian-12')
    expect(recommendedBox('libvirt', 'amd64')?.name).toBe('generic/debian12')
    expect(recommendedBox('hyperv', 'amd64')?.name).toBe('generic/debian12')
    expect(recommendedBox('hyperv', 'arm64')).toBeNull()
    expect(providersWithBox('arm64')).not.toContain('hyperv')
    expect(BOXES.some((b) => b.name.endsWith('-arm64'))).toBe(false)
  })

  it("maps Node's CPU names to Vagrant's", () => {
    expect(boxArch('x64')).toBe('amd64')
    expect(boxArch('arm64')).toBe('arm64')
    expect(boxArch('ia32')).toBeNull()
  })
})

describe('evaluatePreflight', () => {
  it('passes with vagrant, a usable provider and the box present, and names the box', () => {
    const r = evaluatePreflight(facts())
    expect(r).toMatchObject({ ok: true, provider: 'libvirt', problems: [] })
    expect(r.box).toEqual({
      name: 'generic/debian12',
      provider: 'libvirt',
      arch: 'amd64',
      custom: false,
      present: true,
      downloadMB: null,
    })
  })

  it("uses the user's own box, present only for the chosen provider", () => {
    const r = evaluatePreflight(
      facts({
        customBox: 'me/box',
        boxes: [{ name: 'me/box', provider: 'virtualbox', version: '1' }],
        network: true,
        downloadMB: 512,
      }),
    )
    expect(r.box).toMatchObject({ name: 'me/box', custom: true, present: false, downloadMB: 512 })
    expect(r.problems).toEqual([
      expect.objectContaining({
        code: 'box-download',
        message: expect.stringContaining('about 512 MB'),
      }),
    ])
  })

  it('a box cached for another CPU is not present (Vagrant 2.4 lists the architecture)', () => {
    const boxes = parseBoxList(
      parseMachineOutput(
        '1790000000,,box-name,bento/debian-12\n1790000000,,box-provider,virtualbox\n1790000000,,box-version,202510.26.0\n1790000000,,box-architecture,arm64\n',
      ),
    )
    const r = evaluatePreflight(
      facts({ providers: [prov({ name: 'virtualbox', version: '7.2.4' })], boxes, network: true }),
    )
    expect(boxes[0]?.architecture).toBe('arm64')
    expect(r.box).toMatchObject({ name: 'bento/debian-12', arch: 'amd64', present: false })
    const arm = evaluatePreflight(
      facts({
        arch: 'arm64',
        vagrant: { path: 'v', version: '2.4.9' },
        providers: [prov({ name: 'virtualbox', version: '7.2.4' })],
        boxes,
      }),
    )
    expect(arm.box).toMatchObject({ arch: 'arm64', present: true })
  })

  it('says how to install vagrant when it is missing', () => {
    const r = evaluatePreflight(facts({ vagrant: null, platform: 'darwin' }))
    expect(r.ok).toBe(false)
    expect(r.problems[0]).toMatchObject({ code: 'vagrant-missing', severity: 'error' })
    expect(r.problems[0]?.action).toContain('brew install --cask vagrant')
  })

  it('reports no provider, and an unusable requested one with its plugin', () => {
    const none = evaluatePreflight(
      facts({
        providers: [prov({ name: 'virtualbox', usable: false, detail: 'VBoxManage not found' })],
      }),
    )
    expect(none.problems.map((p) => p.code)).toEqual(['no-provider'])
    const req = evaluatePreflight(
      facts({
        requestedProvider: 'parallels',
        providers: [
          prov({
            name: 'parallels',
            installed: false,
            usable: false,
            detail: 'plugin vagrant-parallels not installed',
          }),
        ],
      }),
    )
    expect(req.problems[0]?.code).toBe('provider-unusable')
    expect(req.problems[0]?.action).toContain('vagrant plugin install vagrant-parallels')
  })

  it('knows VirtualBox too old for Apple Silicon, too new for this vagrant, and newer than the app knows', () => {
    const vb = (version: string, vagrant = '2.4.9', arch = 'x64'): string[] =>
      evaluatePreflight(
        facts({
          arch,
          platform: arch === 'arm64' ? 'darwin' : 'linux',
          vagrant: { path: 'v', version: vagrant },
          providers: [prov({ name: 'virtualbox', version })],
          boxes: [{ name: 'bento/debian-12', provider: 'virtualbox', version: '1' }],
        }),
      ).problems.map((p) => `${p.severity}:${p.code}`)
    expect(vb('7.0.20', '2.4.9', 'arm64')).toEqual(['error:virtualbox-too-old'])
    expect(vb('7.1.4', '2.3.4')).toEqual(['error:virtualbox-too-new'])
    expect(vb('7.2.4', '2.4.8')).toEqual(['error:virtualbox-too-new'])
    expect(vb('7.2.4', '2.4.9')).toEqual([])
    expect(vb('7.1.4', '2.4.3')).toEqual([])
    expect(vb('7.3.0', '2.4.9')).toEqual(['warning:virtualbox-unknown'])
    expect(vb('8.0.2', '2.4.3')).toEqual(['warning:virtualbox-unknown'])
  })

  it('knows which Vagrant drives which VirtualBox (hashicorp/vagrant CHANGELOG)', () => {
    expect(maxVirtualBoxFor('2.2.6')).toBe('6.0')
    expect(maxVirtualBoxFor('2.3.1')).toBe('6.1')
    expect(maxVirtualBoxFor('2.3.4')).toBe('7.0')
    expect(maxVirtualBoxFor('2.4.8')).toBe('7.1')
    expect(maxVirtualBoxFor('2.4.9')).toBe('7.2')
    expect(maxVirtualBoxFor('2.5.0')).toBe('7.2')
  })

  it('refuses a missing box offline, warns about the download online, and only warns offline when cached', () => {
    const off = evaluatePreflight(facts({ boxes: [], network: false }))
    expect(off.problems[0]).toMatchObject({ code: 'box-offline', severity: 'error' })
    expect(off.problems[0]?.message).toContain('generic/debian12')
    const proxied = evaluatePreflight(
      facts({ boxes: [], network: false, proxy: 'http://proxy:3128' }),
    )
    expect(proxied.problems[0]?.message).toContain('through the proxy http://proxy:3128')
    const on = evaluatePreflight(facts({ boxes: [], network: true }))
    expect(on).toMatchObject({
      ok: true,
      box: { present: false, downloadMB: null },
      problems: [
        {
          code: 'box-download',
          severity: 'warning',
          message: expect.stringContaining('size unknown'),
        },
      ],
    })
    const cached = evaluatePreflight(facts({ network: false }))
    expect(cached).toMatchObject({ ok: true, problems: [{ code: 'offline', severity: 'warning' }] })
  })

  it('an existing VM keeps its provider: a different one in the settings is a warning', () => {
    const r = evaluatePreflight(
      facts({
        existing: { provider: 'libvirt', box: 'generic/debian12' },
        boxes: null,
        requestedProvider: 'virtualbox',
        providers: [prov({ name: 'libvirt' }), prov({ name: 'virtualbox', version: '7.2.4' })],
      }),
    )
    expect(r).toMatchObject({
      ok: true,
      provider: 'libvirt',
      box: { name: 'generic/debian12', present: null },
      problems: [
        {
          code: 'vm-exists-other',
          severity: 'warning',
          message: 'The VM exists with provider libvirt; it keeps using it, not virtualbox.',
          action: 'Destroy the VM to create it again with virtualbox.',
        },
      ],
    })
  })

  it('an existing VM keeps its box: another one in the settings is a warning', () => {
    const r = evaluatePreflight(
      facts({
        existing: { provider: 'libvirt', box: 'generic/debian12' },
        boxes: null,
        customBox: 'me/other',
      }),
    )
    expect(r).toMatchObject({ ok: true, box: { name: 'generic/debian12' } })
    expect(r.problems.map((p) => p.message)).toEqual([
      'The VM exists with box generic/debian12; it keeps using it, not me/other.',
    ])
    expect(
      evaluatePreflight(
        facts({ existing: { provider: 'libvirt', box: 'generic/debian12' }, boxes: null }),
      ).problems,
    ).toEqual([])
  })

  it('a provider without a box for this CPU is an error that names the providers that have one', () => {
    const r = evaluatePreflight(
      facts({
        platform: 'win32',
        arch: 'arm64',
        requestedProvider: 'hyperv',
        providers: [prov({ name: 'hyperv' })],
        boxes: [],
      }),
    )
    expect(r.ok).toBe(false)
    expect(r.problems[0]).toMatchObject({ code: 'no-box', severity: 'error' })
    expect(r.problems[0]?.message).toBe(
      'No box is published for Hyper-V on arm64; boxes exist for VirtualBox, VMware, Parallels, libvirt, QEMU.',
    )
    expect(r.problems[0]?.action).toContain('Settings → VM → Provider')
    // Automatic choice skips it for a provider that has a box.
    const auto = evaluatePreflight(
      facts({
        arch: 'arm64',
        vagrant: { path: 'v', version: '2.4.9' },
        providers: [prov({ name: 'hyperv' }), prov({ name: 'qemu' })],
        boxes: [],
        network: true,
      }),
    )
    expect(auto).toMatchObject({
      ok: true,
      provider: 'qemu',
      box: { name: 'generic/debian12', arch: 'arm64' },
    })
  })

  it('arm64 needs Vagrant 2.4 to download the right build of a multi-arch box', () => {
    const r = evaluatePreflight(
      facts({
        arch: 'arm64',
        vagrant: { path: 'v', version: '2.3.7' },
        providers: [prov({ name: 'parallels' })],
        boxes: [],
        network: true,
      }),
    )
    expect(r.problems.map((p) => p.code)).toEqual(['vagrant-no-arch', 'box-download'])
  })

  it('a provider that is installed but not working is named with why, not "no provider found"', () => {
    const r = evaluatePreflight(
      facts({
        providers: [
          prov({
            name: 'virtualbox',
            installed: true,
            usable: false,
            detail: 'VBoxManage not found',
          }),
          prov({
            name: 'libvirt',
            installed: true,
            usable: false,
            detail: 'libvirtd is not running (virsh -c qemu:///system cannot connect)',
            blocker: 'not-running',
          }),
        ],
      }),
    )
    expect(r.ok).toBe(false)
    expect(r.problems).toHaveLength(1)
    const [p] = r.problems
    expect(p?.code).toBe('provider-unusable')
    expect(p?.message).toContain('libvirt is installed but not running: libvirtd is not running')
    expect(p?.message).not.toContain('No VM provider was found')
    expect(p?.action).toContain('sudo systemctl start libvirtd')
  })
})

describe('the reboot notice rule', () => {
  it('applies to a boot of a guest that ran before, not to a first boot or resume', () => {
    expect(rebootLosesNamespaces('up', 'stopped')).toBe(true)
    expect(rebootLosesNamespaces('reload', 'running')).toBe(true)
    expect(rebootLosesNamespaces('up', 'not_created')).toBe(false)
    expect(rebootLosesNamespaces('resume', 'suspended')).toBe(false)
    expect(rebootLosesNamespaces('up', 'suspended')).toBe(false)
    expect(EXPECTED_STEPS.up.at(-1)).toBe('done')
  })
})

describe('a crashed vagrant', () => {
  it('reads the exception class and message, and knows stack frames', () => {
    expect(
      parseRubyCrash(
        "/usr/lib/ruby/vendor_ruby/fog/libvirt/requests/compute/vm_action.rb:7:in `create': Call to virDomainCreateWithFlags failed: internal error: x (y): Could not set up host forwarding rule 'tcp:127.0.0.1:1-:22' (Libvirt::Error)",
      ),
    ).toEqual({
      type: 'Libvirt::Error',
      message:
        "Call to virDomainCreateWithFlags failed: internal error: x (y): Could not set up host forwarding rule 'tcp:127.0.0.1:1-:22'",
    })
    expect(parseRubyCrash('==> default: Starting domain.')).toBeNull()
    expect(
      isStackFrame(
        "\tfrom /usr/share/rubygems-integration/all/gems/vagrant-2.3.4/lib/vagrant/machine.rb:203:in `action'",
      ),
    ).toBe(true)
    expect(isStackFrame('    default: SSH address: 127.0.0.1:2222')).toBe(false)
  })
})

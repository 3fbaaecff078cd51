// Preflight judgement and the outputs it reads (plugin list, box list, version), on real captures.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isStackFrame, parseRubyCrash } from '../../../../shared/vm/failure'
import { EXPECTED_STEPS, rebootLosesNamespaces } from '../../../../shared/vm/info'
import { parseMachineOutput } from '../../../../shared/vm/machine-readable'
import type { PreflightFacts, ProviderFacts } from '../../../../shared/vm/preflight'
import {
  compareVersions,
  defaultBox,
  evaluatePreflight,
  parseBoxList,
  parsePluginList,
  parseVagrantVersion,
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
  box: { name: 'b', present: true },
  network: null,
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

  it('picks the default box like the Vagrantfile', () => {
    expect(defaultBox('libvirt', 'x64')).toBe('generic/debian12')
    expect(defaultBox(null, 'arm64')).toBe('bento/debian-12-arm64')
    expect(defaultBox('virtualbox', 'x64')).toBe('bento/debian-12')
  })
})

describe('evaluatePreflight', () => {
  it('passes with vagrant, a usable provider and the box present', () => {
    const r = evaluatePreflight(facts())
    expect(r).toMatchObject({ ok: true, provider: 'libvirt', problems: [] })
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

  it('knows VirtualBox too old for Apple Silicon and too new for this vagrant', () => {
    const old = evaluatePreflight(
      facts({
        platform: 'darwin',
        arch: 'arm64',
        providers: [prov({ name: 'virtualbox', version: '7.0.20' })],
      }),
    )
    expect(old.problems.map((p) => p.code)).toEqual(['virtualbox-too-old'])
    const tooNew = evaluatePreflight(
      facts({ providers: [prov({ name: 'virtualbox', version: '7.1.4' })] }),
    )
    expect(tooNew.problems.map((p) => p.code)).toEqual(['virtualbox-too-new'])
    const fine = evaluatePreflight(
      facts({
        vagrant: { path: 'v', version: '2.4.3' },
        providers: [prov({ name: 'virtualbox', version: '7.1.4' })],
      }),
    )
    expect(fine.ok).toBe(true)
  })

  it('refuses a missing box offline and warns about the download online', () => {
    const off = evaluatePreflight(
      facts({ box: { name: 'generic/debian12', present: false }, network: false }),
    )
    expect(off.problems[0]).toMatchObject({ code: 'box-offline', severity: 'error' })
    expect(off.problems[0]?.message).toContain('generic/debian12')
    const on = evaluatePreflight(facts({ box: { name: 'x', present: false }, network: true }))
    expect(on).toMatchObject({
      ok: true,
      problems: [{ code: 'box-download', severity: 'warning' }],
    })
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

// Preflight and failure across platforms these machines cannot run (macOS arm64, Windows) and a
// Linux user outside the libvirt group: facts read by the app's own parsers from captured or
// documented outputs (test/fixtures/vagrant/README.md), each case ending in provider, box, hint.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { failureHint, findErrorExit } from '../../../../shared/vm/failure'
import { parseMachineOutput } from '../../../../shared/vm/machine-readable'
import type { PreflightFacts, ProviderFacts, ProviderName } from '../../../../shared/vm/preflight'
import {
  evaluatePreflight,
  parseBoxList,
  parsePluginList,
  parseVagrantVersion,
  PROVIDER_PLUGINS,
  PROVIDERS,
} from '../../../../shared/vm/preflight'
import {
  hypervFacts,
  libvirtFacts,
  parseHyperVProbe,
  virtualBoxFacts,
} from '../../../../shared/vm/provider-probes'
import { OpOutput } from '../../../../src-main/vm/op-output'

const fixture = (name: string): string =>
  readFileSync(join(import.meta.dirname, '../../../fixtures/vagrant', name), 'utf8')

/** A host as preflight would see it: each provider's facts from its tool's (documented) output. */
interface Host {
  platform: 'darwin' | 'win32' | 'linux'
  arch: 'arm64' | 'x64'
  vagrantVersion: string
  pluginList: string
  /** Tools present besides the plugin: their outputs. */
  vboxVersion?: string
  virsh?: { code: number; stdout: string; stderr: string }
  hypervProbe?: string
  /** Tools found on PATH (vmrun, prlctl, ...): usable without a version. */
  found?: ProviderName[]
  boxList?: string
  requestedProvider?: string | null
}

function factsOf(h: Host): PreflightFacts {
  const plugins = parsePluginList(parseMachineOutput(h.pluginList)).map((p) => p.name)
  const providers: ProviderFacts[] = PROVIDERS.map((name) => {
    const plugin = PROVIDER_PLUGINS[name]
    const installed = plugin === null || plugins.includes(plugin)
    if (name === 'hyperv')
      return h.platform === 'win32'
        ? hypervFacts(h.hypervProbe ? parseHyperVProbe(h.hypervProbe) : null)
        : { name, installed: false, usable: false, version: null, detail: 'Windows only' }
    if (name === 'virtualbox' && h.vboxVersion !== undefined)
      return virtualBoxFacts({ code: 0, stdout: h.vboxVersion, stderr: '' })
    if (name === 'libvirt' && installed && h.virsh) return libvirtFacts(h.virsh)
    if (installed && h.found?.includes(name))
      return { name, installed, usable: true, version: null, detail: 'found' }
    return { name, installed, usable: false, version: null, detail: 'not found' }
  })
  return {
    platform: h.platform,
    arch: h.arch,
    vagrant: { path: 'vagrant', version: parseVagrantVersion(h.vagrantVersion) ?? '' },
    providers,
    requestedProvider: h.requestedProvider ?? null,
    customBox: null,
    boxes: parseBoxList(parseMachineOutput(h.boxList ?? '')),
    network: true,
    proxy: null,
    downloadMB: null,
    existing: null,
    hypervSwitches: h.hypervProbe ? (parseHyperVProbe(h.hypervProbe)?.switches ?? null) : null,
  }
}

/** The failure the app shows for a (documented) output of a failed `up`. */
function failureOf(name: string): ReturnType<OpOutput['failure']> {
  const out = new OpOutput('up', 0)
  for (const l of fixture(name).split('\n')) out.line(l, 1)
  return out.failure({ code: 1, signal: null, cancelled: false }, 2)
}

const none = fixture('doc-plugin-list-none.txt')

describe('macOS on Apple Silicon', () => {
  it('VirtualBox 7.2 with Vagrant 2.4.9: VirtualBox, the arm64 build of bento/debian-12', () => {
    const r = evaluatePreflight(
      factsOf({
        platform: 'darwin',
        arch: 'arm64',
        vagrantVersion: fixture('doc-version-2.4.9.txt'),
        pluginList: none,
        vboxVersion: fixture('doc-vboxmanage-version-7.2.txt'),
      }),
    )
    expect(r).toMatchObject({
      ok: true,
      provider: 'virtualbox',
      box: { name: 'bento/debian-12', provider: 'virtualbox', arch: 'arm64', present: false },
    })
    expect(r.problems.map((p) => p.code)).toEqual(['box-download'])
    expect(r.providers.find((p) => p.name === 'virtualbox')?.version).toBe('7.2.4')
  })

  it('VirtualBox 7.2 with Vagrant 2.4.8 is refused: 7.2 needs 2.4.9', () => {
    const r = evaluatePreflight(
      factsOf({
        platform: 'darwin',
        arch: 'arm64',
        vagrantVersion: fixture('doc-version-2.4.8.txt'),
        pluginList: none,
        vboxVersion: fixture('doc-vboxmanage-version-7.2.txt'),
      }),
    )
    expect(r.ok).toBe(false)
    expect(r.problems[0]).toMatchObject({ code: 'virtualbox-too-new', severity: 'error' })
    expect(r.problems[0]?.message).toContain('7.2 needs Vagrant 2.4.9')
  })

  it('a VirtualBox newer than the app knows is a warning, not a block', () => {
    const r = evaluatePreflight(
      factsOf({
        platform: 'darwin',
        arch: 'arm64',
        vagrantVersion: fixture('doc-version-2.4.9.txt'),
        pluginList: none,
        vboxVersion: fixture('doc-vboxmanage-version-7.3.txt'),
      }),
    )
    expect(r).toMatchObject({ ok: true, provider: 'virtualbox' })
    expect(r.problems.map((p) => `${p.severity}:${p.code}`)).toEqual([
      'warning:virtualbox-unknown',
      'warning:box-download',
    ])
  })

  it('Parallels (vagrant-parallels): Parallels, bento/debian-12 arm64', () => {
    const r = evaluatePreflight(
      factsOf({
        platform: 'darwin',
        arch: 'arm64',
        vagrantVersion: fixture('doc-version-2.4.9.txt'),
        pluginList: fixture('doc-plugin-list-parallels.txt'),
        found: ['parallels'],
      }),
    )
    expect(r).toMatchObject({
      ok: true,
      provider: 'parallels',
      box: { name: 'bento/debian-12', provider: 'parallels', arch: 'arm64' },
    })
  })

  it('VMware Fusion (vagrant-vmware-desktop), box cached: VMware, no download', () => {
    const r = evaluatePreflight(
      factsOf({
        platform: 'darwin',
        arch: 'arm64',
        vagrantVersion: fixture('doc-version-2.4.9.txt'),
        pluginList: fixture('doc-plugin-list-vmware.txt'),
        found: ['vmware_desktop'],
        boxList:
          '1790000000,,box-name,bento/debian-12\n1790000000,,box-provider,vmware_desktop\n1790000000,,box-version,202510.26.0\n1790000000,,box-architecture,arm64\n',
      }),
    )
    expect(r).toMatchObject({
      ok: true,
      provider: 'vmware_desktop',
      box: { name: 'bento/debian-12', arch: 'arm64', present: true },
      problems: [],
    })
  })

  it('a box without the arm64 build for the provider: the failure says so', () => {
    const f = failureOf('doc-box-add-no-architecture.txt')
    expect(f.errorType).toBe('Vagrant::Errors::BoxAddNoMatchingArchitecture')
    expect(f.hint?.code).toBe('box-no-build')
    expect(f.hint?.text).toContain('Settings → VM → Provider')
    // The real capture of a box without the requested provider gives the same hint.
    const real = new OpOutput('up', 0)
    for (const l of fixture('box-add-no-provider.txt').split('\n')) real.line(l, 1)
    expect(real.failure({ code: 1, signal: null, cancelled: false }, 2).hint?.code).toBe(
      'box-no-build',
    )
  })
})

describe('Windows', () => {
  it('Hyper-V as a non-admin: not usable; preflight says how to get the rights', () => {
    const r = evaluatePreflight(
      factsOf({
        platform: 'win32',
        arch: 'x64',
        vagrantVersion: fixture('doc-version-2.4.9.txt'),
        pluginList: none,
        hypervProbe: fixture('doc-hyperv-probe-user.json'),
      }),
    )
    expect(r.providers.find((p) => p.name === 'hyperv')).toMatchObject({
      usable: false,
      blocker: 'not-admin',
    })
    expect(r).toMatchObject({ ok: false, provider: null, box: null })
    expect(r.problems[0]).toMatchObject({ code: 'hyperv-not-admin', severity: 'error' })
    expect(r.problems[0]?.action).toContain('Hyper-V Administrators')
    // ... and if the boot is tried anyway, Vagrant's refusal gets the same hint.
    const f = failureOf('doc-up-hyperv-not-admin.txt')
    expect(f.errorType).toBe('Vagrant::Errors::ProviderNotUsable')
    expect(f.hint?.code).toBe('hyperv-admin')
  })

  it('Hyper-V as a non-admin beside VirtualBox: VirtualBox is chosen (bento/debian-12 amd64)', () => {
    const r = evaluatePreflight(
      factsOf({
        platform: 'win32',
        arch: 'x64',
        vagrantVersion: fixture('doc-version-2.4.9.txt'),
        pluginList: none,
        hypervProbe: fixture('doc-hyperv-probe-user.json'),
        vboxVersion: fixture('doc-vboxmanage-version-7.2.txt'),
      }),
    )
    expect(r).toMatchObject({
      ok: true,
      provider: 'virtualbox',
      box: { name: 'bento/debian-12', arch: 'amd64' },
    })
  })

  it('VirtualBox beside Hyper-V: the boot fails in VirtualBox; the hint names Hyper-V and the way out', () => {
    for (const name of [
      'doc-up-virtualbox-beside-hyperv.txt',
      'doc-up-virtualbox-nem-kernel-api.txt',
      'doc-up-virtualbox-vmx-root.txt',
    ]) {
      const f = failureOf(name)
      expect(f.errorType, name).toBe('Vagrant::Errors::VBoxManageError')
      expect(f.hint?.code, name).toBe('virtualbox-hypervisor')
      expect(f.step, name).toBe('starting')
    }
    expect(failureOf('doc-up-virtualbox-beside-hyperv.txt').hint?.text).toMatch(
      /Hyper-V.*Settings → VM → Provider/,
    )
    // VERR_NEM_NOT_AVAILABLE with VT-x off in the firmware is not Hyper-V.
    expect(failureOf('doc-up-virtualbox-vtx-disabled.txt').hint?.code).toBe(
      'virtualization-disabled',
    )
  })

  it('Hyper-V as admin with several switches: the app picks one instead of letting Vagrant ask', () => {
    const base: Host = {
      platform: 'win32',
      arch: 'x64',
      vagrantVersion: fixture('doc-version-2.4.9.txt'),
      pluginList: none,
      requestedProvider: 'hyperv',
    }
    const several = evaluatePreflight(
      factsOf({ ...base, hypervProbe: fixture('doc-hyperv-probe-admin-switches.json') }),
    )
    expect(several).toMatchObject({
      ok: true,
      provider: 'hyperv',
      box: { name: 'generic/debian12', arch: 'amd64' },
      hypervSwitch: 'External LAN',
    })
    expect(several.problems.map((p) => p.code)).toEqual(['hyperv-switches', 'box-download'])
    const withDefault = evaluatePreflight(
      factsOf({ ...base, hypervProbe: fixture('doc-hyperv-probe-admin-default.json') }),
    )
    expect(withDefault).toMatchObject({ hypervSwitch: 'Default Switch' })
    expect(withDefault.problems.map((p) => p.code)).toEqual(['box-download'])
    const one = evaluatePreflight(
      factsOf({ ...base, hypervProbe: fixture('doc-hyperv-probe-one-switch.json') }),
    )
    expect(one).toMatchObject({ ok: true, hypervSwitch: 'Default Switch' })
    // When Vagrant does stop to ask (a switch named in the Vagrantfile is gone), the hint.
    const f = failureOf('doc-up-hyperv-switches.txt')
    expect(f.errorType).toBe('Vagrant::Errors::UIExpectsTTY')
    expect(f.hint?.code).toBe('hyperv-switch')
  })

  it('Hyper-V turned off: not installed', () => {
    const r = evaluatePreflight(
      factsOf({
        platform: 'win32',
        arch: 'x64',
        vagrantVersion: fixture('doc-version-2.4.9.txt'),
        pluginList: none,
        hypervProbe: fixture('doc-hyperv-probe-off.json'),
      }),
    )
    expect(r.problems.map((p) => p.code)).toEqual(['no-provider'])
    expect(r.problems[0]?.action).toContain('Hyper-V')
  })
})

describe('Linux with libvirt, user not in the libvirt group', () => {
  it('preflight names the group command; the failed boot gets the same hint', () => {
    for (const stderr of [
      'doc-virsh-permission-denied.txt',
      'doc-virsh-polkit.txt',
      'virsh-no-permission.txt',
    ]) {
      const r = evaluatePreflight(
        factsOf({
          platform: 'linux',
          arch: 'x64',
          vagrantVersion: fixture('version.txt'),
          pluginList: fixture('plugin-list.txt'),
          virsh: { code: 1, stdout: '', stderr: fixture(stderr) },
        }),
      )
      expect(r.providers.find((p) => p.name === 'libvirt')).toMatchObject({
        usable: false,
        blocker: 'no-permission',
      })
      expect(r, stderr).toMatchObject({ ok: false, provider: null })
      expect(r.problems[0], stderr).toMatchObject({ code: 'libvirt-permission', severity: 'error' })
      expect(r.problems[0]?.action).toContain('sudo usermod -aG libvirt $USER')
      expect(r.problems[0]?.action).toContain('log out and in')
    }
    const f = failureOf('doc-up-libvirt-permission.txt')
    expect(findErrorExit(parseMachineOutput(fixture('doc-up-libvirt-permission.txt')))?.type).toBe(
      'VagrantPlugins::ProviderLibvirt::Errors::FogLibvirtConnectionError',
    )
    expect(f.hint?.code).toBe('libvirt-permission')
    expect(f.hint?.text).toContain('sudo usermod -aG libvirt $USER')
  })

  it('libvirt in the group: libvirt, generic/debian12', () => {
    const r = evaluatePreflight(
      factsOf({
        platform: 'linux',
        arch: 'x64',
        vagrantVersion: fixture('version.txt'),
        pluginList: fixture('plugin-list.txt'),
        virsh: {
          code: 0,
          stdout:
            'Compiled against library: libvirt 9.0.0\nUsing library: libvirt 9.0.0\nUsing API: QEMU 9.0.0\nRunning hypervisor: QEMU 7.2.19\n',
          stderr: '',
        },
      }),
    )
    expect(r).toMatchObject({
      ok: true,
      provider: 'libvirt',
      box: { name: 'generic/debian12', arch: 'amd64' },
    })
  })
})

describe('every hint points to settings that exist', () => {
  it('mentions only Settings → VM → Provider or Box', () => {
    const texts = [
      'doc-up-hyperv-not-admin.txt',
      'doc-up-virtualbox-beside-hyperv.txt',
      'doc-box-add-no-architecture.txt',
      'up-box-not-found.txt',
    ].map((n) => failureOf(n).hint?.text ?? '')
    texts.push(failureHint('Vagrant::Errors::ProviderNotFound', null, [])?.text ?? '')
    for (const t of texts)
      for (const m of t.matchAll(/Settings[^.,;]*/g))
        expect(m[0]).toMatch(/^Settings → VM → (Provider|Box)/)
    expect(texts.join('\n')).not.toMatch(/NETNS_STUDIO_/)
  })
})

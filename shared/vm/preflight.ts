// Preflight before `vagrant up`: from facts main gathered (vagrant and its version, providers,
// box, network), the problems a user can act on. Pure; its parts (types, versions, parsers,
// choices, hints) live in preflight-*.ts and providers.ts and are re-exported from here.

import { boxArch, isMultiArch, providersWithBox } from './boxes'
import {
  boxListed,
  chooseBox,
  chooseHyperVSwitch,
  chooseProvider,
  PREFERENCE,
} from './preflight-choice'
import {
  blockerProblem,
  providerList,
  SETTINGS_BOX,
  SETTINGS_PROVIDER,
  vagrantInstallHint,
} from './preflight-hints'
import type {
  BoxChoice,
  PreflightFacts,
  PreflightProblem,
  PreflightReport,
} from './preflight-types'
import {
  compareVersions,
  maxVirtualBoxFor,
  minVirtualBox,
  VAGRANT_ARCH_SUPPORT,
  VIRTUALBOX_SUPPORT,
} from './preflight-versions'
import { PROVIDER_LABELS, PROVIDER_PLUGINS, type ProviderName } from './providers'

// Everything preflight offers stays importable from here.
export { PROVIDER_LABELS, PROVIDER_PLUGINS, PROVIDERS, type ProviderName } from './providers'
export type {
  BoxChoice,
  HyperVSwitch,
  ListedBox,
  PreflightCode,
  PreflightFacts,
  PreflightProblem,
  PreflightReport,
  ProviderBlocker,
  ProviderFacts,
} from './preflight-types'
export {
  compareVersions,
  maxVirtualBoxFor,
  minVirtualBox,
  parseVagrantVersion,
  VAGRANT_ARCH_SUPPORT,
  VIRTUALBOX_SUPPORT,
} from './preflight-versions'
export { parseBoxList, parsePluginList } from './preflight-parsers'
export { SETTINGS_BOX, SETTINGS_PROVIDER, vagrantInstallHint } from './preflight-hints'
export {
  boxListed,
  chooseBox,
  chooseHyperVSwitch,
  chooseProvider,
  PREFERENCE,
} from './preflight-choice'

/** The problems, worst first, and the provider and box to use. */
export function evaluatePreflight(f: PreflightFacts): PreflightReport {
  const problems: PreflightProblem[] = []
  const report = (
    provider: ProviderName | null,
    box: BoxChoice | null = null,
    hypervSwitch: string | null = null,
  ): PreflightReport => {
    const order = (p: PreflightProblem): number => (p.severity === 'error' ? 0 : 1)
    problems.sort((a, b) => order(a) - order(b))
    return {
      ok: !problems.some((p) => p.severity === 'error'),
      vagrant: f.vagrant,
      providers: f.providers,
      provider,
      box,
      hypervSwitch,
      problems,
    }
  }
  if (!f.vagrant) {
    problems.push({
      code: 'vagrant-missing',
      severity: 'error',
      message: 'Vagrant is not installed (no `vagrant` on the PATH).',
      action: vagrantInstallHint(f.platform),
    })
    return report(null)
  }
  const vagrantVersion = f.vagrant.version
  if (compareVersions(vagrantVersion, '2.2.0') < 0)
    problems.push({
      code: 'vagrant-old',
      severity: 'warning',
      message: `Vagrant ${vagrantVersion} is old; the app is tested with 2.3 and later.`,
      action: 'Update Vagrant from https://developer.hashicorp.com/vagrant/install.',
    })
  const arch = boxArch(f.arch)
  if (!arch) {
    problems.push({
      code: 'unsupported-cpu',
      severity: 'error',
      message: `This computer's CPU (${f.arch}) has no Vagrant boxes the app knows; it needs x86-64 or arm64.`,
      action:
        'Run the app on an x86-64 or arm64 computer, or connect to a Linux host over SSH instead.',
    })
    return report(null)
  }

  const pick = chooseProvider(f)
  const requested = f.requestedProvider
  if (f.existing?.provider && requested && requested !== f.existing.provider)
    problems.push({
      code: 'vm-exists-other',
      severity: 'warning',
      message: `The VM exists with provider ${f.existing.provider}; it keeps using it, not ${requested}.`,
      action: `Destroy the VM to create it again with ${requested}.`,
    })
  if (!pick || !pick.installed || !pick.usable) {
    const named = f.existing?.provider ?? requested
    const blocked = pick
      ? blockerProblem(pick)
      : named
        ? null
        : PREFERENCE.map((n) => f.providers.find((p) => p.name === n && p.installed && p.blocker))
            .map((p) => (p ? blockerProblem(p) : null))
            .find((p) => p)
    if (blocked) problems.push(blocked)
    else if (named) {
      const plugin = PROVIDER_PLUGINS[named as ProviderName]
      problems.push({
        code: 'provider-unusable',
        severity: 'error',
        message: `The ${named} provider is not usable: ${pick?.detail ?? 'Vagrant does not know it'}.`,
        action:
          plugin && pick && !pick.installed
            ? `Install its plugin: \`vagrant plugin install ${plugin}\`, or choose another provider in ${SETTINGS_PROVIDER}.`
            : `Install ${named}, or choose another provider in ${SETTINGS_PROVIDER}.`,
      })
    } else {
      const withBox = providersWithBox(arch)
      const found = f.providers.filter((p) => p.installed && p.usable).map((p) => p.name)
      problems.push({
        code: found.length > 0 ? 'no-box' : 'no-provider',
        severity: 'error',
        message:
          found.length > 0
            ? `No box is published for ${providerList(found)} on ${arch}; boxes exist for ${providerList(withBox)}.`
            : 'No VM provider was found (VirtualBox, VMware, Parallels, libvirt, Hyper-V or QEMU).',
        action:
          found.length > 0
            ? `Install one of ${providerList(withBox)}, or set a box of your own in ${SETTINGS_BOX}.`
            : f.platform === 'darwin' && arch === 'arm64'
              ? 'Install VirtualBox 7.1.6 or later, VMware Fusion (with `vagrant plugin install vagrant-vmware-desktop`) or Parallels (with `vagrant plugin install vagrant-parallels`).'
              : f.platform === 'win32'
                ? 'Install VirtualBox (https://www.virtualbox.org/wiki/Downloads), or turn on Hyper-V in the Windows features.'
                : 'Install VirtualBox (https://www.virtualbox.org/wiki/Downloads), or libvirt with `vagrant plugin install vagrant-libvirt` on Linux.',
      })
    }
    return report(null)
  }

  if (pick.name === 'virtualbox' && pick.version) {
    const min = minVirtualBox(f.platform, arch)
    const max = maxVirtualBoxFor(vagrantVersion)
    const newest = VIRTUALBOX_SUPPORT[VIRTUALBOX_SUPPORT.length - 1]?.virtualbox ?? max
    const minor = pick.version.split('.').slice(0, 2).join('.')
    if (compareVersions(pick.version, min) < 0)
      problems.push({
        code: 'virtualbox-too-old',
        severity: 'error',
        message: `VirtualBox ${pick.version} is too old for this computer (needs ${min} or later).`,
        action: 'Update VirtualBox from https://www.virtualbox.org/wiki/Downloads.',
      })
    else if (compareVersions(minor, newest) > 0)
      problems.push({
        code: 'virtualbox-unknown',
        severity: 'warning',
        message: `VirtualBox ${pick.version} is newer than the versions the app knows (up to ${newest}); Vagrant ${vagrantVersion} may not support it yet.`,
        action:
          'Try the boot. If Vagrant says the VirtualBox version is not supported, update Vagrant from https://developer.hashicorp.com/vagrant/install.',
      })
    else if (compareVersions(minor, max) > 0) {
      const needs = VIRTUALBOX_SUPPORT.find((r) => r.virtualbox === minor)?.vagrant
      problems.push({
        code: 'virtualbox-too-new',
        severity: 'error',
        message: `Vagrant ${vagrantVersion} does not support VirtualBox ${pick.version} (it knows up to ${max}${needs ? `; ${minor} needs Vagrant ${needs}` : ''}).`,
        action: 'Update Vagrant from https://developer.hashicorp.com/vagrant/install.',
      })
    }
  }

  let hypervSwitch: string | null = null
  if (pick.name === 'hyperv' && f.hypervSwitches) {
    hypervSwitch = chooseHyperVSwitch(f.hypervSwitches)
    if (f.hypervSwitches.length === 0)
      problems.push({
        code: 'hyperv-no-switch',
        severity: 'error',
        message: 'Hyper-V has no virtual switch, so the VM would have no network.',
        action:
          'Open Hyper-V Manager → Virtual Switch Manager and create a switch (an "External" one, or turn on the "Default Switch" by updating Windows).',
      })
    else if (f.hypervSwitches.length > 1 && hypervSwitch?.toLowerCase() !== 'default switch')
      problems.push({
        code: 'hyperv-switches',
        severity: 'warning',
        message: `Hyper-V has several virtual switches (${f.hypervSwitches.map((s) => s.name).join(', ')}) and no "Default Switch"; the VM will use "${hypervSwitch ?? ''}".`,
        action:
          'If the VM gets no address on that switch, remove the switches you do not need in Hyper-V Manager → Virtual Switch Manager.',
      })
  }

  const wanted = chooseBox(f, pick.name)
  if (f.existing?.box && wanted && wanted.name !== f.existing.box)
    problems.push({
      code: 'vm-exists-other',
      severity: 'warning',
      message: `The VM exists with box ${f.existing.box}; it keeps using it, not ${wanted.name}.`,
      action: `Destroy the VM to create it again from ${wanted.name}.`,
    })
  const chosen = f.existing ? null : wanted
  if (!f.existing && !chosen) {
    const withBox = providersWithBox(arch)
    problems.push({
      code: 'no-box',
      severity: 'error',
      message: `No box is published for ${PROVIDER_LABELS[pick.name]} on ${arch}; boxes exist for ${providerList(withBox)}.`,
      action: `Choose one of ${providerList(withBox)} in ${SETTINGS_PROVIDER}, or set a box of your own in ${SETTINGS_BOX}.`,
    })
    return report(pick.name, null, hypervSwitch)
  }
  const name = chosen?.name ?? f.existing?.box ?? null
  const present = f.existing || !f.boxes || !name ? null : boxListed(f.boxes, name, pick.name, arch)
  const box: BoxChoice | null = name
    ? {
        name,
        provider: pick.name,
        arch,
        custom: chosen?.custom ?? false,
        present,
        downloadMB: f.downloadMB ?? chosen?.downloadMB ?? null,
      }
    : null
  const via = f.proxy ? ` (through the proxy ${f.proxy})` : ''
  if (box && present === false) {
    if (
      arch === 'arm64' &&
      isMultiArch(box.name) &&
      compareVersions(vagrantVersion, VAGRANT_ARCH_SUPPORT) < 0
    )
      problems.push({
        code: 'vagrant-no-arch',
        severity: 'error',
        message: `Vagrant ${vagrantVersion} cannot pick the arm64 build of "${box.name}" (it would download the amd64 one); that needs Vagrant ${VAGRANT_ARCH_SUPPORT} or later.`,
        action: 'Update Vagrant from https://developer.hashicorp.com/vagrant/install.',
      })
    if (f.network === false)
      problems.push({
        code: 'box-offline',
        severity: 'error',
        message: `The box "${box.name}" is not on this computer and the box catalog cannot be reached${via}.`,
        action: f.proxy
          ? 'Check the proxy (HTTPS_PROXY) and the connection, or add a box file with `vagrant box add NAME FILE`.'
          : 'Connect to the internet once so Vagrant can download it (behind a proxy, set HTTPS_PROXY before starting the app), or add a box file with `vagrant box add NAME FILE`.',
      })
    else
      problems.push({
        code: 'box-download',
        severity: 'warning',
        message: `The box "${box.name}" (${box.downloadMB !== null ? `about ${box.downloadMB} MB` : 'size unknown'}) will be downloaded first.`,
        action: 'Stay online during the first boot.',
      })
  } else if (f.network === false && !f.existing)
    problems.push({
      code: 'offline',
      severity: 'warning',
      message: `The box catalog cannot be reached${via}; the box is on this computer, so the VM can still boot.`,
      action:
        'If the box lacks some networking tools, the first boot cannot install them without the network: connect, or set HTTPS_PROXY before starting the app.',
    })
  return report(pick.name, box, hypervSwitch)
}

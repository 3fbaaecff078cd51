// Preflight before `vagrant up`: from facts main gathered (vagrant and its version, providers,
// box, network), the problems a user can act on. Pure, plus parsers of the outputs it reads.

import type { MachineLine } from './machine-readable'

/** Providers the app's Vagrantfile has a block for. */
export type ProviderName =
  'virtualbox' | 'libvirt' | 'vmware_desktop' | 'parallels' | 'hyperv' | 'qemu'

export const PROVIDERS: readonly ProviderName[] = [
  'virtualbox',
  'libvirt',
  'vmware_desktop',
  'parallels',
  'hyperv',
  'qemu',
]

/** What main found out about one provider. */
export interface ProviderFacts {
  name: ProviderName
  /** Built into Vagrant or its plugin is installed. */
  installed: boolean
  /** Its hypervisor tool was found (VBoxManage, virsh, vmrun, prlctl, qemu-system-*, Hyper-V). */
  usable: boolean
  /** Hypervisor version, when known (e.g. VirtualBox "7.0.20"). */
  version: string | null
  /** What was checked, in words. */
  detail: string
}

/** Everything preflight looks at. */
export interface PreflightFacts {
  /** process.platform and process.arch of this computer. */
  platform: string
  arch: string
  vagrant: { path: string; version: string } | null
  providers: ProviderFacts[]
  /** The provider the user or settings asked for (NETNS_STUDIO_PROVIDER), if any. */
  requestedProvider: string | null
  /** The box the VM needs, and whether `vagrant box list` has it (null: not checked, VM exists). */
  box: { name: string; present: boolean } | null
  /** Whether the box catalog answered (null: not checked). */
  network: boolean | null
}

export type PreflightCode =
  | 'vagrant-missing'
  | 'vagrant-old'
  | 'no-provider'
  | 'provider-unusable'
  | 'virtualbox-too-old'
  | 'virtualbox-too-new'
  | 'box-offline'
  | 'box-download'

/** One thing that stops (`error`) or slows (`warning`) the boot, with what to do about it. */
export interface PreflightProblem {
  code: PreflightCode
  severity: 'error' | 'warning'
  message: string
  action: string
}

/** The box `up` will use: chosen per provider and CPU architecture (or the user's own). */
export interface BoxChoice {
  name: string
  provider: ProviderName
  /** Vagrant's architecture word for this computer's CPU. */
  arch: 'amd64' | 'arm64'
  /** The user set this box in the settings (not the app's recommendation). */
  custom: boolean
  /** `vagrant box list` has it for this provider (null: not checked, the VM already exists). */
  present: boolean | null
  /** Approximate download size in MB, when the box's page says it. */
  downloadMB: number | null
}

export interface PreflightReport {
  /** No `error` problems: `up` can be tried. */
  ok: boolean
  vagrant: { path: string; version: string } | null
  providers: ProviderFacts[]
  /** The provider `up` will use, when one is usable. */
  provider: ProviderName | null
  /** The box `up` will use, when a provider was chosen. */
  box: BoxChoice | null
  problems: PreflightProblem[]
}

/** "Vagrant 2.3.4" → "2.3.4". */
export function parseVagrantVersion(text: string): string | null {
  const m = /Vagrant\s+(\d+\.\d+\.\d+)/.exec(text)
  return m?.[1] ?? null
}

/** Compare dotted versions numerically ("7.0.10" > "7.0.9"); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.\-_r]/).map((x) => parseInt(x, 10) || 0)
  const pb = b.split(/[.\-_r]/).map((x) => parseInt(x, 10) || 0)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return 0
}

/** Installed plugin names from `vagrant plugin list --machine-readable`. */
export function parsePluginList(lines: MachineLine[]): Array<{ name: string; version: string }> {
  const out: Array<{ name: string; version: string }> = []
  for (const l of lines) {
    if (l.type === 'plugin-name' && l.data[0]) out.push({ name: l.data[0], version: '' })
    if (l.type === 'plugin-version' && l.data[0]) {
      const p = out.find((x) => x.name === l.target)
      if (p) p.version = (l.data[0].split(',')[0] ?? '').trim()
    }
  }
  return out
}

/** Boxes from `vagrant box list --machine-readable`. */
export function parseBoxList(
  lines: MachineLine[],
): Array<{ name: string; provider: string; version: string }> {
  const out: Array<{ name: string; provider: string; version: string }> = []
  for (const l of lines) {
    const v = l.data[0] ?? ''
    if (l.type === 'box-name') out.push({ name: v, provider: '', version: '' })
    const last = out[out.length - 1]
    if (last && l.type === 'box-provider') last.provider = v
    if (last && l.type === 'box-version') last.version = v
  }
  return out
}

/** The plugin that brings each non-builtin provider. */
export const PROVIDER_PLUGINS: Record<ProviderName, string | null> = {
  virtualbox: null,
  hyperv: null,
  libvirt: 'vagrant-libvirt',
  vmware_desktop: 'vagrant-vmware-desktop',
  parallels: 'vagrant-parallels',
  qemu: 'vagrant-qemu',
}

/** The box the app's Vagrantfile picks when NETNS_STUDIO_BOX is not set (mirrors its logic). */
export function defaultBox(provider: string | null, arch: string): string {
  const arm = /arm|aarch64/.test(arch)
  if ((provider === 'libvirt' || provider === 'hyperv') && !arm) return 'generic/debian12'
  return arm ? 'bento/debian-12-arm64' : 'bento/debian-12'
}

/** How to install Vagrant, per platform. */
export function vagrantInstallHint(platform: string): string {
  if (platform === 'darwin')
    return 'Install Vagrant with `brew install --cask vagrant` or from https://developer.hashicorp.com/vagrant/install, then restart the app.'
  if (platform === 'win32')
    return 'Install Vagrant from https://developer.hashicorp.com/vagrant/install (or `winget install Hashicorp.Vagrant`), then restart the app.'
  return 'Install Vagrant (Debian/Ubuntu: `sudo apt install vagrant`; others: https://developer.hashicorp.com/vagrant/install), or set its path in the settings.'
}

/** Lowest VirtualBox that runs guests on this host (Apple Silicon needs 7.1). */
export function minVirtualBox(platform: string, arch: string): string {
  return platform === 'darwin' && arch === 'arm64' ? '7.1.0' : '6.1.0'
}

/** Highest VirtualBox major.minor a Vagrant version knows how to drive. */
export function maxVirtualBoxFor(vagrantVersion: string): string {
  if (compareVersions(vagrantVersion, '2.4.2') >= 0) return '7.1'
  if (compareVersions(vagrantVersion, '2.3.0') >= 0) return '7.0'
  return '6.1'
}

const PREFERENCE: ProviderName[] = [
  'virtualbox',
  'vmware_desktop',
  'parallels',
  'libvirt',
  'hyperv',
  'qemu',
]

/** The problems, worst first, and the provider to use. */
export function evaluatePreflight(f: PreflightFacts): PreflightReport {
  const problems: PreflightProblem[] = []
  const report = (provider: ProviderName | null): PreflightReport => ({
    ok: !problems.some((p) => p.severity === 'error'),
    vagrant: f.vagrant,
    providers: f.providers,
    provider,
    box: null,
    problems,
  })
  if (!f.vagrant) {
    problems.push({
      code: 'vagrant-missing',
      severity: 'error',
      message: 'Vagrant is not installed (no `vagrant` on the PATH).',
      action: vagrantInstallHint(f.platform),
    })
    return report(null)
  }
  if (compareVersions(f.vagrant.version, '2.2.0') < 0)
    problems.push({
      code: 'vagrant-old',
      severity: 'warning',
      message: `Vagrant ${f.vagrant.version} is old; the app is tested with 2.3 and later.`,
      action: 'Update Vagrant from https://developer.hashicorp.com/vagrant/install.',
    })

  const requested = f.requestedProvider
  const pick = requested
    ? f.providers.find((p) => p.name === requested)
    : PREFERENCE.map((n) => f.providers.find((p) => p.name === n && p.installed && p.usable)).find(
        (p) => p,
      )
  if (!pick || !pick.installed || !pick.usable) {
    if (requested) {
      const plugin = PROVIDER_PLUGINS[requested as ProviderName]
      problems.push({
        code: 'provider-unusable',
        severity: 'error',
        message: `The ${requested} provider is not usable: ${pick?.detail ?? 'Vagrant does not know it'}.`,
        action:
          plugin && !pick?.installed
            ? `Install its plugin: \`vagrant plugin install ${plugin}\`.`
            : `Install ${requested} or choose another provider.`,
      })
    } else
      problems.push({
        code: 'no-provider',
        severity: 'error',
        message:
          'No VM provider was found (VirtualBox, VMware, Parallels, libvirt, Hyper-V or QEMU).',
        action:
          f.platform === 'darwin' && f.arch === 'arm64'
            ? 'Install VirtualBox 7.1 or later, VMware Fusion (with `vagrant plugin install vagrant-vmware-desktop`) or Parallels.'
            : 'Install VirtualBox (https://www.virtualbox.org/wiki/Downloads), or libvirt with `vagrant plugin install vagrant-libvirt` on Linux.',
      })
    return report(null)
  }

  if (pick.name === 'virtualbox' && pick.version) {
    const min = minVirtualBox(f.platform, f.arch)
    const max = maxVirtualBoxFor(f.vagrant.version)
    if (compareVersions(pick.version, min) < 0)
      problems.push({
        code: 'virtualbox-too-old',
        severity: 'error',
        message: `VirtualBox ${pick.version} is too old for this computer (needs ${min} or later).`,
        action: 'Update VirtualBox from https://www.virtualbox.org/wiki/Downloads.',
      })
    else if (compareVersions(pick.version.split('.').slice(0, 2).join('.'), max) > 0)
      problems.push({
        code: 'virtualbox-too-new',
        severity: 'error',
        message: `Vagrant ${f.vagrant.version} does not support VirtualBox ${pick.version} (it knows up to ${max}).`,
        action: 'Update Vagrant from https://developer.hashicorp.com/vagrant/install.',
      })
  }

  if (f.box && !f.box.present) {
    if (f.network === false)
      problems.push({
        code: 'box-offline',
        severity: 'error',
        message: `The box "${f.box.name}" is not on this computer and the box catalog cannot be reached.`,
        action:
          'Connect to the internet once so Vagrant can download it, or add a box file with `vagrant box add NAME FILE`.',
      })
    else
      problems.push({
        code: 'box-download',
        severity: 'warning',
        message: `The box "${f.box.name}" will be downloaded first (several hundred MB).`,
        action: 'Stay online during the first boot.',
      })
  }
  return report(pick.name)
}

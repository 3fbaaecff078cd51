// Preflight before `vagrant up`: from facts main gathered (vagrant and its version, providers,
// box, network), the problems a user can act on. Pure, plus parsers of the outputs it reads.

import { boxArch, isMultiArch, providersWithBox, recommendedBox } from './boxes'
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

/** Why a provider cannot be used, when the app knows the fix. */
export type ProviderBlocker =
  /** Hyper-V: the user is neither an administrator nor in "Hyper-V Administrators". */
  | 'not-admin'
  /** libvirt: the user may not open qemu:///system (not in the `libvirt` group). */
  | 'no-permission'
  /** libvirt: installed, but its daemon does not answer (libvirtd not started). */
  | 'not-running'

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
  /** Why it is not usable, when the app knows the fix (absent: no known blocker). */
  blocker?: ProviderBlocker | null
}

/** A box `vagrant box list` has. `architecture` is absent before Vagrant 2.4 ("n/a": none set). */
export interface ListedBox {
  name: string
  provider: string
  version: string
  architecture?: string
}

/** Everything preflight looks at. */
export interface PreflightFacts {
  /** process.platform and process.arch of this computer. */
  platform: string
  arch: string
  vagrant: { path: string; version: string } | null
  providers: ProviderFacts[]
  /** The provider the user asked for (settings, NETNS_STUDIO_PROVIDER), if any. */
  requestedProvider: string | null
  /** The user's own box (settings or NETNS_STUDIO_BOX); null: the app's recommendation. */
  customBox: string | null
  /** The boxes Vagrant has (null: not listed, e.g. because the VM already exists). */
  boxes: ListedBox[] | null
  /** Whether the box catalog answered, directly or through the proxy (null: not checked). */
  network: boolean | null
  /** The proxy the check went through ("http://host:port", no credentials), or null. */
  proxy: string | null
  /** The chosen box's download size measured from the catalog, in MB (null: unknown). */
  downloadMB: number | null
  /** The VM exists already: the provider it was created with, and its box when known. */
  existing: { provider: string | null; box: string | null } | null
  /** Hyper-V's virtual switches (null: not read, e.g. not Windows or not allowed). */
  hypervSwitches: HyperVSwitch[] | null
}

/** One Hyper-V virtual switch (`Get-VMSwitch`). */
export interface HyperVSwitch {
  name: string
  /** "External", "Internal" or "Private". */
  type: string
}

export type PreflightCode =
  | 'vagrant-missing'
  | 'vagrant-old'
  | 'vagrant-no-arch'
  | 'unsupported-cpu'
  | 'no-provider'
  | 'provider-unusable'
  | 'hyperv-not-admin'
  | 'hyperv-no-switch'
  | 'hyperv-switches'
  | 'libvirt-permission'
  | 'virtualbox-too-old'
  | 'virtualbox-too-new'
  | 'virtualbox-unknown'
  | 'no-box'
  | 'vm-exists-other'
  | 'box-offline'
  | 'box-download'
  | 'offline'

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
  /** Approximate download size in MB, when the box's page says it or the catalog was asked. */
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
  /** Hyper-V only: the virtual switch the VM will be attached to (null: Vagrant's choice). */
  hypervSwitch: string | null
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

/** Boxes from `vagrant box list --machine-readable` (with `box-architecture` from Vagrant 2.4). */
export function parseBoxList(lines: MachineLine[]): ListedBox[] {
  const out: ListedBox[] = []
  for (const l of lines) {
    const v = l.data[0] ?? ''
    if (l.type === 'box-name') out.push({ name: v, provider: '', version: '' })
    const last = out[out.length - 1]
    if (last && l.type === 'box-provider') last.provider = v
    if (last && l.type === 'box-version') last.version = v
    if (last && l.type === 'box-architecture') last.architecture = v
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

/** Names users know the providers by. */
export const PROVIDER_LABELS: Record<ProviderName, string> = {
  virtualbox: 'VirtualBox',
  libvirt: 'libvirt',
  vmware_desktop: 'VMware',
  parallels: 'Parallels',
  hyperv: 'Hyper-V',
  qemu: 'QEMU',
}

/** Where the UI lets the user change the VM's provider and box (the hints point there). */
export const SETTINGS_PROVIDER = 'Settings → VM → Provider'
export const SETTINGS_BOX = 'Settings → VM → Box'

/** How to install Vagrant, per platform. */
export function vagrantInstallHint(platform: string): string {
  if (platform === 'darwin')
    return 'Install Vagrant with `brew install --cask vagrant` or from https://developer.hashicorp.com/vagrant/install, then restart the app.'
  if (platform === 'win32')
    return 'Install Vagrant from https://developer.hashicorp.com/vagrant/install (or `winget install Hashicorp.Vagrant`), then restart the app.'
  return 'Install Vagrant (Debian/Ubuntu: `sudo apt install vagrant`; others: https://developer.hashicorp.com/vagrant/install), or set its path in the settings.'
}

/**
 * Lowest VirtualBox for this host: Apple Silicon needs 7.1, and the arm64 build of
 * bento/debian-12 needs 7.1.6 ("Virtualbox 7.1.6+ required for arm64 support", chef/bento README).
 */
export function minVirtualBox(platform: string, arch: string): string {
  if (arch === 'arm64') return '7.1.6'
  return '6.1.0'
}

/**
 * The first Vagrant release that drives each VirtualBox major.minor, from hashicorp/vagrant
 * CHANGELOG.md ("provider/virtualbox: Add support for VirtualBox X") and the driver map in
 * plugins/providers/virtualbox/driver/meta.rb (v2.4.9: "4.0" … "7.2"; any other version raises
 * Vagrant::Errors::VirtualBoxInvalidVersion). 6.1: v2.2.7 (commit fb4e6985, "Add VirtualBox
 * provider support for version 6.1.x"); 7.0: 2.3.2 (GH-12947); 7.1: 2.4.2 (GH-13513);
 * 7.2: 2.4.9, August 21, 2025 (GH-13709).
 */
export const VIRTUALBOX_SUPPORT: ReadonlyArray<{ virtualbox: string; vagrant: string }> = [
  { virtualbox: '6.0', vagrant: '2.2.1' },
  { virtualbox: '6.1', vagrant: '2.2.7' },
  { virtualbox: '7.0', vagrant: '2.3.2' },
  { virtualbox: '7.1', vagrant: '2.4.2' },
  { virtualbox: '7.2', vagrant: '2.4.9' },
]

/** Highest VirtualBox major.minor a Vagrant version knows how to drive. */
export function maxVirtualBoxFor(vagrantVersion: string): string {
  let max = '5.2'
  for (const r of VIRTUALBOX_SUPPORT)
    if (compareVersions(vagrantVersion, r.vagrant) >= 0) max = r.virtualbox
  return max
}

/** The first Vagrant that can pick a box's build by CPU architecture (`--architecture`). */
export const VAGRANT_ARCH_SUPPORT = '2.4.0'

/** Order in which an automatic choice tries the usable providers. */
export const PREFERENCE: readonly ProviderName[] = [
  'virtualbox',
  'vmware_desktop',
  'parallels',
  'libvirt',
  'hyperv',
  'qemu',
]

/** The Hyper-V switch the VM should use: "Default Switch" (NAT), else an external one, else any. */
export function chooseHyperVSwitch(switches: readonly HyperVSwitch[]): string | null {
  const byName = switches.find((s) => s.name.toLowerCase() === 'default switch')
  return (byName ?? switches.find((s) => s.type === 'External') ?? switches[0])?.name ?? null
}

/** The provider preflight picks, and the facts about it (null: none usable). */
export function chooseProvider(f: PreflightFacts): ProviderFacts | null {
  const arch = boxArch(f.arch)
  const want = f.existing?.provider ?? f.requestedProvider
  if (want) return f.providers.find((p) => p.name === want) ?? null
  const usable = (p: ProviderFacts | undefined): boolean =>
    !!p &&
    p.installed &&
    p.usable &&
    (f.customBox !== null || (!!arch && !!recommendedBox(p.name, arch)))
  for (const n of PREFERENCE) {
    const p = f.providers.find((x) => x.name === n)
    if (usable(p)) return p ?? null
  }
  return null
}

/** The box `up` would use with this provider (name, custom), or null when none is published. */
export function chooseBox(
  f: Pick<PreflightFacts, 'arch' | 'customBox'>,
  provider: ProviderName,
): { name: string; custom: boolean; downloadMB: number | null } | null {
  if (f.customBox) return { name: f.customBox, custom: true, downloadMB: null }
  const arch = boxArch(f.arch)
  const entry = arch ? recommendedBox(provider, arch) : null
  return entry ? { name: entry.name, custom: false, downloadMB: entry.downloadMB } : null
}

/** Whether `vagrant box list` has this box for the provider and CPU. */
export function boxListed(
  boxes: readonly ListedBox[],
  name: string,
  provider: string,
  arch: string,
): boolean {
  return boxes.some(
    (b) =>
      b.name === name &&
      b.provider === provider &&
      (b.architecture === undefined || b.architecture === 'n/a' || b.architecture === arch),
  )
}

const providerList = (names: readonly ProviderName[]): string =>
  names.map((n) => PROVIDER_LABELS[n]).join(', ')

function blockerProblem(p: ProviderFacts): PreflightProblem | null {
  if (p.blocker === 'not-admin')
    return {
      code: 'hyperv-not-admin',
      severity: 'error',
      message:
        'Hyper-V needs administrator rights: this Windows user is neither an administrator nor in the "Hyper-V Administrators" group.',
      action:
        'Add the user to "Hyper-V Administrators" (Computer Management → Local Users and Groups; or as admin `net localgroup "Hyper-V Administrators" %USERNAME% /add`), then sign out and in. Or choose VirtualBox or VMware in ' +
        SETTINGS_PROVIDER +
        '.',
    }
  if (p.blocker === 'no-permission')
    return {
      code: 'libvirt-permission',
      severity: 'error',
      message: `libvirt refuses this user (${p.detail}).`,
      action:
        'Add yourself to the libvirt group: `sudo usermod -aG libvirt $USER`, then log out and in again (or reboot) so the new group applies.',
    }
  if (p.blocker === 'not-running')
    return {
      code: 'provider-unusable',
      severity: 'error',
      message: `libvirt is installed but not running: ${p.detail}.`,
      action:
        'Start it with `sudo systemctl start libvirtd` (or `sudo systemctl enable --now libvirtd` to keep it started); `virsh -c qemu:///system version` should then answer. Or choose another provider in ' +
        SETTINGS_PROVIDER +
        '.',
    }
  return null
}

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

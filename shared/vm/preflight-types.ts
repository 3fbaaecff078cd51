// The shapes preflight works with: the facts main gathers about vagrant, providers, boxes and
// network, and the report (problems, provider and box) it turns them into. Types only.

import type { ProviderName } from './providers'

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

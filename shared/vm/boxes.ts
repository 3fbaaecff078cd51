// The Debian 12 box the app recommends per provider and CPU architecture: only pairs whose box
// really publishes a build, each with its source. The app's Vagrantfile holds the same table (a
// unit test evaluates it with Ruby and compares). Pure.

import type { ProviderName } from './providers'

/** Vagrant's words for the CPU architectures the app supports (`--architecture`, box metadata). */
export type BoxArch = 'amd64' | 'arm64'

/** One recommended box for a provider and architecture. */
export interface BoxEntry {
  name: string
  provider: ProviderName
  arch: BoxArch
  /** Approximate download size in MB when a source states it; null when none does. */
  downloadMB: number | null
  /** The box's registry page or build source that shows this pair is published. */
  source: string
}

// bento/debian-12 (Chef's Bento project): one box name for amd64 and arm64 since bento v4.0.0
// ("Added Vagrant Cloud architecture flags so amd64 and arm64 boxes can live under the same cloud
// box", chef/bento CHANGELOG.md). Its "Builds for version 202510.26.0" table marks debian-12 as
// built for virtualbox, vmware and parallels on x86_64 and aarch64, and not for qemu/libvirt or
// hyperv. README: Vagrant 2.4.0+ for the architecture support, VirtualBox 7.1.6+ for arm64.
// Registry page: https://portal.cloud.hashicorp.com/vagrant/discover/bento/debian-12
const BENTO = 'https://portal.cloud.hashicorp.com/vagrant/discover/bento/debian-12'
// generic/debian12 (Roboxes, lavabit/robox): Packer templates generic-debian12-{hyperv,libvirt,
// parallels,virtualbox,vmware}-x64 and generic-debian12-libvirt-a64 (generic-*-x64.json,
// generic-libvirt-a64.json); res/scripts/direct.sh uploads each with its architecture
// (amd64 the default) and every libvirt build again as provider `qemu`.
// Registry page: https://portal.cloud.hashicorp.com/vagrant/discover/generic/debian12
const ROBOX = 'https://portal.cloud.hashicorp.com/vagrant/discover/generic/debian12'

/**
 * The table. No source states a download size for these boxes (bento records sizes only in the
 * registry's metadata), so sizes are null here and preflight measures the real one from the
 * catalog before a download.
 */
export const BOXES: readonly BoxEntry[] = [
  {
    name: 'bento/debian-12',
    provider: 'virtualbox',
    arch: 'amd64',
    downloadMB: null,
    source: BENTO,
  },
  {
    name: 'bento/debian-12',
    provider: 'virtualbox',
    arch: 'arm64',
    downloadMB: null,
    source: BENTO,
  },
  {
    name: 'bento/debian-12',
    provider: 'vmware_desktop',
    arch: 'amd64',
    downloadMB: null,
    source: BENTO,
  },
  {
    name: 'bento/debian-12',
    provider: 'vmware_desktop',
    arch: 'arm64',
    downloadMB: null,
    source: BENTO,
  },
  {
    name: 'bento/debian-12',
    provider: 'parallels',
    arch: 'amd64',
    downloadMB: null,
    source: BENTO,
  },
  {
    name: 'bento/debian-12',
    provider: 'parallels',
    arch: 'arm64',
    downloadMB: null,
    source: BENTO,
  },
  { name: 'generic/debian12', provider: 'libvirt', arch: 'amd64', downloadMB: null, source: ROBOX },
  { name: 'generic/debian12', provider: 'libvirt', arch: 'arm64', downloadMB: null, source: ROBOX },
  { name: 'generic/debian12', provider: 'qemu', arch: 'amd64', downloadMB: null, source: ROBOX },
  { name: 'generic/debian12', provider: 'qemu', arch: 'arm64', downloadMB: null, source: ROBOX },
  { name: 'generic/debian12', provider: 'hyperv', arch: 'amd64', downloadMB: null, source: ROBOX },
  // hyperv on arm64: neither bento nor roboxes publishes one.
]

/** Vagrant's architecture word for Node's `process.arch` ("x64" → amd64), or null if unsupported. */
export function boxArch(nodeArch: string): BoxArch | null {
  if (nodeArch === 'x64' || nodeArch === 'amd64' || nodeArch === 'x86_64') return 'amd64'
  if (nodeArch === 'arm64' || nodeArch === 'aarch64') return 'arm64'
  return null
}

/** The recommended box for a provider on this CPU, or null when no box publishes that pair. */
export function recommendedBox(provider: ProviderName, arch: BoxArch): BoxEntry | null {
  return BOXES.find((b) => b.provider === provider && b.arch === arch) ?? null
}

/** Providers that have a recommended box for this CPU, in the table's order. */
export function providersWithBox(arch: BoxArch): ProviderName[] {
  return [...new Set(BOXES.filter((b) => b.arch === arch).map((b) => b.provider))]
}

/** Boxes that serve amd64 and arm64 under one name: Vagrant before 2.4.0 cannot choose the CPU. */
export function isMultiArch(name: string): boolean {
  const arches = new Set(BOXES.filter((b) => b.name === name).map((b) => b.arch))
  return arches.size > 1
}

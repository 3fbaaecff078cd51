// The VM providers the app's Vagrantfile knows: their names, the plugins that bring them and the
// names users know them by. Pure; the box table and preflight both build on it.

/** Providers the app's Vagrantfile has a block for. */
export type ProviderName =
  'virtualbox' | 'libvirt' | 'vmware_desktop' | 'parallels' | 'hyperv' | 'qemu'

/** Every provider, in the Vagrantfile's order. */
export const PROVIDERS: readonly ProviderName[] = [
  'virtualbox',
  'libvirt',
  'vmware_desktop',
  'parallels',
  'hyperv',
  'qemu',
]

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

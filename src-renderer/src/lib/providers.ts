// How the VM providers are called in the UI ("VirtualBox", "Hyper-V") rather than Vagrant's words.

import type { ProviderName } from '@shared/vm/preflight'

const NAMES: Record<ProviderName, string> = {
  virtualbox: 'VirtualBox',
  libvirt: 'libvirt (KVM)',
  vmware_desktop: 'VMware',
  parallels: 'Parallels',
  hyperv: 'Hyper-V',
  qemu: 'QEMU',
}

/** The product name of a provider; an unknown word is shown as is. */
export function providerName(p: string): string {
  return (NAMES as Record<string, string>)[p] ?? p
}

// Preflight's choices: the provider (the VM's own, the user's, else the first usable in order of
// preference), the box for it, whether Vagrant has that box, and the Hyper-V switch.

import { boxArch, recommendedBox } from './boxes'
import type { HyperVSwitch, ListedBox, PreflightFacts, ProviderFacts } from './preflight-types'
import type { ProviderName } from './providers'

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

// Version arithmetic for preflight: Vagrant's version text, dotted-version comparison, and which
// VirtualBox each Vagrant release can drive (and which Vagrant picks a box by architecture).

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

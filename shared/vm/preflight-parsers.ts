// Parsers of the `vagrant plugin list` and `vagrant box list` machine-readable outputs that
// preflight reads. Pure.

import type { MachineLine } from './machine-readable'
import type { ListedBox } from './preflight-types'

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

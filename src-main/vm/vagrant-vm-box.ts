// The step of `up` that downloads the box first (`vagrant box add`, with percent), and when it
// is taken: a new VM whose catalog box Vagrant does not have yet.

import type { BoxChoice, PreflightReport } from '../../shared/vm/preflight'
import { compareVersions, VAGRANT_ARCH_SUPPORT } from '../../shared/vm/preflight'
import { BOX_NAME_RE } from '../../shared/vm/settings'

/**
 * The box `up` downloads before booting, or null: only for a VM not created yet, a box Vagrant
 * lacks, a catalog name (org/name) and no box URL set.
 */
export function boxToDownload(
  report: PreflightReport | null,
  created: boolean,
  env: NodeJS.ProcessEnv,
): BoxChoice | null {
  const box = report?.box
  if (
    !created &&
    box &&
    box.present === false &&
    // Only catalog names (org/name) download; a name never becomes an option (no leading dash).
    BOX_NAME_RE.test(box.name) &&
    box.name.includes('/') &&
    !env.NETNS_STUDIO_BOX_URL
  )
    return box
  return null
}

/** The progress step's title, e.g. "Adding box 'bento/debian-12' for virtualbox (about 600 MB)". */
export function boxDownloadTitle(box: BoxChoice): string {
  return `Adding box '${box.name}' for ${box.provider}${box.downloadMB !== null ? ` (about ${box.downloadMB} MB)` : ''}`
}

/** `vagrant box add` arguments; `--architecture` only for a Vagrant that has it. */
export function boxAddArgs(box: BoxChoice, vagrantVersion: string): string[] {
  const add = ['box', 'add', box.name, '--provider', box.provider]
  if (compareVersions(vagrantVersion, VAGRANT_ARCH_SUPPORT) >= 0)
    add.push('--architecture', box.arch)
  return add
}

// --vm --boot: boot the app's VM (the same VmBackend, data folder, Vagrantfile and VM settings as
// the app, from vm/app-vm.ts) unless it already runs, each step reported on stderr.

import type { VmBackend } from '../vm/backend'
import { CliError, EXIT } from './errors'
import type { Progress } from './io'

/** Boot the VM unless it already runs. Throws (exit 3) when Vagrant is missing or the boot fails. */
export async function bootVm(vm: VmBackend, progress: Progress): Promise<void> {
  const info = await vm.refresh()
  if (info.vagrantMissing)
    throw new CliError(
      EXIT.TARGET,
      'VAGRANT_MISSING',
      'Vagrant is not installed (no `vagrant` on the PATH).',
    )
  if (info.state === 'running') return
  progress(`Booting the VM (${info.state.replace('_', ' ')})…`)
  let last = ''
  const onProgress = (p: { label: string; percent: number | null }): void => {
    const line = p.percent === null ? p.label : `${p.label} ${p.percent}%`
    if (line !== last && (p.percent === null || p.percent % 10 === 0)) progress(`  ${line}`)
    last = line
  }
  vm.on('progress', onProgress)
  try {
    const r = await vm.run('up')
    if (r.outcome !== 'done') {
      const f = r.failure
      const detail = [f?.errorMessage, f?.hint?.text, ...(f?.tail.slice(-10) ?? [])]
        .filter((l): l is string => !!l)
        .join('\n')
      throw new CliError(
        EXIT.TARGET,
        'VM_FAILED',
        `Booting the VM ${r.outcome} (${f?.step ?? 'unknown step'}).`,
        detail ? { detail } : {},
      )
    }
  } finally {
    vm.off('progress', onProgress)
  }
}

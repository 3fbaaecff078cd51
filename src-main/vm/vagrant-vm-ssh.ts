// How to reach a running VM over SSH: `vagrant ssh-config` turned into the settings the SSH
// target uses, with the VM's pinned host key.

import { existsSync } from 'node:fs'
import { AppError } from '../../shared/errors'
import { sshConfigFor } from '../../shared/vm/ssh-config'
import type { VmSshConfig } from './backend'
import { runFile, type ProcessOptions } from './vagrant-cli'

/**
 * Run `vagrant ssh-config` for the VM in `folder`. Throws VM_NOT_RUNNING (with Vagrant's words)
 * when the VM was never created or offers no SSH.
 */
export async function readSshConfig(
  bin: string,
  folder: string,
  env: NodeJS.ProcessEnv,
  o: ProcessOptions,
  hostKeyId: string,
): Promise<VmSshConfig> {
  if (!existsSync(`${folder}/Vagrantfile`))
    throw new AppError('VM_NOT_RUNNING', 'The VM has not been created yet: boot it first.')
  const r = await runFile(bin, ['ssh-config'], {
    cwd: folder,
    env,
    timeoutMs: 120_000,
    platform: o.platform,
    taskkill: o.taskkill,
  })
  const c = r.code === 0 ? sshConfigFor(r.stdout) : null
  if (!c)
    throw new AppError('VM_NOT_RUNNING', 'The VM is not running: boot it first.', {
      detail: (r.stderr || r.stdout).trim().slice(-2000),
    })
  const key = c.identityFiles.find((f) => existsSync(f)) ?? c.identityFiles[0]
  if (!key) throw new AppError('VM_NOT_RUNNING', 'Vagrant reported no SSH key for the VM.')
  return {
    host: c.hostName,
    port: c.port,
    username: c.user,
    privateKeyPath: key,
    hostKeyId,
  }
}

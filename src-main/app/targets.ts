// Turns a TargetSpec into a Target: SshTarget for ssh, LocalTarget for local, and for the Vagrant
// VM an SshTarget built from what the VM module reports (`vagrant ssh-config`).

import { homedir } from 'node:os'
import { join } from 'node:path'
import { AppError } from '../../shared/errors'
import type { TargetSpec } from '../../shared/ipc/domains/core'
import { hostKeyId } from '../target/host-id'
import type { HostKeyStore } from '../target/host-keys'
import { LocalTarget } from '../target/local-target'
import { SshTarget } from '../target/ssh-target'
import type { Target } from '../target/target'
import type { VmSshConfig } from '../vm/backend'

export type { VmSshConfig }

/**
 * How to reach the VM (the VM backend is one): throw AppError VM_NOT_RUNNING (or VAGRANT_MISSING)
 * from sshConfig() when it cannot be reached.
 */
export interface VmHook {
  sshConfig(): Promise<VmSshConfig>
}

export interface TargetFactoryOptions {
  hostKeys: HostKeyStore
  /** The app's VM (a VmBackend); without one, choosing the VM reports that it is unavailable. */
  vm?: () => VmHook | undefined
  /** SSH agent socket for specs with useAgent (default: SSH_AUTH_SOCK). */
  agentSocket?: string
}

/** Build the function the connection manager uses to create targets. */
export function targetFactory(opts: TargetFactoryOptions): (spec: TargetSpec) => Promise<Target> {
  return async (spec) => {
    switch (spec.kind) {
      case 'local':
        return new LocalTarget()
      case 'ssh': {
        const agent = spec.useAgent ? (opts.agentSocket ?? process.env.SSH_AUTH_SOCK) : undefined
        if (spec.useAgent && !agent)
          throw new AppError('SSH_AUTH', 'No SSH agent is running (SSH_AUTH_SOCK is not set).')
        if (!spec.privateKeyPath && !agent)
          throw new AppError('INVALID_ARGUMENT', 'Choose a private key file or use the SSH agent.')
        return new SshTarget({
          host: spec.host,
          port: spec.port,
          username: spec.username,
          ...(spec.privateKeyPath ? { privateKeyPath: expandHome(spec.privateKeyPath) } : {}),
          ...(agent ? { agent } : {}),
          hostKeys: opts.hostKeys,
          hostKeyId: hostKeyId('ssh', spec.host, spec.port),
        })
      }
      case 'vm': {
        const vm = opts.vm?.()
        if (!vm)
          throw new AppError('VM_NOT_RUNNING', 'The Vagrant VM is not available in this build.')
        const c = await vm.sshConfig()
        return new SshTarget({
          host: c.host,
          port: c.port,
          username: c.username,
          privateKeyPath: c.privateKeyPath,
          hostKeys: opts.hostKeys,
          hostKeyId: c.hostKeyId ?? hostKeyId('vm', c.host, c.port),
        })
      }
    }
  }
}

/**
 * `~/…` (what users type, and what the SSH form suggests) as a path in the home folder of the
 * user running the app; any other path as given.
 */
export function expandHome(path: string, home: string = homedir()): string {
  if (path === '~') return home
  return /^~[/\\]/.test(path) ? join(home, path.slice(2)) : path
}

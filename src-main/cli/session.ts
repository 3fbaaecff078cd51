// Open the chosen target for one command and always close it: the app's targetFactory and pinned
// host keys (known_hosts.json in the data folder), and for --vm the app's VM (booted with --boot).

import { join } from 'node:path'
import { AppError } from '../../shared/errors'
import { targetFactory } from '../app/targets'
import { FileHostKeyStore } from '../target/host-keys'
import type { Target } from '../target/target'
import { createAppVm } from '../vm/app-vm'
import type { VmBackend } from '../vm/backend'
import { bootVm } from './boot-vm'
import type { Progress } from './io'
import type { TargetChoice } from './target-options'

export interface SessionOptions {
  choice: TargetChoice
  dataDir: string
  env: NodeJS.ProcessEnv
  progress: Progress
}

/** Where the app pins SSH host keys. */
export function hostKeysPath(dataDir: string): string {
  return join(dataDir, 'known_hosts.json')
}

/** A changed host key: also say where the pin is kept, as the CLI cannot review it. */
function withPinHint(e: unknown, path: string): unknown {
  if (!(e instanceof AppError) || e.code !== 'SSH_HOSTKEY_CHANGED') return e
  const id = typeof e.data?.id === 'string' ? e.data.id : 'the host'
  return new AppError(e.code, e.message, {
    detail: `${e.detail ?? ''}\nTo trust the offered key, review it in the app (connect there), or remove "${id}" from ${path}.`,
    ...(e.data ? { data: e.data } : {}),
  })
}

/** Connect to the target, run `fn`, and close the target (and the VM driver) whatever happens. */
export async function withTarget<T>(
  o: SessionOptions,
  fn: (target: Target) => Promise<T>,
): Promise<T> {
  const hostKeys = new FileHostKeyStore(hostKeysPath(o.dataDir))
  let vm: VmBackend | null = null
  let target: Target | null = null
  try {
    if (o.choice.spec.kind === 'vm') {
      vm = createAppVm({ dataDir: o.dataDir, hostKeys, env: o.env })
      if (o.choice.boot) await bootVm(vm, o.progress)
    }
    const theVm = vm
    const create = targetFactory({
      hostKeys,
      vm: () => (theVm ? { sshConfig: () => theVm.sshConfig() } : undefined),
      ...(o.env.SSH_AUTH_SOCK ? { agentSocket: o.env.SSH_AUTH_SOCK } : {}),
    })
    target = await create(o.choice.spec)
    o.progress(`Connecting to ${target.label}…`)
    await target.connect().catch((e: unknown) => {
      throw withPinHint(e, hostKeysPath(o.dataDir))
    })
    return await fn(target)
  } finally {
    // closing is best effort: the command's own result or error is what the user needs to see
    await target?.close().catch(() => undefined)
    // the driver only stops its status polls here; nothing of the VM itself changes
    await vm?.dispose().catch(() => undefined)
  }
}

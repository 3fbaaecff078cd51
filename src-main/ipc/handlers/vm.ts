// IPC handlers of the VM domain: one VagrantVm for the app's VM, its events forwarded to every
// window, its SSH settings offered to `target:connect {kind:'vm'}`, halted on quit when asked.

import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AppError } from '../../../shared/errors'
import type { VmInvoke } from '../../../shared/ipc/domains/vm'
import type { VmOperation } from '../../../shared/vm/progress'
import type { DomainContext } from '../../app/services'
import { VagrantVm, type VagrantVmOptions } from '../../vm/vagrant-vm'
import { VmSettingsStore } from '../../vm/vm-settings-store'
import type { HandlerMap } from '../types'

/** The app's stock Vagrantfile: NETNS_STUDIO_VAGRANTFILE, the packaged resources, or the repo root. */
export function defaultTemplatePath(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  const resources = (process as { resourcesPath?: string }).resourcesPath
  const candidates = [
    process.env.NETNS_STUDIO_VAGRANTFILE,
    resources ? join(resources, 'Vagrantfile') : undefined,
    join(here, '..', '..', 'Vagrantfile'),
    join(here, '..', '..', '..', 'Vagrantfile'),
    join(process.cwd(), 'Vagrantfile'),
  ].filter((p): p is string => !!p)
  return candidates.find((p) => existsSync(p)) ?? join(process.cwd(), 'Vagrantfile')
}

/** Operations that stop the guest: the VM connection is closed first, so it does not retry. */
const STOPS: ReadonlySet<VmOperation> = new Set(['halt', 'reload', 'destroy', 'suspend'])

/** The user's VM settings file in the data folder. */
export function vmSettingsPath(dataDir: string): string {
  return join(dataDir, 'vm-settings.json')
}

/**
 * The app's VM: its folder in the data folder, the stock Vagrantfile, the shared host keys, the
 * user's VM settings (vm-settings.json); the vagrant executable from NETNS_STUDIO_VAGRANT when set
 * (else PATH), or `opts.vagrantPath`.
 */
export function createAppVm(ctx: DomainContext, opts: Partial<VagrantVmOptions> = {}): VagrantVm {
  const configured = process.env.NETNS_STUDIO_VAGRANT
  return new VagrantVm({
    dataDir: ctx.dataDir,
    templatePath: defaultTemplatePath(),
    hostKeys: ctx.hostKeys,
    settings: new VmSettingsStore(vmSettingsPath(ctx.dataDir)),
    ...(configured ? { vagrantPath: configured } : {}),
    ...opts,
  })
}

/**
 * Handlers for every VmInvoke channel over `vm`: forwards its events to every window, offers its
 * SSH settings to `target:connect {kind:'vm'}`, feeds the settings to the VM, and stops it on
 * dispose (a halt on quit is bounded).
 */
export function createVmHandlers(
  ctx: DomainContext,
  vm: VagrantVm = createAppVm(ctx),
  settings: VmSettingsStore = new VmSettingsStore(vmSettingsPath(ctx.dataDir)),
): HandlerMap<keyof VmInvoke> {
  vm.useSettings(settings)
  vm.on('state-changed', (info) => ctx.events.send('vm:state-changed', info))
  vm.on('progress', (p) => ctx.events.send('vm:progress', p))
  ctx.setVmHook({
    sshConfig: () => vm.sshConfig(),
    // Runs after dispose on quit: bounded, so quitting never hangs on it.
    halt: async () => {
      const outcome = await vm.haltOnQuit()
      if (outcome !== 'done') throw new AppError('VM_FAILED', `Halt on quit: ${outcome}.`)
    },
  })
  ctx.onDispose(() => vm.dispose())

  const run = async (op: VmOperation): ReturnType<VagrantVm['run']> => {
    const st = ctx.connection.status()
    if (STOPS.has(op) && st.kind === 'vm' && st.state !== 'disconnected')
      await ctx.connection.disconnect()
    return vm.run(op)
  }
  return {
    'vm:state': () => {
      vm.startPolling()
      return vm.info()
    },
    'vm:refresh': () => vm.refresh(),
    'vm:preflight': () => vm.preflight(),
    'vm:up': () => run('up'),
    'vm:halt': () => run('halt'),
    'vm:reload': () => run('reload'),
    'vm:destroy': () => run('destroy'),
    'vm:suspend': () => run('suspend'),
    'vm:resume': () => run('resume'),
    'vm:cancel': () => vm.cancel(),
    'vm:dismiss-notice': () => vm.dismissNotice(),
    'vm:reset-vagrantfile': () => vm.resetVagrantfile(),
    'vm:settings': () => settings.get(),
    // Provider and box apply to a VM created later: preflight warns when the VM exists with another.
    'vm:set-settings': (_ctx, s) => {
      const op = vm.busy
      if (op)
        return Promise.reject(
          new AppError('VM_BUSY', `The VM is busy (${op}); change the settings when it ends.`, {
            data: { op },
          }),
        )
      return settings.set(s)
    },
  }
}

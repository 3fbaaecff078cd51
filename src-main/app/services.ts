// The Electron-free composition root: builds every domain's handlers over shared state (data
// folder, event hub, connection manager, VM backend). Electron main and the e2e Chromium bridge
// both use it.

import { join } from 'node:path'
import type { InvokeChannel } from '../../shared/ipc/contract'
import type { AppInfo } from '../../shared/ipc/domains/app'
import { createAppHandlers, nodeAppInfo } from '../ipc/handlers/app'
import { createCoreHandlers } from '../ipc/handlers/core'
import { createLabHandlers } from '../ipc/handlers/lab'
import { createLiveHandlers } from '../ipc/handlers/live'
import { createVmHandlers } from '../ipc/handlers/vm'
import { createRouter, type Router, type SenderContext } from '../ipc/router'
import { LabApp } from '../lab/lab-app'
import type { ChooseOpenPath } from '../lab/open-path'
import { logger } from '../log'
import type { HandlerMap } from '../ipc/types'
import { CommandLog } from '../netns/command-log'
import { NetnsEngine } from '../netns/engine'
import { LiveService } from '../streams/live-service'
import type { ChooseSavePath } from '../streams/save-file'
import { FileHostKeyStore, type HostKeyStore } from '../target/host-keys'
import { createAppVm } from '../vm/app-vm'
import type { VmBackend } from '../vm/backend'
import type { VagrantVmOptions } from '../vm/vagrant-vm'
import { ConnectionManager } from './connection'
import { LogService } from './log-service'
import { EventHub } from './event-hub'
import { watchReboots, type RebootWatch } from './reboot-watch'
import { targetFactory } from './targets'

const log = logger('services')

export interface ServicesOptions {
  /** Folder for app data: pinned host keys (known_hosts.json), VM files. */
  dataDir: string
  /** Periodic snapshot refresh while connected (ms; default 5000, 0 = off). */
  refreshMs?: number
  /** Batch window of `log:appended` events (ms; default 100). */
  logBatchMs?: number
  /** The engine's record of what it created in the target (tests give each run its own). */
  ownedFile?: string
  /** Host keys; default FileHostKeyStore(dataDir/known_hosts.json). */
  hostKeys?: HostKeyStore
  /** Facts about the app (Electron main passes its own; default: this Node process, unpackaged). */
  appInfo?: AppInfo
  /** Options for the app's VM driver (the real-VM tests point it at their Vagrant home and box). */
  vm?: Partial<VagrantVmOptions>
  /**
   * Asks the user where to save a file (a capture): Electron's save dialog attached to the
   * asking window in the app; tests pass a stand-in. Resolves with an absolute path, or null when
   * the user cancelled. Without it, saving a capture fails with a clear error.
   */
  chooseSavePath?: ChooseSavePath
  /**
   * Asks the user which lab file to open: Electron's open dialog attached to the asking window in
   * the app; tests pass a stand-in. Resolves with an absolute path, or null when the user
   * cancelled. Without it, opening a lab from a file fails with a clear error.
   */
  chooseOpenPath?: ChooseOpenPath
}

export interface Services {
  /** One handler per contract channel. */
  readonly handlers: HandlerMap<InvokeChannel>
  /** Attach a transport's sink with `events.attach(sink)`; returns a detach function. */
  readonly events: EventHub
  readonly connection: ConnectionManager
  /** The session's command log, as the renderers see it (tests read it). */
  readonly commandLog: LogService
  /** The stream manager (tests and bench observe it). */
  readonly live: LiveService
  /** The app's VM. */
  readonly vm: VmBackend
  /** The boot ids seen per target this session (tests wait on it). */
  readonly reboots: RebootWatch
  /** A router over these handlers with the transport's sender rule. */
  router(isTrustedSender: (ctx: SenderContext) => boolean): Router
  /** Tell the services a renderer is gone (its streams are stopped). */
  senderGone(senderId: number): void
  /** Stop every stream, close SSH; halt the VM only when `haltVm` is true. Idempotent. */
  dispose(opts?: { haltVm?: boolean }): Promise<void>
}

/** Build the services. Each domain plugs in with one line in `handlers` below. */
export function createServices(opts: ServicesOptions): Services {
  const events = new EventHub()
  const hostKeys = opts.hostKeys ?? new FileHostKeyStore(join(opts.dataDir, 'known_hosts.json'))
  const engineLog = new CommandLog()
  const commandLog = new LogService({
    events,
    log: engineLog,
    ...(opts.logBatchMs !== undefined ? { batchMs: opts.logBatchMs } : {}),
  })
  const vm = createAppVm({
    dataDir: opts.dataDir,
    hostKeys,
    // Halt, reload, destroy, suspend: close the app's connection to the VM first, so it does not
    // try to reconnect to a guest going down.
    beforeStop: async () => {
      const st = connection.status()
      if (st.kind === 'vm' && st.state !== 'disconnected') await connection.disconnect()
    },
    ...(opts.vm ? { driver: opts.vm } : {}),
  })
  vm.on('state-changed', (info) => events.send('vm:state-changed', info))
  vm.on('progress', (p) => events.send('vm:progress', p))
  const connection = new ConnectionManager({
    events,
    createTarget: targetFactory({ hostKeys, vm: () => vm }),
    createEngine: (target) =>
      new NetnsEngine(target, engineLog, opts.ownedFile ? { ownedFile: opts.ownedFile } : {}),
    ...(opts.refreshMs !== undefined ? { refreshMs: opts.refreshMs } : {}),
  })

  const live = new LiveService({
    connection,
    events,
    ...(opts.chooseSavePath ? { chooseSavePath: opts.chooseSavePath } : {}),
  })

  const labs = new LabApp({
    dataDir: opts.dataDir,
    connection,
    events,
    log: engineLog,
    ...(opts.chooseOpenPath ? { chooseOpenPath: opts.chooseOpenPath } : {}),
    ...(opts.chooseSavePath ? { chooseSavePath: opts.chooseSavePath } : {}),
  })
  const reboots = watchReboots(connection, events)

  const handlers: HandlerMap<InvokeChannel> = {
    ...createAppHandlers(opts.appInfo ?? nodeAppInfo(process.env.npm_package_version ?? '0.0.0')),
    ...createCoreHandlers(connection, commandLog),
    ...createLabHandlers(labs),
    ...createLiveHandlers(live),
    ...createVmHandlers(vm),
  }

  let disposing: Promise<void> | null = null
  return {
    handlers,
    events,
    connection,
    commandLog,
    live,
    vm,
    reboots,
    router: (isTrustedSender) => createRouter(handlers, { isTrustedSender }),
    senderGone(senderId) {
      void live
        .ownerGone(senderId)
        .catch((err: unknown) =>
          log.warn({ err, senderId }, "stopping a closed window's streams failed"),
        )
    },
    dispose(d = {}) {
      disposing ??= (async () => {
        // The VM first (polling, a running operation: bounded), then every stream, then SSH.
        await vm
          .dispose()
          .catch((err: unknown) => log.warn({ err }, 'stopping the VM driver failed'))
        await live
          .dispose()
          .catch((err: unknown) => log.warn({ err }, 'stopping the streams failed'))
        await connection.dispose()
        commandLog.dispose()
        if (d.haltVm) await haltOnQuit(vm)
      })()
      return disposing
    },
  }
}

/** "Halt the VM on quit": runs after dispose, bounded, so quitting never hangs on it. */
async function haltOnQuit(vm: VmBackend): Promise<void> {
  log.info('halting the VM on quit')
  const outcome = await vm.haltOnQuit().catch((err: unknown) => {
    log.warn({ err }, 'halt on quit failed')
    return null
  })
  if (outcome && outcome !== 'done') log.warn({ outcome }, 'halt on quit did not complete')
}

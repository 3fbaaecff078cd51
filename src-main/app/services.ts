// The Electron-free composition root: builds every domain's handlers over shared state (data
// folder, event hub, connection manager). Electron main and the e2e Chromium bridge both use it.

import { join } from 'node:path'
import type { InvokeChannel } from '../../shared/ipc/contract'
import type { AppInfo } from '../../shared/ipc/domains/app'
import type { Snapshot } from '../../shared/net/model'
import { createAppHandlers, nodeAppInfo } from '../ipc/handlers/app'
import { createCoreHandlers } from '../ipc/handlers/core'
import { createLiveHandlers } from '../ipc/handlers/live'
import { createAppVm, createVmHandlers } from '../ipc/handlers/vm'
import { createRouter, type Router, type SenderContext } from '../ipc/router'
import type { EventSink, HandlerMap } from '../ipc/types'
import { CommandLog } from '../netns/command-log'
import { NetnsEngine } from '../netns/engine'
import { LiveService } from '../streams/live-service'
import type { ChooseSavePath } from '../streams/save-file'
import type { VagrantVmOptions } from '../vm/vagrant-vm'
import { FileHostKeyStore, type HostKeyStore } from '../target/host-keys'
import { ConnectionManager } from './connection'
import { EventHub } from './event-hub'
import { targetFactory, type VmHook } from './targets'

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
}

/** What a domain's handler factory gets: shared state and lifecycle hooks. */
export interface DomainContext {
  dataDir: string
  /** Pinned SSH host keys (the VM forgets its own when destroyed). */
  hostKeys: HostKeyStore
  /** Push events to every attached renderer. */
  events: EventSink
  /** The current target; `connection.on('target-changed', fn)` to follow it. */
  connection: ConnectionManager
  /** The VM module registers how to reach (and halt) the VM here. */
  setVmHook(hook: VmHook): void
  /** Run on dispose (quit), in reverse order of registration: stop streams, close sessions. */
  onDispose(fn: () => Promise<void> | void): void
  /** Run when a renderer goes away (window closed, page closed): stop what it owned. */
  onSenderGone(fn: (senderId: number) => void): void
}

export interface Services {
  /** One handler per contract channel. */
  readonly handlers: HandlerMap<InvokeChannel>
  /** Attach a transport's sink with `events.attach(sink)`; returns a detach function. */
  readonly events: EventHub
  readonly connection: ConnectionManager
  /** The stream manager (tests and bench observe it). */
  readonly live: LiveService
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
  const log = new CommandLog()
  let vmHook: VmHook | undefined
  const disposers: Array<() => Promise<void> | void> = []
  const goneHooks: Array<(senderId: number) => void> = []
  const connection = new ConnectionManager({
    events,
    createTarget: targetFactory({ hostKeys, vm: () => vmHook }),
    log,
    createEngine: (target) =>
      new NetnsEngine(target, log, opts.ownedFile ? { ownedFile: opts.ownedFile } : {}),
    ...(opts.refreshMs !== undefined ? { refreshMs: opts.refreshMs } : {}),
    ...(opts.logBatchMs !== undefined ? { logBatchMs: opts.logBatchMs } : {}),
  })
  const ctx: DomainContext = {
    dataDir: opts.dataDir,
    hostKeys,
    events,
    connection,
    setVmHook: (hook) => (vmHook = hook),
    onDispose: (fn) => void disposers.push(fn),
    onSenderGone: (fn) => void goneHooks.push(fn),
  }

  const live = new LiveService({
    connection,
    events,
    ...(opts.chooseSavePath ? { chooseSavePath: opts.chooseSavePath } : {}),
    // the table monitor merges partial re-reads into the last snapshot pushed
    snapshots: (fn) =>
      void events.attach({
        send: (channel, ...args) => {
          if (channel === 'netns:changed') fn(args[0] as Snapshot)
        },
        sendTo: () => undefined,
      }),
  })
  ctx.onDispose(() => live.dispose())
  ctx.onSenderGone((id) => void live.ownerGone(id))

  const handlers: HandlerMap<InvokeChannel> = {
    ...createAppHandlers(opts.appInfo ?? nodeAppInfo(process.env.npm_package_version ?? '0.0.0')),
    ...createCoreHandlers(connection),
    ...createLiveHandlers(live),
    ...createVmHandlers(ctx, createAppVm(ctx, opts.vm)),
  }

  let disposing: Promise<void> | null = null
  return {
    handlers,
    events,
    connection,
    live,
    router: (isTrustedSender) => createRouter(handlers, { isTrustedSender }),
    senderGone(senderId) {
      for (const fn of goneHooks) {
        try {
          fn(senderId)
        } catch {
          // one domain's cleanup failing must not stop the others
        }
      }
    },
    dispose(d = {}) {
      disposing ??= (async () => {
        for (const fn of disposers.reverse()) await Promise.resolve(fn()).catch(() => undefined)
        await connection.dispose()
        if (d.haltVm && vmHook?.halt) await vmHook.halt().catch(() => undefined)
      })()
      return disposing
    },
  }
}

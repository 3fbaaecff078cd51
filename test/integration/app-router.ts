// Test harness: the app's REAL main-process router (createServices + the real sender check) as
// the app window calls it, for integration tests that go through IPC exactly as the renderer does.
// Only Electron's transport is absent; every check, handler, target and command is real.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AppError, type IpcResult } from '../../shared/errors'
import type { InvokeArgs, InvokeChannel, InvokeReturn } from '../../shared/ipc/contract'
import type { TargetSpec } from '../../shared/ipc/domains/core'
import { APP_INDEX_URL, APP_ORIGIN } from '../../src-main/app/renderer-protocol'
import { createServices, type Services, type ServicesOptions } from '../../src-main/app/services'
import type { Router, SenderContext } from '../../src-main/ipc/router'
import { makeSenderCheck } from '../../src-main/security'
import type { SshdFixture } from '../support/sshd'

/** The app window's main frame, as Electron describes it to the router. */
export const APP_SENDER: SenderContext = {
  senderId: 1,
  frameUrl: APP_INDEX_URL,
  isMainFrame: true,
}

export interface AppRouter {
  services: Services
  router: Router
  /** The raw envelope, exactly what the preload would get back. */
  call(channel: unknown, args: unknown[]): Promise<IpcResult<unknown>>
  /** Call a channel; the value, or the AppError the renderer's client would throw. */
  invoke<K extends InvokeChannel>(
    channel: K,
    ...args: InvokeArgs<K>
  ): Promise<Awaited<InvokeReturn<K>>>
  /** The spec that connects to the sshd. */
  sshSpec: Extract<TargetSpec, { kind: 'ssh' }>
  close(): Promise<void>
}

/**
 * Services in a fresh data folder (no periodic refresh), behind the real router. `extra` adds
 * services options (e.g. the dialog stand-ins); a `dataDir` given there is the caller's to remove.
 */
export function openAppRouter(
  sshd: SshdFixture,
  ownedFile: string,
  extra: Partial<ServicesOptions> = {},
): AppRouter {
  const dataDir = mkdtempSync(join(tmpdir(), 'nss-router-'))
  let services: Services
  try {
    services = createServices({ dataDir, refreshMs: 0, logBatchMs: 20, ownedFile, ...extra })
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true })
    throw e
  }
  const router = services.router(
    makeSenderCheck({ kind: 'scheme', origin: APP_ORIGIN }, (id) => id === APP_SENDER.senderId),
  )
  // Electron copies what crosses IPC with structured clone: so does this harness.
  const call = (channel: unknown, args: unknown[]): Promise<IpcResult<unknown>> =>
    router.handle(APP_SENDER, channel, structuredClone(args))
  return {
    services,
    router,
    call,
    async invoke(channel, ...args) {
      const r = await call(channel, args)
      if (!r.ok) throw AppError.fromData(r.error)
      return r.value as never
    },
    sshSpec: {
      kind: 'ssh',
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKeyPath: sshd.privateKeyPath,
    },
    async close() {
      await services.dispose()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

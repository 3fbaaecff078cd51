// The Chromium bridge for end-to-end tests: Debian's chromium shows the BUILT renderer, and its
// window.api is forwarded to the REAL main-process router of createServices() (real SshTarget,
// real sshd, real namespaces). Only Electron itself is absent; everything behind it is real.
//
// Usage (run `npx electron-vite build` first; `npm run test:e2e` and `npm test` do):
//
//   import { openApp, e2eSkipReason } from './support/app'
//   const skip = e2eSkipReason()            // null, or why it cannot run here (print it, it.skip)
//   const app = await openApp({ sshd })     // sshd from test/support/sshd.ts startSshd()
//   // The services are already connected to the sshd (pass connect: false to connect by clicking;
//   // app.sshSpec is then the spec the SSH form needs: host, port, username, privateKeyPath).
//   await app.page.getByRole('button', { name: 'Create namespace' }).click()
//   await app.screenshot('namespaces')      // → test/e2e/screenshots/namespaces.png
//   expect(app.errors).toEqual([])          // page errors and console errors seen so far
//   await app.close()                       // closes browser, disconnects SSH, stops the server
//
// `app.invoke(channel, ...args)` calls the same router as the page's main frame (for test setup
// or assertions; it returns the value or throws AppError). `app.services` is the live
// composition root (e.g. `app.services.commandLog.entries()`). `app.saveDialog` stands in for
// the native save dialog (it cannot be shown or driven in Chromium): it answers with a path in
// the test's temp folder, or with Cancel when the test says so. `app.openDialog` stands in for
// the native open dialog the same way: it answers with the path the test sets (Cancel until then).

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { AppError, type IpcResult } from '../../../shared/errors'
import type { InvokeArgs, InvokeChannel, InvokeReturn } from '../../../shared/ipc/contract'
import { eventAllowlist, invokeArgChecks } from '../../../shared/ipc/contract'
import type { TargetSpec } from '../../../shared/ipc/domains/core'
import { createServices, type Services, type ServicesOptions } from '../../../src-main/app/services'
import type { ChooseOpenPath, OpenPathRequest } from '../../../src-main/lab/open-path'
import type { ChooseSavePath, SavePathRequest } from '../../../src-main/streams/save-file'
import type { Router, SenderContext } from '../../../src-main/ipc/router'
import { makeSenderCheck } from '../../../src-main/security'
import type { SshdFixture } from '../../support/sshd'
import { integrationSkipReason } from '../../support/sshd'
import { EMIT_FN, installApiScript, INVOKE_BINDING } from './api-script'
import { serveStatic, type StaticServer } from './static-server'

export const CHROMIUM = '/usr/bin/chromium'
export const RENDERER_DIR = resolve('out/renderer')
export const SCREENSHOT_DIR = resolve('test/e2e/screenshots')

/** Why e2e tests cannot run here (print it and skip), or null. */
export function e2eSkipReason(opts: { needsSshd?: boolean } = { needsSshd: true }): string | null {
  if (!existsSync(CHROMIUM)) return `e2e tests need Debian's chromium (${CHROMIUM})`
  if (opts.needsSshd !== false) {
    const r = integrationSkipReason()
    if (r) return r
  }
  return null
}

export interface OpenAppOptions {
  /** A running sshd fixture; the services connect to it unless `connect` is false. */
  sshd?: SshdFixture
  connect?: boolean
  /** Options for createServices (dataDir defaults to a fresh temp folder, removed on close). */
  services?: Partial<ServicesOptions>
  viewport?: { width: number; height: number }
  colorScheme?: 'light' | 'dark'
  /** Path inside the app to open (default "/index.html"). */
  path?: string
}

/**
 * STAND-IN for the native save dialog (Electron's `dialog.showSaveDialog`, which cannot be shown or
 * driven in Chromium): records what main asked and answers with `answer(req)`, by default the
 * suggested name in `dir` (the test's temp folder); `() => null` is the user pressing Cancel.
 */
export interface SaveDialogStandIn {
  choose: ChooseSavePath
  asked: SavePathRequest[]
  answer: (req: SavePathRequest) => string | null
  /** The folder the default answer points into. */
  dir: string
}

function saveDialogStandIn(dir: string): SaveDialogStandIn {
  const d: SaveDialogStandIn = {
    dir,
    asked: [],
    answer: (req) => join(dir, req.defaultName),
    choose: (req) => {
      d.asked.push(req)
      return Promise.resolve(d.answer(req))
    },
  }
  return d
}

/**
 * STAND-IN for the native open dialog (Electron's `dialog.showOpenDialog`, which cannot be shown or
 * driven in Chromium): records what main asked and answers with `answer(req)`, which the test sets
 * to the file to open; the default `() => null` is the user pressing Cancel.
 */
export interface OpenDialogStandIn {
  choose: ChooseOpenPath
  asked: OpenPathRequest[]
  answer: (req: OpenPathRequest) => string | null
}

function openDialogStandIn(): OpenDialogStandIn {
  const d: OpenDialogStandIn = {
    asked: [],
    answer: () => null,
    choose: (req) => {
      d.asked.push(req)
      return Promise.resolve(d.answer(req))
    },
  }
  return d
}

export interface OpenedApp {
  browser: Browser
  context: BrowserContext
  page: Page
  services: Services
  /** The router the page's binding calls. */
  router: Router
  /** Origin of the static server, e.g. http://127.0.0.1:40123 */
  origin: string
  /** The spec for the sshd (when one was given). */
  sshSpec: Extract<TargetSpec, { kind: 'ssh' }> | null
  /** What main uses as the save dialog (unless `services.chooseSavePath` was given). */
  saveDialog: SaveDialogStandIn
  /** What main uses as the open dialog (unless `services.chooseOpenPath` was given). */
  openDialog: OpenDialogStandIn
  /** Page errors and console errors, in order. */
  errors: string[]
  /** Call the router as the page's main frame; value or AppError. */
  invoke<K extends InvokeChannel>(
    channel: K,
    ...args: InvokeArgs<K>
  ): Promise<Awaited<InvokeReturn<K>>>
  /** Save a full-page PNG under test/e2e/screenshots/NAME.png; returns its path. */
  screenshot(name: string): Promise<string>
  close(): Promise<void>
}

let nextSenderId = 1000

/** Launch chromium on the built renderer with window.api bridged to real services. */
export async function openApp(opts: OpenAppOptions = {}): Promise<OpenedApp> {
  if (!existsSync(join(RENDERER_DIR, 'index.html')))
    throw new Error('out/renderer/index.html is missing: run `npx electron-vite build` first')
  const ownDataDir = opts.services?.dataDir === undefined
  const dataDir = opts.services?.dataDir ?? mkdtempSync(join(tmpdir(), 'nss-e2e-'))
  // Each app gets its own record of what it created, so a reset never touches another run's lab.
  const ownedFile = `/run/netns-studio/owned-e2e-${process.pid}-${Date.now()}`
  const saveDialog = saveDialogStandIn(mkdtempSync(join(tmpdir(), 'nss-e2e-saved-')))
  const openDialog = openDialogStandIn()
  const services = createServices({
    refreshMs: 5000,
    ownedFile,
    chooseSavePath: saveDialog.choose,
    chooseOpenPath: openDialog.choose,
    ...opts.services,
    dataDir,
  })
  let server: StaticServer | null = null
  let browser: Browser | null = null
  const cleanup: Array<() => Promise<void> | void> = []
  try {
    server = await serveStatic(RENDERER_DIR)
    const origin = server.origin
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
    const context = await browser.newContext({
      viewport: opts.viewport ?? { width: 1400, height: 900 },
      colorScheme: opts.colorScheme ?? 'light',
    })
    const page = await context.newPage()
    // Each page gets a sender id, like a window's webContents id; only the app page is known.
    const senderIds = new WeakMap<Page, number>()
    const senderOf = (p: Page): number => {
      let id = senderIds.get(p)
      if (id === undefined) senderIds.set(p, (id = nextSenderId++))
      return id
    }
    const appSender = senderOf(page)
    const router = services.router(
      makeSenderCheck({ kind: 'url', origin }, (id) => id === appSender && !page.isClosed()),
    )
    await context.exposeBinding(INVOKE_BINDING, async (source, channel: unknown, args: unknown) => {
      const frame = source.frame
      const ctx: SenderContext = {
        senderId: senderOf(source.page),
        frameUrl: frame.url(),
        isMainFrame: frame.parentFrame() === null,
      }
      return router.handle(ctx, channel, Array.isArray(args) ? (args as unknown[]) : [args])
    })
    await installApiScript(context, Object.keys(invokeArgChecks), Object.keys(eventAllowlist))

    // Events: pushed in order into the app page; drops once the page is gone.
    let chain = Promise.resolve()
    const push = (channel: string, args: unknown[]): void => {
      chain = chain
        .then(() =>
          page.evaluate(
            ([fn, c, a]) => {
              const emit = (globalThis as unknown as Record<string, unknown>)[fn]
              if (typeof emit === 'function') (emit as (c: string, a: unknown[]) => void)(c, a)
            },
            [EMIT_FN, channel, args] as const,
          ),
        )
        .then(() => undefined)
        .catch(() => undefined)
    }
    cleanup.push(
      services.events.attach({
        send: (channel, ...args) => push(channel, args),
        sendTo: (id, channel, ...args) => {
          if (id === appSender) push(channel, args)
        },
      }),
    )

    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`)
    })

    const invoke = async <K extends InvokeChannel>(
      channel: K,
      ...args: InvokeArgs<K>
    ): Promise<Awaited<InvokeReturn<K>>> => {
      const res = (await router.handle(
        { senderId: appSender, frameUrl: `${origin}/index.html`, isMainFrame: true },
        channel,
        args,
      )) as IpcResult<Awaited<InvokeReturn<K>>>
      if (!res.ok) throw AppError.fromData(res.error)
      return res.value
    }

    const sshSpec = opts.sshd
      ? {
          kind: 'ssh' as const,
          host: opts.sshd.host,
          port: opts.sshd.port,
          username: opts.sshd.username,
          privateKeyPath: opts.sshd.privateKeyPath,
        }
      : null
    if (sshSpec && opts.connect !== false) await invoke('target:connect', sshSpec)

    await page.goto(`${origin}${opts.path ?? '/index.html'}`)
    const b = browser
    const s = server
    let closed = false
    return {
      browser: b,
      context,
      page,
      services,
      router,
      origin,
      sshSpec,
      saveDialog,
      openDialog,
      errors,
      invoke,
      async screenshot(name) {
        mkdirSync(SCREENSHOT_DIR, { recursive: true })
        const path = join(SCREENSHOT_DIR, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.png`)
        await page.screenshot({ path, fullPage: true })
        return path
      },
      async close() {
        if (closed) return
        closed = true
        for (const fn of cleanup) await fn()
        services.senderGone(appSender)
        await services.dispose()
        await b.close().catch(() => undefined)
        await s.close()
        if (ownDataDir) rmSync(dataDir, { recursive: true, force: true })
        rmSync(saveDialog.dir, { recursive: true, force: true })
        rmSync(ownedFile, { force: true })
      },
    }
  } catch (err) {
    for (const fn of cleanup) await fn()
    await services.dispose()
    await browser?.close().catch(() => undefined)
    await server?.close()
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true })
    rmSync(saveDialog.dir, { recursive: true, force: true })
    throw err
  }
}

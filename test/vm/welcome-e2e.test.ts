// First run, end to end, as a new user does it: the built UI in real Chromium over the real main
// router and a real Vagrant VM (libvirt + QEMU): welcome → VM settings → "Start the VM" → steps →
// connected → a namespace made in the VM through the UI → Halt. Screenshots of every stage in
// both themes go to test/e2e/screenshots/first-run-*.png.

import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppPage } from '../e2e/pages/app-page'
import { VmControls } from '../e2e/pages/vm-controls'
import { WelcomePage } from '../e2e/pages/welcome-page'
import { e2eSkipReason, openApp, RENDERER_DIR, type OpenedApp } from '../e2e/support/app'
import {
  BoxBuildError,
  domainsWithPrefix,
  freePort,
  startStack,
  type Stack,
  VAGRANT_HOME,
  vmSkipReason,
} from '../support/vm/stack'
import { existsSync } from 'node:fs'

const REPO = join(import.meta.dirname, '../..')
const skip =
  vmSkipReason() ??
  e2eSkipReason({ needsSshd: false }) ??
  (existsSync(join(RENDERER_DIR, 'index.html')) ? null : 'the renderer is not built')
if (skip) console.warn(`SKIP first-run e2e over the real VM: ${skip}`)

const log = (s: string): void => console.log(`[first-run] ${s}`)

/** A screenshot in the light and the dark theme (the page follows the system's scheme). */
async function shoot(app: OpenedApp, page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await app.screenshot(`first-run-${name}-${scheme}`)
  }
  await page.emulateMedia({ colorScheme: 'light' })
}

describe.skipIf(skip !== null)('first run over the real VM, by clicking', () => {
  let stack: Stack | null = null
  let setupSkip: string | null = null
  let app: OpenedApp | null = null
  let dataDir = ''
  const name = `nsfr${process.pid.toString(36)}`
  const ns = `fr${process.pid.toString(36)}`

  beforeAll(async () => {
    try {
      stack = await startStack(log)
    } catch (e) {
      if (!(e instanceof BoxBuildError)) throw e
      setupSkip = e.message
      console.warn(`SKIP first-run e2e over the real VM: ${setupSkip}`)
      return
    }
    dataDir = mkdtempSync('/var/tmp/nss-first-run-')
    const port = await freePort()
    app = await openApp({
      connect: false,
      services: {
        dataDir,
        vm: {
          name,
          vagrantHome: VAGRANT_HOME,
          // The test Vagrantfile loads the app's own, then adds QEMU software emulation and an SSH
          // port forwarded to 127.0.0.1 only.
          templatePath: join(REPO, 'test/support/vm/Vagrantfile'),
          env: {
            NETNS_STUDIO_APP_VAGRANTFILE: join(REPO, 'Vagrantfile'),
            NETNS_TEST_SSH_PORT: String(port),
            // Catalog lookups go to a closed loopback port: nothing leaves this machine.
            VAGRANT_SERVER_URL: 'http://127.0.0.1:9',
          },
        },
      },
    })
  })

  afterAll(async () => {
    if (app) {
      // Whatever happened above, leave no VM behind.
      await app.invoke('vm:cancel').catch(() => undefined)
      await app.invoke('vm:destroy').catch(() => undefined)
      await app.close()
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    await stack?.stop()
    if (stack) expect(domainsWithPrefix(`${name}_`)).toEqual([])
  })

  it('welcome → settings → Start the VM → connected → a namespace in the VM → Halt', async (ctx) => {
    if (setupSkip || !app || !stack) return ctx.skip(setupSkip ?? 'no stack')
    const page = app.page
    const welcome = new WelcomePage(page)
    const ui = new AppPage(page)
    const controls = new VmControls(page)

    // 1. The welcome, with this machine's real preflight.
    await welcome.waitShown()
    await welcome.waitPreflight()
    await shoot(app, page, '1-welcome')

    // 2. Settings → VM: libvirt and the locally built box, as a user with their own box would.
    const settings = await welcome.openSettings()
    await settings.setProvider('libvirt')
    await settings.setBox(stack.boxName)
    await settings.setMemory(512)
    await shoot(app, page, '2-settings')
    await settings.save()
    await welcome.waitPreflight()
    expect(await welcome.fact('Provider')).toMatch(/libvirt/)
    expect(await welcome.fact('Box')).toContain(stack.boxName)
    const errors = (await welcome.problems()).filter((p) => p.severity === 'error')
    expect(errors).toEqual([])
    await shoot(app, page, '3-ready')

    // 3. One click: preflight, boot with steps, connect.
    const t0 = Date.now()
    await welcome.startVm()
    await welcome.waitForStep(/Creating the VM|Importing the box/, 300_000)
    await shoot(app, page, '4-booting')
    await welcome.waitForStep('Waiting for SSH', 600_000)
    await shoot(app, page, '5-waiting-ssh')
    const status = await welcome.waitConnected()
    log(`booted and connected in ${Math.round((Date.now() - t0) / 1000)} s`)
    expect(status).toMatch(/connected/i)
    expect((await app.invoke('target:status')).kind).toBe('vm')
    await controls.waitState('VM running', 60_000)
    await shoot(app, page, '6-connected')

    // 4. A namespace made in the VM through the UI, seen in the VM's kernel.
    const ran = await ui.runOp('Create namespace', { Name: ns })
    expect(ran).toEqual([`ip netns add ${ns}`])
    await ui.findNs(ns)
    const snap = await app.invoke('netns:snapshot')
    expect(snap.namespaces.map((n) => n.name)).toContain(ns)
    await ui.closeActions()
    await shoot(app, page, '7-namespace')

    // 5. Halt: the connection closes first, the VM stops, the welcome comes back.
    await controls.halt()
    await controls.waitState('VM stopped', 300_000)
    await welcome.waitShown(60_000)
    expect((await app.invoke('target:status')).state).toBe('disconnected')
    expect((await app.invoke('vm:state')).state).toBe('stopped')
    await shoot(app, page, '8-halted')
    expect(app.errors).toEqual([])
  })
})

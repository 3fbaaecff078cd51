// A changed host key in real Chromium on the built renderer, over the real main router and a real
// sshd: the first connect (clicked) pins the server's key; the server gets a new host key and is
// restarted; the next connect is refused and the review shows the real pinned and offered
// fingerprints (as ssh-keygen prints them); Cancel changes nothing; Replace pins the offered key
// and connects. Screenshots of the review in both themes go to test/e2e/screenshots.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSshd, type SshdFixture } from '../support/sshd'
import { AppPage, STEP_MS } from './pages/app-page'
import { HostKeyDialog } from './pages/host-key-dialog'
import { e2eSkipReason, openApp, type OpenedApp } from './support/app'

const skip = e2eSkipReason()
if (skip) console.warn(`[e2e host key] skipped: ${skip}`)

describe.skipIf(skip !== null)(
  'a changed host key, reviewed and replaced (Chromium bridge)',
  () => {
    let sshd: SshdFixture
    let app: OpenedApp
    let ui: AppPage
    let review: HostKeyDialog
    const dataDir = mkdtempSync(join(tmpdir(), 'nss-e2e-hostkey-'))
    const pinsFile = join(dataDir, 'known_hosts.json')
    const pins = (): unknown => JSON.parse(readFileSync(pinsFile, 'utf8'))

    beforeAll(async () => {
      sshd = await startSshd()
      app = await openApp({ sshd, connect: false, services: { dataDir, refreshMs: 0 } })
      ui = new AppPage(app.page)
      review = new HostKeyDialog(app.page)
    }, 60_000)

    afterAll(async () => {
      await app?.close()
      await sshd?.stop()
      rmSync(dataDir, { recursive: true, force: true })
    })

    it('pins on first connect, reviews the changed key with the real fingerprints, replaces it', async () => {
      const spec = app.sshSpec!
      const id = `ssh:${spec.host}:${spec.port}`
      const connectedText = `Connected to ${spec.username}@${spec.host}:${spec.port}`

      // First connect: trust on first use.
      await ui.connectSsh(spec)
      await expect.poll(() => ui.status(), { timeout: STEP_MS }).toBe(connectedText)
      const first = sshd.hostKeyFingerprint
      expect(pins()).toEqual({ [id]: first })
      await ui.disconnect()

      // The machine is "rebuilt": a new host key, sshd restarted.
      sshd.rotateHostKey()
      sshd.kill()
      await sshd.restart()
      const offered = sshd.hostKeyFingerprint
      expect(offered).not.toBe(first)

      await app.page.getByRole('button', { name: 'Connect', exact: true }).click()
      await review.waitShown()
      expect(await review.title()).toBe(`The host key of ${spec.host}:${spec.port} has changed`)
      expect(await review.pinned()).toBe(first)
      expect(await review.offered()).toBe(offered)
      expect(await review.warning()).toBe(
        "Someone may be intercepting the connection, or the machine was rebuilt. Compare the offered fingerprint with the machine's own: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on it.",
      )
      expect(await review.buttons()).toEqual(['Cancel', 'Replace the pinned key and connect'])
      // The safe choice has the focus.
      expect(
        await review.root
          .getByRole('button', { name: 'Cancel' })
          .evaluate((b) => b === document.activeElement),
      ).toBe(true)
      expect(await ui.status()).toBe('Connection failed')

      await app.screenshot('hostkey-changed-light')
      await app.page.emulateMedia({ colorScheme: 'dark' })
      await app.screenshot('hostkey-changed-dark')
      await app.page.emulateMedia({ colorScheme: 'light' })

      // At the smallest window the app allows, the review fits: keys and buttons in view…
      await app.page.setViewportSize({ width: 800, height: 500 })
      for (const part of [
        review.root.locator('[data-test=hostkey-offered]'),
        review.root.getByRole('button', { name: 'Replace the pinned key and connect' }),
      ]) {
        const box = await part.boundingBox()
        expect(box).not.toBeNull()
        expect(box!.x).toBeGreaterThanOrEqual(0)
        expect(box!.y).toBeGreaterThanOrEqual(0)
        expect(box!.x + box!.width).toBeLessThanOrEqual(800)
        expect(box!.y + box!.height).toBeLessThanOrEqual(500)
      }
      // …and so does the target bar with the SSH form and Reconnect (it wraps instead).
      expect(
        await app.page.evaluate(() => {
          const bar = document.querySelector('.tbar')
          return bar ? bar.scrollWidth - bar.clientWidth : null
        }),
      ).toBeLessThanOrEqual(1)
      await app.page.setViewportSize({ width: 1400, height: 900 })

      // Cancel: nothing changes; the pin is still the old key.
      await review.cancel()
      await review.root.waitFor({ state: 'detached', timeout: STEP_MS })
      expect(pins()).toEqual({ [id]: first })
      expect(await ui.status()).toBe('Connection failed')

      // Reconnect is refused again and reviewed again; this time the user replaces the pin.
      await app.page.getByRole('button', { name: 'Reconnect', exact: true }).click()
      await review.waitShown()
      expect(await review.offered()).toBe(offered)
      await review.replace()
      await expect.poll(() => ui.status(), { timeout: STEP_MS }).toBe(connectedText)
      expect(await review.root.count()).toBe(0)
      expect(pins()).toEqual({ [id]: offered })
      await ui.nsItem('host').waitFor({ timeout: STEP_MS })

      expect(app.errors).toEqual([])
    })
  },
)

// The welcome in real Chromium on the built renderer, with window.api bridged to the real main
// router: the preflight shown is this machine's own (real vagrant, real virsh; libvirt may or may
// not answer here, so the test checks what a user sees, not a fixed verdict). Then Settings → VM
// saved through the real settings store, and the welcome at the minimum window size. Screenshots of
// both themes go to test/e2e/screenshots. No VM is booted here (the lead's VM e2e does that).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VmControls } from './pages/vm-controls'
import { WelcomePage, PREFLIGHT_MS } from './pages/welcome-page'
import { e2eSkipReason, openApp, type OpenedApp } from './support/app'

function vagrantVersion(): string | null {
  try {
    return (
      /Vagrant (\d+\.\d+\.\d+)/.exec(
        execFileSync('vagrant', ['--version'], { encoding: 'utf8' }),
      )?.[1] ?? null
    )
  } catch {
    return null
  }
}

const skip = e2eSkipReason({ needsSshd: false })
if (skip) console.warn(`[e2e welcome] skipped: ${skip}`)

describe.skipIf(skip !== null)(
  'welcome with this machine’s real preflight (Chromium bridge)',
  () => {
    let app: OpenedApp
    let ui: WelcomePage
    const version = vagrantVersion()
    const dataDir = mkdtempSync(join(tmpdir(), 'nss-e2e-welcome-'))

    beforeAll(async () => {
      // A status poll a minute apart: this test never boots, and vagrant costs ~1 s of CPU a call.
      app = await openApp({ services: { dataDir, vm: { pollMs: 60_000 } } })
      ui = new WelcomePage(app.page)
    }, PREFLIGHT_MS)

    afterAll(async () => {
      await app?.close()
      rmSync(dataDir, { recursive: true, force: true })
    })

    it('shows what the app does, the targets, and the preflight results with their fixes', async () => {
      await ui.waitShown()
      await ui.waitPreflight()
      expect(await ui.root.getByRole('heading', { level: 1 }).innerText()).toBe(
        'Welcome to netns-studio',
      )
      expect(await ui.root.innerText()).toMatch(/namespaces, veth pairs, bridges,\s+routes and NAT/)
      // This machine runs Linux: all three targets, the VM recommended.
      await expect
        .poll(() => ui.root.getByRole('heading', { name: 'This machine' }).isVisible())
        .toBe(true)
      expect(await ui.vmCard.innerText()).toContain('Recommended')
      expect(await ui.root.getByRole('heading', { name: 'An SSH host' }).isVisible()).toBe(true)

      // Vagrant as installed here; the provider is one that answers, or a blocking error says why.
      if (version) expect(await ui.fact('Vagrant')).toBe(version)
      else expect(await ui.fact('Vagrant')).toBe('not found')
      const provider = await ui.fact('Provider')
      const problems = await ui.problems()
      for (const p of problems) {
        expect(p.mark).toBe(p.severity === 'error' ? 'Error' : 'Warning')
        expect(p.message.length).toBeGreaterThan(10)
        expect(p.fix).toMatch(/^Fix: \S/)
      }
      if (provider.startsWith('none usable'))
        expect(problems.some((p) => p.severity === 'error')).toBe(true)
      else {
        expect(provider).toMatch(/^(VirtualBox|libvirt \(KVM\)|VMware|Parallels|Hyper-V|QEMU)\b/)
        const box = await ui.fact('Box')
        // A box not here yet is announced with its size and time before anything downloads.
        if (/downloaded first/.test(box))
          expect(box).toMatch(
            /about \d+(\.\d)? [MG]B, (~\d+(\.\d)? (min|h)|under a minute) at 20 Mbit\/s|its size is not known/,
          )
        else expect(box).toMatch(/on this computer|in the VM already/)
      }
      if (problems.length === 0)
        expect(await ui.preflight.innerText()).toContain('Everything the VM needs is here.')
      expect(await ui.startButton.isEnabled()).toBe(true)

      await app.screenshot('welcome-light')
      await app.page.emulateMedia({ colorScheme: 'dark' })
      await app.screenshot('welcome-dark')
      await app.page.emulateMedia({ colorScheme: 'light' })
      expect(app.errors).toEqual([])
    })

    it('cancels a running check: the welcome says so and Start stays available', async () => {
      await ui.checkAgain()
      await ui.preflight.getByText('Checking Vagrant, the VM providers and the box…').waitFor()
      await ui.cancel()
      await ui.preflight.getByText('The check was cancelled.').waitFor()
      expect(await ui.startButton.isEnabled()).toBe(true)
      // The check can be run again to its end.
      await ui.checkAgain()
      await ui.waitPreflight()
      expect(await ui.preflight.getByText('The check was cancelled.').count()).toBe(0)
    })

    it('opens Settings → VM, checks fields inline, saves through main, and checks again', async () => {
      const dialog = await ui.openSettings()
      const options = await dialog.providerOptions()
      expect(options[0]).toMatch(/^Automatic/)
      expect(options.some((o) => / — (usable|not usable)$/.test(o))).toBe(true)
      expect(await dialog.root.innerText()).toContain(
        'Provider and box apply to a newly created VM',
      )
      await app.screenshot('vm-settings-light')
      await app.page.emulateMedia({ colorScheme: 'dark' })
      await app.screenshot('vm-settings-dark')
      await app.page.emulateMedia({ colorScheme: 'light' })

      await dialog.setMemory(100)
      await dialog.setBox('not a box')
      const problems = await dialog.problems()
      expect(problems).toHaveLength(2)
      expect(problems[1]).toMatch(/^Memory must be a whole number of MiB from 512/)
      expect(await dialog.saveButton.isDisabled()).toBe(true)
      await app.screenshot('vm-settings-invalid')

      await dialog.setBox('recommended')
      await dialog.setMemory(1536)
      await dialog.setCpus(2)
      expect(await dialog.problems()).toEqual([])
      await dialog.save()
      // Saved by main's settings store, in the app's data folder.
      expect(await app.invoke('vm:settings')).toEqual({
        provider: null,
        box: null,
        memoryMiB: 1536,
        cpus: 2,
      })
      expect(JSON.parse(readFileSync(join(dataDir, 'vm-settings.json'), 'utf8'))).toEqual({
        provider: null,
        box: null,
        memoryMiB: 1536,
        cpus: 2,
      })
      // The welcome checks again for the new settings.
      await ui.preflight.getByText('Checking Vagrant, the VM providers and the box…').waitFor()
      await ui.waitPreflight()

      // The same dialog from the target bar's VM controls, with the saved values.
      const again = await new VmControls(app.page).openSettings()
      expect(await again.memory.inputValue()).toBe('1536')
      expect(await again.cpus.inputValue()).toBe('2')
      await again.cancel()
      expect(app.errors).toEqual([])
    })

    it('fits the minimum window (800x500) without horizontal overflow', async () => {
      await app.page.setViewportSize({ width: 800, height: 500 })
      await ui.waitPreflight()
      await app.screenshot('welcome-800x500')
      await app.page.emulateMedia({ colorScheme: 'dark' })
      await app.screenshot('welcome-800x500-dark')
      await app.page.emulateMedia({ colorScheme: 'light' })
      const overflow = await app.page.evaluate(() =>
        ['.tbar', '.welcome', '.welcome .inner', '.welcome [data-test=target-vm]']
          .map((sel) => {
            const el = document.querySelector(sel)
            return el && el.scrollWidth > el.clientWidth + 1
              ? `${sel}: ${el.scrollWidth} > ${el.clientWidth}`
              : null
          })
          .filter((x) => x !== null),
      )
      expect(overflow).toEqual([])
      // The welcome scrolls inside the window; its primary action is reachable.
      await ui.startButton.scrollIntoViewIfNeeded()
      expect(await ui.startButton.isVisible()).toBe(true)
      const vmSettings = await ui.openSettings()
      await app.screenshot('vm-settings-800x500')
      const box = await vmSettings.root.boundingBox()
      expect(box && box.y >= 0 && box.y + box.height <= 500).toBe(true)
      await vmSettings.cancel()
    })
  },
)

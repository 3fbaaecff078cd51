// Page object of the welcome (first launch, or after a disconnect): the preflight results, the one
// primary action "Start the VM" with its progress, Cancel and failures, and the ways to the other
// targets. Everything is found by role, accessible name or a stable data-test id.

import type { Locator, Page } from 'playwright-core'
import { VmSettingsDialog } from './vm-settings-dialog'

/** How long a real preflight may take (vagrant starts slowly; plugins, virsh, the box catalog). */
export const PREFLIGHT_MS = 120_000
/** How long a first boot may take, box download included. */
export const BOOT_MS = 1_200_000

/** One preflight problem as shown. */
export interface ShownProblem {
  severity: 'error' | 'warning'
  /** The "Error" / "Warning" mark (its text; the style shows it in capitals). */
  mark: string
  message: string
  /** The fix, with its "Fix:" label. */
  fix: string
}

export class WelcomePage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByRole('main', { name: 'Welcome to netns-studio' })
  }

  /** The VM's card: preflight, Start the VM, progress, failure. */
  get vmCard(): Locator {
    return this.root.locator('[data-test=target-vm]')
  }

  get preflight(): Locator {
    return this.root.locator('[data-test=preflight]')
  }

  get startButton(): Locator {
    return this.vmCard.getByRole('button', { name: 'Start the VM', exact: true })
  }

  get cancelButton(): Locator {
    return this.vmCard.getByRole('button', { name: 'Cancel', exact: true })
  }

  /** Wait until the welcome shows. */
  async waitShown(timeout = 30_000): Promise<void> {
    await this.root.waitFor({ timeout })
  }

  /** Wait until no check runs and its result (a report, an error or a cancel) is shown. */
  async waitPreflight(timeout = PREFLIGHT_MS): Promise<void> {
    await this.preflight.and(this.page.locator('[aria-busy=false]')).waitFor({ timeout })
    await this.preflight
      .locator('dl.facts, .error-notice, [data-test=check-cancelled]')
      .first()
      .waitFor({ timeout })
  }

  /** A fact row's text: 'Vagrant', 'Provider' or 'Box'. */
  async fact(name: 'Vagrant' | 'Provider' | 'Box'): Promise<string> {
    const row = this.preflight.locator('dl.facts > div').filter({
      has: this.page.locator('dt', { hasText: new RegExp(`^${name}$`) }),
    })
    return (await row.locator('dd').innerText()).trim()
  }

  /** The problems listed, in order. */
  async problems(): Promise<ShownProblem[]> {
    const items = this.preflight.locator('[data-test=problem]')
    const out: ShownProblem[] = []
    for (const li of await items.all()) {
      out.push({
        severity: (await li.getAttribute('data-severity')) as ShownProblem['severity'],
        mark: ((await li.locator('.sev').textContent()) ?? '').trim(),
        message: (await li.locator('.msg').innerText()).trim(),
        fix: (await li.locator('.fix').innerText()).trim(),
      })
    }
    return out
  }

  /** Press "Start the VM" (preflight, boot, connect). */
  async startVm(): Promise<void> {
    await this.startButton.click()
  }

  /** After a failure: press Retry (the primary action then, in place of Start the VM). */
  async retry(): Promise<void> {
    await this.vmCard.getByRole('button', { name: 'Retry', exact: true }).click()
  }

  /** After a failed or cancelled boot: Destroy the VM, confirmed in the dialog. */
  async destroyAfterFailure(): Promise<void> {
    await this.vmCard.getByRole('button', { name: 'Destroy the VM' }).click()
    const dialog = this.page.getByRole('alertdialog')
    await dialog.getByRole('button', { name: 'Destroy', exact: true }).click()
    await dialog.waitFor({ state: 'detached' })
  }

  /** Press Cancel (during the check, the boot or any VM operation). */
  async cancel(): Promise<void> {
    await this.cancelButton.click()
  }

  /** Press "Check again" (preflight only). */
  async checkAgain(): Promise<void> {
    await this.vmCard.getByRole('button', { name: 'Check again' }).click()
  }

  /** The progress box of the running operation. */
  get progress(): Locator {
    return this.vmCard.locator('[data-test=vm-progress]')
  }

  /** Wait until `label` (e.g. "Waiting for SSH") is the running step, or done. */
  async waitForStep(label: string | RegExp, timeout = BOOT_MS): Promise<void> {
    await this.progress
      .getByRole('list', { name: 'VM steps' })
      .locator('li.running, li.done')
      .filter({ hasText: label })
      .first()
      .waitFor({ timeout })
  }

  /** The box download's percent now, or null when no download bar shows (or it has no percent). */
  async downloadPercent(): Promise<number | null> {
    const bar = this.progress.getByRole('progressbar', { name: 'Box download' })
    if (!(await bar.isVisible())) return null
    const v = await bar.getAttribute('aria-valuenow')
    return v === null ? null : Number(v)
  }

  /** The failure box (a failed or cancelled operation), with Retry and maybe Destroy. */
  get failure(): Locator {
    return this.vmCard.getByRole('alert', { name: 'VM failure' })
  }

  /** Wait until the welcome gives way to the workspace, connected; returns the bar's status. */
  async waitConnected(timeout = BOOT_MS): Promise<string> {
    const failed = this.failure.or(this.root.locator('.error-notice'))
    const list = this.page.getByRole('listbox', { name: 'Namespaces' })
    await list.or(failed).first().waitFor({ timeout })
    if (!(await list.isVisible()))
      throw new Error(`not connected: ${await failed.first().innerText()}`)
    return (await this.page.locator('.tbar .status[role=status]').innerText()).trim()
  }

  /** Open Settings → VM from the welcome. */
  async openSettings(): Promise<VmSettingsDialog> {
    await this.vmCard.getByRole('button', { name: 'VM settings…' }).click()
    const d = new VmSettingsDialog(this.page)
    await d.root.waitFor()
    return d
  }

  /** "Connect to an SSH host": the target bar switches to its SSH form. */
  async chooseSsh(): Promise<void> {
    await this.root.getByRole('button', { name: 'Connect to an SSH host' }).click()
  }

  /** "Use this machine" (Linux only): the target bar switches to this machine. */
  async chooseThisMachine(): Promise<void> {
    await this.root.getByRole('button', { name: 'Use this machine' }).click()
  }
}

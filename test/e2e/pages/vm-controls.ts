// Page object of the VM controls in the target bar: the state, Boot / Halt / Reload / Suspend /
// Resume / Destroy / Cancel (Halt and Reload confirmed in the dialog), and the way to the settings.

import type { Locator, Page } from 'playwright-core'
import { VmSettingsDialog } from './vm-settings-dialog'

export type VmButton = 'Boot' | 'Halt' | 'Reload' | 'Suspend' | 'Resume' | 'Cancel'

export class VmControls {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.locator('header.tbar').getByLabel('Virtual machine')
  }

  button(name: VmButton): Locator {
    return this.root.getByRole('button', { name, exact: true })
  }

  /** "VM running", "VM stopped", ... */
  async state(): Promise<string> {
    return (await this.root.locator('.state').innerText()).trim()
  }

  /** Wait until the state reads `label` (e.g. "VM stopped"). */
  async waitState(label: string | RegExp, timeout = 600_000): Promise<void> {
    await this.root.locator('.state', { hasText: label }).waitFor({ timeout })
  }

  /** Press a button; Halt and Reload are then confirmed in the dialog. */
  async press(name: VmButton): Promise<void> {
    await this.button(name).click()
    if (name === 'Halt' || name === 'Reload') {
      const dialog = this.page.getByRole('alertdialog')
      await dialog.getByRole('button', { name, exact: true }).click()
      await dialog.waitFor({ state: 'detached' })
    }
  }

  async halt(): Promise<void> {
    await this.press('Halt')
  }

  async openSettings(): Promise<VmSettingsDialog> {
    await this.root.getByRole('button', { name: 'VM settings' }).click()
    const d = new VmSettingsDialog(this.page)
    await d.root.waitFor()
    return d
  }
}

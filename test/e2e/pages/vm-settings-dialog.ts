// Page object of Settings → VM: provider, box (recommended or custom), memory and CPUs, the inline
// problems, Save and Cancel.

import type { Locator, Page } from 'playwright-core'

export class VmSettingsDialog {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByRole('dialog', { name: 'VM settings' })
  }

  get provider(): Locator {
    return this.root.getByLabel('Provider')
  }

  get memory(): Locator {
    return this.root.getByLabel('Memory (MiB)')
  }

  get cpus(): Locator {
    return this.root.getByLabel('CPUs')
  }

  get saveButton(): Locator {
    return this.root.getByRole('button', { name: 'Save' })
  }

  /** The provider options' texts ("libvirt (KVM) — usable", ...). */
  async providerOptions(): Promise<string[]> {
    return (await this.provider.locator('option').allInnerTexts()).map((t) => t.trim())
  }

  /** null: automatic; else Vagrant's provider name. */
  async setProvider(name: string | null): Promise<void> {
    await this.provider.selectOption(name === null ? { index: 0 } : name)
  }

  /** The string 'recommended', or a custom box name. */
  async setBox(box: string): Promise<void> {
    if (box === 'recommended') {
      await this.root.getByRole('radio', { name: /Recommended/ }).check()
      return
    }
    await this.root.getByRole('radio', { name: /Custom/ }).check()
    await this.root.getByLabel('Custom box').fill(box)
  }

  async setMemory(mib: number | string): Promise<void> {
    await this.memory.fill(String(mib))
  }

  async setCpus(n: number | string): Promise<void> {
    await this.cpus.fill(String(n))
  }

  /** The inline problems shown now. */
  async problems(): Promise<string[]> {
    return (await this.root.locator('.problem').allInnerTexts()).map((t) => t.trim())
  }

  /** Save and wait for the dialog to close. */
  async save(): Promise<void> {
    await this.saveButton.click()
    await this.root.waitFor({ state: 'detached' })
  }

  async cancel(): Promise<void> {
    await this.root.getByRole('button', { name: 'Cancel' }).click()
    await this.root.waitFor({ state: 'detached' })
  }
}

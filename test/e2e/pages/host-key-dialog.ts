// Page object of the changed-host-key review: the heading with host:port, the pinned and the
// offered fingerprints, the warning, and its buttons (Cancel, Replace…, Connect again).

import type { Locator, Page } from 'playwright-core'
import { STEP_MS } from './app-page'

export class HostKeyDialog {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByRole('alertdialog', { name: /^The host key of .* has changed$/ })
  }

  /** Wait until the review is open (after a connect that main refused). */
  async waitShown(): Promise<void> {
    await this.root.waitFor({ timeout: STEP_MS })
  }

  async title(): Promise<string> {
    return (await this.root.getByRole('heading').innerText()).trim()
  }

  /** The fingerprint pinned earlier, as shown. */
  async pinned(): Promise<string> {
    return (await this.root.locator('[data-test=hostkey-pinned]').innerText()).trim()
  }

  /** The fingerprint the server offers now, as shown. */
  async offered(): Promise<string> {
    return (await this.root.locator('[data-test=hostkey-offered]').innerText()).trim()
  }

  async warning(): Promise<string> {
    return (await this.root.locator('[data-test=hostkey-warning]').innerText()).trim()
  }

  /** The buttons' labels, in order. */
  async buttons(): Promise<string[]> {
    return (await this.root.getByRole('button').allInnerTexts()).map((t) => t.trim())
  }

  async replace(): Promise<void> {
    await this.root.getByRole('button', { name: 'Replace the pinned key and connect' }).click()
  }

  async cancel(): Promise<void> {
    await this.root.getByRole('button', { name: 'Cancel' }).click()
  }

  async connectAgain(): Promise<void> {
    await this.root.getByRole('button', { name: 'Connect again' }).click()
  }
}

// Page object of the app window for end-to-end tests: everything here is done the way a user does
// it (clicking, choosing, typing into labelled fields), so a test reads like the tutorial it follows.

import type { Locator, Page } from 'playwright-core'

/** How long a step may take before the test fails (operations go over SSH). */
export const STEP_MS = 30_000

/** A field of an operation form: its label, and the value to type, choose or tick. */
export type FieldValue = string | boolean

/** The app window. */
export class AppPage {
  constructor(readonly page: Page) {}

  /** The namespace list entry of `name`. */
  nsItem(name: string): Locator {
    return this.page
      .getByRole('listbox', { name: 'Namespaces' })
      .locator(`[role=option][data-name="${name}"]`)
  }

  /** The list's filter box (shown once there are more than a few namespaces). */
  get nsFilter(): Locator {
    return this.page.getByRole('searchbox', { name: 'Filter namespaces' })
  }

  /**
   * Wait until `name` is listed and return its entry. A long list is virtualized (other labs on
   * the same machine make it long), so type the name into the filter, as a user would.
   */
  async findNs(name: string): Promise<Locator> {
    if (await this.nsFilter.isVisible()) await this.nsFilter.fill(name)
    const item = this.nsItem(name)
    await item.waitFor({ timeout: STEP_MS })
    return item
  }

  /** Click a namespace in the list (with `compare`, Ctrl-click it as the second panel). */
  async selectNs(name: string, compare = false): Promise<void> {
    const item = await this.findNs(name)
    await item.click(compare ? { modifiers: ['Control'] } : undefined)
    if (await this.nsFilter.isVisible()) await this.nsFilter.fill('')
  }

  /** The panel of a namespace (one, or one of two in compare mode). */
  panel(name: string): Locator {
    return this.page.locator(`section.panel[data-ns="${name}"]`)
  }

  /** Click a tab of a namespace panel, e.g. "Interfaces" or "ARP / neighbours". */
  async tab(ns: string, label: string | RegExp): Promise<void> {
    await this.panel(ns).getByRole('tab', { name: label }).click()
  }

  /** Switch the main view. */
  async view(v: 'Tables' | 'Topology'): Promise<void> {
    await this.page.getByRole('tablist', { name: 'View' }).getByRole('tab', { name: v }).click()
  }

  /** The actions drawer. */
  get actions(): Locator {
    return this.page.getByRole('complementary', { name: 'Actions' })
  }

  /** Open the actions drawer (toolbar button) and choose an operation by its menu title. */
  async chooseOp(title: string): Promise<Locator> {
    if (!(await this.actions.isVisible()))
      await this.page.getByRole('button', { name: 'Actions', exact: true }).click()
    await this.actions.getByLabel('Operation').selectOption({ label: title })
    return this.actions.locator('form')
  }

  /** Fill the current operation form: selects are chosen, checkboxes ticked, inputs typed. */
  async fill(fields: Record<string, FieldValue>): Promise<void> {
    const form = this.actions.locator('form')
    for (const [label, value] of Object.entries(fields)) {
      // A label is matched whole; optional fields carry an "(optional)" suffix.
      const esc = label.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
      const field = form.getByLabel(new RegExp(`^${esc}( \\(optional\\))?$`))
      if (typeof value === 'boolean') await field.setChecked(value)
      else if ((await field.evaluate((el) => el.tagName)) === 'SELECT')
        await field.selectOption(value)
      else await field.fill(value)
    }
  }

  /** The "Will run" preview of the current form. */
  get preview(): Locator {
    return this.actions.locator('[data-test=preview]')
  }

  /**
   * Choose an operation, fill it, check the previewed command, press its button and wait until
   * the form shows what ran. Returns the command lines that ran.
   */
  async runOp(title: string, fields: Record<string, FieldValue>): Promise<string[]> {
    await this.chooseOp(title)
    await this.fill(fields)
    const preview = (await this.preview.innerText({ timeout: STEP_MS })).trim()
    await this.actions.locator('form button[type=submit]').click()
    const ran = this.actions.locator('[data-test=ran]')
    const failed = this.actions.locator('.error-notice')
    await ran.or(failed).first().waitFor({ timeout: STEP_MS })
    if (await failed.isVisible()) throw new Error(`${title} failed: ${await failed.innerText()}`)
    const lines = (await ran.innerText()).trim()
    if (lines !== preview) throw new Error(`ran ${JSON.stringify(lines)}, previewed ${preview}`)
    return lines.split('\n')
  }

  /** Ping from a namespace with the Actions panel's Ping; returns the result line's text. */
  async ping(fromNs: string, address: string, count = 3): Promise<string> {
    await this.chooseOp('Ping')
    const form = this.actions.getByRole('form', { name: 'Ping' })
    await form.getByLabel('From namespace').selectOption(fromNs)
    await form.getByLabel('Destination address').fill(address)
    await form.getByLabel('Count').fill(String(count))
    await form.getByRole('button', { name: 'Ping' }).click()
    const result = form.locator('[data-test=ping-result]')
    await result.waitFor({ timeout: STEP_MS + count * 1000 })
    return result.innerText()
  }

  async closeActions(): Promise<void> {
    if (await this.actions.isVisible())
      await this.actions.getByRole('button', { name: 'Close actions' }).click()
  }

  /** The connection state in the target bar ("Connected to root@127.0.0.1:2222", …). */
  async status(): Promise<string> {
    return (await this.page.getByRole('status').innerText()).trim()
  }

  /** Choose "SSH host" in the target bar, fill in the form as a user types it, press Connect. */
  async connectSsh(spec: {
    host: string
    port: number
    username: string
    privateKeyPath?: string
  }): Promise<void> {
    const bar = this.page.getByRole('form', { name: 'Target' })
    await bar.getByRole('combobox', { name: 'Target' }).selectOption('ssh')
    await bar.getByLabel('User').fill(spec.username)
    await bar.getByLabel('Host').fill(spec.host)
    await bar.getByLabel('Port').fill(String(spec.port))
    await bar.getByLabel('Private key path').fill(spec.privateKeyPath ?? '')
    await bar.getByRole('button', { name: 'Connect', exact: true }).click()
  }

  /** Press Disconnect in the target bar and wait until the app says so. */
  async disconnect(): Promise<void> {
    await this.page.getByRole('button', { name: 'Disconnect', exact: true }).click()
    await this.page
      .getByRole('status')
      .filter({ hasText: 'Not connected' })
      .waitFor({ timeout: STEP_MS })
  }

  /** Open the command log drawer (status bar button). */
  async openLog(): Promise<Locator> {
    const log = this.page.getByRole('region', { name: 'Command log' })
    if (!(await log.isVisible()))
      await this.page.getByRole('button', { name: /^Command log/ }).click()
    return log
  }
}

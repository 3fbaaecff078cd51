// Page object of the lab bar and its dialogs for end-to-end tests: opening (the Open menu, a file
// dropped on the window with a real DataTransfer), Plan & apply, Destroy, Save as, as a user does
// them; and where the topology draws a node (read from the cytoscape instance on its container,
// since the canvas has no DOM per node).

import type { Locator, Page } from 'playwright-core'
import { STEP_MS } from './app-page'

export class LabPage {
  constructor(readonly page: Page) {}

  get bar(): Locator {
    return this.page.getByRole('region', { name: 'Lab' })
  }
  /** The open lab's name, title and file, or "No lab open". */
  get ident(): Locator {
    return this.bar.locator('[data-test=lab-ident]')
  }
  get plan(): Locator {
    return this.page.locator('[data-test=plan-dialog]')
  }
  get parseErrors(): Locator {
    return this.bar.getByRole('alert', { name: 'Lab file errors' })
  }
  /** The Open ▾ menu (while it is open). */
  get menu(): Locator {
    return this.page.getByRole('menu', { name: 'Open lab' })
  }
  button(name: string): Locator {
    return this.bar.getByRole('button', { name, exact: true })
  }

  /** Open ▾ → an item ("Open file…", a lab's name, a recent file's name). */
  async openFromMenu(item: string | RegExp): Promise<void> {
    if (!(await this.menu.isVisible())) await this.button('Open ▾').click()
    await this.page
      .getByRole('menu', { name: 'Open lab' })
      .getByRole('menuitem', { name: item })
      .click()
  }

  /** Wait until the bar shows lab `name` as the open one. */
  async waitOpen(name: string): Promise<void> {
    await this.ident.locator('strong', { hasText: name }).waitFor({ timeout: STEP_MS })
  }

  /** Drop a file with `text` on the window, as the desktop's file manager does. */
  async dropFile(fileName: string, text: string): Promise<void> {
    await this.page.evaluate(
      ([name, body]) => {
        const dt = new DataTransfer()
        dt.items.add(new File([body], name, { type: 'application/yaml' }))
        const fire = (type: string): void =>
          void window.dispatchEvent(
            new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }),
          )
        fire('dragenter')
        fire('dragover')
        fire('drop')
      },
      [fileName, text] as const,
    )
  }

  /** Plan & apply: wait for the plan dialog and return it (not confirmed). */
  async planAndApply(): Promise<Locator> {
    await this.button('Plan & apply').click()
    await this.plan.waitFor({ timeout: STEP_MS })
    return this.plan
  }

  /** Destroy: wait for its confirmation (a plan of deletes) and return it (not confirmed). */
  async destroy(): Promise<Locator> {
    await this.button('Destroy').click()
    await this.plan.waitFor({ timeout: STEP_MS })
    return this.plan
  }

  /** Every command the open plan dialog lists, in order. */
  async planCommands(): Promise<string[]> {
    const blocks = await this.plan.locator('[data-test=plan-change] pre').allInnerTexts()
    return blocks
      .flatMap((b) => b.split('\n'))
      .map((l) => l.trim())
      .filter(Boolean)
  }

  /** Press the dialog's button (Apply, Destroy, Cancel, Close) and wait until the bar is idle again. */
  async confirm(label: string): Promise<void> {
    await this.plan.getByRole('button', { name: label, exact: true }).click()
    await this.plan.waitFor({ state: 'detached', timeout: STEP_MS })
    const idle = this.button('Plan & apply')
    const end = Date.now() + STEP_MS * 2
    while (!(await idle.isEnabled())) {
      if (Date.now() > end) throw new Error(`the lab bar stayed busy after ${label}`)
      await this.page.waitForTimeout(100)
    }
  }

  /** The model position of a topology node (namespace `ns:NAME`), or null until it is drawn. */
  async nodePosition(id: string): Promise<{ x: number; y: number } | null> {
    const canvas = this.page.locator('[data-test=topology-canvas]')
    await canvas.waitFor({ timeout: STEP_MS })
    return canvas.evaluate((el, nodeId) => {
      type Cy = {
        getElementById(id: string): { empty(): boolean; position(): { x: number; y: number } }
      }
      const cy = (el as unknown as { _cyreg?: { cy?: Cy } })._cyreg?.cy
      const n = cy?.getElementById(nodeId)
      return !n || n.empty() ? null : { ...n.position() }
    }, id)
  }
}

// Page object of the guided tutorials: the list (on the welcome or in the Tutorials panel) and the
// open tutorial's steps, their Run buttons and the state of each step and check as the page shows it.

import type { Locator, Page } from 'playwright-core'

export class GuidePage {
  constructor(readonly page: Page) {}

  /** The button that opens tutorial `n` in a tutorial list. */
  tutorial(n: number): Locator {
    return this.page.getByRole('button', { name: new RegExp(`^Tutorial ${n} `) })
  }

  get panel(): Locator {
    return this.page.getByRole('complementary', { name: 'Guided tutorial' })
  }

  get heading(): Locator {
    return this.panel.getByRole('heading', { level: 2 })
  }

  /** Step `id` of the open tutorial (an item labelled by its title). */
  step(id: string): Locator {
    return this.panel.locator(`[data-step="${id}"]`)
  }

  stepIds(): Promise<string[]> {
    return this.panel
      .locator('[data-step]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-step') ?? ''))
  }

  /** passed, failed or unknown, as the step shows it. */
  stepState(id: string): Promise<string | null> {
    return this.step(id).getAttribute('data-state')
  }

  runButton(id: string): Locator {
    return this.step(id).getByRole('button', { name: /Run this step|Running…|Nothing left to run/ })
  }

  /** Every check of the open tutorial: name and state. */
  checks(): Promise<Array<{ name: string; state: string }>> {
    return this.panel.locator('[data-check]').evaluateAll((els) =>
      els.map((e) => ({
        name: e.getAttribute('data-check') ?? '',
        state: e.getAttribute('data-state') ?? '',
      })),
    )
  }

  /** The command lines a step shows. */
  commands(id: string): Promise<string[]> {
    return this.step(id)
      .getByRole('list', { name: 'Commands of this step' })
      .locator('code')
      .allInnerTexts()
  }

  get progress(): Locator {
    return this.panel.locator('[data-test="guide-progress"]')
  }
}

// Page object of the challenge panel: its goal, Start/Restart, each check's state as the page
// shows it, the Hint buttons and the "What you changed" list.

import type { Locator, Page } from 'playwright-core'

export class ChallengePage {
  constructor(readonly page: Page) {}

  get panel(): Locator {
    return this.page.getByRole('complementary', { name: 'Challenge' })
  }

  get heading(): Locator {
    return this.panel.getByRole('heading', { level: 2 })
  }

  get goalText(): Locator {
    return this.panel.locator('[data-test=challenge-goal]')
  }

  /** Start challenge, or Restart challenge once started. */
  get startButton(): Locator {
    return this.panel.locator('[data-test=challenge-start]')
  }

  check(name: string): Locator {
    return this.panel.locator(`[data-check="${name.replace(/"/g, '\\"')}"]`)
  }

  /** passed, failed or unknown, as the check shows it. */
  checkState(name: string): Promise<string | null> {
    return this.check(name).getAttribute('data-state')
  }

  /** The check names in the order shown (the goal first). */
  checkNames(): Promise<string[]> {
    return this.panel
      .locator('[data-check]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-check') ?? ''))
  }

  hintButton(name: string): Locator {
    return this.check(name).getByRole('button', { name: `Hint for ${name}` })
  }

  hint(name: string): Locator {
    return this.check(name).locator('[data-test=hint]')
  }

  get changes(): Locator {
    return this.panel.getByRole('region', { name: 'What you changed' })
  }

  /** The commands "What you changed" lists, in order. */
  changedCommands(): Promise<string[]> {
    return this.changes.locator('[data-test=change] code').allInnerTexts()
  }
}

// Smoke test of the real Electron app with Playwright's _electron: the window opens on the app
// scheme page (app://netns-studio/index.html) and renders, window.api is there and Node is not.
// Needs the Electron binary (fetched by `npx install-electron`, which `npm start` runs first);
// where it is absent the test is skipped with the reason.

import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { _electron as electron } from 'playwright-core'
import { describe, expect, it } from 'vitest'

const pkg = resolve('node_modules/electron')
function electronBinary(): string | null {
  const pathFile = join(pkg, 'path.txt')
  if (!existsSync(pathFile)) return null
  const bin = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(bin) ? bin : null
}

const bin = electronBinary()
const skip = bin
  ? !existsSync('out/main/index.js')
    ? 'the app is not built (run electron-vite build)'
    : null
  : 'no Electron binary in node_modules/electron (not fetched yet: `npx install-electron`, which needs network)'
if (skip) console.warn(`SKIP Electron smoke test: ${skip}`)

describe.skipIf(!!skip)('Electron app (real binary)', () => {
  it('opens one secure window on the app page', async () => {
    const app = await electron.launch({
      executablePath: bin!,
      args: ['--no-sandbox', resolve('out/main/index.js')],
      env: { ...process.env, ELECTRON_ENABLE_LOGGING: '1' },
    })
    try {
      const page = await app.firstWindow()
      await page.waitForLoadState('domcontentloaded')
      expect(await page.title()).toBe('netns-studio')
      expect(page.url()).toBe('app://netns-studio/index.html')
      // Rendered, not the blank page a file:// load gives with the fuse off.
      await page.locator('#app > *').first().waitFor({ state: 'attached' })
      const probe = await page.evaluate(() => ({
        api: typeof (window as unknown as { api?: unknown }).api,
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
      }))
      expect(probe).toEqual({ api: 'object', require: 'undefined', process: 'undefined' })
      expect(app.windows()).toHaveLength(1)
    } finally {
      await app.close()
    }
  })
})

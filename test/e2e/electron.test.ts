// Smoke test of the real Electron app with Playwright's _electron: the window opens on the app
// page, window.api is there and Node is not. Needs the Electron binary, which `npm install`
// downloads on a user's machine; where it is absent the test is skipped with the reason.

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
  : 'no Electron binary in node_modules/electron (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1 or offline)'
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

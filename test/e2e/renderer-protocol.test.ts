// The packaged window's page in real Chromium: the BUILT renderer answered by the app:// handler
// renders (root filled, target bar shown, every file with its MIME type and the CSP header), while
// the old file:// load of the same index.html stays blank, its module script blocked by CORS
// (origin "null"): what the packaged app showed with the fuse grantFileProtocolExtraPrivileges off.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Response as PwResponse } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APP_CSP } from '../../src-main/security'
import { e2eSkipReason, openApp, RENDERER_DIR, type OpenedApp } from './support/app'

const skip = e2eSkipReason({ needsSshd: false })
if (skip) console.warn(`[e2e renderer-protocol] skipped: ${skip}`)

describe.skipIf(skip !== null)('built renderer over the app:// handler (Chromium)', () => {
  let app: OpenedApp

  beforeAll(async () => {
    app = await openApp({ services: { refreshMs: 0 } })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('renders the app, every file served with its MIME type, the CSP and nosniff', async () => {
    const responses: PwResponse[] = []
    app.page.on('response', (r) => responses.push(r))
    await app.page.reload({ waitUntil: 'load' })

    // The app ran: Vue filled the root, the target bar is there and talked to main.
    await expect
      .poll(() => app.page.evaluate(() => document.querySelector('#app')?.childElementCount ?? 0))
      .toBeGreaterThan(0)
    await app.page.getByRole('form', { name: 'Target' }).waitFor({ state: 'visible' })
    await app.page.getByRole('banner').getByText('Not connected').waitFor({ state: 'visible' })
    expect(await app.page.title()).toBe('netns-studio')

    const html = readFileSync(join(RENDERER_DIR, 'index.html'), 'utf8')
    const script = /<script type="module"[^>]*src="\.\/([^"]+)"/.exec(html)?.[1]
    const style = /<link rel="stylesheet"[^>]*href="\.\/([^"]+)"/.exec(html)?.[1]
    expect(script, 'module script in the built index.html').toMatch(/^assets\/.+\.js$/)
    expect(style, 'stylesheet in the built index.html').toMatch(/^assets\/.+\.css$/)
    const byPath = (p: string): PwResponse | undefined =>
      responses.find((r) => new URL(r.url()).pathname === `/${p}`)
    const expected: Array<[string, string]> = [
      ['index.html', 'text/html; charset=utf-8'],
      [script!, 'text/javascript; charset=utf-8'],
      [style!, 'text/css; charset=utf-8'],
    ]
    for (const [path, type] of expected) {
      const r = byPath(path)
      expect(r, path).toBeDefined()
      expect(r!.status(), path).toBe(200)
      const h = await r!.allHeaders()
      expect(h['content-type'], path).toBe(type)
      expect(h['content-security-policy'], path).toBe(APP_CSP)
      expect(h['x-content-type-options'], path).toBe('nosniff')
    }
    // Every file the page loaded came from the handler with the CSP (lazy chunks included).
    for (const r of responses) {
      expect(r.status(), r.url()).toBe(200)
      expect((await r.allHeaders())['content-security-policy'], r.url()).toBe(APP_CSP)
    }
    expect(app.errors).toEqual([])
  })

  it('the old file:// load of the same index.html is blank: module script blocked by CORS', async () => {
    const context = await app.browser.newContext()
    try {
      const page = await context.newPage()
      const console: string[] = []
      const failed: string[] = []
      page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`))
      page.on('pageerror', (e) => console.push(`pageerror: ${e.message}`))
      page.on('requestfailed', (r) => failed.push(r.url()))
      const url = pathToFileURL(join(RENDERER_DIR, 'index.html')).href
      await page.goto(url, { waitUntil: 'load' })

      // Chromium reports the blocked module script on the console (polled, not slept on).
      await expect
        .poll(() => console.find((m) => /blocked by CORS policy/.test(m)) ?? '')
        .toMatch(/from origin 'null' has been blocked by CORS policy/)
      expect(failed.some((u) => /\/assets\/.+\.js$/.test(u))).toBe(true)
      // The HTML itself loaded (title), but nothing rendered into the root.
      expect(await page.title()).toBe('netns-studio')
      expect(await page.evaluate(() => document.querySelector('#app')?.innerHTML)).toBe('')
      expect(await page.getByRole('form', { name: 'Target' }).count()).toBe(0)
    } finally {
      await context.close()
    }
  })
})

// The namespace panel shows each namespace's identity, in real Chromium on the built renderer
// bridged to the real router over SSH to real namespaces: the inode the badge shows is the one
// `stat -L -c %i /run/netns/NAME` gives, the root's is the host's, and side by side two differ.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanupPrefix, runPrefix, sh } from '../support/netns'
import { startSshd, type SshdFixture } from '../support/sshd'
import { AppPage, STEP_MS } from './pages/app-page'
import { e2eSkipReason, openApp, type OpenedApp } from './support/app'

const skip = e2eSkipReason()
if (skip) console.warn(`[e2e namespace inode] skipped: ${skip}`)

const statInode = (path: string): string => sh(['stat', '-L', '-c', '%i', '--', path]).trim()

describe.skipIf(skip !== null)('namespace inode badge (Chromium bridge)', () => {
  let sshd: SshdFixture
  let app: OpenedApp
  let ui: AppPage
  const p = runPrefix()
  const [a, b] = [`${p}ia`, `${p}ib`]

  beforeAll(async () => {
    sshd = await startSshd()
    app = await openApp({ sshd })
    ui = new AppPage(app.page)
    for (const name of [a, b]) await app.invoke('netns:apply', { op: 'ns.add', name })
  })

  afterAll(async () => {
    await app?.close()
    await sshd?.stop()
    cleanupPrefix(p)
  })

  const badge = (ns: string) => ui.panel(ns).locator('[data-test="ns-inode"]')

  /** Screenshot in both themes, under test/e2e/screenshots/8x-inode-NAME-{light,dark}.png. */
  async function shots(name: string): Promise<void> {
    for (const scheme of ['light', 'dark'] as const) {
      await app.page.emulateMedia({ colorScheme: scheme })
      await app.screenshot(`8x-inode-${name}-${scheme}`)
    }
    await app.page.emulateMedia({ colorScheme: 'light' })
  }

  it("shows a namespace's inode, the one stat gives for its file, with what it means", async () => {
    await ui.selectNs(a)
    await expect
      .poll(() => badge(a).innerText(), { timeout: STEP_MS })
      .toBe(`inode ${statInode(`/run/netns/${a}`)}`)
    expect(await badge(a).getAttribute('title')).toMatch(
      /identity: the inode of its namespace file.*same inode/,
    )
    await shots('one')
  })

  it("shows the root namespace the host's inode, and two namespaces side by side differ", async () => {
    await ui.selectNs('host')
    await expect
      .poll(() => badge('host').innerText(), { timeout: STEP_MS })
      .toBe(`inode ${statInode('/proc/self/ns/net')}`)
    await ui.selectNs(a)
    await ui.selectNs(b, true)
    await expect.poll(() => app.page.locator('section.panel').count()).toBe(2)
    await expect
      .poll(() => badge(b).innerText(), { timeout: STEP_MS })
      .toBe(`inode ${statInode(`/run/netns/${b}`)}`)
    expect(await badge(a).innerText()).not.toBe(await badge(b).innerText())
    await shots('compare')
    expect(app.errors).toEqual([])
  })
})

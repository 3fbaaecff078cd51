// Services and sockets by clicking, in real Chromium on the built renderer, with window.api bridged
// to the real router over a real SshTarget to a real sshd and real namespaces here: the same port
// started in two namespaces shows in both Sockets tables (held by socat), a third start on a taken
// port says so, and Stop leaves no process. Screenshots in both themes (5x-sockets-*.png).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanupPrefix, runPrefix, sh } from '../support/netns'
import { startSshd, type SshdFixture } from '../support/sshd'
import { AppPage, STEP_MS } from './pages/app-page'
import { e2eSkipReason, openApp, type OpenedApp } from './support/app'

function hasSocat(): boolean {
  try {
    sh(['sh', '-c', 'command -v socat'])
    return true
  } catch {
    return false
  }
}

const skip = e2eSkipReason() ?? (hasSocat() ? null : 'socat is not installed here')
if (skip) console.warn(`[e2e services] skipped: ${skip}`)

const pidsIn = (ns: string): string[] =>
  sh(['ip', 'netns', 'pids', ns]).trim().split('\n').filter(Boolean)

describe.skipIf(skip !== null)('services and sockets tables by clicking (Chromium bridge)', () => {
  let sshd: SshdFixture
  let app: OpenedApp
  let ui: AppPage
  const p = runPrefix()
  const A = `${p}a`
  const B = `${p}b`
  const PORT = String(20000 + Math.floor(Math.random() * 20000))

  /** Screenshot in both themes, under test/e2e/screenshots/5x-sockets-NAME-{light,dark}.png. */
  async function shots(name: string): Promise<void> {
    for (const scheme of ['light', 'dark'] as const) {
      await app.page.emulateMedia({ colorScheme: scheme })
      await app.screenshot(`5x-sockets-${name}-${scheme}`)
    }
    await app.page.emulateMedia({ colorScheme: 'light' })
  }

  /** The row of the sockets table of `ns` for our port. */
  const portRow = (ns: string) =>
    ui
      .panel(ns)
      .getByRole('table', { name: `Listening sockets of ${ns}` })
      .getByRole('row')
      .filter({ has: app.page.locator(`[data-test=socket-port]:text-is("${PORT}")`) })

  /** Fill the Service form of `ns` and press Start; wait until it is listed as listening. */
  async function startService(ns: string): Promise<void> {
    const panel = ui.panel(ns)
    await panel.getByLabel('Service protocol').selectOption('tcp')
    await panel.getByLabel('Service port').fill(PORT)
    await panel.getByRole('button', { name: 'Start service' }).click()
    await panel
      .locator(`[data-service="tcp/${PORT}"] .badge`, { hasText: 'listening' })
      .waitFor({ timeout: STEP_MS })
  }

  beforeAll(async () => {
    cleanupPrefix(p)
    for (const ns of [A, B]) {
      sh(['ip', 'netns', 'add', ns])
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
    }
    sshd = await startSshd()
    app = await openApp({
      sshd,
      services: { refreshMs: 0 },
      viewport: { width: 1280, height: 860 },
    })
    ui = new AppPage(app.page)
    await ui.findNs(A)
  })

  afterAll(async () => {
    await app?.close()
    await sshd?.stop()
    cleanupPrefix(p)
  })

  it('the same port in two namespaces: both Sockets tables show it held by socat; Stop removes it', async () => {
    await ui.selectNs(A)
    await ui.tab(A, 'Sockets')
    const a = ui.panel(A)
    await expect
      .poll(() => a.locator('[data-test=sockets-read-at]').innerText(), { timeout: STEP_MS })
      .toMatch(/read at/)
    // a bad port is refused in the form, before anything runs
    await a.getByLabel('Service port').fill('70000')
    await expect.poll(() => a.locator('.service .problem').innerText()).toContain('out of range')
    expect(await a.getByRole('button', { name: 'Start service' }).isDisabled()).toBe(true)

    await startService(A)
    await portRow(A).waitFor({ timeout: STEP_MS })
    expect(await portRow(A).locator('[data-test=socket-process]').innerText()).toMatch(
      /^socat \(pid \d+\)$/,
    )

    await shots('one-namespace')

    // the second namespace, side by side (compare mode keeps the Sockets tab)
    await ui.selectNs(B, true)
    const b = ui.panel(B)
    await startService(B)
    await portRow(B).waitFor({ timeout: STEP_MS })
    for (const ns of [A, B]) {
      const pid = (await portRow(ns).locator('[data-test=socket-process]').innerText()).match(
        /\d+/,
      )?.[0]
      expect(pidsIn(ns)).toContain(pid) // ss's pid is a process of that very namespace
    }
    // a client inside A gets A's answer, and the list counts it
    const got = sh([
      'ip',
      'netns',
      'exec',
      A,
      'timeout',
      '5',
      'bash',
      '-c',
      `exec 3<>/dev/tcp/127.0.0.1/${PORT}; cat <&3`,
    ])
    expect(got).toBe(`netns-studio ${A}:${PORT}\n`)
    await expect
      .poll(() => a.locator(`[data-service="tcp/${PORT}"]`).innerText(), { timeout: STEP_MS })
      .toMatch(/1 connection, last from 127\.0\.0\.1:\d+/)
    await shots('two-namespaces')

    // the same port again in A: the kernel refuses, the form says which port and where
    await a.getByRole('button', { name: 'Start service' }).click()
    const alert = a.getByRole('alert')
    await alert.waitFor({ timeout: STEP_MS })
    expect(await alert.innerText()).toContain(`Port ${PORT}/tcp is already in use in ${A}`)
    await shots('port-in-use')
    await alert.getByRole('button', { name: 'Dismiss' }).click()

    for (const [ns, panel] of [
      [A, a],
      [B, b],
    ] as const) {
      await panel.getByRole('button', { name: `Stop the tcp service on port ${PORT}` }).click()
      await expect
        .poll(() => panel.locator(`[data-service="tcp/${PORT}"] .badge`).innerText(), {
          timeout: STEP_MS,
        })
        .toBe('stopped')
      await expect.poll(() => portRow(ns).count(), { timeout: STEP_MS }).toBe(0)
      expect(pidsIn(ns)).toEqual([])
    }
  })
})

// Tutorial 2 as a guided lab, in real Chromium on the built renderer over the real router, sshd and
// namespaces: from the welcome it opens in at most 3 clicks, every step runs by clicking, every
// check turns green from lab:check's verdicts (and the kernel agrees), and reset takes the target
// back to the start. Screenshots of every step in light and dark.
//
// The tutorial's names are fixed (red, green, bridge1, ...): a per-run prefix cannot apply. The
// test refuses to run over any of them already on this machine, and removes them afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sh } from '../support/netns'
import { startSshd, type SshdFixture } from '../support/sshd'
import { STEP_MS } from './pages/app-page'
import { GuidePage } from './pages/guide-page'
import { e2eSkipReason, openApp, type OpenedApp } from './support/app'

const NAMESPACES = ['red', 'green']
const ROOT_LINKS = ['bridge1', 'veth-r', 'veth-g', 'eth0-r', 'eth0-g']

function rootLinks(): string[] {
  return (JSON.parse(sh(['ip', '-j', 'link', 'show'])) as Array<{ ifname: string }>).map(
    (l) => l.ifname,
  )
}

function namespaces(): string[] {
  const out = sh(['ip', '-j', 'netns', 'list']).trim()
  return out ? (JSON.parse(out) as Array<{ name: string }>).map((n) => n.name) : []
}

/** Why the fixed names cannot be used here, or null. */
function namesInUse(): string | null {
  if (process.getuid?.() !== 0) return null // e2eSkipReason already says why
  const ns = namespaces().filter((n) => NAMESPACES.includes(n))
  const links = rootLinks().filter((l) => ROOT_LINKS.includes(l))
  if (!ns.length && !links.length) return null
  return `tutorial 2's fixed names are in use on this machine (${[...ns, ...links].join(', ')}); not running over them`
}

function cleanup(): void {
  for (const n of NAMESPACES.filter((x) => namespaces().includes(x)))
    sh(['ip', 'netns', 'delete', n])
  for (const l of ROOT_LINKS.filter((x) => rootLinks().includes(x)))
    sh(['ip', 'link', 'delete', 'dev', l])
}

const skip = e2eSkipReason() ?? namesInUse()
if (skip) console.warn(`[e2e guide] skipped: ${skip}`)

describe.skipIf(skip !== null)('guided tutorial 2 (Chromium bridge)', () => {
  let sshd: SshdFixture
  let app: OpenedApp
  let guide: GuidePage
  let clicks = 0

  /** Screenshot in both themes, under test/e2e/screenshots/6x-guide-NAME-{light,dark}.png. */
  async function shots(name: string): Promise<void> {
    for (const scheme of ['light', 'dark'] as const) {
      await app.page.emulateMedia({ colorScheme: scheme })
      await app.screenshot(`6x-guide-${name}-${scheme}`)
    }
    await app.page.emulateMedia({ colorScheme: 'light' })
  }

  beforeAll(async () => {
    sshd = await startSshd()
    app = await openApp({ sshd, connect: false, services: { refreshMs: 0 } })
    guide = new GuidePage(app.page)
  })

  afterAll(async () => {
    await app?.close()
    await sshd?.stop()
    cleanup()
  })

  it('opens from the welcome in at most 3 clicks', async () => {
    const page = app.page
    const t2 = guide.tutorial(2)
    await t2.waitFor({ timeout: STEP_MS })
    expect(await t2.innerText()).toMatch(/A bridge joins red and green\s*0\/7/)
    await t2.click()
    clicks++
    await expect
      .poll(() => page.locator('[data-test="guide-pending"]').innerText())
      .toMatch(/tutorial 2 opens/)
    await shots('0-welcome')
    // Connect with the target bar (an SSH host here; the VM is "Start the VM", one click).
    const spec = app.sshSpec!
    await page.getByRole('combobox', { name: 'Target' }).selectOption('ssh')
    clicks++
    await page.getByLabel('User').fill(spec.username)
    await page.getByLabel('Host').fill(spec.host)
    await page.getByLabel('Port').fill(String(spec.port))
    await page.getByLabel('Private key path').fill(spec.privateKeyPath!)
    await page.getByRole('button', { name: 'Connect', exact: true }).click()
    clicks++
    await guide.heading.waitFor({ timeout: STEP_MS })
    expect(await guide.heading.innerText()).toBe('Tutorial 2: A bridge joins red and green')
    expect(clicks).toBeLessThanOrEqual(3)
    expect(await guide.stepIds()).toEqual([
      'namespaces',
      'bridge',
      'cable-red',
      'cable-green',
      'red-up',
      'green-up',
      'ping',
    ])
    // Nothing built yet: the first checks have a verdict, and it is not green.
    await expect.poll(() => guide.stepState('namespaces'), { timeout: STEP_MS }).toBe('failed')
    await shots('1-opened')
  })

  it('runs every step by clicking; each step turns green from the live kernel', async () => {
    const ids = await guide.stepIds()
    for (const [i, id] of ids.entries()) {
      const run = guide.runButton(id)
      if (await run.count()) {
        // The commands shown are the ones that run (checked against the command log below).
        expect((await guide.commands(id)).length).toBeGreaterThan(0)
        await run.click()
      }
      // On failure, say what the step showed (its checks' details, an error).
      try {
        await expect.poll(() => guide.stepState(id), { timeout: STEP_MS }).toBe('passed')
      } catch (e) {
        throw new Error(`step ${id} is not green:\n${await guide.step(id).innerText()}`, {
          cause: e,
        })
      }
      await guide.step(id).scrollIntoViewIfNeeded()
      await shots(`step-${i + 1}-${id}`)
    }
    // "Show me" on the last step: red's neighbour table, with green's address learned by ARP.
    await guide.step('ping').getByRole('button', { name: 'Show me' }).click()
    const red = app.page.locator('section.panel[data-ns="red"]')
    await expect
      .poll(() => red.getByRole('tab', { name: /ARP/ }).getAttribute('aria-selected'))
      .toBe('true')
    await expect.poll(() => red.innerText(), { timeout: STEP_MS }).toContain('10.0.0.2')
    await shots('step-7-show-me')
    const checks = await guide.checks()
    expect(checks.length).toBe(13)
    expect(checks.filter((c) => c.state !== 'passed')).toEqual([])
    expect(await guide.progress.innerText()).toBe('7/7 steps pass')
    // The kernel agrees, read here without the app.
    expect(sh(['ip', 'netns', 'exec', 'red', 'ping', '-c', '1', '-W', '2', '10.0.0.2'])).toMatch(
      /1 received/,
    )
    expect(sh(['ip', '-o', 'link', 'show', 'dev', 'veth-g'])).toMatch(/master bridge1 /)
    const ran = app.services.commandLog.entries().map((e) => e.line)
    expect(ran).toContain('ip link add eth0-r type veth peer name veth-r')
    expect(ran).toContain('ip -n green addr add 10.0.0.2/24 dev eth0-g')
    expect(app.errors).toEqual([])
  })

  it('reset takes the target back to the start, after confirming the commands', async () => {
    const page = app.page
    await page.getByRole('button', { name: 'Reset tutorial' }).click()
    const dialog = page.getByRole('alertdialog')
    await dialog.waitFor({ timeout: STEP_MS })
    const lines = await dialog.locator('pre').innerText()
    expect(lines).toContain('ip link delete dev bridge1')
    expect(lines).toContain('ip netns delete red')
    expect(lines).toContain('ip netns delete green')
    await shots('8-reset-confirm')
    await dialog.getByRole('button', { name: 'Reset' }).click()
    await expect.poll(() => guide.stepState('namespaces'), { timeout: STEP_MS }).toBe('failed')
    await page.getByRole('button', { name: 'Reset tutorial' }).waitFor({ timeout: STEP_MS })
    await expect
      .poll(() => namespaces().filter((n) => NAMESPACES.includes(n)), { timeout: STEP_MS })
      .toEqual([])
    expect(rootLinks().filter((l) => ROOT_LINKS.includes(l))).toEqual([])
    await expect.poll(() => guide.progress.innerText(), { timeout: STEP_MS }).toBe('0/7 steps pass')
    // The list in the Tutorials panel shows the progress on this target.
    await page.getByRole('button', { name: '← Tutorials' }).click()
    expect(await guide.tutorial(2).innerText()).toMatch(/0\/7/)
    await shots('9-list')
  })
})

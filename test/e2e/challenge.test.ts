// Challenge 1 in real Chromium on the built renderer, over the real router, sshd and namespaces:
// picked on the welcome (under the tutorials), then connected, the Challenge panel shows its goal; Start shows the plan
// and applies it (the fault is in the kernel: veth1 down); the goal is red from lab:check; a hint
// comes on request; the fix made through the Actions forms turns the goal green, and "What you
// changed" lists exactly the command the form ran. Restart puts the fault back; Save as… writes a
// file that parses to the same challenge (the teacher's export). Screenshots light and dark.
//
// The built-in challenges use fixed names (ns1, ns2): a per-run prefix cannot apply. The test
// refuses to run over any of them already on this machine, and removes them afterwards.
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILTIN_LABS } from '../../shared/lab/builtin'
import { parseLab } from '../../shared/lab/parse'
import type { Lab } from '../../shared/lab/types'
import { sh } from '../support/netns'
import { startSshd, type SshdFixture } from '../support/sshd'
import { AppPage, STEP_MS } from './pages/app-page'
import { ChallengePage } from './pages/challenge-page'
import { LabPage } from './pages/lab-page'
import { e2eSkipReason, openApp, type OpenedApp } from './support/app'

const NAME = 'challenge-1'
const GOAL = 'ns1 reaches ns2'

function builtin(name: string): Lab {
  const b = BUILTIN_LABS.find((l) => l.name === name)
  const r = b ? parseLab(b.yaml, `${name}.yaml`) : null
  if (!r?.ok) throw new Error(`built-in lab ${name} is missing or does not parse`)
  return r.lab
}

const LAB = builtin(NAME)
const NAMESPACES = Object.keys(LAB.namespaces)
const LINK_NAMES = LAB.links.flatMap((l) => l.endpoints.map((e) => e.name))

function namespaces(): string[] {
  const out = sh(['ip', '-j', 'netns', 'list']).trim()
  return out ? (JSON.parse(out) as Array<{ name: string }>).map((n) => n.name) : []
}

function rootLinks(): string[] {
  return (JSON.parse(sh(['ip', '-j', 'link', 'show'])) as Array<{ ifname: string }>).map(
    (l) => l.ifname,
  )
}

/** Why the challenge's fixed names cannot be used here, or null. */
function namesInUse(): string | null {
  if (process.getuid?.() !== 0) return null // e2eSkipReason already says why
  const taken = [
    ...namespaces().filter((n) => NAMESPACES.includes(n)),
    ...rootLinks().filter((l) => LINK_NAMES.includes(l)),
  ]
  if (!taken.length) return null
  return `${NAME}'s fixed names are in use on this machine (${taken.join(', ')}); not running over them`
}

/** The flags of a link in a namespace, as the kernel reports them. */
function flags(ns: string, dev: string): string[] {
  const [l] = JSON.parse(sh(['ip', '-n', ns, '-j', 'link', 'show', 'dev', dev])) as Array<{
    flags: string[]
  }>
  return l?.flags ?? []
}

const skip = e2eSkipReason() ?? namesInUse()
if (skip) console.warn(`[e2e challenge] skipped: ${skip}`)

describe.skipIf(skip !== null)('challenge 1 (Chromium bridge)', () => {
  let sshd: SshdFixture
  let app: OpenedApp
  let ui: AppPage
  let labs: LabPage
  let ch: ChallengePage
  /** The command lines the form ran to fix it. */
  let fix: string[] = []

  /** Screenshot in both themes, under test/e2e/screenshots/7x-challenge-NAME-{light,dark}.png. */
  async function shots(name: string): Promise<void> {
    for (const scheme of ['light', 'dark'] as const) {
      await app.page.emulateMedia({ colorScheme: scheme })
      await app.screenshot(`7x-challenge-${name}-${scheme}`)
    }
    await app.page.emulateMedia({ colorScheme: 'light' })
  }

  beforeAll(async () => {
    sshd = await startSshd()
    app = await openApp({ sshd, connect: false, services: { refreshMs: 0 } })
    ui = new AppPage(app.page)
    labs = new LabPage(app.page)
    ch = new ChallengePage(app.page)
  })

  afterAll(async () => {
    try {
      await app?.invoke('lab:destroy', NAME, {})
    } catch {
      // Not applied (an earlier step failed): the names are removed below all the same.
    }
    await app?.close()
    await sshd?.stop()
    for (const n of NAMESPACES.filter((x) => namespaces().includes(x)))
      sh(['ip', 'netns', 'delete', n])
    rmSync(`/run/netns-studio/lab-${NAME}`, { force: true })
  })

  it('picked on the welcome, it opens with its goal once connected', async () => {
    const item = app.page.locator(`[data-test=challenge-open-${NAME}]`)
    await item.waitFor({ timeout: STEP_MS })
    expect(await item.innerText()).toContain('ns1 cannot reach ns2')
    await item.click()
    await expect
      .poll(() => app.page.locator('[data-test=challenge-pending]').innerText())
      .toBe('Connect to a target above and challenge 1 opens.')
    await app.page.locator('[data-test=challenge-pending]').scrollIntoViewIfNeeded()
    await shots('0-welcome')
    await ui.connectSsh(app.sshSpec!)
    await ch.panel.waitFor({ timeout: STEP_MS })
    await labs.waitOpen(NAME)
    expect(await ch.heading.innerText()).toBe('Challenge: ns1 cannot reach ns2')
    expect(await ch.goalText.innerText()).toContain('Goal: ns1 reaches ns2 (10.10.10.2).')
    expect(await ch.checkNames()).toEqual(LAB.checks!.map((c) => c.name))
    expect(await ch.startButton.innerText()).toBe('Start challenge')
  })

  it('Start shows the plan and applies it: the fault is in the kernel and the goal is red', async () => {
    await ch.startButton.click()
    await labs.plan.waitFor({ timeout: STEP_MS })
    const planned = await labs.planCommands()
    expect(planned).toContain('ip netns add ns1')
    expect(planned).toContain('ip netns add ns2')
    await labs.confirm('Apply')
    await expect
      .poll(() => ch.startButton.innerText(), { timeout: STEP_MS })
      .toBe('Restart challenge')
    // The fault is in the kernel, and the goal's verdict says it does not work.
    expect(namespaces()).toEqual(expect.arrayContaining(NAMESPACES))
    expect(flags('ns2', 'veth1')).not.toContain('UP')
    // Verdicts from before the apply (no ns1 yet) are dropped: these are about the fault.
    await expect
      .poll(() => ch.check('veth1 is up').innerText(), { timeout: STEP_MS })
      .toMatch(/veth1 in ns2/)
    expect(await ch.checkState('veth1 is up')).toBe('failed')
    expect(await ch.checkState('veth0 carries')).toBe('failed')
    await expect.poll(() => ch.checkState(GOAL), { timeout: STEP_MS }).toBe('failed')
    expect(await ch.check(GOAL).innerText()).toContain('not solved yet')
    expect(await ch.check(GOAL).innerText()).not.toContain('does not exist')
    await expect(ch.changes.count()).resolves.toBe(0)
    await shots('1-started')
  })

  it("shows a failing check's hint only when asked", async () => {
    await expect(ch.hint('veth1 is up').count()).resolves.toBe(0)
    await ch.hintButton('veth1 is up').click()
    expect(await ch.hint('veth1 is up').innerText()).toBe('Hint: ip -n ns2 link set dev veth1 up')
    await expect(ch.hint(GOAL).count()).resolves.toBe(0)
    await shots('2-hint')
  })

  it('fixed through the forms, the goal turns green and "What you changed" lists the command', async () => {
    fix = await ui.runOp('Set link up/down', { Namespace: 'ns2', Interface: 'veth1', State: 'up' })
    expect(fix).toEqual(['ip -n ns2 link set dev veth1 up'])
    await ui.closeActions()
    // Polled on the text so that a failure shows the verdict's detail.
    await expect.poll(() => ch.check(GOAL).innerText(), { timeout: STEP_MS }).toMatch(/Solved/)
    expect(await ch.checkState(GOAL)).toBe('passed')
    expect(await ch.panel.locator('[data-test=started]').innerText()).toMatch(/solved in \d+/)
    // The kernel agrees: the link is up and ns1 gets an answer from ns2.
    expect(flags('ns2', 'veth1')).toContain('UP')
    sh(['ip', 'netns', 'exec', 'ns1', 'ping', '-c', '1', '-W', '2', '10.10.10.2'])
    await ch.changes.waitFor({ timeout: STEP_MS })
    expect(await ch.changedCommands()).toEqual(fix)
    expect(await ch.changes.innerText()).toContain(
      'Commands typed in a terminal are not in that log',
    )
    for (const name of LAB.checks!.map((c) => c.name))
      await expect.poll(() => ch.checkState(name), { timeout: STEP_MS }).toBe('passed')
    await shots('3-solved')
  })

  it("Save as… writes the challenge as a file (the teacher's export) that parses to the same lab", async () => {
    await labs.button('Save as…').click()
    await expect
      .poll(() => readdirSync(app.saveDialog.dir), { timeout: STEP_MS })
      .toContain(`${NAME}.yaml`)
    const r = parseLab(readFileSync(join(app.saveDialog.dir, `${NAME}.yaml`), 'utf8'), 'x.yaml')
    if (!r.ok) throw new Error(JSON.stringify(r.errors))
    expect(r.lab.kind).toBe('challenge')
    expect(r.lab.description).toBe(LAB.description)
    expect(r.lab.checks).toEqual(LAB.checks)
    expect(r.lab.links).toEqual(LAB.links)
  })

  it('Restart puts the fault back: the plan takes veth1 down and the goal is red again', async () => {
    await ch.startButton.click()
    await labs.plan.waitFor({ timeout: STEP_MS })
    expect((await labs.planCommands()).join('\n')).toContain('veth1')
    await labs.confirm('Apply')
    expect(flags('ns2', 'veth1')).not.toContain('UP')
    await expect.poll(() => ch.checkState(GOAL), { timeout: STEP_MS }).toBe('failed')
    await expect(ch.changes.count()).resolves.toBe(0)
    expect(app.errors).toEqual([])
  })
})

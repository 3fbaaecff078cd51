// Labs in the app, in real Chromium on the built renderer, with window.api bridged to the real
// router over a real SshTarget to a real sshd and real namespaces here: a lab file is opened
// through the Open menu (main's open dialog: its e2e stand-in answers with the file's path), its
// plan lists the exact commands, Apply makes them in the kernel, the namespace list and the
// topology (at the file's positions) show them, Save as writes a file that parses to the same
// lab, a dropped malformed file lists its errors by line:col, a restart is followed by the offer
// to re-apply (or by the re-apply itself), and Destroy removes what it made.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseLab } from '../../shared/lab/parse'
import { cleanupPrefix, namespacesWithPrefix, runPrefix, sh } from '../support/netns'
import { startSshd, type SshdFixture } from '../support/sshd'
import { AppPage, STEP_MS } from './pages/app-page'
import { LabPage } from './pages/lab-page'
import { e2eSkipReason, openApp, type OpenedApp } from './support/app'

const skip = e2eSkipReason()
if (skip) console.warn(`[e2e labs] skipped: ${skip}`)

describe.skipIf(skip !== null)('labs in the app (Chromium bridge)', () => {
  let sshd: SshdFixture
  let app: OpenedApp
  let ui: AppPage
  let labs: LabPage
  const p = runPrefix()
  const name = `${p}lab`
  const red = `${p}red`
  const blue = `${p}blue`
  const dir = mkdtempSync(join(tmpdir(), 'nss-e2e-labs-'))
  const file = join(dir, `${name}.yaml`)
  const RED_AT = { x: 140, y: 90 }
  const BLUE_AT = { x: 460, y: 230 }
  const yaml = `name: ${name}
title: Red and blue
namespaces:
  ${red}: {}
  ${blue}: {}
links:
  - endpoints:
      - { ns: ${red}, name: r0, addresses: [10.77.0.1/24] }
      - { ns: ${blue}, name: b0, addresses: [10.77.0.2/24] }
layout:
  ${red}: { x: ${RED_AT.x}, y: ${RED_AT.y} }
  ${blue}: { x: ${BLUE_AT.x}, y: ${BLUE_AT.y} }
`

  const shoot = async (shot: string): Promise<void> => {
    await app.page.emulateMedia({ colorScheme: 'light' })
    await app.screenshot(shot)
    await app.page.emulateMedia({ colorScheme: 'dark' })
    await app.screenshot(`${shot}-dark`)
    await app.page.emulateMedia({ colorScheme: 'light' })
  }

  beforeAll(async () => {
    writeFileSync(file, yaml)
    sshd = await startSshd()
    app = await openApp({ sshd, services: { refreshMs: 0 } })
    ui = new AppPage(app.page)
    labs = new LabPage(app.page)
    await ui.nsItem('host').waitFor({ timeout: STEP_MS })
  })

  afterAll(async () => {
    await app?.close()
    await sshd?.stop()
    cleanupPrefix(p)
    rmSync(`/run/netns-studio/lab-${name}`, { force: true })
    rmSync(dir, { recursive: true, force: true })
  })

  it('opens a lab file from the Open menu and shows its plan with the exact commands', async () => {
    expect(await labs.ident.innerText()).toBe('No lab open')
    app.openDialog.answer = () => file
    await labs.button('Open ▾').click()
    // The built-in labs are offered by name and title.
    await labs.menu.getByRole('menuitem', { name: /tutorial-1/ }).waitFor({ timeout: STEP_MS })
    await shoot('30-lab-open-menu')
    await labs.openFromMenu('Open file…')
    await labs.waitOpen(name)
    expect(app.openDialog.asked).toHaveLength(1)
    const ident = await labs.ident.innerText()
    expect(ident).toContain('Red and blue')
    expect(ident).toContain(`${name}.yaml`)
    await shoot('30-lab-bar')

    const dialog = await labs.planAndApply()
    expect(await dialog.getByRole('heading', { level: 2 }).innerText()).toBe(`Apply lab ${name}`)
    const shown = await labs.planCommands()
    // The dialog lists what main's planner says, command for command.
    const lab = parseLab(yaml)
    if (!lab.ok) throw new Error('the test lab does not parse')
    const planned = await app.invoke('lab:plan', lab.lab)
    expect(shown).toEqual(planned.changes.flatMap((c) => c.commands))
    expect(shown).toContain(`ip netns add ${red}`)
    expect(shown).toContain(`ip netns add ${blue}`)
    expect(shown.some((c) => c.includes('10.77.0.1/24'))).toBe(true)
    expect(await dialog.getByRole('region', { name: /^Create \(\d+\)$/ }).count()).toBe(1)
    await shoot('31-lab-plan')
    expect(namespacesWithPrefix(p)).toEqual([])
  })

  it('applies: the namespaces are in the kernel and the list; a second plan is empty', async () => {
    await labs.confirm('Apply')
    await expect
      .poll(() => namespacesWithPrefix(p).sort(), { timeout: STEP_MS })
      .toEqual([blue, red])
    const addr = JSON.parse(sh(['ip', '-n', red, '-j', 'addr', 'show', 'dev', 'r0'])) as Array<{
      addr_info: Array<{ local: string; prefixlen: number }>
    }>
    expect(addr[0]!.addr_info).toContainEqual(
      expect.objectContaining({ local: '10.77.0.1', prefixlen: 24 }),
    )
    await ui.findNs(red)
    await ui.findNs(blue)
    if (await ui.nsFilter.isVisible()) await ui.nsFilter.fill('')

    // The namespaces' own steps were made by the in-target helper: the log says so on each, with
    // the command that makes the same change.
    const log = await ui.openLog()
    const step = log.getByRole('listitem').filter({
      hasText: `ip -n ${red} addr add 10.77.0.1/24 dev r0`,
    })
    await expect.poll(() => step.count(), { timeout: STEP_MS }).toBe(1)
    expect(await step.locator('.via').innerText()).toBe('helper')
    expect(
      await log
        .getByRole('listitem')
        .filter({ hasText: `ip netns add ${red}` })
        .locator('.via')
        .count(),
    ).toBe(0)
    await shoot('31b-lab-log-helper')
    await log.getByRole('button', { name: 'Close command log' }).click()

    const again = await labs.planAndApply()
    expect(await again.locator('#plan-msg').innerText()).toMatch(
      new RegExp(`already matches lab ${name}: nothing to do\\.$`),
    )
    expect(await labs.planCommands()).toEqual([])
    await labs.confirm('Close')
    expect(app.errors).toEqual([])
  })

  it('the topology draws the lab’s namespaces at the positions saved in the file', async () => {
    await ui.view('Topology')
    await expect.poll(() => labs.nodePosition(`ns:${red}`), { timeout: STEP_MS }).toEqual(RED_AT)
    expect(await labs.nodePosition(`ns:${blue}`)).toEqual(BLUE_AT)
    await ui.view('Tables')
  })

  it('save as writes a file that parses back to the same lab', async () => {
    await labs.button('Save as…').click()
    const saved = join(app.saveDialog.dir, `${name}.yaml`)
    await expect.poll(() => app.saveDialog.asked.length, { timeout: STEP_MS }).toBe(1)
    await app.page
      .getByRole('status')
      .filter({ hasText: `Saved ${name}.yaml` })
      .waitFor({ timeout: STEP_MS })
    const back = parseLab(readFileSync(saved, 'utf8'))
    const orig = parseLab(yaml)
    expect(back.ok && orig.ok).toBe(true)
    if (back.ok && orig.ok) expect(back.lab).toEqual(orig.lab)
    expect(await labs.ident.locator('[aria-label="Unsaved changes"]').count()).toBe(0)
  })

  it('a dropped file that does not parse lists its errors by line:col; the open lab stays', async () => {
    const bad = yaml
      .replace('title: Red and blue', 'title: Red and blue\ncolour: red')
      .replace('10.77.0.2/24', '10.77.0.300/24')
    await labs.dropFile('broken.yaml', bad)
    await labs.parseErrors.waitFor({ timeout: STEP_MS })
    expect(await labs.parseErrors.innerText()).toContain('broken.yaml was not opened')
    const rows = labs.parseErrors.locator('[data-test=parse-error]')
    const colour = rows.filter({ hasText: 'colour' })
    expect(await colour.locator('.where').innerText()).toBe('3:1')
    const address = rows.filter({ hasText: '10.77.0.300' })
    expect(await address.locator('.where').innerText()).toMatch(/^10:\d+$/)
    await labs.waitOpen(name)
    await shoot('32-lab-parse-errors')
    await labs.parseErrors.getByRole('button', { name: 'Dismiss' }).click()
  })

  // STAND-IN for a restart: this machine cannot reboot under the test, so the test does what a
  // reboot does to the lab (its namespaces vanish) and sends the event main's reboot watch sends
  // when the boot id changed. Everything after that (the offer, the setting, the re-apply over
  // SSH into the kernel) is the real thing.
  it('after a restart the app offers to re-apply the lab; with the setting on it re-applies by itself', async () => {
    const label = (await app.invoke('target:status')).label!
    const restart = (): void => {
      sh(['ip', 'netns', 'delete', red])
      sh(['ip', 'netns', 'delete', blue])
      expect(namespacesWithPrefix(p)).toEqual([])
      app.services.events.send('target:rebooted', { label })
    }
    restart()
    const offer = app.page.getByRole('alert', { name: 'Target restarted' })
    await offer.waitFor({ timeout: STEP_MS })
    expect(await offer.innerText()).toContain(
      `${label} restarted: its namespaces are gone. Re-apply lab ${name}?`,
    )
    // The list shows the target as it is now, without the lab's namespaces.
    await expect.poll(() => ui.nsItem(red).count(), { timeout: STEP_MS }).toBe(0)
    await shoot('33-lab-reboot-offer')
    await offer.getByRole('button', { name: 'Re-apply' }).click()
    await expect
      .poll(() => namespacesWithPrefix(p).sort(), { timeout: STEP_MS })
      .toEqual([blue, red])
    await offer.waitFor({ state: 'detached', timeout: STEP_MS })

    await labs.bar.getByRole('checkbox', { name: 'Re-apply after restart' }).check()
    await expect
      .poll(async () => (await app.invoke('lab:settings')).reapplyAfterReboot, { timeout: STEP_MS })
      .toBe('always')
    restart()
    await app.page
      .getByRole('status')
      .filter({ hasText: `${label} restarted: lab ${name} re-applied` })
      .waitFor({ timeout: STEP_MS })
    await expect
      .poll(() => namespacesWithPrefix(p).sort(), { timeout: STEP_MS })
      .toEqual([blue, red])
    expect(await offer.count()).toBe(0)
    expect(app.errors).toEqual([])
  })

  it('destroy lists what the lab created and removes exactly that', async () => {
    const other = `${p}keep`
    sh(['ip', 'netns', 'add', other])
    const dialog = await labs.destroy()
    expect(await dialog.getByRole('heading', { level: 2 }).innerText()).toBe(`Destroy lab ${name}?`)
    expect(await dialog.locator('#plan-msg').innerText()).toContain(
      `Removes only what lab ${name} created`,
    )
    const shown = await labs.planCommands()
    expect(shown).toContain(`ip netns delete ${red}`)
    expect(shown).toContain(`ip netns delete ${blue}`)
    expect(shown.join('\n')).not.toContain(other)
    await labs.confirm('Destroy')
    await expect.poll(() => namespacesWithPrefix(p), { timeout: STEP_MS }).toEqual([other])
    expect(app.errors).toEqual([])
  })
})

// Live views by clicking, in real Chromium on the built renderer, with window.api bridged to the
// real router over a real SshTarget to a real sshd and real namespaces here: a ping from the UI
// charts points with 0% loss; a terminal tab runs `ip link` inside the namespace.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanupPrefix, runPrefix, sh } from '../support/netns'
import { startSshd, type SshdFixture } from '../support/sshd'
import { AppPage, STEP_MS } from './pages/app-page'
import { e2eSkipReason, openApp, type OpenedApp } from './support/app'

const skip = e2eSkipReason()
if (skip) console.warn(`[e2e live] skipped: ${skip}`)

const pidsIn = (ns: string): string[] =>
  sh(['ip', 'netns', 'pids', ns]).trim().split('\n').filter(Boolean)

describe.skipIf(skip !== null)('live views by clicking (Chromium bridge)', () => {
  let sshd: SshdFixture
  let app: OpenedApp
  let ui: AppPage
  const p = runPrefix()
  const A = `${p}a`
  const B = `${p}b`
  const VA = `${p}va`
  const VB = `${p}vb`

  beforeAll(async () => {
    cleanupPrefix(p)
    for (const ns of [A, B]) sh(['ip', 'netns', 'add', ns])
    sh(['ip', 'link', 'add', VA, 'netns', A, 'type', 'veth', 'peer', 'name', VB, 'netns', B])
    sh(['ip', '-n', A, 'addr', 'add', '10.67.0.1/24', 'dev', VA])
    sh(['ip', '-n', B, 'addr', 'add', '10.67.0.2/24', 'dev', VB])
    for (const [ns, dev] of [
      [A, VA],
      [B, VB],
    ] as const) {
      sh(['ip', '-n', ns, 'link', 'set', dev, 'up'])
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
    }
    sshd = await startSshd()
    app = await openApp({
      sshd,
      services: { refreshMs: 0 },
      viewport: { width: 1280, height: 860 },
    })
    ui = new AppPage(app.page)
    await ui.nsItem(A).waitFor({ timeout: STEP_MS })
  })

  afterAll(async () => {
    await app?.close()
    await sshd?.stop()
    cleanupPrefix(p)
  })

  it('starts a ping from the UI: the chart gets points and loss reads 0%; stop leaves nothing', async () => {
    await ui.selectNs(A)
    await ui.tab(A, 'Live')
    const panel = ui.panel(A)
    await panel.getByRole('tab', { name: 'Ping' }).click()
    await panel.getByLabel('Ping destination').fill('10.67.0.2')
    await panel.getByLabel('Ping interval').selectOption('0.2')
    await panel.getByRole('button', { name: 'Start ping' }).click()
    const chart = panel.locator('.chart')
    await expect
      .poll(async () => Number(await chart.getAttribute('data-points')), { timeout: STEP_MS })
      .toBeGreaterThanOrEqual(8)
    // uPlot drew its canvas and the legend shows a real RTT value
    expect(await chart.locator('canvas').count()).toBeGreaterThan(0)
    const loss = panel.locator('[data-stat=loss]')
    expect(await loss.innerText()).toBe('0%')
    expect(Number(await panel.locator('[data-stat=received]').innerText())).toBeGreaterThanOrEqual(
      8,
    )
    expect(await panel.locator('[data-stat=avg]').innerText()).toMatch(/^\d+\.\d{3} ms$/)
    await panel.getByRole('button', { name: 'Show raw output' }).click()
    await expect
      .poll(() => panel.getByLabel('Raw ping output').innerText())
      .toMatch(/bytes from 10\.67\.0\.2: icmp_seq=1 /)
    await app.screenshot('live-ping')
    expect(pidsIn(A).length).toBe(1)
    await panel.getByRole('button', { name: 'Stop' }).click()
    await expect
      .poll(() => panel.locator('.stats .badge').innerText(), { timeout: STEP_MS })
      .toBe('stopped')
    expect(pidsIn(A)).toEqual([])
  })

  it('opens a terminal tab, types `ip link`, and sees the namespace interfaces; scrollback survives tab switches', async () => {
    const page = app.page
    const panel = ui.panel(A)
    await panel.getByRole('tab', { name: 'Terminal' }).click()
    await panel.getByRole('button', { name: `Open a terminal in ${A}` }).click()
    const screen = panel.locator('.xterm-pane:visible .xterm-rows')
    await expect.poll(() => screen.innerText(), { timeout: STEP_MS }).toMatch(/[#$]\s*$/m)
    await panel.locator('.xterm-pane:visible').click()
    await page.keyboard.type('ip link\n')
    await expect.poll(() => screen.innerText(), { timeout: STEP_MS }).toContain(`${VA}@`)
    const text = await screen.innerText()
    expect(text).toContain('lo: <LOOPBACK,UP,LOWER_UP>')
    expect(text).not.toContain(VB) // B's end is not in this namespace
    await app.screenshot('live-terminal')

    // another sub-view and back, then another panel tab and back: the screen is still there
    await panel.getByRole('tab', { name: 'Ping' }).click()
    await panel.getByRole('tab', { name: 'Terminal' }).click()
    await expect.poll(() => screen.innerText()).toContain(`${VA}@`)
    await ui.tab(A, 'Interfaces')
    await ui.tab(A, 'Live')
    await expect.poll(() => screen.innerText(), { timeout: STEP_MS }).toContain(`${VA}@`)

    // a second tab is its own shell
    await panel.getByRole('button', { name: 'New terminal' }).click()
    await expect.poll(() => panel.getByRole('tab', { name: new RegExp(`${A} #2`) }).count()).toBe(1)
    await expect.poll(() => pidsIn(A).length, { timeout: STEP_MS }).toBeGreaterThanOrEqual(2)
    for (const n of [2, 1]) await panel.getByRole('button', { name: `Close terminal ${n}` }).click()
    await expect.poll(() => pidsIn(A).length, { timeout: STEP_MS }).toBe(0)
  })

  it('reachability grid, traffic rates and a capture saved as .pcap, from the Live tab', async () => {
    const panel = ui.panel(A)
    // reachability: A and B see each other
    await panel.getByRole('tab', { name: 'Reachability' }).click()
    for (const ns of [A, B]) await panel.getByRole('checkbox', { name: new RegExp(ns) }).check()
    const others = panel.locator('.choices input[type=checkbox]')
    for (let i = 0; i < (await others.count()); i++) {
      const box = others.nth(i)
      const label = (await box.locator('xpath=..').innerText()).trim()
      if (!label.startsWith(A) && !label.startsWith(B)) await box.uncheck()
    }
    await panel.getByRole('button', { name: 'Check 2 pairs' }).click()
    await expect
      .poll(() => panel.locator(`[data-cell="${A}>${B}"]`).innerText(), { timeout: STEP_MS })
      .toMatch(/^✓\s*\d+\.\d+ ms$/)
    expect(await panel.locator(`[data-cell="${B}>${A}"]`).innerText()).toMatch(/^✓/)
    await app.screenshot('live-matrix')

    // traffic: a transfer shows up as a rate on A's veth
    await panel.getByRole('tab', { name: 'Traffic' }).click()
    await panel.getByLabel('Sampling interval').selectOption('0.5')
    await panel.getByRole('button', { name: 'Start sampling' }).click()
    const flood = sh([
      'ip',
      'netns',
      'exec',
      A,
      'ping',
      '-q',
      '-s',
      '1000',
      '-c',
      '150',
      '-i',
      '0.01',
      '10.67.0.2',
    ])
    expect(flood).toContain('150 received')
    await panel.getByRole('checkbox', { name: `Chart ${VA}` }).check()
    await expect
      .poll(() => panel.locator(`tr[data-if="${VA}"] td`).nth(3).innerText(), { timeout: STEP_MS })
      .toMatch(/B\/s$/)
    await app.screenshot('live-traffic')
    // ...and beside the interface in its table, and on the topology's edge
    await ui.tab(A, 'Interfaces')
    await expect
      .poll(() => ui.panel(A).locator('[data-test="link-rate"]').first().innerText(), {
        timeout: STEP_MS,
      })
      .toMatch(/^↓ .*B\/s ↑ .*B\/s$/)
    await ui.view('Topology')
    await app.page.getByText(/^Connections \(\d+\)$/).click()
    const conn = app.page.getByRole('list', { name: 'Topology connections' })
    await expect
      .poll(() => conn.textContent(), { timeout: STEP_MS })
      .toMatch(new RegExp(`${VA} ↔ ${VB} · [0-9.]+ [kMG]?B/s`))
    await app.screenshot('live-topology-rates')
    await ui.view('Tables')
    await ui.tab(A, 'Live')
    await panel.getByRole('tab', { name: 'Traffic' }).click()
    await panel.getByRole('button', { name: 'Stop sampling' }).click()

    // capture on B's end with a BPF filter, then save it
    await ui.selectNs(B)
    await ui.tab(B, 'Live')
    const pb = ui.panel(B)
    await pb.getByRole('tab', { name: 'Capture' }).click()
    await pb.getByLabel('Capture filter').fill('icmp')
    await pb.getByRole('button', { name: 'Start capture' }).click()
    await expect.poll(() => pidsIn(B).length, { timeout: STEP_MS }).toBe(1)
    await new Promise((r) => setTimeout(r, 500))
    sh(['ip', 'netns', 'exec', A, 'ping', '-c', '3', '-i', '0.2', '10.67.0.2'])
    await expect
      .poll(() => pb.getByLabel('Captured packets').innerText(), { timeout: STEP_MS })
      .toMatch(/(ICMP echo reply[\s\S]*){3}/)
    await pb.getByLabel('Filter lines').fill('reply')
    expect((await pb.getByLabel('Captured packets').innerText()).match(/echo request/g)).toBeNull()
    await pb.getByRole('button', { name: 'Stop' }).click()
    await expect.poll(() => pidsIn(B).length, { timeout: STEP_MS }).toBe(0)
    // Save: main asks the save dialog (a stand-in here: the native one cannot be driven in
    // Chromium); Cancel first writes nothing and shows nothing
    app.saveDialog.answer = () => null
    await pb.getByRole('button', { name: 'Save .pcap' }).click()
    await expect.poll(() => app.saveDialog.asked.length, { timeout: STEP_MS }).toBe(1)
    expect(readdirSync(app.saveDialog.dir)).toEqual([])
    await expect
      .poll(() => pb.getByRole('button', { name: 'Save .pcap' }).isEnabled(), { timeout: STEP_MS })
      .toBe(true)
    expect(await pb.locator('.ok-line').count()).toBe(0)
    const dest = join(app.saveDialog.dir, 'from-the-dialog.pcap')
    app.saveDialog.answer = () => dest
    await pb.getByRole('button', { name: 'Save .pcap' }).click()
    const saved = await pb.locator('.ok-line .mono').innerText({ timeout: STEP_MS })
    expect(saved).toBe(dest) // the UI shows where it went
    expect(app.saveDialog.asked[1]!.defaultName).toMatch(
      new RegExp(`^capture-${B}-${VB}-.*\\.pcap$`),
    )
    expect((statSync(dest).mode & 0o777).toString(8)).toBe('600')
    expect(sh(['tcpdump', '-n', '-r', dest]).match(/ICMP echo request/g)).toHaveLength(3)
    await app.screenshot('live-capture')
  })
})

// Tutorials 1 and 2 done by clicking only, in real Chromium on the built renderer, with window.api
// bridged to the real router over a real SshTarget to a real sshd and real namespaces here.
// Each step checks the command the form previews is the one that ran (and that it reached the
// target's command log); the end states are read back from the kernel, not from the app.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validateOp } from '../../shared/net/ops'
import { cleanupPrefix, macOf, namespacesWithPrefix, runPrefix, sh } from '../support/netns'
import { startSshd, type SshdFixture } from '../support/sshd'
import { AppPage, STEP_MS } from './pages/app-page'
import { e2eSkipReason, openApp, type OpenedApp } from './support/app'

const skip = e2eSkipReason()
if (skip) console.warn(`[e2e tutorials] skipped: ${skip}`)

describe.skipIf(skip !== null)('tutorials 1 and 2 by clicking (Chromium bridge)', () => {
  let sshd: SshdFixture
  let app: OpenedApp
  let ui: AppPage
  const p = runPrefix()
  const n = {
    ns1: `${p}ns1`,
    ns2: `${p}ns2`,
    v0: `${p}v0`,
    v1: `${p}v1`,
    red: `${p}red`,
    green: `${p}green`,
    br: `${p}br1`,
    er: `${p}er`,
    vr: `${p}vr`,
    eg: `${p}eg`,
    vg: `${p}vg`,
    c: `${p}c`,
    cb: `${p}cb`,
    ce: `${p}ce`,
    ch: `${p}ch`,
  }
  /** Every command line the UI showed as run, in order. */
  const ran: string[] = []

  beforeAll(async () => {
    sshd = await startSshd()
    // Not connected: the first test connects with the target bar's SSH form. No timer refresh,
    // so every table update seen here comes from an operation or netns:changed.
    app = await openApp({ sshd, connect: false, services: { refreshMs: 0 } })
    ui = new AppPage(app.page)
  })

  afterAll(async () => {
    await app?.close()
    await sshd?.stop()
    cleanupPrefix(p)
  })

  it('connects to the SSH host with the target bar', async () => {
    const page = app.page
    await expect
      .poll(() => page.getByText('Connect to a Linux target to begin').isVisible())
      .toBe(true)
    await app.screenshot('00-not-connected')
    const spec = app.sshSpec!
    await page.getByRole('combobox', { name: 'Target' }).selectOption('ssh')
    await page.getByLabel('User').fill(spec.username)
    await page.getByLabel('Host').fill(spec.host)
    // First a port where nothing listens: the error says what happened and what to try.
    await page.getByLabel('Port').fill('1')
    await page.getByLabel('Private key path').fill(spec.privateKeyPath!)
    await page.getByRole('button', { name: 'Connect', exact: true }).click()
    const failed = page.getByRole('alert').filter({ hasText: 'Could not connect' })
    await failed.waitFor({ timeout: STEP_MS })
    expect(await failed.innerText()).toMatch(/Check the host and port/)
    expect(await page.getByRole('status').innerText()).toBe('Connection failed')
    await app.screenshot('01-connect-error')
    await page.getByLabel('Port').fill(String(spec.port))
    await page.getByRole('button', { name: 'Connect', exact: true }).click()
    await expect
      .poll(() => page.getByRole('status').innerText(), { timeout: STEP_MS })
      .toBe(`Connected to ${spec.username}@${spec.host}:${spec.port}`)
    await ui.nsItem('host').waitFor({ timeout: STEP_MS })
  })

  it('tutorial 1: two namespaces, a veth pair, /28 addresses, up; ping fills the ARP table', async () => {
    const page = app.page
    // "+ New" in the namespace list opens the actions on "Create namespace".
    await page.getByRole('button', { name: 'Create namespace' }).click()
    ran.push(...(await ui.runOp('Create namespace', { Name: n.ns1 })))
    ran.push(...(await ui.runOp('Create namespace', { Name: n.ns2 })))
    await ui.findNs(n.ns2)
    expect(namespacesWithPrefix(p).sort()).toEqual([n.ns1, n.ns2])

    // ip link add veth0 type veth peer name veth1 (both ends in the host first, as the tutorial).
    ran.push(
      ...(await ui.runOp('Create veth pair', {
        'This end': n.v0,
        'Put this end in': 'host',
        'Other end': n.v1,
        'Put the other end in': 'host',
        'Bring both ends up': false,
      })),
    )
    // ip link set veth0 netns ns1; ip link set veth1 netns ns2
    ran.push(
      ...(await ui.runOp('Move link to namespace', { From: 'host', Interface: n.v0, To: n.ns1 })),
    )
    ran.push(
      ...(await ui.runOp('Move link to namespace', { From: 'host', Interface: n.v1, To: n.ns2 })),
    )
    // ip netns exec ns1 ip addr add 10.10.10.1/28 dev veth0 (and .2 on veth1 in ns2)
    await ui.chooseOp('Add address')
    await ui.fill({ Namespace: n.ns1, Interface: n.v0, 'Address/prefix': '10.10.10.1/28' })
    await app.screenshot('10-actions-form')
    ran.push(
      ...(await ui.runOp('Add address', {
        Namespace: n.ns1,
        Interface: n.v0,
        'Address/prefix': '10.10.10.1/28',
      })),
    )
    ran.push(
      ...(await ui.runOp('Add address', {
        Namespace: n.ns2,
        Interface: n.v1,
        'Address/prefix': '10.10.10.2/28',
      })),
    )
    await ui.closeActions()

    // Bring the ends up from the Interfaces tab. With only ns1's end up, its state says why
    // nothing passes yet (tutorial 5: LOWERLAYERDOWN).
    await ui.selectNs(n.ns1)
    await ui.tab(n.ns1, /^Interfaces/)
    await ui
      .panel(n.ns1)
      .getByRole('button', { name: `Bring up ${n.v0}` })
      .click()
    const v0Row = ui.panel(n.ns1).getByRole('row').filter({ hasText: n.v0 })
    await expect
      .poll(() => v0Row.innerText(), { timeout: STEP_MS })
      .toMatch(/up but its peer .* is down/)
    await app.screenshot('11-interfaces-lowerlayerdown')
    await ui.selectNs(n.ns2)
    await ui
      .panel(n.ns2)
      .getByRole('button', { name: `Bring up ${n.v1}` })
      .click()
    await ui
      .panel(n.ns2)
      .getByRole('button', { name: `Bring down ${n.v1}` })
      .waitFor({ timeout: STEP_MS })
    await ui.selectNs(n.ns1)
    await expect
      .poll(() => v0Row.innerText(), { timeout: STEP_MS })
      .toMatch(/Up and passing traffic/)
    // The veth peer is shown as "→ veth1 in ns2".
    expect(await v0Row.innerText()).toContain(`→ ${n.v1} in ${n.ns2}`)
    await app.screenshot('12-interfaces')

    // Ping from the UI's actions, then ns1's ARP tab shows ns2's MAC.
    const result = await ui.ping(n.ns1, '10.10.10.2', 3)
    expect(result).toMatch(/^3\/3 replies/)
    await ui.closeActions()
    await ui.tab(n.ns1, /^ARP/)
    const mac2 = macOf(n.ns2, n.v1)
    const arpRow = ui.panel(n.ns1).getByRole('row').filter({ hasText: '10.10.10.2' })
    await expect.poll(() => arpRow.innerText(), { timeout: STEP_MS }).toContain(mac2)
    expect(await arpRow.innerText()).toMatch(/REACHABLE|STALE|DELAY/)
    await app.screenshot('13-arp')

    // The kernel agrees with what the tables show.
    const addr = JSON.parse(sh(['ip', '-n', n.ns2, '-j', 'addr', 'show', 'dev', n.v1])) as Array<{
      addr_info: Array<{ local: string; prefixlen: number }>
    }>
    expect(addr[0]!.addr_info).toContainEqual(
      expect.objectContaining({ local: '10.10.10.2', prefixlen: 28 }),
    )

    // Compare mode: ns1 and ns2 side by side (tutorial 4).
    await ui.tab(n.ns1, /^Addresses/)
    await ui.selectNs(n.ns2, true)
    await expect.poll(() => page.locator('section.panel').count()).toBe(2)
    expect(await ui.panel(n.ns2).innerText()).toContain('10.10.10.2')
    await app.screenshot('14-compare')
    await page.getByRole('button', { name: 'End compare' }).click()

    // Every line the forms showed as run is in the target's command log, exit code 0.
    const log = app.services.commandLog.entries().filter((e) => e.mutating)
    for (const line of ran) expect(log.find((e) => e.line === line)?.exitCode, line).toBe(0)
  })

  it('shows inline validation from the shared rules and a failed command with its stderr', async () => {
    await ui.chooseOp('Create namespace')
    await ui.fill({ Name: 'bad name;' })
    const problem = ui.actions.getByRole('alert')
    const expected = validateOp({ op: 'ns.add', name: 'bad name;' })
    expect(expected).not.toBeNull()
    await expect.poll(() => problem.innerText()).toBe(expected?.message)
    expect(await ui.preview.count()).toBe(0)

    // The address exists already: the kernel refuses and the form says so.
    await ui.chooseOp('Add address')
    await ui.fill({ Namespace: n.ns1, Interface: n.v0, 'Address/prefix': '10.10.10.1/28' })
    await ui.actions.locator('form button[type=submit]').click()
    const err = ui.actions.getByRole('alert').filter({ hasText: 'failed' })
    await err.waitFor({ timeout: STEP_MS })
    expect(await err.innerText()).toMatch(/already assigned|exists/i)
    await app.screenshot('15-error')
    await ui.closeActions()
  })

  it('tutorial 2: red and green on a bridge; the topology shows both on it', async () => {
    ran.push(...(await ui.runOp('Create namespace', { Name: n.red })))
    ran.push(...(await ui.runOp('Create namespace', { Name: n.green })))
    ran.push(
      ...(await ui.runOp('Create bridge', {
        Namespace: 'host',
        'Bridge name': n.br,
        'Bring it up': true,
      })),
    )
    for (const [ns, inner, outer, cidr] of [
      [n.red, n.er, n.vr, '10.0.0.1/24'],
      [n.green, n.eg, n.vg, '10.0.0.2/24'],
    ] as const) {
      ran.push(
        ...(await ui.runOp('Create veth pair', {
          'This end': inner,
          'Put this end in': ns,
          'Other end': outer,
          'Put the other end in': 'host',
          'Bring both ends up': true,
        })),
      )
      ran.push(
        ...(await ui.runOp('Attach to / detach from bridge', {
          Namespace: 'host',
          Interface: outer,
          Bridge: n.br,
        })),
      )
      ran.push(
        ...(await ui.runOp('Set link up/down', { Namespace: ns, Interface: 'lo', State: 'up' })),
      )
      ran.push(
        ...(await ui.runOp('Add address', {
          Namespace: ns,
          Interface: inner,
          'Address/prefix': cidr,
        })),
      )
    }
    expect(await ui.ping(n.red, '10.0.0.2', 2)).toMatch(/^2\/2 replies/)
    await ui.closeActions()

    // The kernel: both host ends are ports of the bridge.
    const ports = JSON.parse(sh(['ip', '-j', 'link', 'show', 'master', n.br])) as Array<{
      ifname: string
    }>
    expect(ports.map((x) => x.ifname).sort()).toEqual([n.vg, n.vr].sort())

    await ui.view('Topology')
    const topo = app.page.getByRole('region', { name: 'Topology' })
    await topo.locator('[data-test=topology-canvas] canvas').first().waitFor({ timeout: STEP_MS })
    await app.page.waitForTimeout(500)
    await app.screenshot('20-topology')
    await topo.getByText(/^Connections/).click()
    const links = topo.getByRole('list', { name: 'Topology connections' }).getByRole('listitem')
    for (const [ns, inner, outer] of [
      [n.red, n.er, n.vr],
      [n.green, n.eg, n.vg],
    ] as const) {
      const item = links.filter({ hasText: `bridge ${n.br}` }).filter({ hasText: ns })
      await expect.poll(() => item.count(), { timeout: STEP_MS }).toBe(1)
      expect(await item.getAttribute('data-up')).toBe('true')
      expect(await item.innerText()).toContain(`${outer} ↔ ${inner}`)
    }
    // The dark theme follows the system, the graph included.
    await app.page.emulateMedia({ colorScheme: 'dark' })
    await app.page.waitForTimeout(300)
    await app.screenshot('22-topology-dark')
    await app.page.emulateMedia({ colorScheme: 'light' })
    // A node opens its panel.
    await topo.getByRole('button', { name: n.green, exact: true }).click()
    await ui.panel(n.green).waitFor({ timeout: STEP_MS })

    // The command log drawer lists what ran; export gives the session as a script.
    const log = await ui.openLog()
    expect(await log.innerText()).toContain(`ip netns add ${n.red}`)
    const [download] = await Promise.all([
      app.page.waitForEvent('download'),
      log.getByRole('button', { name: 'Export as script' }).click(),
    ])
    const script = readFileSync(await download.path(), 'utf8')
    for (const line of ran) expect(script).toContain(line)
    await app.screenshot('21-command-log')
    await app.page.emulateMedia({ colorScheme: 'dark' })
    await app.screenshot('23-command-log-dark')
    await app.page.emulateMedia({ colorScheme: 'light' })
    // Only the deliberately repeated address failed.
    const failed = app.services.commandLog.entries().filter((e) => e.mutating && e.exitCode !== 0)
    expect(failed.map((e) => e.line)).toEqual([expect.stringContaining('addr add 10.10.10.1/28')])
  })

  it('tutorials 3 and 4: the host on the bridge, a default route via it, NAT in a router namespace', async () => {
    // The host gets an address on the bridge, so it can reach the namespace (tutorial 3).
    ran.push(...(await ui.runOp('Create namespace', { Name: n.c })))
    ran.push(
      ...(await ui.runOp('Create bridge', {
        Namespace: 'host',
        'Bridge name': n.cb,
        'Bring it up': true,
      })),
    )
    ran.push(
      ...(await ui.runOp('Add address', {
        Namespace: 'host',
        Interface: n.cb,
        'Address/prefix': '10.99.77.1/24',
      })),
    )
    ran.push(
      ...(await ui.runOp('Create veth pair', {
        'This end': n.ce,
        'Put this end in': n.c,
        'Other end': n.ch,
        'Put the other end in': 'host',
        'Bring both ends up': true,
      })),
    )
    ran.push(
      ...(await ui.runOp('Attach to / detach from bridge', {
        Namespace: 'host',
        Interface: n.ch,
        Bridge: n.cb,
      })),
    )
    ran.push(
      ...(await ui.runOp('Add address', {
        Namespace: n.c,
        Interface: n.ce,
        'Address/prefix': '10.99.77.2/24',
      })),
    )
    ran.push(
      ...(await ui.runOp('Add route', {
        Namespace: n.c,
        Destination: 'default',
        'Gateway (via)': '10.99.77.1',
      })),
    )
    // A router namespace forwards and masquerades (its own sysctl and iptables: nothing leaks).
    ran.push(
      ...(await ui.runOp('Set IP forwarding', { Namespace: n.c, 'Forward IPv4 packets': true })),
    )
    const nat = await ui.runOp('NAT masquerade', {
      Namespace: n.c,
      'Source network': '10.99.77.0/24',
    })
    ran.push(...nat)
    expect(nat.join('\n')).toMatch(/iptables .*POSTROUTING.*-s 10\.99\.77\.0\/24.*MASQUERADE/)
    expect(sh(['ip', 'netns', 'exec', n.c, 'iptables', '-t', 'nat', '-S', 'POSTROUTING'])).toMatch(
      /-A POSTROUTING -s 10\.99\.77\.0\/24 .*-j MASQUERADE/,
    )
    expect(await ui.ping('host', '10.99.77.2', 2)).toMatch(/^2\/2 replies/)
    await ui.closeActions()

    // The namespace's Routes tab: the default route on top, highlighted, via the host.
    await ui.selectNs(n.c)
    await expect.poll(() => ui.panel(n.c).innerText()).toContain('forwarding on')
    await ui.tab(n.c, /^Routes/)
    const first = ui.panel(n.c).locator('[role=row][aria-rowindex="2"]')
    expect(await first.innerText()).toMatch(/default[\s\S]*10\.99\.77\.1/)
    expect(await first.getAttribute('class')).toMatch(/\bdefault\b/)

    // Tutorial 4: host and namespace side by side; the host's ARP table learned the namespace.
    await ui.selectNs('host')
    await ui.selectNs(n.c, true)
    await ui.tab('host', /^ARP/)
    const mac = macOf(n.c, n.ce)
    const hostArp = ui.panel('host').getByRole('row').filter({ hasText: '10.99.77.2' })
    await expect.poll(() => hostArp.innerText(), { timeout: STEP_MS }).toContain(mac)
    await app.screenshot('30-compare-host-arp')
    await app.page.getByRole('button', { name: 'End compare' }).click()
  })

  it('saw no page errors', () => {
    expect(app.errors).toEqual([])
  })
})

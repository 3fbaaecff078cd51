// The guided tutorials on the real router, sshd and namespaces. Tutorial 2 in real Chromium on the
// built renderer: from the welcome it opens in at most 3 clicks, every step runs by clicking, every
// check turns green from lab:check's verdicts (and the kernel agrees), and reset takes the target
// back to the start; screenshots of every step in light and dark. Then every tutorial through the
// router, step by step: after each step, that step's checks and all earlier ones pass on the kernel
// (a step's services started through live:service-start, as "Run this step" does; stopped after,
// leaving no socat of ours).
//
// The tutorials' names are fixed (red, green, bridge1, ...): a per-run prefix cannot apply. The
// tests refuse to run over any of them already on this machine, and remove them afterwards.
import { spawn, type ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GUIDES, guideFor } from '../../shared/guide'
import { guideNamespaces, resetOps } from '../../shared/guide/plan'
import { BUILTIN_LABS } from '../../shared/lab/builtin'
import { parseLab } from '../../shared/lab/parse'
import type { Lab } from '../../shared/lab/types'
import type { NetOp } from '../../shared/net/ops'
import { sh } from '../support/netns'
import { startSshd, type SshdFixture } from '../support/sshd'
import { STEP_MS } from './pages/app-page'
import { GuidePage } from './pages/guide-page'
import { e2eSkipReason, openApp, type OpenedApp } from './support/app'

/** Every namespace and root-namespace link any tutorial makes. */
const NAMESPACES = [...new Set(GUIDES.flatMap((g) => guideNamespaces(g)))]
const ROOT_LINKS = [
  ...new Set(
    GUIDES.flatMap((g) =>
      g.steps.flatMap((s) =>
        s.ops.flatMap((o) =>
          o.op === 'bridge.add' ? [o.name] : o.op === 'veth.add' ? [o.name, o.peer] : [],
        ),
      ),
    ),
  ),
]
/** socat processes running the app's services (their reply travels in this variable). */
function serviceSocats(): string[] {
  try {
    return sh(['pgrep', '-a', '-f', 'socat .*NETNS_STUDIO_REPLY'])
      .trim()
      .split('\n')
      .filter((l) => l && !l.includes('pgrep'))
  } catch {
    return [] // pgrep exits 1 when nothing matches
  }
}

/** Whether the root namespace has a TCP socket listening on `port`. */
const rootListening = (port: number): boolean =>
  sh(['ss', '-Hltn', `sport = :${port}`]).includes(`:${port} `)

/** Tutorial 3's subnet: NAT rules naming it would be someone else's. */
const T3_NET = '192.168.15.0/24'

function rootLinks(): string[] {
  return (JSON.parse(sh(['ip', '-j', 'link', 'show'])) as Array<{ ifname: string }>).map(
    (l) => l.ifname,
  )
}

function namespaces(): string[] {
  const out = sh(['ip', '-j', 'netns', 'list']).trim()
  return out ? (JSON.parse(out) as Array<{ name: string }>).map((n) => n.name) : []
}

function natRules(): string {
  try {
    return sh(['iptables', '-t', 'nat', '-S']) + sh(['nft', 'list', 'ruleset'])
  } catch {
    return ''
  }
}

/** Why the fixed names cannot be used here, or null. */
function namesInUse(): string | null {
  if (process.getuid?.() !== 0) return null // e2eSkipReason already says why
  const ns = namespaces().filter((n) => NAMESPACES.includes(n))
  const links = rootLinks().filter((l) => ROOT_LINKS.includes(l))
  const nat = natRules().includes(T3_NET) ? [`NAT rules for ${T3_NET}`] : []
  if (!ns.length && !links.length && !nat.length) return null
  return `the tutorials' fixed names are in use on this machine (${[...ns, ...links, ...nat].join(', ')}); not running over them`
}

/** What these tests made and have not removed yet: cleanup touches these only. */
const made = { ns: new Set<string>(), links: new Set<string>() }

/** Record what an operation makes, before it runs (a half-done run is cleaned up too). */
function noteMade(op: NetOp): void {
  if (op.op === 'ns.add') made.ns.add(op.name)
  if (op.op === 'bridge.add') made.links.add(op.name)
  if (op.op === 'veth.add') [op.name, op.peer].forEach((l) => made.links.add(l))
}

function cleanup(): void {
  for (const n of [...made.ns].filter((x) => namespaces().includes(x)))
    sh(['ip', 'netns', 'delete', n])
  for (const l of [...made.links].filter((x) => rootLinks().includes(x))) {
    try {
      sh(['ip', 'link', 'delete', 'dev', l])
    } catch {
      // a veth's peer went with the first end
    }
  }
  made.ns.clear()
  made.links.clear()
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
    // Everything this describe makes comes from tutorial 2's steps.
    guideFor('tutorial-2')!.steps.forEach((st) => st.ops.forEach(noteMade))
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
    made.ns.clear()
    made.links.clear()
    await expect.poll(() => guide.progress.innerText(), { timeout: STEP_MS }).toBe('0/7 steps pass')
    // The list in the Tutorials panel shows the progress on this target.
    await page.getByRole('button', { name: '← Tutorials' }).click()
    expect(await guide.tutorial(2).innerText()).toMatch(/0\/7/)
    await shots('9-list')
  })
})

describe.skipIf(skip !== null)('every tutorial, step by step, on the real kernel (router)', () => {
  let sshd: SshdFixture
  let app: OpenedApp
  let forwardBefore = '0'
  let listener: ChildProcess | null = null

  beforeAll(async () => {
    forwardBefore = sh(['sysctl', '-n', 'net.ipv4.ip_forward']).trim()
    sshd = await startSshd()
    app = await openApp({ sshd, services: { refreshMs: 0 } })
  })

  afterAll(async () => {
    listener?.kill()
    await app?.close()
    await sshd?.stop()
    cleanup()
    sh(['sysctl', '-w', `net.ipv4.ip_forward=${forwardBefore}`])
  })

  function labOf(name: string): Lab {
    const r = parseLab(BUILTIN_LABS.find((l) => l.name === name)!.yaml)
    if (!r.ok) throw new Error(JSON.stringify(r.errors))
    return r.lab
  }

  /** Something listening on port 80 in blue, for tutorial 3's port forward to reach. */
  async function startListener(): Promise<void> {
    listener = spawn(
      'ip',
      ['netns', 'exec', 'blue', 'socat', 'TCP-LISTEN:80,fork,reuseaddr', 'EXEC:/bin/hostname'],
      { stdio: 'ignore' },
    )
    await expect
      .poll(() => sh(['ip', 'netns', 'exec', 'blue', 'ss', '-Hltn', 'sport = :80']), {
        timeout: STEP_MS,
      })
      .toContain(':80')
  }

  for (const g of GUIDES)
    it(`${g.lab}: after each step its checks and all earlier ones pass; reset leaves nothing`, async (ctx) => {
      // Another test on this machine may have taken a fixed name since the file started.
      const taken = guideNamespaces(g).filter((n) => namespaces().includes(n))
      if (taken.length) {
        console.warn(`[e2e guide] ${g.lab} skipped: ${taken.join(', ')} already exist`)
        ctx.skip()
      }
      const lab = labOf(g.lab)
      const expected: string[] = []
      const socatsBefore = new Set(serviceSocats())
      const started: string[] = []
      for (const step of g.steps) {
        if (step.id === 'port-forward') await startListener()
        for (const op of step.ops) {
          noteMade(op)
          await app.invoke('netns:apply', op)
        }
        for (const svc of step.services ?? []) {
          // The root's port is the machine's: someone else's listener would pass the check.
          if (svc.ns === 'host' && rootListening(svc.port))
            throw new Error(
              `Port ${svc.port}/tcp is taken in the root namespace of this machine (ss -ltn 'sport = :${svc.port}'): ${g.lab}'s step ${step.id} cannot be tested here; stop what listens there.`,
            )
          // As "Run this step" does (the services store calls this, then reads the sockets).
          const r = await app.invoke('live:service-start', { ...svc })
          started.push(r.id)
          expect(r.listening).toBe(`0.0.0.0:${svc.port}`)
          const table = await app.invoke('live:sockets', svc.ns)
          expect(
            table.rows.filter(
              (row) =>
                row.proto === svc.protocol &&
                row.port === svc.port &&
                row.processes.some((p) => p.name === 'socat'),
            ),
            `${svc.ns}'s Sockets table`,
          ).toHaveLength(1)
        }
        expected.push(...step.checks)
        const report = await app.invoke('lab:check', lab)
        const failing = report.checks.filter((c) => expected.includes(c.name) && !c.ok)
        expect(failing, `after step ${step.id}`).toEqual([])
        expect(report.checks.map((c) => c.name)).toEqual(expect.arrayContaining(step.checks))
      }
      // The end state is the lab's: every one of its checks passes.
      const end = await app.invoke('lab:check', lab)
      expect(end.checks.filter((c) => !c.ok)).toEqual([])
      expect(end.failed).toBe(0)

      listener?.kill()
      listener = null
      // Reset stops the step's services before the namespaces go (a listener would keep one alive).
      // The filter sees them while they run (else "none left" below would prove nothing).
      const ours = serviceSocats().filter((l) => !socatsBefore.has(l))
      expect(ours.length).toBeGreaterThanOrEqual(started.length)
      for (const id of started) await app.invoke('live:service-stop', id)
      await expect
        .poll(() => serviceSocats().filter((l) => !socatsBefore.has(l)), { timeout: STEP_MS })
        .toEqual([])
      await app.invoke('lab:destroy', g.lab, {})
      for (const op of resetOps(g, await app.invoke('netns:snapshot')))
        await app.invoke('netns:apply', op)
      expect(namespaces().filter((n) => guideNamespaces(g).includes(n))).toEqual([])
      expect(rootLinks().filter((l) => ROOT_LINKS.includes(l))).toEqual([])
      expect(natRules()).not.toContain(T3_NET)
      made.ns.clear()
      made.links.clear()
    })
})

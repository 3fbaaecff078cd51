// The challenge panel in the whole app against the fake preload and the lab handlers' test double
// (plans from the real planner): opening a challenge shows its goal, Start shows the plan and
// applies it, checks are coloured only by lab:check's verdicts (re-checked after changes),
// hints come on request for failing checks, and once the goal passes "What you changed" lists
// the log's changes made after the start.
// Mock, named: window.api (the preload bridge) cannot exist in jsdom; test/unit/renderer/support.

import type { LabCheckReport } from '@shared/ipc/domains/lab'
import type { LogEntry } from '@shared/net/command-log'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import App from '../../../src-renderer/src/App.vue'
import { useChallengeStore } from '../../../src-renderer/src/stores/challenge'
import { useGuideStore } from '../../../src-renderer/src/stores/guide'
import { useLabStore } from '../../../src-renderer/src/stores/lab'
import { type FakeApi, flush, installFakeApi } from './support/fake-api'
import { installLabMain, type LabMain } from './support/lab-main'

const LABEL = 'root@10.0.0.5:22'
const GOAL = 'ns1 reaches ns2'
let fake: FakeApi
let main: LabMain
let pinia: ReturnType<typeof createPinia>
let w: VueWrapper | null = null
/** What lab:check answers: check name → [ok, detail, hint?]. */
let verdicts: Record<string, [boolean, string, string?]>
let nextLogId = 1

function report(): LabCheckReport {
  const checks = Object.entries(verdicts).map(([name, [ok, detail, hint]]) => ({
    name,
    ok,
    detail,
    ...(hint ? { hint } : {}),
  }))
  const passed = checks.filter((c) => c.ok).length
  return { passed, failed: checks.length - passed, checks }
}

/** A log entry as main appends it. */
function entry(line: string, p: Partial<LogEntry> = {}): LogEntry {
  return {
    id: nextLogId++,
    at: Date.now(),
    durationMs: 3,
    argv: line.split(' '),
    line,
    exitCode: 0,
    stderr: '',
    source: 'Set link up',
    mutating: true,
    ...p,
  }
}

beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
  fake = installFakeApi()
  main = installLabMain(fake)
  verdicts = {}
  fake.handle('log:list', () => [])
  fake.handle('target:status', () => ({ state: 'connected', label: LABEL, kind: 'ssh' }))
  fake.handle('netns:snapshot', () => main.kernel)
  fake.handle('lab:check', () => report())
})
afterEach(() => {
  w?.unmount()
  w = null
  useChallengeStore().unfollow()
  fake.uninstall()
  document.body.innerHTML = ''
})

async function mountApp(): Promise<VueWrapper> {
  w = mount(App, { global: { plugins: [pinia] }, attachTo: document.body })
  await flushPromises()
  await flush()
  return w
}

const panel = () => w!.get('[data-test=challenge-panel]')
const check = (name: string) => panel().get(`[data-check="${name}"]`)
const state = (name: string) => check(name).attributes('data-state')
const planDialog = () => document.querySelector<HTMLElement>('[data-test=plan-dialog]')

function button(root: Element | null, text: string): HTMLButtonElement {
  const b = Array.from(root?.querySelectorAll('button') ?? []).find(
    (x) => x.textContent?.trim() === text,
  )
  if (!b) throw new Error(`no button "${text}"`)
  return b
}

async function openChallenge(name = 'challenge-1'): Promise<void> {
  const bar = w!.get('section[aria-label=Lab]').element
  button(bar, 'Open ▾').click()
  await flushPromises()
  const item = w!.findAll('[role=menuitem]').find((m) => m.text().startsWith(name))
  if (!item) throw new Error(`no menu item ${name}`)
  await item.trigger('click')
  await flushPromises()
  await flush()
}

/** Start the challenge and press Apply on the plan it shows. */
async function startAndApply(): Promise<void> {
  await panel().get('[data-test=challenge-start]').trigger('click')
  await expect.poll(() => planDialog()).not.toBeNull()
  button(planDialog(), 'Apply').click()
  await flushPromises()
  await flush()
  await expect.poll(() => useChallengeStore().started).not.toBeNull()
}

describe('challenge panel', () => {
  it('opens beside the tables with the title and goal; checks wait for a verdict', async () => {
    const held = fake.hold('lab:check')
    await mountApp()
    useGuideStore().panelOpen = true
    await openChallenge()
    // The challenge takes the guide's place.
    expect(useGuideStore().panelOpen).toBe(false)
    expect(panel().get('h2').text()).toBe('Challenge: ns1 cannot reach ns2')
    expect(panel().get('[data-test=challenge-goal]').text()).toContain(
      'Goal: ns1 reaches ns2 (10.10.10.2).',
    )
    expect(panel().text()).toContain('Save as')
    const names = panel()
      .findAll('[data-check]')
      .map((c) => c.attributes('data-check'))
    expect(names).toEqual([GOAL, 'veth0 carries', 'veth1 is up'])
    expect(check(GOAL).classes()).toContain('goal')
    expect(state(GOAL)).toBe('unknown')
    expect(check(GOAL).text()).toContain('not checked yet')
    expect(panel().find('[data-test=challenge-changes]').exists()).toBe(false)
    // The verdict arrives: only now colours, and a check the report lacks stays unknown.
    await expect.poll(() => held.waiting).toBe(1)
    held.resolve({
      passed: 1,
      failed: 1,
      checks: [
        {
          name: GOAL,
          ok: false,
          detail: '10.10.10.2 does not answer from ns1',
          hint: 'Is every end up?',
        },
        { name: 'veth0 carries', ok: true, detail: 'veth0 has carrier' },
      ],
    })
    await flush()
    expect(state(GOAL)).toBe('failed')
    expect(check(GOAL).text()).toContain('not solved yet')
    expect(check(GOAL).text()).toContain('10.10.10.2 does not answer from ns1')
    expect(state('veth0 carries')).toBe('passed')
    expect(state('veth1 is up')).toBe('unknown')
  })

  it('a failed lab:check leaves every check "not checked yet" and says why', async () => {
    verdicts = { [GOAL]: [true, 'Solved'] }
    await mountApp()
    await openChallenge()
    expect(state(GOAL)).toBe('passed')
    fake.handle('lab:check', () => {
      throw new Error('The SSH connection was lost.')
    })
    await panel()
      .findAll('button')
      .find((b) => b.text() === 'Check now')!
      .trigger('click')
    await flushPromises()
    await flush()
    expect(state(GOAL)).toBe('unknown')
    expect(panel().text()).toContain('The checks could not run')
  })

  it('shows a hint only when asked, and only for a failing check', async () => {
    verdicts = {
      [GOAL]: [false, 'no answer', 'Is every end of the cable up?'],
      'veth0 carries': [true, 'veth0 has carrier'],
      'veth1 is up': [false, 'veth1 is down', 'ip -n ns2 link set dev veth1 up'],
    }
    await mountApp()
    await openChallenge()
    expect(panel().find('[data-test=hint]').exists()).toBe(false)
    expect(panel().text()).not.toContain('ip -n ns2 link set dev veth1 up')
    expect(check('veth0 carries').find('button').exists()).toBe(false)
    await check('veth1 is up').get('button[aria-label="Hint for veth1 is up"]').trigger('click')
    expect(check('veth1 is up').get('[data-test=hint]').text()).toBe(
      'Hint: ip -n ns2 link set dev veth1 up',
    )
    // Only that check's hint: the goal's stays behind its button.
    expect(check(GOAL).find('[data-test=hint]').exists()).toBe(false)
    expect(check(GOAL).find('button[aria-label="Hint for ns1 reaches ns2"]').exists()).toBe(true)
  })

  it('Start shows the plan; Cancel starts nothing', async () => {
    await mountApp()
    await openChallenge()
    await panel().get('[data-test=challenge-start]').trigger('click')
    await expect.poll(() => planDialog()).not.toBeNull()
    expect(planDialog()!.textContent).toContain('ip netns add ns1')
    button(planDialog(), 'Cancel').click()
    await flushPromises()
    await flush()
    expect(fake.callsOf('lab:apply')).toEqual([])
    expect(useChallengeStore().started).toBeNull()
    expect(panel().get('[data-test=challenge-start]').text()).toBe('Start challenge')
  })

  it('solved after a change: the goal turns green and "What you changed" lists what ran since the start', async () => {
    verdicts = {
      [GOAL]: [false, 'no answer', 'Is every end up?'],
      'veth0 carries': [false, 'veth0: NO-CARRIER'],
      'veth1 is up': [false, 'veth1 is down', 'ip -n ns2 link set dev veth1 up'],
    }
    await mountApp()
    await openChallenge()
    // Commands before the start (the lab's own apply among them) are not the user's.
    fake.emit('log:appended', [
      entry('ip netns add ns1', { at: Date.now() - 5000, source: 'Apply lab challenge-1' }),
    ])
    await startAndApply()
    expect(fake.callsOf('lab:apply')).toHaveLength(1)
    expect(panel().get('[data-test=challenge-start]').text()).toBe('Restart challenge')
    expect(panel().get('[data-test=started]').text()).toMatch(/Started at \d\d:\d\d:\d\d/)
    expect(state(GOAL)).toBe('failed')
    expect(panel().find('[data-test=challenge-changes]').exists()).toBe(false)

    // The user fixes it; main logs the command and the kernel changes.
    verdicts = {
      [GOAL]: [true, 'Solved'],
      'veth0 carries': [true, 'veth0 has carrier'],
      'veth1 is up': [true, 'veth1 is up'],
    }
    const before = fake.callsOf('lab:check').length
    fake.emit('log:appended', [
      entry('ip netns exec ns2 ip -n ns2 link show', { mutating: false, source: 'snapshot' }),
      entry('ip -n ns2 link set dev veth9 up', { exitCode: 1, stderr: 'Cannot find device' }),
      entry('ip -n ns2 link set dev veth1 up'),
    ])
    await expect.poll(() => fake.callsOf('lab:check').length).toBeGreaterThan(before)
    await flush()
    expect(state(GOAL)).toBe('passed')
    expect(check(GOAL).text()).toContain('Solved')
    expect(panel().get('[data-test=started]').text()).toMatch(/solved in \d+ s$/)
    const changes = panel().get('[data-test=challenge-changes]')
    expect(changes.findAll('[data-test=change] code').map((c) => c.text())).toEqual([
      'ip -n ns2 link set dev veth9 up',
      'ip -n ns2 link set dev veth1 up',
    ])
    expect(changes.findAll('[data-test=change]')[0]!.text()).toContain('failed (exit 1)')
    expect(changes.text()).toContain('Commands typed in a terminal are not in that log')
    // No hint buttons once everything passes.
    expect(panel().find('button[aria-label^="Hint for"]').exists()).toBe(false)
  })

  it('a verdict from before the start is dropped: "not checked yet" until the next one', async () => {
    verdicts = { [GOAL]: [true, 'Solved'] }
    await mountApp()
    await openChallenge()
    expect(state(GOAL)).toBe('passed')
    const held = fake.hold('lab:check')
    await startAndApply()
    expect(state(GOAL)).toBe('unknown')
    expect(check(GOAL).text()).toContain('not checked yet')
    await expect.poll(() => held.waiting).toBeGreaterThan(0)
    while (held.waiting)
      held.resolve({
        passed: 0,
        failed: 1,
        checks: [{ name: GOAL, ok: false, detail: 'no answer' }],
      })
    await flush()
    expect(state(GOAL)).toBe('failed')
    expect(panel().get('[data-test=started]').text()).not.toContain('solved in')
  })

  it('Restart applies the lab again and counts changes from the new start', async () => {
    verdicts = { [GOAL]: [true, 'Solved'] }
    await mountApp()
    await openChallenge()
    await startAndApply()
    const first = useChallengeStore().started!
    fake.emit('log:appended', [entry('ip -n ns2 link set dev veth1 up', { at: first.at })])
    await flush()
    expect(panel().findAll('[data-test=change]')).toHaveLength(1)
    await panel().get('[data-test=challenge-start]').trigger('click')
    await expect.poll(() => planDialog()).not.toBeNull()
    button(planDialog(), 'Apply').click()
    await flushPromises()
    await flush()
    await expect.poll(() => useChallengeStore().started?.logId).not.toBe(first.logId)
    expect(fake.callsOf('lab:apply')).toHaveLength(2)
    expect(panel().findAll('[data-test=change]')).toHaveLength(0)
    expect(panel().get('[data-test=challenge-changes]').text()).toContain(
      'The app ran no command since the challenge started.',
    )
  })

  it('a change is checked again a moment later while the goal is red (a link just up)', async () => {
    verdicts = { [GOAL]: [false, 'no answer'] }
    await mountApp()
    await openChallenge()
    const before = fake.callsOf('lab:check').length
    for (let i = 0; i < 3; i++) fake.emit('netns:changed', main.kernel)
    await expect.poll(() => fake.callsOf('lab:check').length).toBe(before + 1)
    // Once per burst, then once more when the kernel had time to settle.
    await expect.poll(() => fake.callsOf('lab:check').length, { timeout: 5000 }).toBe(before + 2)
  })

  it('hidden, the panel checks nothing; shown again after a change, it checks once', async () => {
    await mountApp()
    await openChallenge()
    const hide = panel().get('button[aria-label="Hide the challenge"]')
    await hide.trigger('click')
    expect(w!.find('[data-test=challenge-panel]').exists()).toBe(false)
    const before = fake.callsOf('lab:check').length
    fake.emit('netns:changed', main.kernel)
    fake.emit('log:appended', [entry('ip -n ns2 link set dev veth1 up')])
    // An absence cannot be polled: wait past the debounce, in which a check would have been asked.
    await new Promise((r) => setTimeout(r, 600))
    expect(fake.callsOf('lab:check')).toHaveLength(before)
    const toggle = w!.findAll('button').find((b) => b.text() === 'Challenge')!
    await toggle.trigger('click')
    await flushPromises()
    await flush()
    expect(w!.find('[data-test=challenge-panel]').exists()).toBe(true)
    expect(fake.callsOf('lab:check')).toHaveLength(before + 1)
  })

  it('a challenge without checks says nothing can grade it (and asks nothing of the kernel)', async () => {
    await mountApp()
    await openChallenge()
    const lab = useLabStore()
    const before = fake.callsOf('lab:check').length
    lab.doc = { ...lab.doc!, lab: { ...lab.doc!.lab, name: 'my-challenge', checks: [] } }
    await flushPromises()
    await flush()
    expect(panel().get('[data-test=no-checks]').text()).toContain('has no checks')
    expect(panel().findAll('[data-check]')).toHaveLength(0)
    fake.emit('netns:changed', main.kernel)
    await new Promise((r) => setTimeout(r, 600))
    expect(fake.callsOf('lab:check')).toHaveLength(before)
  })

  it('a lab that is not a challenge closes the panel', async () => {
    await mountApp()
    await openChallenge()
    expect(w!.find('[data-test=challenge-panel]').exists()).toBe(true)
    await openChallenge('tutorial-1')
    expect(w!.find('[data-test=challenge-panel]').exists()).toBe(false)
    expect(w!.findAll('button').some((b) => b.text() === 'Challenge')).toBe(false)
  })
})

// The guide panel against the fake preload: steps with their why and the engine's exact commands,
// "Run this step" sending each operation through netns:apply (skipping what the kernel already
// shows), check states only from lab:check's verdicts, re-checks on netns:changed, progress per
// target, reset with the confirmed commands, and a tutorial picked before connecting; a step's
// services start through live:service-start after its operations, and reset stops them first.
// Mock, named: window.api (the preload bridge) cannot exist in jsdom; test/unit/renderer/support.

import type { LabCheckReport } from '@shared/ipc/domains/lab'
import type { Snapshot } from '@shared/net/model'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import ConfirmDialog from '../../../src-renderer/src/components/ConfirmDialog.vue'
import GuideList from '../../../src-renderer/src/components/guide/GuideList.vue'
import GuidePanel from '../../../src-renderer/src/components/guide/GuidePanel.vue'
import {
  LAST_TARGET_KEY,
  PROGRESS_KEY,
  useGuideStore,
} from '../../../src-renderer/src/stores/guide'
import { useNetnsStore } from '../../../src-renderer/src/stores/netns'
import { useTargetStore } from '../../../src-renderer/src/stores/target'
import { type FakeApi, FakeIpcError, flush, type Held, installFakeApi } from './support/fake-api'
import { link, lo, ns, snapshot } from './support/snapshot'

const LABEL = 'root@127.0.0.1:2222'
let fake: FakeApi
let wrappers: VueWrapper[] = []
let snap: Snapshot
/** What lab:check answers: check name → [ok, detail, hint?]. */
let verdicts: Record<string, [boolean, string, string?]>

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

const Harness = defineComponent({ setup: () => () => [h(GuidePanel), h(ConfirmDialog)] })

async function mountPanel(lab = 'tutorial-2'): Promise<VueWrapper> {
  const w = mount(Harness, { attachTo: document.body })
  wrappers.push(w)
  await useGuideStore().open(lab)
  await flushPromises()
  await flush()
  return w
}

const step = (w: VueWrapper, id: string) => w.get(`[data-step="${id}"]`)
const checkState = (w: VueWrapper, name: string) =>
  w.get(`[data-check="${name.replace(/"/g, '\\"')}"]`).attributes('data-state')

beforeEach(() => {
  setActivePinia(createPinia())
  localStorage.clear()
  fake = installFakeApi()
  snap = snapshot([ns('host', { isHost: true, links: [lo()] })])
  verdicts = {}
  fake.handle('netns:snapshot', () => snap)
  fake.handle('netns:nat-backend', () => 'iptables')
  fake.handle('netns:apply', () => ({ commands: [] }) as never)
  fake.handle('lab:check', () => report())
  fake.handle('lab:destroy', (lab) => ({ lab, changes: [], commands: [], durationMs: 1 }))
  useTargetStore().status = { state: 'connected', label: LABEL, kind: 'ssh' }
})
afterEach(() => {
  for (const w of wrappers) w.unmount()
  wrappers = []
  useGuideStore().close()
  fake.uninstall()
  document.body.innerHTML = ''
})

describe('guide panel', () => {
  it('shows each step with its why, the exact commands, and "not checked yet" before a verdict', async () => {
    const held: Held<'lab:check'> = fake.hold('lab:check')
    const w = mount(Harness, { attachTo: document.body })
    wrappers.push(w)
    void useGuideStore().open('tutorial-2')
    await flush()
    expect(w.get('h2').text()).toBe('Tutorial 2: A bridge joins red and green')
    expect(w.findAll('[data-step]')).toHaveLength(7)
    const cable = step(w, 'cable-red')
    expect(cable.text()).toContain('A veth pair is a cable with two ends.')
    expect(cable.findAll('.lines li code').map((c) => c.text())).toEqual([
      'ip link add eth0-r type veth peer name veth-r',
      'ip link set dev eth0-r netns red',
      'ip link set dev veth-r master bridge1',
      'ip link set dev veth-r up',
    ])
    expect(checkState(w, 'eth0-r is in red')).toBe('unknown')
    expect(cable.text()).toContain('not checked yet')
    expect(cable.attributes('data-state')).toBe('unknown')
    // The verdict arrives: only then a colour.
    held.resolve({
      passed: 1,
      failed: 1,
      checks: [
        { name: 'eth0-r is in red', ok: true, detail: 'eth0-r is in red' },
        {
          name: 'veth-r is a port of bridge1',
          ok: false,
          detail: 'veth-r has no master',
          hint: 'ip link set veth-r master bridge1',
        },
      ],
    })
    await flush()
    expect(checkState(w, 'eth0-r is in red')).toBe('passed')
    expect(checkState(w, 'veth-r is a port of bridge1')).toBe('failed')
    expect(cable.text()).toContain('veth-r has no master')
    expect(cable.text()).toContain('Hint: ip link set veth-r master bridge1')
    expect(cable.attributes('data-state')).toBe('failed')
    // A step whose checks are absent from the report stays unknown, never green.
    expect(step(w, 'namespaces').attributes('data-state')).toBe('unknown')
  })

  it('Run this step sends each operation through netns:apply, skipping what the kernel shows', async () => {
    snap = snapshot([
      ns('host', { isHost: true, links: [lo()] }),
      ns('red', { links: [lo(false)] }),
    ])
    const w = await mountPanel()
    await useNetnsStore().refresh()
    await flush()
    const s = step(w, 'namespaces')
    const lines = s.findAll('.lines li')
    expect(lines[0]!.text()).toContain('ip netns add red')
    expect(lines[0]!.text()).toContain('already done')
    expect(lines[1]!.text()).not.toContain('already done')
    const before = fake.callsOf('lab:check').length
    await s.get('[data-test="run-step-namespaces"]').trigger('click')
    await flushPromises()
    await flush()
    expect(fake.callsOf('netns:apply')).toEqual([[{ op: 'ns.add', name: 'green' }]])
    expect(fake.callsOf('lab:check').length).toBeGreaterThan(before)

    fake.calls.length = 0
    await step(w, 'cable-green').get('button.primary').trigger('click')
    await flushPromises()
    await flush()
    expect(fake.callsOf('netns:apply')).toEqual([
      [{ op: 'veth.add', name: 'eth0-g', peer: 'veth-g' }],
      [{ op: 'link.move', ns: 'host', ifname: 'eth0-g', toNs: 'green' }],
      [{ op: 'link.set-master', ns: 'host', ifname: 'veth-g', bridge: 'bridge1' }],
      [{ op: 'link.set-state', ns: 'host', ifname: 'veth-g', up: true }],
    ])
  })

  it('a failing operation stops the step and shows the error as the app does', async () => {
    fake.handle('netns:apply', (op) => {
      if (op.op === 'link.move')
        throw new FakeIpcError({
          code: 'COMMAND_FAILED',
          message: 'Move link to namespace failed: Cannot find device "eth0-r"',
        })
      return { commands: [] } as never
    })
    const w = await mountPanel()
    await step(w, 'cable-red').get('button.primary').trigger('click')
    await flushPromises()
    await flush()
    expect(fake.callsOf('netns:apply').map(([op]) => (op as { op: string }).op)).toEqual([
      'veth.add',
      'link.move',
    ])
    const alert = step(w, 'cable-red').get('[role="alert"]')
    expect(alert.text()).toContain('The step stopped')
    expect(alert.text()).toContain('Cannot find device "eth0-r"')
  })

  it('a lab:check that fails leaves every check unknown and says why', async () => {
    verdicts = { 'red exists': [true, 'red exists'] }
    const w = await mountPanel()
    expect(checkState(w, 'red exists')).toBe('passed')
    fake.handle('lab:check', () => {
      throw new FakeIpcError({ code: 'NOT_CONNECTED', message: 'No target is connected.' })
    })
    await useGuideStore().check()
    await flush()
    expect(checkState(w, 'red exists')).toBe('unknown')
    expect(w.get('[role="alert"]').text()).toContain('The checks could not run')
    expect(w.findAll('[data-state="passed"]')).toHaveLength(0)
  })

  it('netns:changed runs the checks again, once per burst', async () => {
    await mountPanel()
    const before = fake.callsOf('lab:check').length
    verdicts = { 'red exists': [true, 'red exists'], 'green exists': [true, 'green exists'] }
    for (let i = 0; i < 3; i++) fake.emit('netns:changed', snap)
    await expect.poll(() => fake.callsOf('lab:check').length).toBe(before + 1)
    await expect
      .poll(() => useGuideStore().stepState(useGuideStore().guide!.steps[0]!))
      .toBe('passed')
    await new Promise((r) => setTimeout(r, 600))
    expect(fake.callsOf('lab:check').length).toBe(before + 1)
    // Panel hidden: changes run nothing on the target; shown again: one check.
    useGuideStore().panelOpen = false
    fake.emit('netns:changed', snap)
    await new Promise((r) => setTimeout(r, 600))
    expect(fake.callsOf('lab:check').length).toBe(before + 1)
    useGuideStore().panelOpen = true
    await expect.poll(() => fake.callsOf('lab:check').length).toBe(before + 2)
  })

  it('progress is kept per target and tutorial, and the list shows it', async () => {
    verdicts = {
      'red exists': [true, 'ok'],
      'green exists': [true, 'ok'],
      'bridge1 is up': [false, 'no'],
    }
    const w = await mountPanel()
    expect(w.get('[data-test="guide-progress"]').text()).toBe('1/7 steps pass')
    expect(JSON.parse(localStorage.getItem(PROGRESS_KEY)!)).toEqual({
      [LABEL]: { 'tutorial-2': ['namespaces'] },
    })
    const list = mount(GuideList, { attachTo: document.body })
    wrappers.push(list)
    const t2 = () => list.get('[data-test="guide-open-tutorial-2"]')
    expect(t2().text()).toContain('1/7')
    expect(list.get('[data-test="guide-open-tutorial-1"]').text()).toContain('0/5')
    expect(list.text()).toContain(LABEL)
    // Another target has its own progress; the first one's comes back with it.
    useTargetStore().status = { state: 'connected', label: 'vagrant@10.0.0.9:22', kind: 'ssh' }
    await flush()
    expect(t2().text()).toContain('0/7')
    useTargetStore().status = { state: 'connected', label: LABEL, kind: 'ssh' }
    await flush()
    expect(t2().text()).toContain('1/7')
  })

  it('reset confirms the exact commands, destroys the lab, then deletes what the steps made', async () => {
    snap = snapshot([
      ns('host', {
        isHost: true,
        links: [
          lo(),
          link({ ifname: 'bridge1', kind: 'bridge', rawKind: 'bridge' }),
          link({
            ifname: 'veth-r',
            master: 'bridge1',
            peer: { namespace: 'red', ifname: 'eth0-r', ifindex: 2 },
          }),
        ],
      }),
      ns('red', { links: [lo(), link({ ifname: 'eth0-r' })] }),
    ])
    const w = await mountPanel()
    await w.get('[data-test="guide-reset"]').trigger('click')
    await flushPromises()
    await flush()
    const dialog = w.get('[role="alertdialog"]')
    expect(dialog.text()).toContain('Reset tutorial 2?')
    expect(dialog.get('pre').text().split('\n')).toEqual([
      'ip link delete dev bridge1',
      'ip netns delete red',
    ])
    // Cancel: nothing is touched.
    await dialog
      .findAll('button')
      .find((b) => b.text() === 'Cancel')!
      .trigger('click')
    await flush()
    expect(fake.callsOf('lab:destroy')).toEqual([])
    expect(fake.callsOf('netns:apply')).toEqual([])

    await w.get('[data-test="guide-reset"]').trigger('click')
    await flushPromises()
    await flush()
    await w.get('[role="alertdialog"] button.danger').trigger('click')
    await flushPromises()
    await flush()
    expect(fake.callsOf('lab:destroy')).toEqual([['tutorial-2', {}]])
    expect(fake.callsOf('netns:apply')).toEqual([
      [{ op: 'link.delete', ns: 'host', ifname: 'bridge1' }],
      [{ op: 'ns.delete', name: 'red' }],
    ])
    const order = fake.calls.map((c) => c.channel).filter((c) => c !== 'netns:snapshot')
    expect(order.indexOf('lab:destroy')).toBeLessThan(order.indexOf('netns:apply'))
  })

  it("Run this step starts the step's services after its operations; one running is left; reset stops them first", async () => {
    snap = snapshot([ns('host', { isHost: true, links: [lo()] }), ns('ns1', { links: [lo()] })])
    let n = 0
    fake.handle('live:service-start', (req) => ({
      id: `svc-${++n}`,
      listening: `0.0.0.0:${req.port}`,
      reply: `netns-studio ${req.ns}:${req.port}`,
    }))
    fake.handle('live:service-stop', () => undefined)
    fake.handle('live:sockets', () => ({ ns: 'x', rows: [], truncated: false, takenAt: 0 }))
    const w = await mountPanel('tutorial-5')
    const s = step(w, 'same-port')
    expect(s.text()).toContain('The same port in two namespaces')
    expect(s.findAll('.services li').map((l) => l.text())).toEqual([
      "ip netns exec ns1 env 'NETNS_STUDIO_REPLY=netns-studio ns1:8080' socat -d -d -U TCP4-LISTEN:8080,reuseaddr,fork 'EXEC:printenv NETNS_STUDIO_REPLY'",
      "env 'NETNS_STUDIO_REPLY=netns-studio host:8080' socat -d -d -U TCP4-LISTEN:8080,reuseaddr,fork 'EXEC:printenv NETNS_STUDIO_REPLY'",
    ])
    expect(checkState(w, 'ns1 answers on port 8080')).toBe('unknown')
    // This step has no operations of its own: a step that has some applies them before its services.
    const guide = useGuideStore()
    const withOps = { ...guide.guide!.steps.at(-1)!, ops: [{ op: 'ns.add', name: 'ns2' } as const] }
    fake.handle('netns:apply', () => {
      // The operation runs while no service has started yet.
      expect(fake.callsOf('live:service-start')).toEqual([])
      return { commands: [] } as never
    })
    fake.calls.length = 0
    verdicts = {
      'ns1 answers on port 8080': [true, 'TCP 127.0.0.1:8080 from ns1: open'],
      'the host answers on port 8080': [true, 'TCP 127.0.0.1:8080 from host: open'],
    }
    expect(await guide.runStep(withOps)).toBe(true)
    await flush()
    const order = fake.calls.map((c) => c.channel)
    expect(order.indexOf('netns:apply')).toBeLessThan(order.indexOf('live:service-start'))
    expect(fake.callsOf('live:service-start')).toEqual([
      [{ ns: 'ns1', protocol: 'tcp', port: 8080 }],
      [{ ns: 'host', protocol: 'tcp', port: 8080 }],
    ])
    // The checks ran after the services started, and the step is green from their verdicts.
    expect(order.lastIndexOf('lab:check')).toBeGreaterThan(order.lastIndexOf('live:service-start'))
    expect(checkState(w, 'the host answers on port 8080')).toBe('passed')
    expect(s.attributes('data-state')).toBe('passed')
    expect(s.findAll('.services li .done-tag').map((t) => t.text())).toEqual(['running', 'running'])
    expect(s.get('[data-test="run-step-same-port"]').text()).toBe('Nothing left to run')

    // ns1's listener ended; running the step again starts only that one.
    fake.emit('live:service-ended', 'svc-1', { reason: 'stopped' })
    await flush()
    fake.calls.length = 0
    await s.get('[data-test="run-step-same-port"]').trigger('click')
    await flushPromises()
    await flush()
    expect(fake.callsOf('live:service-start')).toEqual([
      [{ ns: 'ns1', protocol: 'tcp', port: 8080 }],
    ])

    // Reset names the services, stops the running ones, then destroys the lab.
    fake.calls.length = 0
    await w.get('[data-test="guide-reset"]').trigger('click')
    await flushPromises()
    await flush()
    expect(w.get('[role="alertdialog"]').text()).toContain(
      'Before that it stops the services the steps started (tcp port 8080 in host, tcp port 8080 in ns1).',
    )
    await w.get('[role="alertdialog"] button.danger').trigger('click')
    await flushPromises()
    await flush()
    expect(
      fake
        .callsOf('live:service-stop')
        .map(([id]) => id)
        .sort(),
    ).toEqual(['svc-2', 'svc-3'])
    const after = fake.calls.map((c) => c.channel)
    expect(after.lastIndexOf('live:service-stop')).toBeLessThan(after.indexOf('lab:destroy'))
    expect(fake.callsOf('netns:apply')).toEqual([[{ op: 'ns.delete', name: 'ns1' }]])
  })

  it('a service that cannot start stops the step and shows why', async () => {
    fake.handle('live:service-start', (req) => {
      if (req.ns === 'host')
        throw new FakeIpcError({
          code: 'COMMAND_FAILED',
          message:
            'Port 8080/tcp is already in use in host: stop what listens there (see its Sockets table) or choose another port.',
        })
      return { id: 'svc-1', listening: '0.0.0.0:8080', reply: 'x' }
    })
    fake.handle('live:sockets', () => ({ ns: 'x', rows: [], truncated: false, takenAt: 0 }))
    const w = await mountPanel('tutorial-5')
    await step(w, 'same-port').get('[data-test="run-step-same-port"]').trigger('click')
    await flushPromises()
    await flush()
    expect(fake.callsOf('live:service-start')).toHaveLength(2)
    const alert = step(w, 'same-port').get('[role="alert"]')
    expect(alert.text()).toContain('The step stopped')
    expect(alert.text()).toContain('Port 8080/tcp is already in use in host')
  })

  it('offline, the list shows the progress kept for the target last used', () => {
    localStorage.setItem(
      PROGRESS_KEY,
      JSON.stringify({ [LABEL]: { 'tutorial-2': ['namespaces', 'bridge', 'cable-red', 'gone'] } }),
    )
    localStorage.setItem(LAST_TARGET_KEY, LABEL)
    setActivePinia(createPinia())
    useTargetStore().status = { state: 'disconnected', label: null, kind: null }
    const list = mount(GuideList, { attachTo: document.body })
    wrappers.push(list)
    expect(list.text()).toContain(`progress on ${LABEL}`)
    // A step id the guide no longer has does not count.
    expect(list.get('[data-test="guide-open-tutorial-2"]').text()).toContain('3/7')
    // A corrupt record loses the progress, not the list.
    localStorage.setItem(PROGRESS_KEY, '{oops')
    setActivePinia(createPinia())
    const again = mount(GuideList, { attachTo: document.body })
    wrappers.push(again)
    expect(again.get('[data-test="guide-open-tutorial-2"]').text()).toContain('0/7')
  })

  it('Show me selects the namespace and the tab the step names', async () => {
    const w = await mountPanel()
    await step(w, 'ping')
      .findAll('button')
      .find((b) => b.text() === 'Show me')!
      .trigger('click')
    const netns = useNetnsStore()
    expect(netns.selected).toEqual(['red'])
    expect(netns.tab).toBe('neighbours')
  })

  it('a tutorial picked before connecting opens once a target is connected', async () => {
    useTargetStore().status = { state: 'disconnected', label: null, kind: null }
    const list = mount(GuideList, { attachTo: document.body })
    wrappers.push(list)
    await list.get('[data-test="guide-open-tutorial-3"]').trigger('click')
    await flush()
    const guide = useGuideStore()
    expect(guide.active).toBeNull()
    expect(list.get('[data-test="guide-pending"]').text()).toContain('tutorial 3 opens')
    expect(fake.callsOf('lab:check')).toEqual([])
    useTargetStore().status = { state: 'connected', label: LABEL, kind: 'ssh' }
    await flushPromises()
    await flush()
    expect(guide.active).toBe('tutorial-3')
    expect(guide.panelOpen).toBe(true)
    expect(fake.callsOf('lab:check')).toHaveLength(1)
  })
})

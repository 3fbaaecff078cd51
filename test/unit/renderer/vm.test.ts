// The VM controls as a user sees them, fed with the `vm:*` events captured from real VM runs
// (test/vm, NETNS_CAPTURE_FIXTURES=1): progress with elapsed time, failure details, the notice.
// Mock, named: window.api (the preload bridge) cannot exist in jsdom; the shared fake
// (support/fake-api.ts, with the contract's checks) stands in for it and replays the captures.

import { AppError } from '@shared/errors'
import type { InvokeChannel } from '@shared/ipc/contract'
import type { VmInfo } from '@shared/vm/info'
import type { VmProgress } from '@shared/vm/progress'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import VmControls from '../../../src-renderer/src/components/VmControls.vue'
import { useVmStore } from '../../../src-renderer/src/stores/vm'
import afterHaltRaw from '../../fixtures/vagrant/ui-up-after-halt.json?raw'
import boxNotFoundRaw from '../../fixtures/vagrant/ui-up-box-not-found.json?raw'
import preflightOfflineRaw from '../../fixtures/vagrant/ui-preflight-box-offline.json?raw'
import preflightOkRaw from '../../fixtures/vagrant/ui-preflight-ok.json?raw'
import { type FakeApi, installFakeApi } from './support/fake-api'

type UiEvent =
  { channel: 'vm:state-changed'; info: VmInfo } | { channel: 'vm:progress'; progress: VmProgress }
const CAPTURES = {
  'ui-up-after-halt.json': afterHaltRaw,
  'ui-up-box-not-found.json': boxNotFoundRaw,
}
const preflightOk = (): unknown => JSON.parse(preflightOkRaw)
const preflightOffline = (): unknown => JSON.parse(preflightOfflineRaw)
const capture = (name: keyof typeof CAPTURES): UiEvent[] => JSON.parse(CAPTURES[name]) as UiEvent[]
let fake: FakeApi | undefined

/**
 * The shared fake preload (contract checks included) answering from `replies`; calls main answers
 * without a value (cancel, dismiss) are answered as main does. The test emits captured events.
 */
function installBridge(replies: Partial<Record<InvokeChannel, () => unknown>>): {
  calls: string[]
  emit(e: UiEvent): void
} {
  fake?.uninstall()
  const f = (fake = installFakeApi())
  f.handle('vm:cancel', () => true)
  f.handle('vm:dismiss-notice', () => undefined)
  for (const [channel, reply] of Object.entries(replies))
    f.handle(channel as InvokeChannel, reply as () => never)
  return {
    get calls() {
      return f.calls.map((c) => c.channel)
    },
    emit: (e) =>
      e.channel === 'vm:progress' ? f.emit(e.channel, e.progress) : f.emit(e.channel, e.info),
  }
}

/** VmControls bound to the store exactly as the target bar binds it. */
const Bar = defineComponent(() => {
  const vm = useVmStore()
  return () =>
    h(VmControls, {
      state: vm.state,
      steps: vm.steps,
      failure: vm.failure,
      canBoot: vm.canBoot,
      canHalt: vm.canHalt,
      unavailableReason: vm.unavailableReason,
      onBoot: () => void vm.boot(),
      onHalt: () => void vm.halt(),
    })
})

const button = (w: VueWrapper, text: string) => w.findAll('button').find((b) => b.text() === text)
const stepTexts = (w: VueWrapper): string[] =>
  w
    .findAll('.steps li')
    .map((li) => `${li.text()}:${li.classes().filter((c) => c !== '')[0] ?? ''}`)

describe('VM controls on real captured runs', () => {
  beforeEach(() => setActivePinia(createPinia()))
  afterEach(() => {
    vi.useRealTimers()
    const f = fake
    fake = undefined
    f?.uninstall()
  })

  it('boot after a halt: Boot calls vm:up, steps advance with elapsed time, Cancel, then the notice', async () => {
    const events = capture('ui-up-after-halt.json')
    const first = events.find((e) => e.channel === 'vm:state-changed')
    if (first?.channel !== 'vm:state-changed') throw new Error('capture has no state event')
    const stopped: VmInfo = {
      ...first.info,
      op: null,
      progress: null,
      state: 'stopped',
      providerState: 'shutoff',
    }
    let upDone: (v: unknown) => void = () => undefined
    const bridge = installBridge({
      'vm:state': () => stopped,
      'vm:preflight': preflightOk,
      // Main answers vm:up when the boot has ended, after its events.
      'vm:up': () => new Promise((r) => (upDone = r)),
      'target:connect': () => ({ state: 'connected', label: 'vagrant@127.0.0.1:2222', kind: 'vm' }),
    })
    // The elapsed clock ticks on setInterval and reads Date: both faked, promises stay real.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] })
    const w = mount(Bar)
    await flushPromises()
    expect(w.text()).toContain('VM stopped')
    expect(button(w, 'Halt')?.attributes('disabled')).toBeDefined()
    await button(w, 'Boot')?.trigger('click')
    await flushPromises()
    expect(bridge.calls).toEqual(['vm:state', 'vm:preflight', 'vm:up'])

    const progress = events.filter(
      (e): e is Extract<UiEvent, { channel: 'vm:progress' }> => e.channel === 'vm:progress',
    )
    const waitingSsh = events.findIndex(
      (e) => e.channel === 'vm:progress' && e.progress.step === 'waiting-ssh',
    )
    expect(waitingSsh).toBeGreaterThan(0)
    for (const e of events.slice(0, waitingSsh + 1)) bridge.emit(e)
    const p = progress.find((e) => e.progress.step === 'waiting-ssh')?.progress
    vi.setSystemTime((p?.startedAt ?? 0) + 42_000)
    vi.advanceTimersByTime(1000)
    await flushPromises()
    expect(w.text()).toContain('VM booting…')
    expect(w.get('[aria-label="VM progress"]').text()).toMatch(/Waiting for SSH · 0:4[23]/)
    const steps = stepTexts(w)
    expect(steps).toContain('Waiting for SSH:running')
    expect(steps).toContain('Starting the VM:done')
    expect(steps.indexOf('Starting the VM:done')).toBeLessThan(
      steps.indexOf('Waiting for SSH:running'),
    )
    expect(steps.at(-1)).toMatch(/:pending$/)
    expect(button(w, 'Boot')).toBeUndefined()
    await button(w, 'Cancel')?.trigger('click')
    expect(bridge.calls).toContain('vm:cancel')

    for (const e of events.slice(waitingSsh + 1)) bridge.emit(e)
    await flushPromises()
    expect(w.text()).toContain('VM running')
    expect(w.findAll('.steps li')).toHaveLength(0)
    const notice = w.get('[aria-label="VM notice"]')
    expect(notice.text()).toContain('/run/netns')
    await notice.get('button').trigger('click')
    expect(bridge.calls).toContain('vm:dismiss-notice')
    expect(button(w, 'Halt')?.attributes('disabled')).toBeUndefined()
    // The boot's answer arrives: the bar is on "Vagrant VM", so the app connects to it.
    expect(bridge.calls).not.toContain('target:connect')
    upDone({ outcome: 'done', state: 'running', failure: null, durationMs: 91386 })
    await flushPromises()
    expect(bridge.calls.at(-1)).toBe('target:connect')
  })

  it('preflight errors stop the boot and say what to do', async () => {
    const events = capture('ui-up-box-not-found.json')
    const base = (events[0] as { info: VmInfo }).info
    const bridge = installBridge({
      'vm:state': () => ({
        ...base,
        op: null,
        progress: null,
        failure: null,
        state: 'not_created',
      }),
      'vm:preflight': preflightOffline,
    })
    const w = mount(Bar)
    await flushPromises()
    await button(w, 'Boot')?.trigger('click')
    await flushPromises()
    expect(bridge.calls).not.toContain('vm:up')
    const panel = w.get('[aria-label="Before booting"]')
    expect(panel.text()).toContain('The box "netns-no-such-box/nope" is not on this computer')
    expect(panel.text()).toContain('vagrant box add NAME FILE')
    expect(button(w, 'Boot')?.attributes('disabled')).toBeUndefined()
  })

  it('a box that does not exist: failed state, the step, exit code, Vagrant error, hint and last lines', async () => {
    const events = capture('ui-up-box-not-found.json')
    const bridge = installBridge({
      'vm:state': () => ({ ...(events[0] as { info: VmInfo }).info, op: null, progress: null }),
    })
    const w = mount(Bar)
    await flushPromises()
    for (const e of events) bridge.emit(e)
    await flushPromises()
    expect(w.text()).toContain('VM failed')
    expect(stepTexts(w)).toEqual(['Downloading the box:failed'])
    await button(w, 'Details')?.trigger('click')
    const details = w.get('.failure')
    expect(details.text()).toContain("The box 'netns-no-such-box/nope' could not be found")
    expect(details.text()).toContain(
      'Step: Downloading the box · exit code 1 · Vagrant::Errors::BoxAddShortNotFound',
    )
    expect(details.text()).toContain('could not reach the box catalog')
    expect(details.get('pre').text()).toContain("Couldn't connect to server")
    expect(button(w, 'Boot')?.attributes('disabled')).toBeUndefined()
  })

  it('without vagrant: unavailable with the reason; an operation refused by main shows its error', async () => {
    const events = capture('ui-up-box-not-found.json')
    const base = (events[0] as { info: VmInfo }).info
    installBridge({
      'vm:state': () => ({
        ...base,
        op: null,
        progress: null,
        failure: null,
        vagrantMissing: true,
      }),
    })
    const w = mount(Bar)
    await flushPromises()
    expect(w.text()).toContain('VM control unavailable')
    expect(w.get('.state').attributes('title')).toContain('Vagrant is not installed')
    expect(button(w, 'Boot')?.attributes('disabled')).toBeDefined()

    setActivePinia(createPinia())
    installBridge({
      'vm:state': () => ({ ...base, op: null, progress: null, failure: null, state: 'stopped' }),
      'vm:preflight': preflightOk,
      'vm:up': () => {
        throw new AppError('VM_BUSY', 'The VM is busy: "halt" is still running.')
      },
    })
    const w2 = mount(Bar)
    await flushPromises()
    await button(w2, 'Boot')?.trigger('click')
    await flushPromises()
    expect(w2.get('.error').text()).toContain('The VM is busy')
  })
})

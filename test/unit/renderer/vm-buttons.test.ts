// The VM buttons in the target bar (jsdom, the whole window, the fake preload): which are enabled in
// each state, Halt and Reload confirmed with what they lose, Suspend and Resume, and the connection
// made again after a Reload.
// Mock, named: window.api (the preload bridge) cannot exist in jsdom; test/unit/renderer/support.

import type { VmState } from '@shared/vm/state'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import App from '../../../src-renderer/src/App.vue'
import { type FakeApi, flush, installFakeApi } from './support/fake-api'
import { tutorial1 } from './support/snapshot'
import { progressAt, report, vmInfo } from './support/vm'

let fake: FakeApi
let pinia: ReturnType<typeof createPinia>
let wrappers: VueWrapper[] = []
const BUTTONS = ['Boot', 'Halt', 'Reload', 'Suspend', 'Resume'] as const
const vmConnection = {
  state: 'connected' as const,
  label: 'vagrant@127.0.0.1:2222',
  kind: 'vm' as const,
}

beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
  fake = installFakeApi()
  fake.handle('log:list', () => [])
  fake.handle('app:info', () => ({
    name: 'netns-studio',
    version: '0.1.0',
    platform: 'linux',
    arch: 'x64',
    packaged: false,
    versions: { electron: null, node: '20.19.0', chrome: null },
  }))
  fake.handle('vm:settings', () => ({ provider: null, box: null, memoryMiB: 1024, cpus: 1 }))
  fake.handle('vm:preflight', () => report())
  fake.handle('netns:snapshot', () => tutorial1())
  const done = (state: VmState) => () => ({
    outcome: 'done' as const,
    state,
    failure: null,
    durationMs: 1,
  })
  fake.handle('vm:halt', done('stopped'))
  fake.handle('vm:suspend', done('suspended'))
  fake.handle('vm:resume', done('running'))
})
afterEach(() => {
  for (const w of wrappers) w.unmount()
  wrappers = []
  fake.uninstall()
  document.body.innerHTML = ''
})

async function mountIn(state: VmState, connected: boolean): Promise<VueWrapper> {
  fake.handle('vm:state', () => vmInfo({ state, providerState: state }))
  fake.handle('target:status', () =>
    connected ? vmConnection : { state: 'disconnected', label: null, kind: null },
  )
  const w = mount(App, { global: { plugins: [pinia] }, attachTo: document.body })
  wrappers.push(w)
  await flushPromises()
  await flush()
  return w
}

const bar = (w: VueWrapper) => w.get('[aria-label="Virtual machine"]')
const button = (w: VueWrapper, name: string) =>
  bar(w)
    .findAll('button')
    .find((b) => b.text() === name)
/** The names of the enabled VM buttons. */
const enabled = (w: VueWrapper): string[] =>
  BUTTONS.filter((n) => button(w, n) && button(w, n)!.attributes('disabled') === undefined)
const confirm = (w: VueWrapper) => w.get('[role=alertdialog]')
const answer = async (w: VueWrapper, label: string): Promise<void> => {
  await confirm(w)
    .findAll('button')
    .find((b) => b.text() === label)!
    .trigger('click')
  await flushPromises()
}

describe('VM buttons', () => {
  it('enables Halt, Reload and Suspend while running; Resume when suspended; Boot when stopped', async () => {
    expect(enabled(await mountIn('running', true))).toEqual(['Halt', 'Reload', 'Suspend'])
    setActivePinia((pinia = createPinia()))
    expect(enabled(await mountIn('suspended', false))).toEqual(['Resume'])
    setActivePinia((pinia = createPinia()))
    expect(enabled(await mountIn('stopped', false))).toEqual(['Boot'])
    setActivePinia((pinia = createPinia()))
    expect(enabled(await mountIn('not_created', false))).toEqual(['Boot'])
  })

  it('hides them while an operation runs and offers Cancel', async () => {
    fake.handle('vm:cancel', () => true)
    const w = await mountIn('running', true)
    fake.emit(
      'vm:state-changed',
      vmInfo({
        state: 'running',
        op: 'suspend',
        progress: progressAt('suspend', ['preparing', 'suspending']),
      }),
    )
    await flushPromises()
    expect(BUTTONS.filter((n) => button(w, n))).toEqual([])
    await button(w, 'Cancel')!.trigger('click')
    await flushPromises()
    expect(fake.callsOf('vm:cancel')).toHaveLength(1)
  })

  it('asks before Halt, saying the namespaces are lost; halts only when confirmed', async () => {
    const w = await mountIn('running', true)
    await button(w, 'Halt')!.trigger('click')
    await flushPromises()
    expect(confirm(w).text()).toContain('Halt the VM?')
    expect(confirm(w).text()).toContain('namespaces')
    expect(confirm(w).text()).toContain('/run/netns')
    await answer(w, 'Cancel')
    expect(fake.callsOf('vm:halt')).toEqual([])
    await button(w, 'Halt')!.trigger('click')
    await flushPromises()
    await answer(w, 'Halt')
    expect(fake.callsOf('vm:halt')).toHaveLength(1)
  })

  it('asks before Reload, then reloads and connects again once the VM runs', async () => {
    let reloaded: (v: unknown) => void = () => undefined
    fake.handle(
      'vm:reload',
      () =>
        new Promise((r) => {
          reloaded = r
        }) as never,
    )
    fake.handle('target:connect', () => vmConnection)
    const w = await mountIn('running', true)
    await button(w, 'Reload')!.trigger('click')
    await flushPromises()
    expect(confirm(w).text()).toContain('Reload the VM?')
    expect(confirm(w).text()).toContain('namespaces')
    await answer(w, 'Reload')
    expect(fake.callsOf('vm:reload')).toHaveLength(1)
    // Main closes the VM connection before it reloads, and answers when the VM is back.
    fake.emit('target:status-changed', { state: 'disconnected', label: null, kind: null })
    await flushPromises()
    reloaded({ outcome: 'done', state: 'running', failure: null, durationMs: 40_000 })
    await flushPromises()
    expect(fake.callsOf('target:connect')).toEqual([[{ kind: 'vm' }]])
  })

  it('suspends without asking (memory is kept) and resumes', async () => {
    const w = await mountIn('running', true)
    await button(w, 'Suspend')!.trigger('click')
    await flushPromises()
    expect(w.find('[role=alertdialog]').exists()).toBe(false)
    expect(fake.callsOf('vm:suspend')).toHaveLength(1)

    setActivePinia((pinia = createPinia()))
    fake.handle('target:connect', () => vmConnection)
    const w2 = await mountIn('suspended', false)
    await button(w2, 'Resume')!.trigger('click')
    await flushPromises()
    expect(fake.callsOf('vm:resume')).toHaveLength(1)
    expect(fake.callsOf('target:connect')).toEqual([[{ kind: 'vm' }]])
  })
})

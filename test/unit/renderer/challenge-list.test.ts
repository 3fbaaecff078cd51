// The challenges on the welcome, in the whole window against the fake preload and the lab
// handlers' test double: listed under the tutorials by number and title, a click opens the
// built-in lab and says it opens once connected; connected, the Challenge panel shows it.
// Mock, named: window.api (the preload bridge) cannot exist in jsdom; test/unit/renderer/support.

import type { AppInfo } from '@shared/ipc/domains/app'
import type { ConnectionStatus } from '@shared/ipc/domains/core'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import App from '../../../src-renderer/src/App.vue'
import { useChallengeStore } from '../../../src-renderer/src/stores/challenge'
import { type FakeApi, flush, installFakeApi } from './support/fake-api'
import { installLabMain } from './support/lab-main'
import { report, vmInfo } from './support/vm'

const linux: AppInfo = {
  name: 'netns-studio',
  version: '0.1.0',
  platform: 'linux',
  arch: 'x64',
  packaged: false,
  versions: { electron: null, node: '20.19.0', chrome: null },
}
let fake: FakeApi
let pinia: ReturnType<typeof createPinia>
let w: VueWrapper | null = null

beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
  fake = installFakeApi()
  const main = installLabMain(fake)
  fake.handle('log:list', () => [])
  fake.handle('target:status', () => ({ state: 'disconnected', label: null, kind: null }))
  fake.handle('app:info', () => linux)
  fake.handle('vm:state', () => vmInfo())
  fake.handle('vm:settings', () => ({ provider: null, box: null, memoryMiB: 1024, cpus: 1 }))
  fake.handle('vm:preflight', () => report())
  fake.handle('netns:snapshot', () => main.kernel)
  fake.handle('lab:check', () => ({ passed: 0, failed: 0, checks: [] }))
})
afterEach(() => {
  w?.unmount()
  w = null
  useChallengeStore().unfollow()
  fake.uninstall()
  document.body.innerHTML = ''
})

describe('challenges on the welcome', () => {
  it('lists the eight challenges; a pick opens its lab and its panel once connected', async () => {
    w = mount(App, { global: { plugins: [pinia] }, attachTo: document.body })
    await flushPromises()
    await flush()
    const list = w.get('[data-test=challenge-list]')
    const items = list
      .findAll('button.item')
      .map((b) => `${b.get('.num').text()} ${b.get('.title').text()}`)
    expect(items).toHaveLength(8)
    expect(items[0]).toBe('1 ns1 cannot reach ns2')
    expect(items[7]).toBe('8 plugged into the wrong switch')
    // Under the tutorials.
    const tutorials = w.get('[data-test=guide-list]').element
    expect(
      tutorials.compareDocumentPosition(list.element) & Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy()
    expect(fake.callsOf('lab:check')).toEqual([])

    await list.get('[data-test=challenge-open-challenge-1]').trigger('click')
    await flushPromises()
    await flush()
    expect(fake.callsOf('lab:open')).toEqual([[{ from: 'builtin', name: 'challenge-1' }]])
    expect(list.get('[data-test=challenge-pending]').text()).toBe(
      'Connect to a target above and challenge 1 opens.',
    )
    // Not connected: nothing is asked of a target.
    expect(fake.callsOf('lab:check')).toEqual([])

    const connected: ConnectionStatus = { state: 'connected', label: 'root@h:22', kind: 'ssh' }
    fake.emit('target:status-changed', connected)
    await flushPromises()
    await flush()
    const panel = w.get('[data-test=challenge-panel]')
    expect(panel.get('h2').text()).toBe('Challenge: ns1 cannot reach ns2')
    expect(panel.get('[data-test=challenge-start]').text()).toBe('Start challenge')
    await expect.poll(() => fake.callsOf('lab:check').length).toBeGreaterThan(0)
  })
})

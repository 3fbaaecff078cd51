// The whole window in jsdom against the fake preload: empty states that say what to do, the
// namespace list (counts, selection, compare, keyboard), the duplicate-address warning, the
// command log drawer's export, and the tables following netns:changed.
import type { Snapshot } from '@shared/net/model'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import App from '../../../src-renderer/src/App.vue'
import NamespaceList from '../../../src-renderer/src/components/NamespaceList.vue'
import { useNetnsStore } from '../../../src-renderer/src/stores/netns'
import { useTargetStore } from '../../../src-renderer/src/stores/target'
import { type FakeApi, flush, installFakeApi } from './support/fake-api'
import { largeLab, tutorial1 } from './support/snapshot'
import { report } from './support/vm'

let fake: FakeApi
let pinia: ReturnType<typeof createPinia>
let wrappers: VueWrapper[] = []
beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
  fake = installFakeApi()
  fake.handle('log:list', () => [])
})
afterEach(() => {
  for (const w of wrappers) w.unmount()
  wrappers = []
  fake.uninstall()
  document.body.innerHTML = ''
})

function connected(snap: Snapshot = tutorial1()): void {
  fake.handle('target:status', () => ({
    state: 'connected',
    label: 'root@10.0.0.5:22',
    kind: 'ssh',
  }))
  fake.handle('netns:snapshot', () => snap)
}

async function mountApp(): Promise<VueWrapper> {
  const w = mount(App, { global: { plugins: [pinia] }, attachTo: document.body })
  wrappers.push(w)
  await flushPromises()
  await flush()
  return w
}

describe('App', () => {
  it('says how to begin when not connected: the welcome instead of the list and tables', async () => {
    fake.handle('target:status', () => ({ state: 'disconnected', label: null, kind: null }))
    fake.handle('vm:preflight', () => report())
    const w = await mountApp()
    expect(w.get('[data-test=welcome]').text()).toContain('Connect to a Linux target to begin')
    expect(w.get('[data-test=start-vm]').text()).toBe('Start the VM')
    expect(w.find('[role=listbox]').exists()).toBe(false)
    expect(w.text()).toContain('Not connected')
    expect(w.get('#target-connect').text()).toBe('Connect')
    // One primary action on the welcome: Start the VM (the bar's Connect and Boot are plain).
    expect(w.findAll('button.primary').map((b) => b.text())).toEqual(['Start the VM'])
    await w.get('#target-kind').setValue('ssh')
    expect(w.get('#target-connect').classes()).toContain('primary')
    expect(fake.callsOf('netns:snapshot')).toEqual([])
  })

  it('keeps the workspace while a lost connection is retried', async () => {
    connected()
    const w = await mountApp()
    fake.emit('target:status-changed', {
      state: 'reconnecting',
      label: 'root@10.0.0.5:22',
      kind: 'ssh',
    })
    await flush()
    expect(w.find('[data-test=welcome]').exists()).toBe(false)
    fake.emit('target:status-changed', { state: 'disconnected', label: null, kind: null })
    await flush()
    expect(w.find('[data-test=welcome]').exists()).toBe(true)
  })

  it('lists host and namespaces with interface and address counts once connected', async () => {
    connected()
    const w = await mountApp()
    const items = w.findAll('[role=option]')
    expect(items.map((i) => i.attributes('data-name'))).toEqual(['host', 'ns1', 'ns2'])
    // Loopback and host-scope addresses are not counted.
    expect(items[1]!.text()).toContain('1 if · 1 addr')
    expect(w.get('[role=status]').text()).toBe('Connected to root@10.0.0.5:22')
    expect(w.get('section.panel').attributes('data-ns')).toBe('host')
  })

  it('selects with a click, compares with Ctrl-click, and moves with the arrow keys', async () => {
    connected()
    const w = await mountApp()
    const netns = useNetnsStore()
    await w.get('[data-name=ns1]').trigger('click')
    expect(w.findAll('section.panel').map((p) => p.attributes('data-ns'))).toEqual(['ns1'])
    await w.get('[data-name=ns2]').trigger('click', { ctrlKey: true })
    expect(w.findAll('section.panel').map((p) => p.attributes('data-ns'))).toEqual(['ns1', 'ns2'])
    expect(w.text()).toContain('Comparing ns1 and ns2')
    await w.get('[data-name=ns1]').trigger('keydown', { key: 'ArrowDown' })
    expect(netns.selected).toEqual(['ns2'])
    await flush()
    expect((document.activeElement as HTMLElement).dataset.name).toBe('ns2')
    await w.get('[data-name=ns2]').trigger('keydown', { key: 'Home' })
    expect(netns.selected).toEqual(['host'])
    await w.get('[data-name=host]').trigger('keydown', { key: ' ' })
    expect(netns.selected).toEqual(['host'])
  })

  it('switches panel tabs with the arrow keys', async () => {
    connected()
    const w = await mountApp()
    await w
      .get('[role=tab][aria-selected=true][id^=tab-a]')
      .trigger('keydown', { key: 'ArrowRight' })
    expect(useNetnsStore().tab).toBe('addresses')
    expect(w.get('[role=tabpanel]').text()).toContain('10.0.2.15')
  })

  it('follows netns:changed: a namespace made in a terminal shows up without a click', async () => {
    connected()
    const w = await mountApp()
    const next = tutorial1()
    next.namespaces.push({ ...next.namespaces[2]!, name: 'byhand', isHost: false })
    fake.emit('netns:changed', next)
    await flush()
    expect(w.find('[data-name=byhand]').exists()).toBe(true)
  })

  it('warns about a duplicate address in connected namespaces and marks both places', async () => {
    const snap = tutorial1()
    snap.namespaces[2]!.addresses[1]!.local = '10.10.10.1'
    connected(snap)
    const w = await mountApp()
    const alert = w.get('[aria-label="Duplicate addresses"]')
    expect(alert.text()).toContain('10.10.10.1 is on veth0 in ns1 and veth1 in ns2')
    expect(w.findAll('.badge.warn').map((b) => b.text())).toEqual(['dup', 'dup'])
  })

  it('opens the command log with Ctrl+J and exports the session as a downloadable script', async () => {
    connected()
    fake.handle('log:export', () => '#!/bin/sh\nset -e\nip netns add ns1\n')
    const w = await mountApp()
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'j', ctrlKey: true }))
    await flush()
    const log = w.get('[aria-label="Command log"]')
    expect(log.text()).toContain('No commands yet')
    fake.emit('log:appended', [
      {
        id: 1,
        at: 0,
        durationMs: 2,
        argv: ['ip', 'netns', 'add', 'ns1'],
        line: 'ip netns add ns1',
        exitCode: 2,
        stderr: 'Cannot create namespace file "/run/netns/ns1": File exists',
        source: 'ns.add',
        mutating: true,
      },
    ])
    await flush()
    expect(log.text()).toContain('ip netns add ns1')
    expect(log.text()).toContain('File exists')
    expect(log.text()).toContain('1 failed')
    const created: Blob[] = []
    URL.createObjectURL = (b: Blob) => (created.push(b), 'blob:x')
    URL.revokeObjectURL = () => undefined
    await log
      .findAll('button')
      .find((b) => b.text() === 'Export as script')!
      .trigger('click')
    await flush()
    const text = await new Promise<string>((resolve) => {
      const r = new FileReader()
      r.onload = () => resolve(r.result as string)
      r.readAsText(created[0]!)
    })
    expect(text).toContain('ip netns add ns1')
    expect(log.get('a[download]').attributes('download')).toBe('netns-studio-session.sh')
  })

  it('unsubscribes from main events when closed', async () => {
    connected()
    const w = await mountApp()
    expect(fake.listeners('netns:changed')).toBe(1)
    w.unmount()
    wrappers = []
    expect(fake.listeners('netns:changed')).toBe(0)
    expect(fake.listeners('log:appended')).toBe(0)
    expect(fake.listeners('target:status-changed')).toBe(0)
  })
})

describe('NamespaceList alone', () => {
  it('virtualizes a 200-namespace lab: a window of entries, each knowing the total', async () => {
    useTargetStore().status = { state: 'connected', label: 'x', kind: 'local' }
    useNetnsStore().setSnapshot(largeLab(200, 0))
    // jsdom has no layout (every element is 0 px high): give the list the height it has on screen.
    const proto = HTMLElement.prototype
    const before = Object.getOwnPropertyDescriptor(Element.prototype, 'clientHeight')!
    Object.defineProperty(proto, 'clientHeight', { configurable: true, get: () => 600 })
    const w = mount(NamespaceList, { global: { plugins: [pinia] } })
    wrappers.push(w)
    await flush()
    delete (proto as { clientHeight?: number }).clientHeight
    expect(Object.getOwnPropertyDescriptor(Element.prototype, 'clientHeight')).toEqual(before)
    const options = w.findAll('[role=option]')
    expect(options.length).toBeGreaterThan(10)
    expect(options.length).toBeLessThan(60)
    expect(options[0]!.attributes('aria-setsize')).toBe('201')
    expect(options[0]!.attributes('data-name')).toBe('host')
    // The filter still finds one far down the list.
    await w.get('input[type=search]').setValue('lab199')
    expect(w.findAll('[role=option]').map((o) => o.attributes('data-name'))).toEqual(['lab199'])
  })

  it('offers to create the first namespace when there is only the host', async () => {
    useTargetStore().status = { state: 'connected', label: 'x', kind: 'local' }
    useNetnsStore().setSnapshot({ ...tutorial1(), namespaces: [tutorial1().namespaces[0]!] })
    const w = mount(NamespaceList, { global: { plugins: [pinia] } })
    wrappers.push(w)
    await flush()
    expect(w.text()).toMatch(/Only the host so far.*New/)
  })
})

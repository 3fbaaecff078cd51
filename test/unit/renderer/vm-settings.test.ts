// Settings → VM as a user fills it in (jsdom, the whole window, the fake preload): providers from
// preflight marked usable or not, the recommended box by name or a custom one, memory and CPUs
// checked inline with the shared rule, Save through vm:set-settings, then preflight again.
// Mock, named: window.api (the preload bridge) cannot exist in jsdom; test/unit/renderer/support.

import type { VmSettings } from '@shared/vm/settings'
import { checkVmSettings, DEFAULT_VM_SETTINGS } from '@shared/vm/settings'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import App from '../../../src-renderer/src/App.vue'
import { settingsProblems } from '../../../src-renderer/src/stores/vm-settings'
import { type FakeApi, FakeIpcError, flush, installFakeApi } from './support/fake-api'
import { report, vmInfo } from './support/vm'

let fake: FakeApi
let pinia: ReturnType<typeof createPinia>
let wrappers: VueWrapper[] = []
let saved: VmSettings

beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
  fake = installFakeApi()
  saved = { provider: null, box: null, memoryMiB: 1024, cpus: 1 }
  fake.handle('log:list', () => [])
  fake.handle('target:status', () => ({ state: 'disconnected', label: null, kind: null }))
  fake.handle('app:info', () => ({
    name: 'netns-studio',
    version: '0.1.0',
    platform: 'linux',
    arch: 'x64',
    packaged: false,
    versions: { electron: null, node: '20.19.0', chrome: null },
  }))
  fake.handle('vm:state', () => vmInfo())
  fake.handle('vm:settings', () => saved)
  fake.handle('vm:set-settings', (s) => (saved = s))
  fake.handle('vm:preflight', () => report())
})
afterEach(() => {
  for (const w of wrappers) w.unmount()
  wrappers = []
  fake.uninstall()
  document.body.innerHTML = ''
})

async function openSettings(from: 'welcome' | 'bar' = 'welcome'): Promise<VueWrapper> {
  const w = mount(App, { global: { plugins: [pinia] }, attachTo: document.body })
  wrappers.push(w)
  await flushPromises()
  await flush()
  if (from === 'welcome')
    await w
      .findAll('button')
      .find((b) => b.text() === 'VM settings…')!
      .trigger('click')
  else await w.get('button[aria-label="VM settings"]').trigger('click')
  await flushPromises()
  await flush()
  return w
}

const dialog = (w: VueWrapper) => w.get('[role=dialog][aria-labelledby=vms-title]')
const save = (w: VueWrapper) =>
  dialog(w)
    .findAll('button')
    .find((b) => b.text() === 'Save')!
const problemsOf = (w: VueWrapper): string[] =>
  dialog(w)
    .findAll('.problem')
    .map((p) => p.text())
async function type(el: { setValue(v: string): Promise<void> }, value: string): Promise<void> {
  await el.setValue(value)
  await flush(1)
}

describe('VM settings', () => {
  it('checks each field alone with the shared rule', () => {
    expect(settingsProblems({ provider: null, box: null, memoryMiB: 1024, cpus: 1 })).toEqual({})
    const p = settingsProblems({ provider: null, box: 'debian 12', memoryMiB: 100, cpus: 1.5 })
    expect(Object.keys(p)).toEqual(['box', 'memoryMiB', 'cpus'])
    expect(p.memoryMiB).toBe('Memory must be a whole number of MiB from 512 to 16384.')
  })

  it('opens from the welcome and from the bar, with the saved values and focus on the first field', async () => {
    saved = { provider: 'libvirt', box: 'me/box', memoryMiB: 2048, cpus: 2 }
    const w = await openSettings('bar')
    const d = dialog(w)
    expect((d.get('#vms-provider').element as HTMLSelectElement).value).toBe('libvirt')
    expect((d.get('#vms-memory').element as HTMLInputElement).value).toBe('2048')
    expect((d.get('#vms-cpus').element as HTMLInputElement).value).toBe('2')
    expect((d.get('input[aria-label="Custom box"]').element as HTMLInputElement).value).toBe(
      'me/box',
    )
    expect(document.activeElement?.id).toBe('vms-provider')
    await d.trigger('keydown', { key: 'Escape' })
    expect(w.find('[role=dialog]').exists()).toBe(false)
    // The welcome is still there (Escape closed the dialog only).
    expect(w.find('[data-test=welcome]').exists()).toBe(true)
    const w2 = await openSettings('welcome')
    expect(w2.find('[role=dialog]').exists()).toBe(true)
  })

  it('lists the providers preflight found, marking the usable ones, and names the recommended box', async () => {
    const w = await openSettings()
    const d = dialog(w)
    const options = d.get('#vms-provider').findAll('option')
    expect(options.map((o) => o.text())).toEqual([
      'Automatic (now libvirt (KVM))',
      'VirtualBox — not usable',
      'libvirt (KVM) — usable',
      'VMware — not usable',
      'Parallels — not usable',
      'Hyper-V — not usable',
      'QEMU — not usable',
    ])
    expect(d.text()).toContain('Recommended generic/debian12')
    await d.get('#vms-provider').setValue('virtualbox')
    expect(d.get('.help.bad').text()).toBe('✕ VBoxManage not found')
    // The recommendation was for libvirt: it is not claimed for VirtualBox.
    expect(d.text()).not.toContain('generic/debian12')
    await d.get('#vms-provider').setValue('libvirt')
    expect(d.get('.help.ok').text()).toBe('✓ libvirt answers, QEMU 7.2.22')
    expect(d.get('[data-test=vm-settings-note]').text()).toBe(
      'Provider and box apply to a newly created VM; memory and CPUs at the next boot.',
    )
  })

  it('shows what is wrong next to each field and saves nothing while it is wrong', async () => {
    const w = await openSettings()
    const d = dialog(w)
    await type(d.get('#vms-memory'), '100')
    await type(d.get('#vms-cpus'), '')
    await d.get('input[value=custom]').setValue(true)
    await type(d.get('input[aria-label="Custom box"]'), 'debian 12')
    const boxRule = checkVmSettings({ ...DEFAULT_VM_SETTINGS, box: 'debian 12' })
    expect(boxRule.ok).toBe(false)
    expect(problemsOf(w)).toEqual([
      !boxRule.ok && boxRule.message,
      'Memory must be a whole number of MiB from 512 to 16384.',
      'CPUs must be a whole number from 1 to 16.',
    ])
    expect(d.get('#vms-memory').classes()).toContain('invalid')
    expect(save(w).attributes('disabled')).toBeDefined()
    await d.trigger('submit')
    await flushPromises()
    expect(fake.callsOf('vm:set-settings')).toEqual([])

    await type(d.get('#vms-memory'), '2048')
    await type(d.get('#vms-cpus'), '2')
    await type(d.get('input[aria-label="Custom box"]'), 'bento/debian-12')
    expect(problemsOf(w)).toEqual([])
    expect(save(w).attributes('disabled')).toBeUndefined()
  })

  it('saves with vm:set-settings, closes, and runs preflight again on the welcome', async () => {
    const w = await openSettings()
    const d = dialog(w)
    expect(fake.callsOf('vm:preflight')).toHaveLength(1)
    await d.get('#vms-provider').setValue('libvirt')
    await d.get('input[value=custom]').setValue(true)
    await type(d.get('input[aria-label="Custom box"]'), ' bento/debian-12 ')
    await type(d.get('#vms-memory'), '2048')
    await type(d.get('#vms-cpus'), '2')
    await save(w).trigger('submit')
    await flushPromises()
    expect(fake.callsOf('vm:set-settings')).toEqual([
      [{ provider: 'libvirt', box: 'bento/debian-12', memoryMiB: 2048, cpus: 2 }],
    ])
    expect(w.find('[role=dialog]').exists()).toBe(false)
    expect(fake.callsOf('vm:preflight')).toHaveLength(2)
    // The welcome says the provider now comes from the settings.
    expect(w.get('[data-test=provider]').text()).toContain('set in the VM settings')

    // Back to recommended: box null.
    await w
      .findAll('button')
      .find((b) => b.text() === 'VM settings…')!
      .trigger('click')
    await flushPromises()
    await dialog(w).get('input[value=recommended]').setValue(true)
    await save(w).trigger('submit')
    await flushPromises()
    expect(fake.callsOf('vm:set-settings').at(-1)).toEqual([
      { provider: 'libvirt', box: null, memoryMiB: 2048, cpus: 2 },
    ])
  })

  it('says a new provider or box needs a new VM when the VM exists, and shows a refused save', async () => {
    fake.handle('vm:state', () => vmInfo({ state: 'stopped', providerState: 'shutoff' }))
    fake.handle('vm:set-settings', () => {
      throw new FakeIpcError({
        code: 'INTERNAL',
        message: "EACCES: permission denied, open '/home/u/.config/netns-studio/vm-settings.json'",
      })
    })
    const w = await openSettings()
    const d = dialog(w)
    expect(d.text()).not.toContain('destroy it')
    await d.get('#vms-provider').setValue('virtualbox')
    expect(d.text()).toContain('The VM exists already: destroy it to use the new provider or box.')
    await type(d.get('#vms-memory'), '2048')
    await save(w).trigger('submit')
    await flushPromises()
    // Main could not write the file: said in the dialog, which stays open with the values.
    const err = dialog(w).get('.error-notice')
    expect(err.text()).toContain('Could not save the settings')
    expect(err.text()).toContain('EACCES: permission denied')
    expect((dialog(w).get('#vms-memory').element as HTMLInputElement).value).toBe('2048')
  })
})

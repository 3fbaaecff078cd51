// The lab bar, plan dialog, parse-error list, drop overlay and re-apply offer in the whole window
// (jsdom) over the fake preload and a fake main for labs (support/lab-main.ts: the real parser and
// planner answer). What a user sees: the lab's name and unsaved dot, the Open menu's labs, every
// change's commands grouped before anything runs, errors by line:col, and the restart offer.
// Mocks, named: window.api and main's lab handlers (no main process in jsdom); a dragged file's
// DataTransfer (jsdom has none), carrying a real File from node:buffer.
import { File } from 'node:buffer'
import { LAB_KINDS } from '@shared/lab/types'
import { type DOMWrapper, flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import App from '../../../src-renderer/src/App.vue'
import { useLabStore } from '../../../src-renderer/src/stores/lab'
import { type FakeApi, flush, installFakeApi } from './support/fake-api'
import { BUILTIN_LIST, installLabMain, type LabMain, OFFICE_YAML } from './support/lab-main'
import { tutorial1 } from './support/snapshot'

const LABEL = 'root@10.0.0.5:22'
let fake: FakeApi
let main: LabMain
let pinia: ReturnType<typeof createPinia>
let w: VueWrapper | null = null

beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
  fake = installFakeApi()
  main = installLabMain(fake)
  fake.handle('log:list', () => [])
  fake.handle('target:status', () => ({ state: 'connected', label: LABEL, kind: 'ssh' }))
  fake.handle('netns:snapshot', () => main.kernel)
})
afterEach(() => {
  w?.unmount()
  w = null
  fake.uninstall()
  document.body.innerHTML = ''
})

async function mountApp(): Promise<VueWrapper> {
  w = mount(App, { global: { plugins: [pinia] }, attachTo: document.body })
  await flushPromises()
  await flush()
  return w
}

const bar = (v: VueWrapper) => v.get('section[aria-label=Lab]')
const button = (v: VueWrapper | Omit<DOMWrapper<Element>, 'exists'>, text: string) => {
  const b = (v as DOMWrapper<Element>).findAll('button').find((x) => x.text() === text)
  if (!b) throw new Error(`no button "${text}"`)
  return b
}
const dialog = () => document.querySelector<HTMLElement>('[data-test=plan-dialog]')

async function openFromMenu(v: VueWrapper, item: string): Promise<void> {
  if (!v.find('[role=menu]').exists()) await button(bar(v), 'Open ▾').trigger('click')
  await flushPromises()
  const entry = v.findAll('[role=menuitem]').find((m) => m.text().startsWith(item))
  if (!entry) throw new Error(`no menu item ${item}`)
  await entry.trigger('click')
  await flushPromises()
  await flush()
}

/** A drag event as Chromium sends it for files from the desktop. */
function dragEvent(type: string, file?: File): Event {
  const e = new Event(type, { bubbles: true, cancelable: true })
  Object.defineProperty(e, 'dataTransfer', {
    value: { types: ['Files'], files: file ? [file] : [], dropEffect: 'none' },
  })
  return e
}

describe('lab bar', () => {
  it('says no lab is open; Open ▾ lists a file, the built-in labs; opening shows name and title', async () => {
    const v = await mountApp()
    expect(bar(v).get('[data-test=lab-ident]').text()).toBe('No lab open')
    expect(button(bar(v), 'Save').attributes('disabled')).toBeDefined()
    await button(bar(v), 'Open ▾').trigger('click')
    await flushPromises()
    const items = v.findAll('[role=menuitem]')
    expect(items[0]!.text()).toBe('Open file…')
    // Grouped by kind (tutorials, challenges), each under its heading.
    expect(items.slice(1).map((m) => m.get('.mono').text())).toEqual(
      LAB_KINDS.flatMap((k) => BUILTIN_LIST.filter((l) => l.kind === k).map((l) => l.name)),
    )
    expect(v.findAll('[role=menu] .group').map((g) => g.text())).toContain('Tutorials')
    expect(items[2]!.text()).toContain('A bridge joins red and green')
    await openFromMenu(v, 'tutorial-2')
    expect(fake.callsOf('lab:open')).toEqual([[{ from: 'builtin', name: 'tutorial-2' }]])
    const ident = bar(v).get('[data-test=lab-ident]')
    expect(ident.text()).toContain('tutorial-2')
    expect(ident.text()).toContain('A bridge joins red and green')
    expect(ident.find('[aria-label="Unsaved changes"]').exists()).toBe(false)
    useLabStore().setLayout({ host: { x: 1, y: 2 } })
    await flushPromises()
    expect(ident.find('[aria-label="Unsaved changes"]').exists()).toBe(true)
  })

  it('the bar shows the re-apply setting main has and changes it; Ctrl+S saves the open lab', async () => {
    main.settings = { reapplyAfterReboot: 'always' }
    const v = await mountApp()
    const auto = bar(v).get<HTMLInputElement>('label.auto input[type=checkbox]')
    expect(auto.element.checked).toBe(true)
    await auto.setValue(false)
    await flushPromises()
    expect(fake.callsOf('lab:set-settings')).toEqual([[{ reapplyAfterReboot: 'ask' }]])
    expect(main.settings.reapplyAfterReboot).toBe('ask')

    await openFromMenu(v, 'Open file…')
    useLabStore().setLayout({ host: { x: 5, y: 5 } })
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 's', ctrlKey: true }))
    await flushPromises()
    expect(fake.callsOf('lab:save')).toEqual([[useLabStore().doc!.lab, 'f0']])
    expect(main.files.get('f0')!.layout).toEqual({
      't-red': { x: 100, y: 80 },
      't-blue': { x: 300, y: 80 },
      host: { x: 5, y: 5 },
    })
    expect(bar(v).find('[aria-label="Unsaved changes"]').exists()).toBe(false)
  })

  it('New asks for a name checked with the lab file rule, then opens an empty lab', async () => {
    const v = await mountApp()
    await button(bar(v), 'New').trigger('click')
    const form = v.get('form[aria-labelledby=lab-name-title]')
    const input = form.get('input')
    await input.setValue('bad name;')
    expect(form.get('[role=alert]').text()).toMatch(/may hold only letters, digits/)
    expect(button(form, 'Create').attributes('disabled')).toBeDefined()
    await input.setValue('my-office')
    expect(form.find('[role=alert]').exists()).toBe(false)
    await form.trigger('submit')
    await flushPromises()
    expect(v.find('form[aria-labelledby=lab-name-title]').exists()).toBe(false)
    expect(bar(v).get('[data-test=lab-ident] strong').text()).toBe('my-office')
    expect(useLabStore().doc).toMatchObject({ origin: 'new', fileId: null })
    expect(fake.callsOf('lab:open')).toEqual([])
  })

  it('Plan & apply shows the changes grouped, each with its exact commands; Apply runs it', async () => {
    const v = await mountApp()
    await openFromMenu(v, 'Open file…')
    expect(bar(v).text()).toContain('office.yaml')
    await button(bar(v), 'Plan & apply').trigger('click')
    await flushPromises()
    const d = dialog()!
    expect(d.querySelector('h2')!.textContent).toBe('Apply lab office')
    const plan = useLabStore().prompt!.plan
    const groups = Array.from(d.querySelectorAll('section')).map((s) =>
      s.getAttribute('aria-label'),
    )
    expect(groups).toEqual([`Create (${plan.changes.length})`])
    const rows = Array.from(d.querySelectorAll('[data-test=plan-change]'))
    expect(rows.map((r) => r.querySelector('pre')!.textContent)).toEqual(
      plan.changes.map((c) => c.commands.join('\n')),
    )
    expect(d.textContent).toContain('ip netns add t-red')
    expect(d.textContent).toContain('ip netns add t-blue')
    expect(fake.callsOf('lab:apply')).toEqual([])
    Array.from(d.querySelectorAll('button'))
      .find((b) => b.textContent?.trim() === 'Apply')!
      .click()
    await flushPromises()
    await flush()
    expect(dialog()).toBeNull()
    expect(fake.callsOf('lab:apply')).toHaveLength(1)
    expect(document.body.textContent).toMatch(/Lab office: \d+ commands ran\./)
  })

  it('an empty plan says the target already matches and has only Close', async () => {
    main.kernel = tutorial1()
    const v = await mountApp()
    await openFromMenu(v, 'tutorial-1')
    await button(bar(v), 'Plan & apply').trigger('click')
    await flushPromises()
    const d = dialog()!
    expect(d.querySelector('#plan-msg')!.textContent).toBe(
      `${LABEL} already matches lab tutorial-1: nothing to do.`,
    )
    expect(Array.from(d.querySelectorAll('button')).map((b) => b.textContent?.trim())).toEqual([
      'Close',
    ])
  })

  it('Destroy names the lab and says only what it created goes, with the commands', async () => {
    main.kernel = tutorial1()
    main.owned.namespaces.add('ns1')
    const v = await mountApp()
    await openFromMenu(v, 'tutorial-1')
    await button(bar(v), 'Destroy').trigger('click')
    await flushPromises()
    const d = dialog()!
    expect(d.querySelector('h2')!.textContent).toBe('Destroy lab tutorial-1?')
    expect(d.textContent).toContain(`Removes only what lab tutorial-1 created on ${LABEL}`)
    expect(d.querySelector('section')!.getAttribute('aria-label')).toBe('Delete (1)')
    expect(d.querySelector('pre')!.textContent).toBe('ip netns delete ns1')
    const destroy = Array.from(d.querySelectorAll('button')).find(
      (b) => b.textContent?.trim() === 'Destroy',
    )!
    expect(destroy.className).toContain('danger')
  })
})

describe('dropping a lab file', () => {
  it('shows the overlay while a file is over the window and opens its text on drop', async () => {
    const v = await mountApp()
    window.dispatchEvent(dragEvent('dragenter'))
    await flushPromises()
    expect(document.querySelector('[data-test=lab-drop]')?.textContent).toBe(
      'Drop a lab file (.yaml) to open it',
    )
    window.dispatchEvent(dragEvent('dragleave'))
    await flushPromises()
    expect(document.querySelector('[data-test=lab-drop]')).toBeNull()
    window.dispatchEvent(dragEvent('dragenter'))
    const drop = dragEvent('drop', new File([OFFICE_YAML], 'office.yaml'))
    window.dispatchEvent(drop)
    expect(drop.defaultPrevented).toBe(true)
    await flushPromises()
    await flush()
    expect(document.querySelector('[data-test=lab-drop]')).toBeNull()
    expect(fake.callsOf('lab:open')).toEqual([
      [{ from: 'text', text: OFFICE_YAML, fileName: 'office.yaml' }],
    ])
    expect(bar(v).get('[data-test=lab-ident]').text()).toContain('office')
  })

  it('lists every parse error of a dropped file by line:col with its message', async () => {
    const v = await mountApp()
    const bad = OFFICE_YAML.replace('title: Two rooms', 'title: Two rooms\ncolour: red').replace(
      '10.1.0.2/24',
      '10.1.0.300/24',
    )
    window.dispatchEvent(dragEvent('drop', new File([bad], 'bad.yaml')))
    await flushPromises()
    await flush()
    const list = bar(v).get('[aria-label="Lab file errors"]')
    expect(list.text()).toContain('bad.yaml was not opened')
    const rows = list.findAll('[data-test=parse-error]').map((r) => ({
      where: r.get('.where').text(),
      text: r.text(),
    }))
    const errors = useLabStore().parseFailure!.errors
    expect(rows).toHaveLength(errors.length)
    expect(rows.find((r) => r.text.includes('Unknown key "colour"'))?.where).toBe('3:1')
    expect(rows.find((r) => r.text.includes('addresses'))?.where).toMatch(/^10:\d+$/)
    expect(bar(v).get('[data-test=lab-ident]').text()).toBe('No lab open')
  })
})

describe('after the target restarted', () => {
  async function appliedApp(): Promise<VueWrapper> {
    const v = await mountApp()
    await openFromMenu(v, 'Open file…')
    await button(bar(v), 'Plan & apply').trigger('click')
    await flushPromises()
    useLabStore().prompt!.resolve(true)
    await flushPromises()
    await flush()
    return v
  }

  it('asks: the offer names target and lab; the setting goes to main; Re-apply applies', async () => {
    const v = await appliedApp()
    fake.emit('target:rebooted', { label: LABEL })
    await flushPromises()
    const offer = bar(v).get('[aria-label="Target restarted"]')
    expect(offer.text()).toContain(
      `${LABEL} restarted: its namespaces are gone. Re-apply lab office?`,
    )
    await offer.get('input[type=checkbox]').setValue(true)
    await flushPromises()
    expect(fake.callsOf('lab:set-settings')).toEqual([[{ reapplyAfterReboot: 'always' }]])
    await button(offer, 'Re-apply').trigger('click')
    await flushPromises()
    await flush()
    expect(fake.callsOf('lab:apply')).toHaveLength(2)
    expect(bar(v).find('[aria-label="Target restarted"]').exists()).toBe(false)
  })

  it('asks: Not now closes the offer and runs nothing', async () => {
    const v = await appliedApp()
    fake.emit('target:rebooted', { label: LABEL })
    await flushPromises()
    await button(bar(v), 'Not now').trigger('click')
    expect(bar(v).find('[aria-label="Target restarted"]').exists()).toBe(false)
    expect(fake.callsOf('lab:apply')).toHaveLength(1)
  })

  it('always: re-applies without an offer and says so', async () => {
    main.settings = { reapplyAfterReboot: 'always' }
    const v = await appliedApp()
    fake.emit('target:rebooted', { label: LABEL })
    await flushPromises()
    await flush()
    expect(bar(v).find('[aria-label="Target restarted"]').exists()).toBe(false)
    expect(fake.callsOf('lab:apply')).toHaveLength(2)
    expect(document.body.textContent).toContain(`${LABEL} restarted: lab office re-applied`)
  })
})

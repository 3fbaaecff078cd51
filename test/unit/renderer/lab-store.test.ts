// The lab store over the fake preload and a fake main for labs (support/lab-main.ts: real parser,
// real planner): ensureDoc/proposeEdit/setLayout as the topology uses them, open with parse
// errors, plan → confirm → apply, the cut-connection confirmation, destroy's plan, save/save as,
// and the re-apply offer after a restart with both settings.
// Mock, named: window.api (the preload bridge) and main's lab handlers cannot exist in jsdom.
import type { Lab } from '@shared/lab/types'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useLabStore } from '../../../src-renderer/src/stores/lab'
import { useTargetStore } from '../../../src-renderer/src/stores/target'
import { useUiStore } from '../../../src-renderer/src/stores/ui'
import { type FakeApi, FakeIpcError, flush, installFakeApi } from './support/fake-api'
import { installLabMain, type LabMain, OFFICE_YAML } from './support/lab-main'
import { tutorial1 } from './support/snapshot'

const LABEL = 'root@10.0.0.5:22'
let fake: FakeApi
let main: LabMain

beforeEach(() => {
  setActivePinia(createPinia())
  fake = installFakeApi()
  main = installLabMain(fake)
  fake.handle('netns:snapshot', () => main.kernel)
  useTargetStore().status = { state: 'connected', label: LABEL, kind: 'ssh' }
})
afterEach(() => fake.uninstall())

/** A lab with one namespace more than `lab`. */
function withNs(lab: Lab, name: string): Lab {
  return { ...lab, namespaces: { ...lab.namespaces, [name]: {} } }
}

describe('lab store: the API the topology draws with', () => {
  it('ensureDoc opens an untitled lab once, named after what is free', async () => {
    const lab = useLabStore()
    await lab.loadLists()
    lab.list = [...lab.list, { name: 'untitled', kind: 'lab', title: null, source: 'user' }]
    const d = lab.ensureDoc()
    expect(d.lab.name).toBe('untitled-2')
    expect(d.origin).toBe('new')
    expect(d.fileId).toBeNull()
    expect(lab.ensureDoc()).toBe(lab.doc)
    expect(lab.doc!.lab.name).toBe('untitled-2')
    expect(lab.dirty).toBe(false)
  })

  it('proposeEdit shows every change with its commands, applies on OK, then takes the edit', async () => {
    const lab = useLabStore()
    const before = lab.ensureDoc().lab
    const next = withNs(before, 'drawn1')
    const done = lab.proposeEdit(next, 'Add namespace drawn1')
    await flush()
    expect(lab.prompt?.title).toBe('Add namespace drawn1')
    const change = lab.prompt!.plan.changes.find((c) => c.kind === 'namespace')!
    expect(change).toMatchObject({ action: 'create', name: 'drawn1' })
    expect(change.commands).toContain('ip netns add drawn1')
    expect(fake.callsOf('lab:apply')).toEqual([])
    lab.prompt!.resolve(true)
    expect(await done).toBe(true)
    expect(fake.callsOf('lab:apply')).toEqual([[next, {}]])
    expect(lab.doc!.lab).toEqual(next)
    expect(lab.dirty).toBe(true)
    expect(lab.appliedOn).toBe(LABEL)
  })

  it('proposeEdit cancelled: nothing applied, the document unchanged', async () => {
    const lab = useLabStore()
    const before = lab.ensureDoc().lab
    const done = lab.proposeEdit(withNs(before, 'drawn1'), 'Add namespace drawn1')
    await flush()
    lab.prompt!.resolve(false)
    expect(await done).toBe(false)
    expect(fake.callsOf('lab:apply')).toEqual([])
    expect(lab.doc!.lab).toEqual(before)
    expect(lab.dirty).toBe(false)
  })

  it('proposeEdit with an empty plan takes the edit without asking', async () => {
    const lab = useLabStore()
    const before = lab.ensureDoc().lab
    const next = { ...before, title: 'renamed' }
    expect(await lab.proposeEdit(next, 'Rename')).toBe(true)
    expect(lab.prompt).toBeNull()
    expect(fake.callsOf('lab:apply')).toEqual([])
    expect(lab.doc!.lab.title).toBe('renamed')
    expect(lab.dirty).toBe(true)
  })

  it('proposeEdit that main refuses returns false and shows the error', async () => {
    const lab = useLabStore()
    lab.ensureDoc()
    fake.handle('lab:apply', () => {
      throw new FakeIpcError({
        code: 'COMMAND_FAILED',
        message: 'Step 1 (ip netns add drawn1) failed: File exists',
      })
    })
    const done = lab.proposeEdit(withNs(lab.doc!.lab, 'drawn1'), 'Add namespace drawn1')
    await flush()
    lab.prompt!.resolve(true)
    expect(await done).toBe(false)
    expect(lab.error).toMatchObject({ code: 'COMMAND_FAILED' })
    expect(lab.error!.message).toContain('File exists')
    expect(lab.doc!.lab.namespaces).toEqual({})
  })

  it('setLayout merges positions and marks the lab changed, without calling main', () => {
    const lab = useLabStore()
    lab.setLayout({ a: { x: 1, y: 2 } })
    lab.setLayout({ b: { x: 3, y: 4 }, a: { x: 5, y: 6 } })
    expect(lab.doc!.lab.layout).toEqual({ a: { x: 5, y: 6 }, b: { x: 3, y: 4 } })
    expect(lab.dirty).toBe(true)
    expect(fake.calls).toEqual([])
  })
})

describe('lab store: open, apply, destroy, save', () => {
  it('a file that does not parse lists every error with line and column; the open lab stays', async () => {
    const lab = useLabStore()
    await lab.open({ from: 'text', text: OFFICE_YAML, fileName: 'office.yaml' })
    expect(lab.doc?.lab.name).toBe('office')
    const bad = OFFICE_YAML.replace('title: Two rooms', 'title: Two rooms\ncolour: red').replace(
      '10.1.0.2/24',
      '10.1.0.300/24',
    )
    expect(await lab.open({ from: 'text', text: bad, fileName: 'bad.yaml' })).toBeNull()
    expect(lab.doc?.lab.name).toBe('office')
    expect(lab.parseFailure?.fileName).toBe('bad.yaml')
    const errs = lab.parseFailure!.errors
    expect(errs.length).toBeGreaterThanOrEqual(2)
    expect(errs.find((e) => e.message.includes('colour'))).toMatchObject({ line: 3, col: 1 })
    expect(errs.find((e) => e.path.includes('addresses'))?.line).toBe(10)
  })

  it('opening another lab over unsaved changes asks first', async () => {
    const lab = useLabStore()
    const ui = useUiStore()
    lab.setLayout({ x: { x: 1, y: 1 } })
    const opening = lab.open({ from: 'builtin', name: 'tutorial-1' })
    await flush()
    expect(ui.confirmRequest?.title).toBe('Discard changes to untitled?')
    ui.confirmRequest!.resolve(false)
    expect(await opening).toBeNull()
    expect(fake.callsOf('lab:open')).toEqual([])
    expect(lab.doc?.lab.name).toBe('untitled')
  })

  it('Plan & apply: the plan first, progress while it runs, the target remembered', async () => {
    const lab = useLabStore()
    await lab.init()
    await lab.open({ from: 'text', text: OFFICE_YAML, fileName: 'office.yaml' })
    const held = fake.hold('lab:apply')
    const done = lab.apply()
    await flush()
    const p = lab.prompt!
    expect(p.title).toBe('Apply lab office')
    expect(p.confirmLabel).toBe('Apply')
    expect(p.plan.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual(
      expect.arrayContaining(['create namespace t-red', 'create namespace t-blue']),
    )
    p.resolve(true)
    await flush()
    expect(lab.busy).toBe('apply')
    fake.emit('lab:progress', {
      lab: 'office',
      phase: 'applying',
      message: 'Applying 9 operations…',
      done: 4,
      total: 9,
    })
    expect(lab.progress).toMatchObject({ done: 4, total: 9 })
    held.resolve({ lab: 'office', changes: [], commands: ['ip netns add t-red'], durationMs: 3 })
    expect(await done).toBe(true)
    expect(lab.busy).toBeNull()
    expect(lab.progress).toBeNull()
    expect(lab.appliedOn).toBe(LABEL)
  })

  it('an empty plan says the target already matches and offers nothing to run', async () => {
    main.kernel = tutorial1()
    const lab = useLabStore()
    await lab.open({ from: 'builtin', name: 'tutorial-1' })
    const done = lab.apply()
    await flush()
    expect(lab.prompt!.plan.changes).toEqual([])
    expect(lab.prompt!.message).toBe(`${LABEL} already matches lab tutorial-1: nothing to do.`)
    expect(lab.prompt!.confirmLabel).toBeNull()
    lab.prompt!.resolve(false)
    expect(await done).toBe(false)
    expect(fake.callsOf('lab:apply')).toEqual([])
  })

  it('an apply that would cut the connection asks with the consequence, then runs confirmed', async () => {
    const lab = useLabStore()
    const ui = useUiStore()
    await lab.open({ from: 'text', text: OFFICE_YAML, fileName: 'office.yaml' })
    let calls = 0
    fake.handle('lab:apply', (l, req) => {
      calls++
      if (!req.confirm)
        throw new FakeIpcError({
          code: 'CONFIRM_REQUIRED',
          message: 'Deleting eth0 cuts the app off from 10.0.0.5: the SSH session runs over it.',
        })
      return { lab: l.name, changes: [], commands: [], durationMs: 1 }
    })
    const done = lab.apply()
    await flush()
    lab.prompt!.resolve(true)
    await flush()
    expect(ui.confirmRequest?.message).toBe(
      'Deleting eth0 cuts the app off from 10.0.0.5: the SSH session runs over it.',
    )
    expect(ui.confirmRequest?.confirmLabel).toBe('Run anyway')
    ui.confirmRequest!.resolve(true)
    expect(await done).toBe(true)
    expect(calls).toBe(2)
    expect(fake.callsOf('lab:apply')[1]![1]).toEqual({ confirm: 'cut-connection' })
  })

  it('saying no to cutting the connection runs nothing more and reports nothing as failed', async () => {
    const lab = useLabStore()
    const ui = useUiStore()
    await lab.open({ from: 'text', text: OFFICE_YAML, fileName: 'office.yaml' })
    fake.handle('lab:apply', () => {
      throw new FakeIpcError({ code: 'CONFIRM_REQUIRED', message: 'This cuts the connection.' })
    })
    const done = lab.apply()
    await flush()
    lab.prompt!.resolve(true)
    await flush()
    ui.confirmRequest!.resolve(false)
    expect(await done).toBe(false)
    expect(fake.callsOf('lab:apply')).toHaveLength(1)
    expect(lab.error).toBeNull()
    expect(lab.appliedOn).toBeNull()
    expect(lab.busy).toBeNull()
  })

  it('destroy lists the deletes of what the lab owns, then destroys by name', async () => {
    main.kernel = tutorial1()
    main.owned.namespaces.add('ns1').add('ns2')
    const lab = useLabStore()
    await lab.open({ from: 'builtin', name: 'tutorial-1' })
    const done = lab.destroy()
    await flush()
    const p = lab.prompt!
    expect(p.title).toBe('Destroy lab tutorial-1?')
    expect(p.message).toBe(
      `Removes only what lab tutorial-1 created on ${LABEL}; nothing else is touched.`,
    )
    expect(p.danger).toBe(true)
    expect(p.plan.changes.every((c) => c.action === 'delete')).toBe(true)
    expect(p.plan.changes.flatMap((c) => c.commands)).toEqual(
      expect.arrayContaining(['ip netns delete ns1', 'ip netns delete ns2']),
    )
    p.resolve(true)
    expect(await done).toBe(true)
    expect(fake.callsOf('lab:destroy')).toEqual([['tutorial-1', {}]])
  })

  it('save without a file saves as; then save writes to that file; a cancelled save as keeps it unsaved', async () => {
    const lab = useLabStore()
    lab.setLayout({ host: { x: 1, y: 1 } })
    expect(await lab.save()).toBe(true)
    expect(fake.callsOf('lab:save-as')).toHaveLength(1)
    expect(lab.doc).toMatchObject({ fileId: 'f1', fileName: 'office.yaml' })
    expect(lab.dirty).toBe(false)
    lab.setLayout({ host: { x: 2, y: 2 } })
    expect(await lab.save()).toBe(true)
    expect(fake.callsOf('lab:save')).toEqual([[lab.doc!.lab, 'f1']])
    expect(main.files.get('f1')!.layout).toEqual({ host: { x: 2, y: 2 } })
    main.saveAsAnswer = null
    lab.setLayout({ host: { x: 3, y: 3 } })
    expect(await lab.saveAs()).toBe(false)
    expect(lab.dirty).toBe(true)
  })

  it('capture makes the target state a new, unsaved lab', async () => {
    main.kernel = tutorial1()
    const lab = useLabStore()
    expect(await lab.capture('mine')).toBe(true)
    expect(lab.doc?.origin).toBe('captured')
    expect(Object.keys(lab.doc!.lab.namespaces).sort()).toEqual(['ns1', 'ns2'])
    expect(lab.dirty).toBe(true)
  })
})

describe('lab store: after the target restarted', () => {
  async function applied(): Promise<ReturnType<typeof useLabStore>> {
    const lab = useLabStore()
    await lab.init()
    await lab.open({ from: 'text', text: OFFICE_YAML, fileName: 'office.yaml' })
    const done = lab.apply()
    await flush()
    lab.prompt!.resolve(true)
    await done
    return lab
  }

  it('asks: offers to re-apply the lab applied on that target; Re-apply runs it', async () => {
    const lab = await applied()
    fake.emit('target:rebooted', { label: 'other@10.9.9.9:22' })
    await flush()
    expect(lab.rebootOffer).toBeNull()
    fake.emit('target:rebooted', { label: LABEL })
    await flush()
    expect(lab.rebootOffer).toEqual({ label: LABEL, lab: 'office' })
    expect(fake.callsOf('lab:apply')).toHaveLength(1)
    expect(await lab.reapply()).toBe(true)
    expect(fake.callsOf('lab:apply')).toHaveLength(2)
    expect(lab.rebootOffer).toBeNull()
  })

  it('always: re-applies at once and says so', async () => {
    main.settings = { reapplyAfterReboot: 'always' }
    const lab = await applied()
    fake.emit('target:rebooted', { label: LABEL })
    await flush()
    expect(lab.rebootOffer).toBeNull()
    expect(fake.callsOf('lab:apply')).toHaveLength(2)
    expect(useUiStore().notices.map((n) => n.text)).toContainEqual(
      expect.stringMatching(`^${LABEL} restarted: lab office re-applied`),
    )
    lab.dispose()
    expect(fake.listeners('target:rebooted')).toBe(0)
  })
})

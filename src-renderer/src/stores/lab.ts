// The lab open in the app: its document and whether it changed since saved, open/new/capture,
// plan → confirm → apply with progress, destroy, save/save as, the re-apply setting, and what to do
// when the target the lab was applied on restarts. Edits drawn on the topology come through
// proposeEdit(), so they show the same plan (with the exact commands) before they run.

import { AppError } from '@shared/errors'
import type {
  LabDocument,
  LabListEntry,
  LabOpenRequest,
  LabProgressEvent,
  LabRunRequest,
  LabRunResult,
  LabSettings,
  RecentLab,
} from '@shared/ipc/domains/lab'
import type { LabPlan } from '@shared/lab/diff-types'
import { checkLabName } from '@shared/lab/schema'
import type { Lab, LabPosition } from '@shared/lab/types'
import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { invoke, on } from '../ipc/client'
import { describeError, type ErrorView } from '../lib/errors'
import {
  emptyLab,
  type ParseFailure,
  parseErrorsOf,
  plain,
  type PlanPrompt,
  type RebootOffer,
  runConfirmingCut,
} from '../lib/lab-doc'
import { useNetnsStore } from './netns'
import { useTargetStore } from './target'
import { useUiStore } from './ui'

// The topology and the components import these from the store.
export { emptyLab, type ParseFailure, type PlanPrompt, type RebootOffer }

export const useLabStore = defineStore('lab', () => {
  const ui = useUiStore()
  const target = useTargetStore()
  const netns = useNetnsStore()

  const doc = ref<LabDocument | null>(null)
  /** Changed since opened or saved. */
  const dirty = ref(false)
  const list = ref<LabListEntry[]>([])
  const recent = ref<RecentLab[]>([])
  const settings = ref<LabSettings>({ reapplyAfterReboot: 'ask' })
  /** The target label the open lab was last applied on (null: not applied in this session). */
  const appliedOn = ref<string | null>(null)
  /** What is running: one thing at a time. */
  const busy = ref<null | 'open' | 'plan' | 'apply' | 'destroy' | 'save' | 'capture'>(null)
  const progress = ref<LabProgressEvent | null>(null)
  const error = ref<ErrorView | null>(null)
  const parseFailure = ref<ParseFailure | null>(null)
  const prompt = ref<PlanPrompt | null>(null)
  const rebootOffer = ref<RebootOffer | null>(null)
  const unsubscribe: Array<() => void> = []

  const name = computed(() => doc.value?.lab.name ?? null)
  const title = computed(() => doc.value?.lab.title ?? doc.value?.lab.name ?? null)

  /** Follow lab:progress and target:rebooted, read the settings. Safe to call more than once. */
  async function init(): Promise<void> {
    if (unsubscribe.length === 0) {
      unsubscribe.push(
        on('lab:progress', (p) => {
          if (busy.value === 'apply' || busy.value === 'destroy') progress.value = p
        }),
        on('target:rebooted', (r) => void onRebooted(r.label)),
      )
    }
    try {
      settings.value = await invoke('lab:settings')
    } catch {
      // Main has no settings yet (or no lab handlers): keep asking, which loses nothing.
    }
  }

  function dispose(): void {
    for (const u of unsubscribe.splice(0)) u()
  }

  /** Built-in and user labs, and recent files, for the Open menu. */
  async function loadLists(): Promise<void> {
    try {
      const [l, r] = await Promise.all([invoke('lab:list'), invoke('lab:recent')])
      list.value = l
      recent.value = r
    } catch (e) {
      error.value = describeError(e)
    }
  }

  function fail(e: unknown): void {
    error.value = describeError(e)
  }

  /** Unsaved changes may go: ask first. */
  async function mayDiscard(): Promise<boolean> {
    if (!doc.value || !dirty.value) return true
    return ui.ask(
      `Discard changes to ${doc.value.lab.name}?`,
      'The open lab has changes that are not saved. They are lost if you go on.',
      [],
      'Discard',
    )
  }

  function setDoc(d: LabDocument, isDirty: boolean): void {
    doc.value = d
    dirty.value = isDirty
    appliedOn.value = null
    rebootOffer.value = null
    parseFailure.value = null
    error.value = null
  }

  /** What the user opened, in words (main never sends the renderer a path). */
  function sourceName(req: LabOpenRequest): string {
    switch (req.from) {
      case 'text':
        return req.fileName
      case 'recent':
        return recent.value.find((r) => r.id === req.id)?.fileName ?? 'The lab file'
      case 'dialog':
        return 'The lab file'
      default:
        return `Lab ${req.name}`
    }
  }

  /** Open a lab; a file that does not parse leaves the open one as it was and lists why. */
  async function open(req: LabOpenRequest): Promise<LabDocument | null> {
    if (busy.value || !(await mayDiscard())) return null
    busy.value = 'open'
    try {
      const d = await invoke('lab:open', req)
      if (d) {
        setDoc(d, false)
        void loadLists()
      }
      return d
    } catch (e) {
      const errors = parseErrorsOf(e)
      if (errors) parseFailure.value = { fileName: sourceName(req), errors }
      else fail(e)
      return null
    } finally {
      busy.value = null
    }
  }

  /** The first free "untitled", "untitled-2", … (not a lab the Open menu lists). */
  function untitledName(): string {
    const taken = new Set(list.value.map((l) => l.name))
    if (doc.value) taken.add(doc.value.lab.name)
    let n = 1
    const nameOf = (i: number): string => (i === 1 ? 'untitled' : `untitled-${i}`)
    while (taken.has(nameOf(n))) n++
    return nameOf(n)
  }

  function newDoc(labName: string): LabDocument {
    return { lab: emptyLab(labName), fileId: null, fileName: null, origin: 'new' }
  }

  /** A new empty lab. Returns false when the name is not a lab name or the user kept the open one. */
  async function newLab(labName: string): Promise<boolean> {
    const c = checkLabName(labName)
    if (!c.ok) {
      error.value = describeError(new AppError('INVALID_ARGUMENT', c.message))
      return false
    }
    if (!(await mayDiscard())) return false
    setDoc(newDoc(labName), false)
    return true
  }

  /** The open lab, or a new untitled one (drawing on the topology starts a lab). */
  function ensureDoc(): LabDocument {
    if (!doc.value) setDoc(newDoc(untitledName()), false)
    return doc.value!
  }

  /** The target's current state as a new lab (unsaved). */
  async function capture(labName: string): Promise<boolean> {
    if (busy.value || !(await mayDiscard())) return false
    busy.value = 'capture'
    try {
      setDoc(await invoke('lab:capture', labName), true)
      // It is the target's state: applying it there changes nothing, so it counts as applied.
      appliedOn.value = target.status.label
      return true
    } catch (e) {
      fail(e)
      return false
    } finally {
      busy.value = null
    }
  }

  /** Show a plan and wait for Apply/Destroy (true) or Cancel/Close (false). */
  function ask(p: Omit<PlanPrompt, 'resolve'>): Promise<boolean> {
    prompt.value?.resolve(false)
    return new Promise((resolve) => {
      prompt.value = {
        ...p,
        resolve: (ok) => {
          prompt.value = null
          resolve(ok)
        },
      }
    })
  }

  /**
   * Run apply or destroy. An operation that would cut the app's own connection is refused by
   * main with the consequence; the user decides, and it runs again confirmed.
   */
  async function run(
    what: 'apply' | 'destroy',
    call: (req: LabRunRequest) => Promise<LabRunResult>,
    labName: string,
  ): Promise<LabRunResult | null> {
    busy.value = what
    progress.value = null
    const verb = what === 'apply' ? 'Apply' : 'Destroy'
    try {
      return await runConfirmingCut(`${verb} lab ${labName}?`, call, (t, consequence, label) =>
        ui.ask(t, consequence, [], label),
      )
    } catch (e) {
      fail(e)
      return null
    } finally {
      busy.value = null
      progress.value = null
      void netns.refresh()
    }
  }

  async function applyLab(lab: Lab): Promise<LabRunResult | null> {
    const r = await run('apply', (req) => invoke('lab:apply', plain(lab), req), lab.name)
    if (r) appliedOn.value = target.status.label
    return r
  }

  /** The plan of the open lab against the target (null on error, which is shown). */
  async function plan(lab: Lab | null = doc.value?.lab ?? null): Promise<LabPlan | null> {
    if (!lab) return null
    const was = busy.value
    busy.value = 'plan'
    try {
      return await invoke('lab:plan', plain(lab))
    } catch (e) {
      fail(e)
      return null
    } finally {
      busy.value = was
    }
  }

  /** Plan the open lab, show the plan, and apply it when the user says so. */
  async function apply(): Promise<boolean> {
    const d = doc.value
    if (!d || busy.value) return false
    error.value = null
    const p = await plan(d.lab)
    if (!p) return false
    const n = p.changes.length
    const ok = await ask({
      title: `Apply lab ${d.lab.name}`,
      message: n
        ? `${n} change${n === 1 ? '' : 's'} to make on ${target.status.label ?? 'the target'}.`
        : `${target.status.label ?? 'The target'} already matches lab ${d.lab.name}: nothing to do.`,
      plan: p,
      confirmLabel: n ? 'Apply' : null,
      danger: false,
    })
    if (!ok) {
      // Nothing to do is as good as applied.
      if (n === 0) appliedOn.value = target.status.label
      return false
    }
    const r = await applyLab(d.lab)
    if (r) ui.notify('ok', `Lab ${d.lab.name}: ${r.commands.length} commands ran.`)
    return r !== null
  }

  /** Show what destroying the lab removes (only what it created), and do it when confirmed. */
  async function destroy(): Promise<boolean> {
    const d = doc.value
    if (!d || busy.value) return false
    error.value = null
    // Planning an empty lab of the same name gives exactly the deletes destroy runs.
    const p = await plan(emptyLab(d.lab.name))
    if (!p) return false
    const n = p.changes.length
    const where = target.status.label ?? 'the target'
    const ok = await ask({
      title: `Destroy lab ${d.lab.name}?`,
      message: n
        ? `Removes only what lab ${d.lab.name} created on ${where}; nothing else is touched.`
        : `Lab ${d.lab.name} has created nothing on ${where}: nothing to remove.`,
      plan: p,
      confirmLabel: n ? 'Destroy' : null,
      danger: true,
    })
    if (!ok) return false
    const r = await run('destroy', (req) => invoke('lab:destroy', d.lab.name, req), d.lab.name)
    if (!r) return false
    appliedOn.value = null
    ui.notify('ok', `Lab ${d.lab.name} destroyed: ${r.commands.length} commands ran.`)
    return true
  }

  /**
   * An edit drawn on the topology: plan `next`, show every change's commands under `title`, and
   * on Apply make the target match it; only then does the document become `next`.
   */
  async function proposeEdit(next: Lab, title: string): Promise<boolean> {
    const d = ensureDoc()
    if (busy.value) return false
    error.value = null
    const p = await plan(next)
    if (!p) return false
    if (p.changes.length) {
      const n = p.changes.length
      const ok = await ask({
        title,
        message: `${n} change${n === 1 ? '' : 's'} to make on ${target.status.label ?? 'the target'}.`,
        plan: p,
        confirmLabel: 'Apply',
        danger: false,
      })
      if (!ok) return false
      if (!(await applyLab(next))) return false
    }
    d.lab = next
    dirty.value = true
    return true
  }

  /** Where nodes sit on the canvas: kept in the lab (no apply). */
  function setLayout(layout: Record<string, LabPosition>): void {
    const d = ensureDoc()
    d.lab.layout = { ...d.lab.layout, ...layout }
    dirty.value = true
  }

  /** Write the lab to its file; without one, ask where (save as). */
  async function save(): Promise<boolean> {
    const d = doc.value
    if (!d) return false
    if (!d.fileId) return saveAs()
    busy.value = 'save'
    try {
      await invoke('lab:save', plain(d.lab), d.fileId)
      dirty.value = false
      ui.notify('ok', `Saved ${d.fileName ?? d.lab.name}.`)
      return true
    } catch (e) {
      fail(e)
      return false
    } finally {
      busy.value = null
    }
  }

  /** Ask where, then write; false when the user cancelled. */
  async function saveAs(): Promise<boolean> {
    const d = doc.value
    if (!d) return false
    busy.value = 'save'
    try {
      const s = await invoke('lab:save-as', plain(d.lab))
      if (!s) return false
      d.fileId = s.fileId
      d.fileName = s.fileName
      d.origin = 'file'
      dirty.value = false
      ui.notify('ok', `Saved ${s.fileName}.`)
      void loadLists()
      return true
    } catch (e) {
      fail(e)
      return false
    } finally {
      busy.value = null
    }
  }

  async function setReapply(mode: LabSettings['reapplyAfterReboot']): Promise<void> {
    try {
      settings.value = await invoke('lab:set-settings', { reapplyAfterReboot: mode })
    } catch (e) {
      fail(e)
    }
  }

  /** The target restarted: if the open lab was applied there, offer (or by setting, do) it again. */
  async function onRebooted(label: string): Promise<void> {
    // What the lists show is gone with the restart: show the target as it is now.
    if (target.status.label === label) void netns.refresh()
    const d = doc.value
    if (!d || appliedOn.value !== label) return
    if (settings.value.reapplyAfterReboot === 'always') {
      rebootOffer.value = null
      const r = await applyLab(d.lab)
      if (r)
        ui.notify(
          'ok',
          `${label} restarted: lab ${d.lab.name} re-applied (${r.commands.length} commands).`,
          8000,
        )
      return
    }
    rebootOffer.value = { label, lab: d.lab.name }
  }

  /** The user chose Re-apply on the offer. */
  async function reapply(): Promise<boolean> {
    const o = rebootOffer.value
    const d = doc.value
    rebootOffer.value = null
    if (!o || !d || d.lab.name !== o.lab) return false
    const r = await applyLab(d.lab)
    if (r) ui.notify('ok', `Lab ${d.lab.name} re-applied (${r.commands.length} commands).`)
    return r !== null
  }

  return {
    doc,
    dirty,
    list,
    recent,
    settings,
    appliedOn,
    busy,
    progress,
    error,
    parseFailure,
    prompt,
    rebootOffer,
    name,
    title,
    init,
    dispose,
    loadLists,
    open,
    newLab,
    ensureDoc,
    capture,
    plan,
    apply,
    destroy,
    proposeEdit,
    setLayout,
    save,
    saveAs,
    setReapply,
    onRebooted,
    reapply,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useLabStore, import.meta.hot))

// IPC entries of labs in the app: list and open (built-in, the user's, recent, a file dialog, a
// dropped file's text), plan, apply with progress, destroy, capture the current state, save and
// save as (main picks and remembers paths; the renderer never names one), the re-apply setting,
// and the event that a target restarted. With runtime argument checks.

import type { LabPlan, PlanChange } from '../../lab/diff-types'
import { validateLab, MAX_LAB_CHARS } from '../../lab/parse'
import { checkLabName } from '../../lab/schema'
import type { Lab, LabError, LabKind } from '../../lab/types'
import { CUT_CONNECTION } from '../../net/branch'
import type { Check } from '../../net/validate'
import { checkPlainObject } from '../../net/validate'

/** A lab the app can open by name: one it ships, or one in the user's labs folder. */
export interface LabListEntry {
  name: string
  kind: LabKind
  title: string | null
  source: 'builtin' | 'user'
}

/** A lab file opened before (newest first). `id` is main's handle for the path; the renderer never sees the path. */
export interface RecentLab {
  id: string
  /** The file's base name, e.g. "office.yaml". */
  fileName: string
  /** The folder it is in, for the tooltip (display only). */
  folder: string
  /** The lab's name when it was last opened. */
  name: string
}

/** Where an open lab came from. */
export type LabOrigin = 'builtin' | 'user' | 'file' | 'dropped' | 'captured' | 'new'

/** A lab open in the app and the file it is kept in. */
export interface LabDocument {
  lab: Lab
  /** Main's handle for the file the lab is saved to; null when it has none yet (save asks where). */
  fileId: string | null
  /** The file's base name, for the title; null without a file. */
  fileName: string | null
  origin: LabOrigin
}

/** How to open a lab. */
export type LabOpenRequest =
  | { from: 'builtin' | 'user'; name: string }
  | { from: 'recent'; id: string }
  /** Main shows the open dialog; null comes back when the user cancels. */
  | { from: 'dialog' }
  /** A file dropped on the window: its text and base name (no path). */
  | { from: 'text'; text: string; fileName: string }

/** Where an apply or destroy is (sent as `lab:progress`). */
export interface LabProgressEvent {
  lab: string
  phase: 'reading' | 'planned' | 'applying' | 'done'
  message: string
  changes?: number
  done?: number
  total?: number
}

/** What an apply or destroy did. */
export interface LabRunResult {
  lab: string
  changes: PlanChange[]
  commands: string[]
  durationMs: number
}

export interface LabRunRequest {
  /** Let operations that would cut the app's own connection run (after the user confirmed). */
  confirm?: typeof CUT_CONNECTION
}

/** Where a save went. */
export interface LabSaved {
  fileId: string
  fileName: string
}

/** One check's verdict, from the kernel's own answer (or why it could not be decided). */
export interface LabCheckResult {
  name: string
  ok: boolean
  /** What was seen, in words: the pass text, or the fail text with what the kernel said. */
  detail: string
  /** The check's hint, when it failed and has one. */
  hint?: string
}

/** A lab's checks run against the target (`netns-studio check --json` prints the same shape). */
export interface LabCheckReport {
  passed: number
  failed: number
  checks: LabCheckResult[]
}

/** What to do with the open lab when its target restarted (its namespaces are gone). */
export interface LabSettings {
  /** "ask": offer to re-apply; "always": re-apply without asking. */
  reapplyAfterReboot: 'ask' | 'always'
}

/** A target came back with a different boot id than when the app last saw it. */
export interface TargetRebooted {
  /** The target's label, as in ConnectionStatus. */
  label: string
}

export interface LabInvoke {
  /** Built-in labs, then the user's (from the labs folder), each with name, kind and title. */
  'lab:list': () => LabListEntry[]
  /** Lab files opened before, newest first (at most 10). */
  'lab:recent': () => RecentLab[]
  /**
   * Open a lab. A file that does not parse is refused with INVALID_ARGUMENT whose `data.errors`
   * lists every problem with its line and column (LabError[]). Null: the dialog was cancelled.
   */
  'lab:open': (req: LabOpenRequest) => LabDocument | null
  /** The lab against the connected target: create/change/delete entries with their commands. */
  'lab:plan': (lab: Lab) => LabPlan
  /** Make the target match the lab (sends `lab:progress`); stops at the first failing step. */
  'lab:apply': (lab: Lab, req: LabRunRequest) => LabRunResult
  /** Run the lab's checks against the target now; nothing is changed. */
  'lab:check': (lab: Lab) => LabCheckReport
  /** Remove what lab `name` owns on the target, nothing else (sends `lab:progress`). */
  'lab:destroy': (name: string, req: LabRunRequest) => LabRunResult
  /** The target's current state (hand-made included) as a new lab called `name`. */
  'lab:capture': (name: string) => LabDocument
  /** Write the lab to the file it came from (atomically). */
  'lab:save': (lab: Lab, fileId: string) => LabSaved
  /** Ask where (save dialog), then write atomically; null when the user cancelled. */
  'lab:save-as': (lab: Lab) => LabSaved | null
  'lab:settings': () => LabSettings
  'lab:set-settings': (s: LabSettings) => LabSettings
}

export interface LabEvents {
  'lab:progress': (p: LabProgressEvent) => void
  /** The connected target restarted since the app last saw it: namespaces and links are gone. */
  'target:rebooted': (r: TargetRebooted) => void
}

/** Parse errors as they travel in an INVALID_ARGUMENT's `data.errors`. */
export type LabParseErrors = LabError[]

const none = (a: unknown[]): Check =>
  a.length === 0 ? { ok: true } : { ok: false, message: 'This call takes no arguments.' }

function checkLab(v: unknown): Check {
  const r = validateLab(v)
  if (r.ok) return { ok: true }
  const e = r.errors[0]!
  return { ok: false, message: `Lab: ${e.path ? `${e.path}: ` : ''}${e.message}` }
}

const ID = /^[A-Za-z0-9_-]{1,64}$/
function checkId(v: unknown, what: string): Check {
  return typeof v === 'string' && ID.test(v)
    ? { ok: true }
    : { ok: false, message: `${what} must be an id the app gave out.` }
}

function checkOpen(v: unknown): Check {
  const o = checkPlainObject(v, 'Open request')
  if (!o.ok) return o
  const r = v as Record<string, unknown>
  const keys = Object.keys(r).sort().join(',')
  switch (r.from) {
    case 'builtin':
    case 'user':
      return keys === 'from,name'
        ? checkLabName(r.name)
        : { ok: false, message: 'Expected { from, name }.' }
    case 'recent':
      return keys === 'from,id'
        ? checkId(r.id, 'A recent lab')
        : { ok: false, message: 'Expected { from, id }.' }
    case 'dialog':
      return keys === 'from' ? { ok: true } : { ok: false, message: 'Expected { from }.' }
    case 'text': {
      if (keys !== 'fileName,from,text')
        return { ok: false, message: 'Expected { from, text, fileName }.' }
      if (typeof r.text !== 'string' || r.text.length > MAX_LAB_CHARS)
        return {
          ok: false,
          message: `A lab file must be text of at most ${MAX_LAB_CHARS} characters.`,
        }
      const f = r.fileName
      const control = typeof f === 'string' && [...f].some((c) => c < ' ' || c === '\x7f')
      if (typeof f !== 'string' || f.length === 0 || f.length > 255 || control || /[/\\]/.test(f))
        return {
          ok: false,
          message: 'File name must be a base name (no folder, no control characters).',
        }
      return { ok: true }
    }
    default:
      return { ok: false, message: 'Open from builtin, user, recent, dialog or text.' }
  }
}

function checkRun(v: unknown): Check {
  const o = checkPlainObject(v, 'Run options')
  if (!o.ok) return o
  const r = v as Record<string, unknown>
  const extra = Object.keys(r).find((k) => k !== 'confirm')
  if (extra !== undefined)
    return { ok: false, message: `Run options have no field "${extra.slice(0, 40)}".` }
  if (r.confirm !== undefined && r.confirm !== CUT_CONNECTION)
    return { ok: false, message: `confirm must be "${CUT_CONNECTION}".` }
  return { ok: true }
}

function checkSettings(v: unknown): Check {
  const o = checkPlainObject(v, 'Lab settings')
  if (!o.ok) return o
  const r = v as Record<string, unknown>
  if (Object.keys(r).join(',') !== 'reapplyAfterReboot')
    return { ok: false, message: 'Expected { reapplyAfterReboot }.' }
  return r.reapplyAfterReboot === 'ask' || r.reapplyAfterReboot === 'always'
    ? { ok: true }
    : { ok: false, message: 'reapplyAfterReboot must be "ask" or "always".' }
}

const both = (...checks: Check[]): Check => checks.find((c) => !c.ok) ?? { ok: true }

/** Runtime argument checks per channel (the allowlist for this domain). */
export const labInvokeArgs: { [K in keyof LabInvoke]: (args: unknown[]) => Check } = {
  'lab:list': none,
  'lab:recent': none,
  'lab:open': (a) =>
    a.length === 1 ? checkOpen(a[0]) : { ok: false, message: 'Expected one request.' },
  'lab:plan': (a) =>
    a.length === 1 ? checkLab(a[0]) : { ok: false, message: 'Expected one lab.' },
  'lab:apply': (a) =>
    a.length === 2
      ? both(checkLab(a[0]), checkRun(a[1]))
      : { ok: false, message: 'Expected a lab and run options.' },
  'lab:check': (a) =>
    a.length === 1 ? checkLab(a[0]) : { ok: false, message: 'Expected one lab.' },
  'lab:destroy': (a) =>
    a.length === 2
      ? both(checkLabName(a[0]), checkRun(a[1]))
      : { ok: false, message: 'Expected a lab name and run options.' },
  'lab:capture': (a) =>
    a.length === 1 ? checkLabName(a[0]) : { ok: false, message: 'Expected one lab name.' },
  'lab:save': (a) =>
    a.length === 2
      ? both(checkLab(a[0]), checkId(a[1], 'The file'))
      : { ok: false, message: 'Expected a lab and a file id.' },
  'lab:save-as': (a) =>
    a.length === 1 ? checkLab(a[0]) : { ok: false, message: 'Expected one lab.' },
  'lab:settings': none,
  'lab:set-settings': (a) =>
    a.length === 1 ? checkSettings(a[0]) : { ok: false, message: 'Expected one settings object.' },
}

export const labEventNames: { [K in keyof LabEvents]: true } = {
  'lab:progress': true,
  'target:rebooted': true,
}

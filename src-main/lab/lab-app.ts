// Labs in the app: open (built-in, the user's, recent, the open dialog, a dropped file's text),
// plan, check, apply and destroy with progress on the connected target, capture, save, save as. One
// LabService per connected target, sharing the session's command log; paths stay in main.

import { basename, isAbsolute } from 'node:path'
import { AppError } from '../../shared/errors'
import type {
  LabCheckReport,
  LabDocument,
  LabListEntry,
  LabOpenRequest,
  LabRunRequest,
  LabRunResult,
  LabSaved,
  LabSettings,
  RecentLab,
} from '../../shared/ipc/domains/lab'
import { BUILTIN_LABS } from '../../shared/lab/builtin/index'
import type { LabPlan } from '../../shared/lab/diff-types'
import { parseLab } from '../../shared/lab/parse'
import type { Lab, LabError } from '../../shared/lab/types'
import type { ConnectionManager } from '../app/connection'
import type { EventSink } from '../../shared/ipc/contract'
import type { CommandLog } from '../netns/command-log'
import type { ChooseSavePath } from '../streams/save-file'
import type { Target } from '../target/target'
import { LabDocuments } from './lab-documents'
import { LabService, type LabProgress } from './lab-service'
import { LabSettingsStore } from './lab-settings'
import { LAB_FILE_FILTERS, type ChooseOpenPath } from './open-path'
import { listUserLabs, loadLabFile, writeLabFile } from './user-labs'

export interface LabAppOptions {
  dataDir: string
  connection: ConnectionManager
  events: EventSink
  /** The session's command log (the engine's): lab commands show in the app's log. */
  log: CommandLog
  chooseOpenPath?: ChooseOpenPath
  chooseSavePath?: ChooseSavePath
}

/**
 * A lab file's parse errors as one INVALID_ARGUMENT: the count and the first problem with its line
 * and column in the message, every problem in `data.errors`.
 */
export function labFileInvalid(fileName: string, errors: LabError[]): AppError {
  const first = errors[0]
  const n = errors.length
  const where = first ? `line ${first.line}, col ${first.col}: ` : ''
  const what = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'not a valid lab'
  return new AppError(
    'INVALID_ARGUMENT',
    `${fileName}: ${n === 1 ? '1 problem' : `${n} problems, first`}: ${where}${what}`,
    {
      detail: errors
        .map((e) => `line ${e.line}, col ${e.col}: ${e.path ? `${e.path}: ` : ''}${e.message}`)
        .join('\n'),
      data: { errors },
    },
  )
}

function parseText(text: string, fileName: string): Lab {
  const r = parseLab(text, fileName)
  if (!r.ok) throw labFileInvalid(fileName, r.errors)
  return r.lab
}

/** A lab file by path, its parse errors in the app's form (the base name, not the path). */
async function readLabAt(path: string): Promise<Lab> {
  try {
    return await loadLabFile(path)
  } catch (e) {
    const errors = e instanceof AppError ? (e.data?.errors as LabError[] | undefined) : undefined
    if (errors) throw labFileInvalid(basename(path), errors)
    throw e
  }
}

export class LabApp {
  private readonly documents: LabDocuments
  private readonly settingsStore: LabSettingsStore
  private current: { target: Target; service: Promise<LabService> } | null = null

  constructor(private readonly opts: LabAppOptions) {
    this.documents = new LabDocuments(opts.dataDir)
    this.settingsStore = new LabSettingsStore(opts.dataDir)
    opts.connection.on('target-changed', () => (this.current = null))
  }

  /** Built-in labs, then the user's. */
  async list(): Promise<LabListEntry[]> {
    const user = await listUserLabs(this.opts.dataDir)
    return [
      ...BUILTIN_LABS.map((l) => ({
        name: l.name,
        kind: l.kind,
        title: l.title,
        source: 'builtin' as const,
      })),
      ...user.map((l) => ({ name: l.name, kind: l.kind, title: l.title, source: 'user' as const })),
    ]
  }

  recent(): Promise<RecentLab[]> {
    return this.documents.recent()
  }

  /** Open a lab; null when the open dialog was cancelled. */
  async open(owner: number, req: LabOpenRequest): Promise<LabDocument | null> {
    switch (req.from) {
      case 'builtin': {
        const b = BUILTIN_LABS.find((l) => l.name === req.name)
        if (!b) throw new AppError('INVALID_ARGUMENT', `There is no built-in lab "${req.name}".`)
        return { lab: parseText(b.yaml, b.name), fileId: null, fileName: null, origin: 'builtin' }
      }
      case 'user': {
        // By name from the list only: a name never becomes a path of its own.
        const labs = await listUserLabs(this.opts.dataDir)
        const hit =
          labs.find((l) => basename(l.path).replace(/\.ya?ml$/i, '') === req.name) ??
          labs.find((l) => l.name === req.name)
        if (!hit)
          throw new AppError('INVALID_ARGUMENT', `There is no lab "${req.name}" in your labs.`)
        return this.openPath(hit.path, 'user')
      }
      case 'recent':
        return this.openPath(this.documents.pathOf(req.id), 'file')
      case 'dialog': {
        const choose = this.opts.chooseOpenPath
        if (!choose) throw new AppError('INTERNAL', 'This app has no open dialog to pick a file.')
        const path = await choose({ owner, title: 'Open a lab', filters: LAB_FILE_FILTERS })
        if (path === null) return null
        return this.openPath(checkedPath(path, 'open'), 'file')
      }
      case 'text':
        return {
          lab: parseText(req.text, req.fileName),
          fileId: null,
          fileName: req.fileName,
          origin: 'dropped',
        }
    }
  }

  async plan(lab: Lab): Promise<LabPlan> {
    return (await this.service()).plan(lab)
  }

  /** Run the lab's checks against the connected target (nothing is changed). */
  async check(lab: Lab): Promise<LabCheckReport> {
    return (await this.service()).check(lab)
  }

  /** Apply `lab`, sending `lab:progress` to the window that asked; then a fresh snapshot. */
  async apply(owner: number, lab: Lab, req: LabRunRequest): Promise<LabRunResult> {
    const service = await this.service()
    try {
      return await service.apply(lab, this.progress(owner, lab.name), runOptions(req))
    } finally {
      await this.opts.connection.refreshAfter()
    }
  }

  /** Destroy what lab `name` owns, sending `lab:progress`; then a fresh snapshot. */
  async destroy(owner: number, name: string, req: LabRunRequest): Promise<LabRunResult> {
    const service = await this.service()
    try {
      return await service.destroy(name, this.progress(owner, name), runOptions(req))
    } finally {
      await this.opts.connection.refreshAfter()
    }
  }

  async capture(name: string): Promise<LabDocument> {
    const lab = await (await this.service()).save(name)
    return { lab, fileId: null, fileName: null, origin: 'captured' }
  }

  /** Write `lab` to the file behind `fileId` (atomically). */
  async save(lab: Lab, fileId: string): Promise<LabSaved> {
    const path = this.documents.pathOf(fileId)
    await writeLabFile(path, lab)
    await this.documents.remember(path, lab.name)
    return { fileId, fileName: basename(path) }
  }

  /** Ask where (the save dialog), write, remember; null when the user cancelled. */
  async saveAs(owner: number, lab: Lab): Promise<LabSaved | null> {
    const choose = this.opts.chooseSavePath
    if (!choose) throw new AppError('INTERNAL', 'This app has no save dialog to ask where to save.')
    const chosen = await choose({
      owner,
      title: 'Save the lab',
      defaultName: `${lab.name}.yaml`,
      filters: LAB_FILE_FILTERS,
    })
    if (chosen === null) return null
    const path = checkedPath(chosen, 'save')
    await writeLabFile(path, lab)
    await this.documents.remember(path, lab.name)
    return { fileId: this.documents.idFor(path), fileName: basename(path) }
  }

  settings(): Promise<LabSettings> {
    return this.settingsStore.get()
  }

  setSettings(s: LabSettings): Promise<LabSettings> {
    return this.settingsStore.set(s)
  }

  private async openPath(path: string, origin: 'user' | 'file'): Promise<LabDocument> {
    const lab = await readLabAt(path)
    await this.documents.remember(path, lab.name)
    return { lab, fileId: this.documents.idFor(path), fileName: basename(path), origin }
  }

  private progress(owner: number, lab: string): (p: LabProgress) => void {
    return (p) => this.opts.events.sendTo(owner, 'lab:progress', { lab, ...p })
  }

  /**
   * The LabService of the connected target (NOT_CONNECTED without one), made on first use after a
   * connect. It uses the firewall tool the connection's engine detected.
   */
  private service(): Promise<LabService> {
    const target = this.opts.connection.target()
    if (this.current?.target === target) return this.current.service
    const service = this.opts.connection
      .natBackend()
      // No firewall tool: the lab's own engines say so if (and only if) the lab has NAT.
      .catch(() => undefined)
      .then((nat) => new LabService(target, this.opts.log, nat ? { natBackend: nat } : {}))
    this.current = { target, service }
    return service
  }
}

/** A dialog's answer, refused unless it is an absolute path. */
function checkedPath(path: unknown, what: 'open' | 'save'): string {
  if (typeof path !== 'string' || !isAbsolute(path) || path.includes('\0'))
    throw new AppError('INVALID_ARGUMENT', `The ${what} dialog did not give an absolute path.`)
  return path
}

const runOptions = (req: LabRunRequest): LabRunRequest =>
  req.confirm !== undefined ? { confirm: req.confirm } : {}

// TEST DOUBLE of main's lab handlers for renderer tests (jsdom has no main process): the answers
// come from the real shared code where it exists, so they have the engine's shapes and commands:
// lab files parse with parseLab (real line:col errors), plans come from planLab against a
// snapshot, capture from labFromSnapshot. Apply and destroy only record the call and send the
// progress main would send; they change no snapshot (the e2e test runs the real ones).
import type {
  LabDocument,
  LabListEntry,
  LabProgressEvent,
  LabSettings,
  RecentLab,
} from '@shared/ipc/domains/lab'
import { BUILTIN_LABS } from '@shared/lab/builtin'
import { planLab } from '@shared/lab/diff'
import { labFromSnapshot } from '@shared/lab/from-snapshot'
import { emptyOwned, type LabOwned } from '@shared/lab/owned'
import { parseLab } from '@shared/lab/parse'
import type { Lab } from '@shared/lab/types'
import type { Snapshot } from '@shared/net/model'
import { type FakeApi, FakeIpcError } from './fake-api'
import { ns, snapshot } from './snapshot'

export interface LabMain {
  /** What the target has (plans are made against it). */
  kernel: Snapshot
  /** What the lab's record on the target says it owns (destroy plans delete these). */
  owned: LabOwned
  settings: LabSettings
  recent: RecentLab[]
  /** Labs written by lab:save / lab:save-as, by file id. */
  files: Map<string, Lab>
  /** The answer of the save dialog (null: Cancel). */
  saveAsAnswer: { fileId: string; fileName: string } | null
}

/** A lab file as a user writes it: two prefixed namespaces, a veth link, layout positions. */
export const OFFICE_YAML = `name: office
title: Two rooms
namespaces:
  t-red: {}
  t-blue: {}
links:
  - endpoints:
      - { ns: t-red, name: r0, addresses: [10.1.0.1/24] }
      - { ns: t-blue, name: b0, addresses: [10.1.0.2/24] }
layout:
  t-red: { x: 100, y: 80 }
  t-blue: { x: 300, y: 80 }
`

/** The built-in labs as lab:list gives them. */
export const BUILTIN_LIST: LabListEntry[] = BUILTIN_LABS.map((b) => ({
  name: b.name,
  kind: b.kind,
  title: b.title,
  source: 'builtin' as const,
}))

function parsed(text: string): Lab {
  const r = parseLab(text)
  if (!r.ok)
    throw new FakeIpcError({
      code: 'INVALID_ARGUMENT',
      message: `${r.errors.length} problem(s) in the lab file.`,
      data: { errors: r.errors },
    })
  return r.lab
}

/** Install the lab handlers on `fake`; returns the state they work on. */
export function installLabMain(fake: FakeApi, kernel = snapshot([ns('host')])): LabMain {
  const m: LabMain = {
    kernel,
    owned: emptyOwned(),
    settings: { reapplyAfterReboot: 'ask' },
    recent: [],
    files: new Map(),
    saveAsAnswer: { fileId: 'f1', fileName: 'office.yaml' },
  }
  const progress = (p: LabProgressEvent): void => fake.emit('lab:progress', p)
  const plan = (lab: Lab) => planLab(lab, m.kernel, { nat: 'iptables', owned: m.owned })
  const run = (lab: Lab) => {
    const p = plan(lab)
    progress({ lab: lab.name, phase: 'planned', message: 'planned', changes: p.changes.length })
    progress({
      lab: lab.name,
      phase: 'applying',
      message: 'Applying',
      done: 0,
      total: p.ops.length,
    })
    return {
      lab: lab.name,
      changes: p.changes,
      commands: p.changes.flatMap((c) => c.commands),
      durationMs: 5,
    }
  }
  fake.handle('lab:list', () => BUILTIN_LIST)
  fake.handle('lab:recent', () => m.recent)
  fake.handle('lab:settings', () => m.settings)
  fake.handle('lab:set-settings', (s) => (m.settings = s))
  fake.handle('lab:open', (req): LabDocument | null => {
    switch (req.from) {
      case 'text':
        return { lab: parsed(req.text), fileId: null, fileName: req.fileName, origin: 'dropped' }
      case 'builtin': {
        const b = BUILTIN_LABS.find((l) => l.name === req.name)!
        return { lab: parsed(b.yaml), fileId: null, fileName: null, origin: 'builtin' }
      }
      case 'dialog':
        return { lab: parsed(OFFICE_YAML), fileId: 'f0', fileName: 'office.yaml', origin: 'file' }
      default:
        return null
    }
  })
  fake.handle('lab:plan', plan)
  fake.handle('lab:apply', (lab) => run(lab))
  fake.handle('lab:destroy', (name) =>
    run({ name, kind: 'lab', namespaces: {}, bridges: [], links: [], routes: [], nat: [] }),
  )
  fake.handle('lab:capture', (name) => ({
    lab: labFromSnapshot(m.kernel, name),
    fileId: null,
    fileName: null,
    origin: 'captured' as const,
  }))
  fake.handle('lab:save', (lab, fileId) => {
    m.files.set(fileId, lab)
    return { fileId, fileName: `${lab.name}.yaml` }
  })
  fake.handle('lab:save-as', (lab) => {
    const a = m.saveAsAnswer
    if (a) m.files.set(a.fileId, lab)
    return a
  })
  return m
}

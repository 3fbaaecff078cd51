// The lab files the app remembers, over real files in a temp folder: ids for paths, the recent
// list (newest first, at most 10, vanished files dropped), and a corrupt list file (empty, logged).
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { AppError } from '../../../../shared/errors'
import { LabDocuments, MAX_RECENT, RECENT_FILE } from '../../../../src-main/lab/lab-documents'
import {
  DEFAULT_LAB_SETTINGS,
  LAB_SETTINGS_FILE,
  LabSettingsStore,
} from '../../../../src-main/lab/lab-settings'
import { closeLogs, initLogs } from '../../../../src-main/log'

const dirs: string[] = []
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'nss-labdocs-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
afterAll(() => closeLogs())

/** A lab file that exists (its content does not matter to the list). */
function file(dir: string, name: string): string {
  const p = join(dir, 'files', name)
  mkdirSync(join(dir, 'files'), { recursive: true })
  writeFileSync(p, 'name: x\n')
  return p
}

describe('LabDocuments', () => {
  it('has no recent labs before anything was opened', async () => {
    expect(await new LabDocuments(tmp()).recent()).toEqual([])
  })

  it('lists remembered files newest first, once each, with ids that lead back to the path', async () => {
    const dir = tmp()
    const docs = new LabDocuments(dir)
    const a = file(dir, 'a.yaml')
    const b = file(dir, 'b.yml')
    await docs.remember(a, 'lab-a')
    await docs.remember(b, 'lab-b')
    await docs.remember(a, 'lab-a2')
    const recent = await docs.recent()
    expect(recent.map((r) => [r.fileName, r.name, r.folder])).toEqual([
      ['a.yaml', 'lab-a2', join(dir, 'files')],
      ['b.yml', 'lab-b', join(dir, 'files')],
    ])
    expect(recent.map((r) => docs.pathOf(r.id))).toEqual([a, b])
    expect(recent[0]!.id).toMatch(/^[A-Za-z0-9_-]{1,64}$/)
    expect(docs.idFor(a)).toBe(recent[0]!.id)
    // A new session (a restarted app) reads the same list from disk, with fresh ids.
    const again = new LabDocuments(dir)
    const listed = await again.recent()
    expect(listed.map((r) => again.pathOf(r.id))).toEqual([a, b])
  })

  it('keeps at most 10, dropping the oldest', async () => {
    const dir = tmp()
    const docs = new LabDocuments(dir)
    const paths = Array.from({ length: MAX_RECENT + 2 }, (_, i) => file(dir, `l${i}.yaml`))
    for (const [i, p] of paths.entries()) await docs.remember(p, `lab${i}`)
    const names = (await docs.recent()).map((r) => r.name)
    expect(names).toHaveLength(MAX_RECENT)
    expect(names[0]).toBe(`lab${MAX_RECENT + 1}`)
    expect(names).not.toContain('lab0')
    expect(names).not.toContain('lab1')
  })

  it('drops files that vanished, from the listing and from the file at the next write', async () => {
    const dir = tmp()
    const docs = new LabDocuments(dir)
    const a = file(dir, 'a.yaml')
    const b = file(dir, 'b.yaml')
    await docs.remember(a, 'a')
    await docs.remember(b, 'b')
    rmSync(a)
    expect((await docs.recent()).map((r) => r.name)).toEqual(['b'])
    await docs.remember(file(dir, 'c.yaml'), 'c')
    const onDisk = JSON.parse(readFileSync(join(dir, RECENT_FILE), 'utf8')) as Array<{
      name: string
    }>
    expect(onDisk.map((r) => r.name)).toEqual(['c', 'b'])
  })

  it('writes the list privately and atomically: no temp file left, concurrent writes all kept', async () => {
    const dir = tmp()
    const docs = new LabDocuments(dir)
    const paths = ['p.yaml', 'q.yaml', 'r.yaml', 's.yaml'].map((n) => file(dir, n))
    await Promise.all(paths.map((p, i) => docs.remember(p, `n${i}`)))
    expect((await docs.recent()).map((r) => r.name).sort()).toEqual(['n0', 'n1', 'n2', 'n3'])
    expect(readdirSync(dir).sort()).toEqual(['files', RECENT_FILE])
    expect(statSync(join(dir, RECENT_FILE)).mode & 0o777).toBe(0o600)
  })

  it('refuses an id it never gave out', () => {
    const docs = new LabDocuments(tmp())
    let err: unknown
    try {
      docs.pathOf('never-given')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('INVALID_ARGUMENT')
    expect((err as AppError).message).toMatch(/open it again/)
  })

  it('starts an empty list from a corrupt file, says so in the log, and writes a good one', async () => {
    const dir = tmp()
    const logs = join(dir, 'logs')
    await initLogs({ dir: logs, level: 'warn' })
    writeFileSync(join(dir, RECENT_FILE), '[{"path": "/etc/x.yaml", "na')
    const docs = new LabDocuments(dir)
    expect(await docs.recent()).toEqual([])
    closeLogs()
    const lines = readdirSync(logs)
      .flatMap((f) => readFileSync(join(logs, f), 'utf8').split('\n'))
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { scope?: string; level?: number; msg?: string })
    expect(lines).toContainEqual(
      expect.objectContaining({
        scope: 'lab-documents',
        level: 40,
        msg: expect.stringMatching(/unreadable/),
      }),
    )
    const a = file(dir, 'a.yaml')
    await docs.remember(a, 'a')
    expect((await docs.recent()).map((r) => docs.pathOf(r.id))).toEqual([a])
  })

  it('ignores entries that are not an absolute path with a name', async () => {
    const dir = tmp()
    const good = file(dir, 'good.yaml')
    writeFileSync(
      join(dir, RECENT_FILE),
      JSON.stringify([
        { path: 'relative.yaml', name: 'rel' },
        { path: good, name: 7 },
        'text',
        null,
        { path: good, name: 'good' },
        { path: good, name: 'twice' },
      ]),
    )
    expect((await new LabDocuments(dir).recent()).map((r) => r.name)).toEqual(['good'])
  })
})

describe('LabSettingsStore', () => {
  it('asks before re-applying by default, and keeps what was set', async () => {
    const dir = tmp()
    expect(await new LabSettingsStore(dir).get()).toEqual(DEFAULT_LAB_SETTINGS)
    expect(DEFAULT_LAB_SETTINGS.reapplyAfterReboot).toBe('ask')
    expect(await new LabSettingsStore(dir).set({ reapplyAfterReboot: 'always' })).toEqual({
      reapplyAfterReboot: 'always',
    })
    expect(await new LabSettingsStore(dir).get()).toEqual({ reapplyAfterReboot: 'always' })
  })

  it('falls back to the defaults for a malformed file', async () => {
    const dir = tmp()
    writeFileSync(join(dir, LAB_SETTINGS_FILE), '{"reapplyAfterReboot": "sometimes"}')
    expect(await new LabSettingsStore(dir).get()).toEqual({ reapplyAfterReboot: 'ask' })
    writeFileSync(join(dir, LAB_SETTINGS_FILE), 'not json')
    expect(await new LabSettingsStore(dir).get()).toEqual({ reapplyAfterReboot: 'ask' })
  })
})

// The lab files the app has opened or saved: opaque ids for their paths (the renderer only ever
// holds an id) and the recent list, kept as JSON in the data folder (newest first, at most 10).

import { randomBytes } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join } from 'node:path'
import { AppError } from '../../shared/errors'
import type { RecentLab } from '../../shared/ipc/domains/lab'
import { logger } from '../log'
import { writeJsonAtomically } from './json-file'

const log = logger('lab-documents')

/** How many files the recent list keeps. */
export const MAX_RECENT = 10

/** One entry of the recent file on disk. */
interface RecentRecord {
  path: string
  name: string
}

/** The recent file's name in the data folder. */
export const RECENT_FILE = 'recent-labs.json'

/** Records from untrusted JSON: absolute paths and string names only, at most MAX_RECENT, no repeats. */
function parseRecent(v: unknown): RecentRecord[] {
  if (!Array.isArray(v)) throw new Error('not a list')
  const out: RecentRecord[] = []
  for (const r of v as unknown[]) {
    if (typeof r !== 'object' || r === null) continue
    const { path, name } = r as Record<string, unknown>
    if (typeof path !== 'string' || !isAbsolute(path) || path.includes('\0')) continue
    if (typeof name !== 'string' || out.some((o) => o.path === path)) continue
    out.push({ path, name: name.slice(0, 64) })
    if (out.length === MAX_RECENT) break
  }
  return out
}

const isFile = (path: string): Promise<boolean> =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  )

/** File ids ↔ paths for this session, and the recent list. */
export class LabDocuments {
  private readonly paths = new Map<string, string>()
  private readonly ids = new Map<string, string>()
  /** Writes of the recent file, one after another (two saves never interleave their renames). */
  private writing: Promise<void> = Promise.resolve()

  constructor(private readonly dataDir: string) {}

  /** The id of `path` (the same id for the same path all session). */
  idFor(path: string): string {
    let id = this.ids.get(path)
    if (!id) {
      id = randomBytes(12).toString('base64url')
      this.ids.set(path, id)
      this.paths.set(id, path)
    }
    return id
  }

  /** The path behind `id`; INVALID_ARGUMENT for an id this session never gave out. */
  pathOf(id: string): string {
    const p = this.paths.get(id)
    if (!p)
      throw new AppError(
        'INVALID_ARGUMENT',
        'That lab file is not known to the app (any more): open it again.',
        { data: { field: 'fileId' } },
      )
    return p
  }

  /** The recent files that still exist, newest first, each with its id. */
  async recent(): Promise<RecentLab[]> {
    const out: RecentLab[] = []
    for (const r of await this.read()) {
      if (!(await isFile(r.path))) continue
      out.push({
        id: this.idFor(r.path),
        fileName: basename(r.path),
        folder: dirname(r.path),
        name: r.name,
      })
    }
    return out
  }

  /** Put `path` first in the recent list (dropping files that vanished); written atomically. */
  remember(path: string, name: string): Promise<void> {
    const next = this.writing.then(async () => {
      const kept: RecentRecord[] = [{ path, name }]
      for (const r of await this.read()) {
        if (kept.length === MAX_RECENT) break
        if (r.path !== path && (await isFile(r.path))) kept.push(r)
      }
      await writeJsonAtomically(this.file, kept)
    })
    // A failed write must not block the next one; the caller still sees it fail.
    this.writing = next.catch(() => undefined)
    return next
  }

  private get file(): string {
    return join(this.dataDir, RECENT_FILE)
  }

  private async read(): Promise<RecentRecord[]> {
    try {
      return parseRecent(JSON.parse(await readFile(this.file, 'utf8')))
    } catch (err) {
      // No file yet: nothing opened so far. Anything else loses the list: say so in the log.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        log.warn({ err, path: this.file }, 'recent labs file unreadable: starting an empty list')
      return []
    }
  }
}

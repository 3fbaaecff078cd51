// The user's labs folder (<data dir>/labs/*.yaml): list the labs in it, load one by name or path
// (parsed and validated, errors with line and column), and write one atomically.

import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, extname, join } from 'node:path'
import { AppError } from '../../shared/errors'
import { MAX_LAB_CHARS, parseLab, stringifyLab } from '../../shared/lab/parse'
import type { Lab, LabError, LabKind } from '../../shared/lab/types'

/** The user's labs folder. */
export function userLabsDir(dataDir: string): string {
  return join(dataDir, 'labs')
}

/** One file of the labs folder: its lab's name, kind and title, or why it does not load. */
export interface UserLabEntry {
  /** The lab's name (the file name without extension when the file does not parse). */
  name: string
  kind: LabKind
  title: string
  path: string
  /** The first problem, when the file is not a valid lab. */
  error?: string
}

const isLabFile = (f: string): boolean => /\.ya?ml$/i.test(f)

/** Read a lab file: parsed and validated, or LAB errors with their lines (INVALID_ARGUMENT). */
export async function loadLabFile(path: string): Promise<Lab> {
  let text: string
  try {
    const s = await stat(path)
    if (!s.isFile()) throw new Error('not a regular file')
    if (s.size > MAX_LAB_CHARS)
      throw new Error(`${s.size} bytes; a lab file may have at most ${MAX_LAB_CHARS}`)
    text = await readFile(path, 'utf8')
  } catch (e) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `Cannot read the lab file ${path}: ${(e as Error).message}.`,
      {
        data: { path },
      },
    )
  }
  const r = parseLab(text, path)
  if (r.ok) return r.lab
  throw labErrors(path, r.errors)
}

/** The error of a lab file that does not validate: every problem, the first in the message. */
export function labErrors(path: string, errors: LabError[]): AppError {
  const first = errors[0]
  const where = first ? `${path}:${first.line}:${first.col}: ` : `${path}: `
  return new AppError(
    'INVALID_ARGUMENT',
    `${where}${first?.message ?? 'not a valid lab'}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`,
    {
      detail: errors
        .map((e) => `${path}:${e.line}:${e.col}: ${e.path ? `${e.path}: ` : ''}${e.message}`)
        .join('\n'),
      data: { path, errors },
    },
  )
}

/** Every lab file in the user's labs folder, sorted by name (an absent folder: none). */
export async function listUserLabs(dataDir: string): Promise<UserLabEntry[]> {
  const dir = userLabsDir(dataDir)
  let files: string[]
  try {
    files = (await readdir(dir)).filter(isLabFile)
  } catch {
    return []
  }
  const out: UserLabEntry[] = []
  for (const f of files.sort()) {
    const path = join(dir, f)
    try {
      const lab = await loadLabFile(path)
      out.push({ name: lab.name, kind: lab.kind, title: lab.title ?? lab.name, path })
    } catch (e) {
      const name = basename(f, extname(f))
      out.push({ name, kind: 'lab', title: name, path, error: (e as Error).message })
    }
  }
  return out
}

/**
 * Load a lab by path (has a "/" or ends in .yaml/.yml) or by the name of a lab in the user's
 * labs folder (its file name, or the name inside it).
 */
export async function loadUserLab(
  dataDir: string,
  nameOrPath: string,
): Promise<{ lab: Lab; path: string }> {
  if (/[/\\]/.test(nameOrPath) || isLabFile(nameOrPath))
    return { lab: await loadLabFile(nameOrPath), path: nameOrPath }
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(nameOrPath))
    throw new AppError('INVALID_ARGUMENT', `"${nameOrPath}" is not a lab name.`)
  const labs = await listUserLabs(dataDir)
  const hit =
    labs.find((l) => basename(l.path, extname(l.path)) === nameOrPath) ??
    labs.find((l) => l.name === nameOrPath)
  if (!hit)
    throw new AppError(
      'INVALID_ARGUMENT',
      `There is no lab "${nameOrPath}" in ${userLabsDir(dataDir)}.`,
    )
  return { lab: await loadLabFile(hit.path), path: hit.path }
}

/** Write `lab` to `path` atomically (a temporary file beside it, then a rename). */
export async function writeLabFile(path: string, lab: Lab): Promise<void> {
  const text = stringifyLab(lab)
  const r = parseLab(text, path)
  if (!r.ok) throw labErrors(path, r.errors)
  await mkdir(dirname(path), { recursive: true })
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    await writeFile(tmp, text, { mode: 0o644, flag: 'wx' })
    await rename(tmp, path)
  } catch (e) {
    await rm(tmp, { force: true })
    throw e
  }
}

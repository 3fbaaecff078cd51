// Where saved files go and how they are written: the user picks the path in a save dialog (the
// renderer never names one), and the file is written to a private temp file in the same folder,
// synced, then renamed over the chosen path (readers never see a half-written file).

import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join } from 'node:path'
import type { Writable } from 'node:stream'
import { AppError } from '../../shared/errors'

/** What the save dialog is asked. */
export interface SavePathRequest {
  /** The window that asked (the dialog is attached to it). */
  owner: number
  title: string
  /** A file name suggested in the dialog. */
  defaultName: string
  filters: Array<{ name: string; extensions: string[] }>
}

/**
 * Asks the user where to save (Electron's save dialog in the app). Resolves with an absolute path,
 * or null when the user cancelled.
 */
export type ChooseSavePath = (req: SavePathRequest) => Promise<string | null>

/**
 * Write `dest` atomically, mode 0600: `write` fills a temp file created next to it (exclusively,
 * so nothing already there is followed or reused), which is synced and renamed over `dest`. On any
 * failure the temp file is removed and `dest` is left as it was. Resolves with what `write` did.
 */
export async function saveAtomically<T>(
  dest: string,
  write: (into: Writable) => Promise<T>,
): Promise<T> {
  if (!isAbsolute(dest))
    throw new AppError('INVALID_ARGUMENT', 'The save path must be absolute.', { detail: dest })
  const tmp = join(dirname(dest), `.${basename(dest)}.${randomBytes(6).toString('hex')}.part`)
  const into = createWriteStream(tmp, { flags: 'wx', mode: 0o600 })
  const opened = new Promise<void>((resolve, reject) => {
    into.once('open', () => resolve())
    into.once('error', reject)
  })
  try {
    await opened
  } catch (e) {
    throw new AppError('PERMISSION_DENIED', `Cannot write in ${dirname(dest)}.`, {
      detail: e instanceof Error ? e.message : String(e),
    })
  }
  try {
    const result = await write(into)
    await sync(tmp)
    await rename(tmp, dest)
    return result
  } catch (e) {
    into.destroy()
    await unlink(tmp).catch(() => undefined) // already gone or never written: nothing to undo
    throw e
  }
}

/** fsync the file's data (any descriptor of the file will do). */
async function sync(path: string): Promise<void> {
  const fh = await open(path, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

// Write a file the way the app saves: a temp file next to it, then renamed over it, so a reader
// never sees half a lab and a failed write leaves the old file as it was.

import { randomBytes } from 'node:crypto'
import { rename, unlink, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** Write `text` to `path` atomically (mode 0644 for a new file). */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.part`)
  try {
    await writeFile(tmp, text, { flag: 'wx', mode: 0o644 })
    await rename(tmp, path)
  } catch (e) {
    await unlink(tmp).catch(() => undefined) // never written, or already renamed
    throw e
  }
}

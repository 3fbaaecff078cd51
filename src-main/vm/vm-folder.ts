// The VM's folder in the app's data folder (one per VM): a copy of the app's Vagrantfile that the
// user may edit. Unedited copies follow app updates; edited ones are kept until the user resets.

import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../shared/errors'

const MARK = '.netns-studio-template'

const sha = (text: string): string => createHash('sha256').update(text).digest('hex')

/** A VM name: also its folder name and host-key id, so kept plain. */
export function checkVmName(name: string): void {
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(name))
    throw new AppError(
      'INVALID_ARGUMENT',
      'A VM name is lower-case letters, digits and dashes (max 31).',
    )
}

/** The folder of VM `name` under `dataDir`. */
export function vmFolder(dataDir: string, name: string): string {
  checkVmName(name)
  return join(dataDir, 'vms', name)
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, text)
  renameSync(tmp, path)
}

/**
 * Make sure the folder holds a Vagrantfile: copy the template when there is none, or when the copy
 * is unedited and the template changed (an app update). Returns what it did.
 */
export function ensureVagrantfile(
  folder: string,
  templatePath: string,
): 'created' | 'updated' | 'kept' {
  let template: string
  try {
    template = readFileSync(templatePath, 'utf8')
  } catch (e) {
    throw new AppError('INTERNAL', `The app's Vagrantfile is missing (${templatePath}).`, {
      cause: e,
    })
  }
  mkdirSync(folder, { recursive: true })
  const file = join(folder, 'Vagrantfile')
  const mark = join(folder, MARK)
  if (!existsSync(file)) {
    writeAtomic(file, template)
    writeAtomic(mark, `${sha(template)}\n`)
    return 'created'
  }
  const current = readFileSync(file, 'utf8')
  const copied = existsSync(mark) ? readFileSync(mark, 'utf8').trim() : ''
  if (sha(current) === copied && copied !== sha(template)) {
    writeAtomic(file, template)
    writeAtomic(mark, `${sha(template)}\n`)
    return 'updated'
  }
  return 'kept'
}

/** Put the template back, dropping the user's edits. */
export function resetVagrantfile(folder: string, templatePath: string): void {
  const template = readFileSync(templatePath, 'utf8')
  mkdirSync(folder, { recursive: true })
  writeAtomic(join(folder, 'Vagrantfile'), template)
  writeAtomic(join(folder, MARK), `${sha(template)}\n`)
}

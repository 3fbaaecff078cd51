// The labs' settings (what to do after a target rebooted), kept as JSON in the data folder.
// A missing or malformed file gives the defaults; writes are atomic.

import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { LabSettings } from '../../shared/ipc/domains/lab'
import { logger } from '../log'
import { writeJsonAtomically } from './json-file'

const log = logger('lab-settings')

export const DEFAULT_LAB_SETTINGS: Readonly<LabSettings> = Object.freeze({
  reapplyAfterReboot: 'ask',
})

/** The settings file's name in the data folder. */
export const LAB_SETTINGS_FILE = 'lab-settings.json'

/** Settings from untrusted JSON: each field checked, the default for the rest. */
export function parseLabSettings(v: unknown): LabSettings {
  const r = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {}
  return { reapplyAfterReboot: r.reapplyAfterReboot === 'always' ? 'always' : 'ask' }
}

export class LabSettingsStore {
  constructor(private readonly dataDir: string) {}

  private get file(): string {
    return join(this.dataDir, LAB_SETTINGS_FILE)
  }

  async get(): Promise<LabSettings> {
    try {
      return parseLabSettings(JSON.parse(await readFile(this.file, 'utf8')))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        log.warn({ err, path: this.file }, 'lab settings unreadable: using the defaults')
      return { ...DEFAULT_LAB_SETTINGS }
    }
  }

  /** Save `s` (checked again: only known fields are written) and return what was saved. */
  async set(s: LabSettings): Promise<LabSettings> {
    const clean = parseLabSettings(s)
    await writeJsonAtomically(this.file, clean)
    return clean
  }
}

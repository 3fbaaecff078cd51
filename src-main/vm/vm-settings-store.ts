// The user's VM settings, kept in `vm-settings.json` in the app's data folder; a file that cannot
// be read or is malformed gives the defaults. Writes are atomic (unique temp file + rename).

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { randomBytes } from 'node:crypto'
import { parseVmSettings, type VmSettings } from '../../shared/vm/settings'
import { logger } from '../log'

const log = logger('vm')

export class VmSettingsStore {
  private current: VmSettings

  constructor(private readonly path: string) {
    let raw: unknown = null
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'))
    } catch (err) {
      // No file yet: the defaults. Unreadable or malformed: the defaults too (the user can save
      // new settings), and a line saying so.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        log.warn({ err, path }, 'VM settings file unreadable: using the defaults')
    }
    this.current = parseVmSettings(raw)
  }

  get(): VmSettings {
    return { ...this.current }
  }

  /** Save settings that passed `checkVmSettings`. */
  set(s: VmSettings): VmSettings {
    this.current = parseVmSettings(s)
    mkdirSync(dirname(this.path), { recursive: true })
    const tmp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`
    writeFileSync(tmp, `${JSON.stringify(this.current, null, 2)}\n`, { mode: 0o600 })
    renameSync(tmp, this.path)
    return this.get()
  }

  /** The environment the app's Vagrantfile reads these settings from. */
  env(): Record<string, string> {
    const s = this.current
    return {
      ...(s.provider ? { NETNS_STUDIO_PROVIDER: s.provider } : {}),
      ...(s.box ? { NETNS_STUDIO_BOX: s.box } : {}),
      NETNS_STUDIO_MEMORY: String(s.memoryMiB),
      NETNS_STUDIO_CPUS: String(s.cpus),
    }
  }
}

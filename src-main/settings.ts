// App settings kept in a small JSON file under userData: window bounds and whether quitting halts
// the VM. Unknown or malformed content falls back to defaults; writes are atomic.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { logger } from './log'

const log = logger('settings')

/** A window's position and size, in screen pixels. */
export interface WindowBounds {
  x: number
  y: number
  width: number
  height: number
  maximized?: boolean
}

export interface Settings {
  /** Last main-window bounds, restored on the next start. */
  windowBounds: WindowBounds | null
  /** Halt the Vagrant VM when the app quits (default false: leave it running). */
  haltVmOnQuit: boolean
}

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  windowBounds: null,
  haltVmOnQuit: false,
})

/** Smallest window the layout works in; saved bounds below this are ignored. */
export const MIN_WINDOW = { width: 800, height: 500 } as const

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 100_000
}

/** Bounds from untrusted JSON, or null when they are not usable. */
export function parseBounds(v: unknown): WindowBounds | null {
  if (typeof v !== 'object' || v === null) return null
  const b = v as Record<string, unknown>
  if (!isInt(b.x) || !isInt(b.y) || !isInt(b.width) || !isInt(b.height)) return null
  if (b.width < MIN_WINDOW.width || b.height < MIN_WINDOW.height) return null
  const out: WindowBounds = { x: b.x, y: b.y, width: b.width, height: b.height }
  if (b.maximized === true) out.maximized = true
  return out
}

/** Settings from untrusted JSON: every field checked, defaults for the rest. */
export function parseSettings(v: unknown): Settings {
  const s = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {}
  return {
    windowBounds: parseBounds(s.windowBounds),
    haltVmOnQuit: s.haltVmOnQuit === true,
  }
}

/** The settings file: read once, updated in memory, saved on change. */
export class SettingsStore {
  private current: Settings

  constructor(private readonly path: string) {
    this.current = SettingsStore.read(path)
  }

  private static read(path: string): Settings {
    try {
      return parseSettings(JSON.parse(readFileSync(path, 'utf8')))
    } catch (err) {
      // No file yet is the first start; anything else loses the user's settings: say so.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        log.warn({ err, path }, 'settings file unreadable: using the defaults')
      return { ...DEFAULT_SETTINGS }
    }
  }

  /** A copy of the current settings. */
  get(): Settings {
    return { ...this.current }
  }

  /** Merge a change and write the file (temp file + rename, so a crash never leaves half a file). */
  update(patch: Partial<Settings>): Settings {
    this.current = parseSettings({ ...this.current, ...patch })
    mkdirSync(dirname(this.path), { recursive: true })
    const tmp = `${this.path}.${process.pid}.tmp`
    writeFileSync(tmp, `${JSON.stringify(this.current, null, 2)}\n`, { mode: 0o600 })
    renameSync(tmp, this.path)
    return this.get()
  }
}

/**
 * Saved bounds that still fit on one of the displays (a monitor may have been unplugged), or null.
 * At least 100×50 px of the window's top must lie inside a display's work area.
 */
export function visibleBounds(
  saved: WindowBounds | null,
  workAreas: ReadonlyArray<{ x: number; y: number; width: number; height: number }>,
): WindowBounds | null {
  if (!saved) return null
  const fits = workAreas.some((a) => {
    const w = Math.min(saved.x + saved.width, a.x + a.width) - Math.max(saved.x, a.x)
    const h = Math.min(saved.y + 50, a.y + a.height) - Math.max(saved.y, a.y)
    return w >= 100 && h >= 50
  })
  return fits ? saved : null
}

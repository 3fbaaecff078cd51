// Settings file: defaults, round trip through the real file, hostile content, off-screen bounds.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  DEFAULT_SETTINGS,
  SettingsStore,
  parseSettings,
  visibleBounds,
} from '../../../src-main/settings'

const dirs: string[] = []
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'nss-settings-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('SettingsStore', () => {
  it('starts from defaults (VM left running on quit) when there is no file', () => {
    const s = new SettingsStore(join(tmp(), 'settings.json'))
    expect(s.get()).toEqual(DEFAULT_SETTINGS)
    expect(s.get().haltVmOnQuit).toBe(false)
  })

  it('writes changes to the file and reads them back in a new store', () => {
    const path = join(tmp(), 'sub', 'settings.json')
    const a = new SettingsStore(path)
    a.update({ haltVmOnQuit: true, windowBounds: { x: 10, y: 20, width: 1200, height: 800 } })
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ haltVmOnQuit: true })
    const b = new SettingsStore(path)
    expect(b.get()).toEqual({
      haltVmOnQuit: true,
      windowBounds: { x: 10, y: 20, width: 1200, height: 800 },
    })
  })

  it('ignores a corrupt file and malformed fields', () => {
    const path = join(tmp(), 'settings.json')
    writeFileSync(path, '{not json')
    expect(new SettingsStore(path).get()).toEqual(DEFAULT_SETTINGS)
    expect(
      parseSettings({ haltVmOnQuit: 'yes', windowBounds: { x: 0, y: 0, width: 10, height: 10 } }),
    ).toEqual(DEFAULT_SETTINGS)
    expect(
      parseSettings({ windowBounds: { x: 0.5, y: 0, width: 900, height: 600 } }).windowBounds,
    ).toBeNull()
  })
})

describe('visibleBounds', () => {
  const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }]
  it('keeps bounds on a display and drops bounds of an unplugged monitor', () => {
    const on = { x: 100, y: 100, width: 1000, height: 700 }
    expect(visibleBounds(on, screen)).toEqual(on)
    expect(visibleBounds({ x: 2500, y: 100, width: 1000, height: 700 }, screen)).toBeNull()
    expect(visibleBounds({ x: 100, y: -600, width: 1000, height: 700 }, screen)).toBeNull()
    expect(visibleBounds(null, screen)).toBeNull()
  })
})

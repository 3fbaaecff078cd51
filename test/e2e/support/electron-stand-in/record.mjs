// Part of the electron STAND-IN (see electron.mjs): what it records, how it reports a broken
// rule, and what the installed Electron declares (electron.d.ts), so the rules follow its version.

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import process from 'node:process'

/** The bundle being run (the child's main script). */
export const mainScript = resolve(process.argv[1] ?? '.')

// ---------------------------------------------------------------------------------------------
// Records

/** Everything the test may ask for. */
export const record = {
  standIn: 'electron stand-in (not Electron)',
  /** Ordered API calls and lifecycle events: `ready`, `protocol.handle app`, ... */
  calls: /** @type {string[]} */ ([]),
  violations: /** @type {string[]} */ ([]),
  schemes: /** @type {unknown[]} */ ([]),
  protocolHandlers: /** @type {string[]} */ ([]),
  ipcChannels: /** @type {string[]} */ ([]),
  windows: /** @type {Array<Record<string, unknown>>} */ ([]),
  menu: /** @type {unknown} */ (null),
  aboutPanel: /** @type {unknown} */ (null),
  quit: /** @type {string[]} */ ([]),
  openedExternally: /** @type {string[]} */ ([]),
}

/** @param {string} what */
export function call(what) {
  record.calls.push(what)
}

/** Record a broken rule; returns an Error to throw where Electron throws. @param {string} msg */
export function violation(msg) {
  record.violations.push(msg)
  return new Error(`[electron stand-in] ${msg}`)
}

// ---------------------------------------------------------------------------------------------
// What the installed Electron declares (electron.d.ts), so the rules follow the installed version.

const electronTypes = (() => {
  try {
    const req = createRequire(mainScript)
    return readFileSync(
      join(dirname(req.resolve('electron/package.json')), 'electron.d.ts'),
      'utf8',
    )
  } catch {
    return ''
  }
})()

/** @param {RegExp} re */
function declaredUnion(re) {
  const m = re.exec(electronTypes)
  if (!m?.[1]) return null
  return new Set([...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]))
}
export const MENU_ROLES = declaredUnion(
  /interface MenuItemConstructorOptions \{[\s\S]*?role\?: \(([^)]*)\)/,
)
export const MENU_TYPES = declaredUnion(
  /interface MenuItemConstructorOptions \{[\s\S]*?type\?: \(([^)]*)\)/,
)
export const PATH_NAMES = declaredUnion(/getPath\(name: ([^)]*)\): string;/)

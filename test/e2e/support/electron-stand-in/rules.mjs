// Part of the electron STAND-IN (see electron.mjs): Electron's documented rules for a window's
// webPreferences, its sandboxed preload (CommonJS, the sandbox's require) and menu templates.

import console from 'node:console'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, extname, isAbsolute, join } from 'node:path'
import { clearTimeout, setTimeout } from 'node:timers'
import vm from 'node:vm'
import { MENU_ROLES, MENU_TYPES, violation } from './record.mjs'

/* global queueMicrotask */

const SANDBOX_MODULES = new Set(['events', 'timers', 'url'])
const SANDBOX_ELECTRON = [
  'contextBridge',
  'crashReporter',
  'ipcRenderer',
  'nativeImage',
  'webFrame',
  'webUtils',
]

/**
 * Check the preload the way a sandboxed renderer loads it: an absolute path to an existing file,
 * CommonJS by Node's rules (.cjs, or .js under a package without "type": "module"), compiled as
 * a CommonJS function, run with the sandbox's require.
 * @param {unknown} preload
 */
export function checkPreload(preload) {
  const out = { path: preload, format: 'unknown', required: [], exposed: {} }
  if (typeof preload !== 'string' || !isAbsolute(preload)) {
    violation(`webPreferences.preload must be an absolute path, got ${JSON.stringify(preload)}`)
    return out
  }
  if (!existsSync(preload) || !statSync(preload).isFile()) {
    violation(`preload file does not exist: ${preload}`)
    return out
  }
  const ext = extname(preload)
  let format = ext === '.cjs' ? 'commonjs' : ext === '.mjs' ? 'module' : nearestType(preload)
  out.format = format
  if (format !== 'commonjs')
    violation(`preload ${preload} is an ES module: sandboxed preloads must be CommonJS`)
  const src = readFileSync(preload, 'utf8')
  let fn
  try {
    fn = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${src}\n})`, {
      filename: preload,
    })
  } catch (err) {
    violation(`preload does not compile as CommonJS: ${String(err)}`)
    return out
  }
  /** @type {Record<string, string[]>} */
  const exposed = {}
  const renderer = {
    contextBridge: {
      /** @param {string} key @param {Record<string, unknown>} api */
      exposeInMainWorld(key, api) {
        exposed[key] = Object.entries(api).map(([k, v]) => `${k}:${typeof v}`)
      },
    },
    ipcRenderer: {
      invoke: () => Promise.resolve(undefined),
      on() {},
      removeListener() {},
      send() {},
    },
  }
  /** @param {string} id */
  const sandboxRequire = (id) => {
    out.required.push(id)
    if (id === 'electron' || id === 'electron/renderer') {
      return Object.fromEntries(SANDBOX_ELECTRON.map((k) => [k, renderer[k] ?? {}]))
    }
    const bare = id.startsWith('node:') ? id.slice(5) : id
    if (SANDBOX_MODULES.has(bare)) return createRequire(preload)(bare)
    throw violation(`sandboxed preload requires "${id}", which the sandbox does not provide`)
  }
  const module = { exports: {} }
  try {
    const context = vm.createContext({ console, setTimeout, clearTimeout, queueMicrotask })
    fn.runInContext(context)(module.exports, sandboxRequire, module, preload, dirname(preload))
  } catch (err) {
    violation(`preload threw while loading: ${String(err)}`)
  }
  out.exposed = exposed
  return out
}

/** "module" or "commonjs" for a .js file, by the nearest package.json. @param {string} file */
function nearestType(file) {
  let dir = dirname(file)
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg)) {
      try {
        return JSON.parse(readFileSync(pkg, 'utf8')).type === 'module' ? 'module' : 'commonjs'
      } catch {
        return 'commonjs'
      }
    }
    if (dirname(dir) === dir) return 'commonjs'
    dir = dirname(dir)
  }
}

/** Electron's security checklist for webPreferences. @param {Record<string, unknown>} wp */
export function checkWebPreferences(wp) {
  if (wp.contextIsolation !== true) violation('webPreferences.contextIsolation must be true')
  if (wp.sandbox !== true) violation('webPreferences.sandbox must be true')
  if (wp.nodeIntegration !== false) violation('webPreferences.nodeIntegration must be false')
  if (wp.nodeIntegrationInWorker === true) violation('nodeIntegrationInWorker must not be true')
  if (wp.nodeIntegrationInSubFrames === true)
    violation('nodeIntegrationInSubFrames must not be true')
  if (wp.webviewTag !== false) violation('webPreferences.webviewTag must be false')
  if (wp.webSecurity === false) violation('webPreferences.webSecurity must not be false')
  if (wp.allowRunningInsecureContent === true)
    violation('allowRunningInsecureContent must not be true')
  if (wp.experimentalFeatures === true) violation('experimentalFeatures must not be true')
  if (wp.enableBlinkFeatures) violation('enableBlinkFeatures must not be set')
}

/** The template as data, each item checked against the declared roles and types. @param {any[]} items */
export function checkMenu(items) {
  if (!Array.isArray(items)) throw violation('Menu.buildFromTemplate needs an array')
  return items.map((i) => {
    if (i.role !== undefined && MENU_ROLES && !MENU_ROLES.has(i.role))
      violation(`menu role "${i.role}" is not one Electron declares`)
    if (i.type !== undefined && MENU_TYPES && !MENU_TYPES.has(i.type))
      violation(`menu item type "${i.type}" is not one Electron declares`)
    if (!i.role && !i.label && i.type !== 'separator') violation('menu item without role or label')
    if (i.click !== undefined && typeof i.click !== 'function')
      violation('menu click must be a function')
    /** @type {Record<string, unknown>} */
    const out = {}
    for (const k of ['label', 'role', 'type', 'accelerator']) if (i[k] !== undefined) out[k] = i[k]
    if (i.click) out.click = true
    if (i.submenu !== undefined) out.submenu = checkMenu(i.submenu)
    return out
  })
}

// STAND-IN for the `electron` module, for tests only: the Electron binary cannot run on the test
// machines (it is not installed and cannot be downloaded), so test/e2e/main-bundle.test.ts runs
// the BUILT main bundle (out/main/index.js) under plain Node with this module in Electron's place
// (hooks.mjs maps the bare specifier 'electron' here). It is not Electron: it records what the
// bundle does and enforces Electron's documented rules, throwing where Electron throws and
// listing every broken rule in `violations`:
// - protocol.registerSchemesAsPrivileged only before `ready`, and once (a second call replaces
//   the first); protocol.handle, BrowserWindow, screen and session only after `ready`;
// - one ipcMain.handle per channel;
// - secure BrowserWindow options (contextIsolation, sandbox, no Node, no webview, webSecurity on);
// - the preload is an absolute path to an existing CommonJS file (sandboxed preloads cannot be
//   ES modules) that runs with the sandbox's require (electron, events, timers, url only);
// - menu roles and app.getPath names are the ones the installed electron.d.ts declares.
// The test drives it over the child's IPC channel: report, fetch (through the bundle's protocol
// handler), invoke (an ipcMain handler as a given frame) and quit (Electron's quit sequence).
// record.mjs holds what is recorded, rules.mjs the window, preload and menu checks.

import { Buffer } from 'node:buffer'
import { EventEmitter } from 'node:events'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import process from 'node:process'
import { setImmediate } from 'node:timers'
import { URL } from 'node:url'
import { call, mainScript, PATH_NAMES, record, violation } from './record.mjs'
import { checkMenu, checkPreload, checkWebPreferences } from './rules.mjs'

/* global Request, Response */

const home = process.env.NSS_STAND_IN_HOME ?? join(dirname(mainScript), '.stand-in-home')
const packaged = process.env.NSS_STAND_IN_PACKAGED === '1'

// ---------------------------------------------------------------------------------------------
// app

let ready = false
/** @type {Array<() => void>} */
const readyWaiters = []

class App extends EventEmitter {
  get isPackaged() {
    return packaged
  }
  isReady() {
    return ready
  }
  whenReady() {
    call('app.whenReady')
    return ready ? Promise.resolve() : new Promise((ok) => readyWaiters.push(() => ok(undefined)))
  }
  requestSingleInstanceLock() {
    call('app.requestSingleInstanceLock')
    return true
  }
  /** @param {string} name */
  getPath(name) {
    if (PATH_NAMES && !PATH_NAMES.has(name)) throw violation(`app.getPath: unknown name "${name}"`)
    const p = join(home, name)
    mkdirSync(p, { recursive: true })
    return p
  }
  getAppPath() {
    return appDir
  }
  getVersion() {
    return appPackage.version ?? '0.0.0'
  }
  getName() {
    return appPackage.productName ?? appPackage.name ?? 'Electron'
  }
  getLocale() {
    return 'en-US'
  }
  /** @param {unknown} options */
  setAboutPanelOptions(options) {
    call('app.setAboutPanelOptions')
    record.aboutPanel = options
  }
  showAboutPanel() {
    call('app.showAboutPanel')
  }
  focus() {}
  quit() {
    call('app.quit')
    runQuit()
  }
  /** @param {number} [code] */
  exit(code = 0) {
    call(`app.exit ${code}`)
    terminate(code)
  }
}

/** The app's package.json (Electron reads name and version from it). */
const appDir = (() => {
  let dir = dirname(mainScript)
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  return dir
})()
const appPackage = (() => {
  try {
    return JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8'))
  } catch {
    return {}
  }
})()

export const app = new App()

// Electron is ready once the main script has run: the whole module graph evaluates before this.
setImmediate(() => {
  app.emit('will-finish-launching')
  ready = true
  call('ready')
  app.emit('ready', {}, {})
  for (const fn of readyWaiters.splice(0)) fn()
})

// Electron's quit sequence (docs of app.quit and its events): before-quit (preventable), close
// every window, will-quit (preventable), quit, then the process ends. window-all-closed is not
// emitted when the app quits.
let quitting = false
let terminated = false
function preventable() {
  const e = { defaultPrevented: false, preventDefault: () => (e.defaultPrevented = true) }
  return e
}
function runQuit() {
  if (quitting || terminated) return
  quitting = true
  const before = preventable()
  app.emit('before-quit', before)
  record.quit.push(before.defaultPrevented ? 'before-quit prevented' : 'before-quit')
  if (before.defaultPrevented) {
    quitting = false
    return
  }
  for (const w of [...liveWindows]) w.close()
  if (liveWindows.size > 0) {
    record.quit.push('a window refused to close')
    quitting = false
    return
  }
  const will = preventable()
  app.emit('will-quit', will)
  record.quit.push(will.defaultPrevented ? 'will-quit prevented' : 'will-quit')
  if (will.defaultPrevented) {
    quitting = false
    return
  }
  app.emit('quit', preventable(), 0)
  record.quit.push('quit')
  terminate(0)
}

/**
 * The app ends. Unlike Electron, the stand-in does not kill the process: it sends its last report
 * and closes its IPC channel, so the process exits only when the bundle left nothing running
 * (timers, sockets, child processes).
 * @param {number} code
 */
function terminate(code) {
  if (terminated) return
  terminated = true
  process.exitCode = code
  send({ type: 'terminated', code, record })
  if (process.connected) process.disconnect()
}

// ---------------------------------------------------------------------------------------------
// protocol and session

/** @type {unknown[] | null} */
let privileged = null
/** @type {Map<string, (req: Request) => unknown>} */
const handlers = new Map()
const SCHEME_RE = /^[a-z][a-z0-9+.-]*$/
const PRIVILEGES = new Set([
  'standard',
  'secure',
  'bypassCSP',
  'allowServiceWorkers',
  'supportFetchAPI',
  'corsEnabled',
  'stream',
  'codeCache',
  'allowExtensions',
])

export const protocol = {
  /** @param {Array<{scheme: string, privileges?: Record<string, unknown>}>} schemes */
  registerSchemesAsPrivileged(schemes) {
    call('protocol.registerSchemesAsPrivileged')
    if (ready)
      throw violation('protocol.registerSchemesAsPrivileged must be called before app is ready')
    if (privileged !== null)
      violation(
        'protocol.registerSchemesAsPrivileged called twice: the second call replaces the first',
      )
    if (!Array.isArray(schemes)) throw violation('registerSchemesAsPrivileged needs an array')
    for (const s of schemes) {
      if (typeof s?.scheme !== 'string' || !SCHEME_RE.test(s.scheme))
        violation(`invalid scheme name ${JSON.stringify(s?.scheme)}`)
      for (const k of Object.keys(s?.privileges ?? {}))
        if (!PRIVILEGES.has(k)) violation(`unknown privilege "${k}" for ${s.scheme}`)
      if (s?.privileges?.codeCache && !s.privileges.standard)
        violation(`codeCache needs standard: true (${s.scheme})`)
    }
    privileged = schemes
    record.schemes = JSON.parse(JSON.stringify(schemes))
  },
  /** @param {string} scheme @param {(req: Request) => unknown} handler */
  handle(scheme, handler) {
    call(`protocol.handle ${scheme}`)
    if (!ready) throw violation(`protocol.handle("${scheme}") before app is ready`)
    if (typeof handler !== 'function') throw violation('protocol.handle needs a function')
    if (handlers.has(scheme)) throw violation(`protocol.handle: "${scheme}" is already handled`)
    handlers.set(scheme, handler)
    record.protocolHandlers.push(scheme)
  },
  /** @param {string} scheme */
  unhandle(scheme) {
    call(`protocol.unhandle ${scheme}`)
    handlers.delete(scheme)
  },
  /** @param {string} scheme */
  isProtocolHandled(scheme) {
    return Promise.resolve(handlers.has(scheme))
  },
}

/**
 * A request through the bundle's protocol handler, as Chromium would make it.
 * @param {string} url @param {string} [method]
 */
async function fetchViaHandler(url, method = 'GET') {
  const scheme = new URL(url).protocol.slice(0, -1)
  const handler = handlers.get(scheme)
  if (!handler) return { error: `no protocol handler for ${scheme}:` }
  const res = /** @type {Response} */ (await handler(new Request(url, { method })))
  if (!(res instanceof Response)) return { error: 'the protocol handler did not return a Response' }
  /** @type {Record<string, string>} */
  const headers = {}
  res.headers.forEach((v, k) => (headers[k] = v))
  const body = Buffer.from(await res.arrayBuffer()).toString('base64')
  return { status: res.status, headers, body }
}

const defaultSession = {
  protocol,
  webRequest: {
    /** @param {unknown} fn */
    onHeadersReceived(fn) {
      call('session.webRequest.onHeadersReceived')
      if (typeof fn !== 'function') violation('onHeadersReceived needs a function')
    },
  },
  /** @param {(wc: unknown, p: string, cb: (ok: boolean) => void) => void} fn */
  setPermissionRequestHandler(fn) {
    call('session.setPermissionRequestHandler')
    record.permissionRequestAnswer = probePermission(fn)
  },
  /** @param {(...a: unknown[]) => boolean} fn */
  setPermissionCheckHandler(fn) {
    call('session.setPermissionCheckHandler')
    record.permissionCheckAnswer = fn(null, 'media', 'app://netns-studio', {})
  },
}

/** What a permission request for the camera gets. @param {Function} fn */
function probePermission(fn) {
  let answer = 'no answer'
  fn({}, 'media', (/** @type {boolean} */ ok) => (answer = ok ? 'granted' : 'denied'), {})
  return answer
}

export const session = {
  get defaultSession() {
    if (!ready) throw violation('session.defaultSession used before app is ready')
    return defaultSession
  },
}

// ---------------------------------------------------------------------------------------------
// ipcMain

/** @type {Map<string, Function>} */
const invokeHandlers = new Map()

class IpcMain extends EventEmitter {
  /** @param {string} channel @param {Function} fn */
  handle(channel, fn) {
    if (invokeHandlers.has(channel))
      throw violation(`Attempted to register a second handler for '${channel}'`)
    if (typeof fn !== 'function') throw violation(`ipcMain.handle('${channel}') needs a function`)
    invokeHandlers.set(channel, fn)
    record.ipcChannels.push(channel)
  }
  /** @param {string} channel */
  removeHandler(channel) {
    invokeHandlers.delete(channel)
    record.ipcChannels = record.ipcChannels.filter((c) => c !== channel)
  }
}
export const ipcMain = new IpcMain()

// ---------------------------------------------------------------------------------------------
// BrowserWindow, webContents, screen, shell

let nextId = 1
/** @type {Set<BrowserWindow>} */
const liveWindows = new Set()

class WebContents extends EventEmitter {
  /** @param {BrowserWindow} win */
  constructor(win) {
    super()
    this.id = nextId++
    this.win = win
    this.url = ''
  }
  /** @param {unknown} fn */
  setWindowOpenHandler(fn) {
    this.win.info.windowOpenHandler = typeof fn === 'function'
  }
  isDestroyed() {
    return this.win.destroyed
  }
  isCrashed() {
    return false
  }
  getURL() {
    return this.url
  }
  /** @param {string} channel */
  send(channel) {
    call(`webContents.send ${channel}`)
  }
  openDevTools() {
    if (this.win.info.options?.webPreferences?.devTools === false)
      violation('openDevTools on a window with devTools: false')
  }
}

export class BrowserWindow extends EventEmitter {
  /** @param {Record<string, any>} [options] */
  constructor(options = {}) {
    super()
    call('new BrowserWindow')
    if (!ready) throw violation('Cannot create BrowserWindow before app is ready')
    const wp = options.webPreferences ?? {}
    checkWebPreferences(wp)
    this.destroyed = false
    this.info = {
      options: JSON.parse(JSON.stringify(options)),
      preload: null,
      loads: [],
      shown: false,
      windowOpenHandler: false,
    }
    this.webContents = new WebContents(this)
    this.info.id = this.webContents.id
    record.windows.push(this.info)
    liveWindows.add(this)
  }
  static getAllWindows() {
    return [...liveWindows]
  }
  /** @param {string} url */
  async loadURL(url) {
    call(`loadURL ${url}`)
    const load = { url, status: 0, contentType: '' }
    this.info.loads.push(load)
    this.webContents.url = url
    this.webContents.emit('did-start-navigation', {
      url,
      isMainFrame: true,
      isSameDocument: false,
    })
    const scheme = new URL(url).protocol.slice(0, -1)
    if (handlers.has(scheme)) {
      const res = await fetchViaHandler(url)
      load.status = res.status ?? 0
      load.contentType = res.headers?.['content-type'] ?? ''
    }
    // The page loads with the preload (which runs in every page of a sandboxed window).
    this.info.preload = checkPreload(this.info.options.webPreferences?.preload)
    this.webContents.emit('did-finish-load')
    this.emit('ready-to-show')
  }
  /** @param {string} path */
  async loadFile(path) {
    call(`loadFile ${path}`)
    this.info.loads.push({ url: `file://${path}`, status: 0, contentType: '' })
  }
  show() {
    this.info.shown = true
  }
  focus() {}
  restore() {}
  maximize() {}
  isMinimized() {
    return false
  }
  isMaximized() {
    return false
  }
  isDestroyed() {
    return this.destroyed
  }
  getNormalBounds() {
    const o = this.info.options
    return { x: o.x ?? 0, y: o.y ?? 0, width: o.width ?? 800, height: o.height ?? 600 }
  }
  close() {
    if (this.destroyed) return
    const e = preventable()
    this.emit('close', e)
    if (!e.defaultPrevented) this.destroy()
  }
  destroy() {
    if (this.destroyed) return
    this.destroyed = true
    liveWindows.delete(this)
    this.emit('closed')
    this.webContents.emit('destroyed')
  }
}

export const screen = {
  getAllDisplays() {
    if (!ready) throw violation('screen used before app is ready')
    return [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 } }]
  },
  getPrimaryDisplay() {
    return screen.getAllDisplays()[0]
  },
}

export const shell = {
  /** @param {string} url */
  openExternal(url) {
    record.openedExternally.push(url)
    return Promise.resolve()
  },
  /** @param {string} path */
  openPath(path) {
    call(`shell.openPath ${path}`)
    return Promise.resolve('')
  },
}

export const dialog = {
  /**
   * The native save dialog cannot be driven here: it answers "cancelled", after checking it was
   * asked as Electron needs (after ready, with the asking window as its parent).
   * @param {unknown} win
   * @param {unknown} _opts
   */
  showSaveDialog(win, _opts) {
    if (!ready) throw violation('dialog.showSaveDialog used before app is ready')
    if (!(win instanceof BrowserWindow)) throw violation('showSaveDialog needs its parent window')
    call('dialog.showSaveDialog')
    return Promise.resolve({ canceled: true, filePath: '' })
  },
}

// ---------------------------------------------------------------------------------------------
// Menu

export class Menu {
  /** @param {unknown[]} items */
  constructor(items) {
    this.items = items
  }
  /** @param {any[]} template */
  static buildFromTemplate(template) {
    call('Menu.buildFromTemplate')
    return new Menu(checkMenu(template))
  }
  /** @param {Menu | null} menu */
  static setApplicationMenu(menu) {
    call('Menu.setApplicationMenu')
    if (menu !== null && !(menu instanceof Menu))
      violation('setApplicationMenu needs a Menu or null')
    record.menu = menu?.items ?? null
  }
}

// ---------------------------------------------------------------------------------------------
// The test's side: commands over the child's IPC channel.

/** @param {unknown} msg */
function send(msg) {
  if (process.send && process.connected) process.send(msg)
}

/**
 * Call an ipcMain handler as a frame at `frameUrl` of window `senderId` (main frame unless
 * `subFrame`), like a renderer's ipcRenderer.invoke.
 * @param {{channel: string, args?: unknown[], frameUrl: string, senderId: number, subFrame?: boolean}} c
 */
async function invoke(c) {
  const fn = invokeHandlers.get(c.channel)
  if (!fn) return { error: `No handler registered for '${c.channel}'` }
  const win = [...liveWindows].find((w) => w.webContents.id === c.senderId)
  const top = { url: c.frameUrl, parent: null }
  const event = {
    type: 'frame',
    processId: 1,
    frameId: 1,
    sender: win?.webContents ?? { id: c.senderId },
    senderFrame: c.subFrame ? { url: c.frameUrl, parent: top } : top,
  }
  return { value: await fn(event, ...(c.args ?? [])) }
}

// The test went away without quitting the app: end, rather than linger.
process.on('disconnect', () => {
  if (!terminated) process.exit(2)
})

process.on('message', (/** @type {any} */ m) => {
  void (async () => {
    /** @type {unknown} */
    let value
    try {
      if (m.cmd === 'report') value = record
      else if (m.cmd === 'fetch') value = await fetchViaHandler(m.url, m.method)
      else if (m.cmd === 'invoke') value = await invoke(m)
      else if (m.cmd === 'quit') {
        app.quit()
        value = { quitting: true }
      } else value = { error: `unknown command ${String(m.cmd)}` }
      send({ type: 'reply', id: m.id, value })
    } catch (err) {
      send({ type: 'reply', id: m.id, value: { error: String(err) } })
    }
  })()
})

// Not stubs of every Electron API: an import the bundle needs and this lacks fails at link time
// with "does not provide an export named ...", which names what to add here.
export default { app, protocol, session, ipcMain, BrowserWindow, screen, shell, dialog, Menu }

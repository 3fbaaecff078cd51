// Electron entry point: the app scheme (registered before ready, served after it), single-instance
// lock, the logs (a rotating file in `<userData>/logs`), session guards, the application menu, the
// composition root (services), the IPC glue and the main window. Quit stops every stream and
// closes SSH; the VM is halted on quit only when the user's setting says so.

import { app, dialog, ipcMain, Menu, protocol, session, shell, type BrowserWindow } from 'electron'
import { join } from 'node:path'
import type { AppInfo } from '../shared/ipc/domains/app'
import { aboutPanelOptions, menuTemplate } from './app/menu'
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, serveRenderer } from './app/renderer-protocol'
import { rendererSource } from './app/renderer-source'
import { createServices } from './app/services'
import { createMainWindow } from './app/window'
import type { ChooseOpenPath } from './lab/open-path'
import { nodeAppInfo } from './ipc/handlers/app'
import { registerIpc, windowsSink } from './ipc/electron-ipc'
import { initLogs, LOG_LEVELS, logger } from './log'
import { installSessionGuards, makeSenderCheck } from './security'
import { SettingsStore } from './settings'
import type { ChooseSavePath } from './streams/save-file'

const outDir = join(import.meta.dirname, '..')
const rendererDir = join(outDir, 'renderer')
const source = rendererSource({
  packaged: app.isPackaged,
  devUrl: process.env.ELECTRON_RENDERER_URL,
})

const log = logger('app')

// Before ready, in one call (a second call would replace this one).
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES])

/** Facts about this app for the renderer (app:info) and About. */
function appInfo(): AppInfo {
  return { ...nodeAppInfo(app.getVersion()), packaged: app.isPackaged }
}

/**
 * The save dialog, attached to the window that asked (a capture save). No such window (closed
 * meanwhile): there is nobody to ask, so nothing is saved.
 */
function saveDialog(windows: ReadonlySet<BrowserWindow>): ChooseSavePath {
  return async ({ owner, title, defaultName, filters }) => {
    const win = [...windows].find((w) => !w.isDestroyed() && w.webContents.id === owner)
    if (!win) return null
    const r = await dialog.showSaveDialog(win, {
      title,
      defaultPath: join(app.getPath('documents'), defaultName),
      filters,
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    })
    return r.canceled || !r.filePath ? null : r.filePath
  }
}

/**
 * The open dialog (a lab file), attached to the window that asked. No such window (closed
 * meanwhile): there is nobody to ask, so nothing is opened.
 */
function openDialog(windows: ReadonlySet<BrowserWindow>): ChooseOpenPath {
  return async ({ owner, title, filters }) => {
    const win = [...windows].find((w) => !w.isDestroyed() && w.webContents.id === owner)
    if (!win) return null
    const r = await dialog.showOpenDialog(win, {
      title,
      defaultPath: app.getPath('documents'),
      filters,
      properties: ['openFile'],
    })
    return r.canceled ? null : (r.filePaths[0] ?? null)
  }
}

/**
 * Log to `<userData>/logs` from now on: NETNS_STUDIO_LOG_LEVEL when set, else info (debug in a
 * development build, so IPC calls show). Resolves with the folder, or undefined when it cannot
 * be written (the app runs on; the error goes to stderr).
 */
async function openLogs(): Promise<string | undefined> {
  const env = process.env.NETNS_STUDIO_LOG_LEVEL
  const level = LOG_LEVELS.find((l) => l === env) ?? (app.isPackaged ? 'info' : 'debug')
  try {
    const dir = await initLogs({ dir: join(app.getPath('userData'), 'logs'), level })
    log.info({ version: app.getVersion(), packaged: app.isPackaged }, 'started')
    return dir
  } catch (err) {
    console.error(`netns-studio: cannot write the logs folder: ${String(err)}`)
    return undefined
  }
}

function start(logsDir: string | undefined): void {
  protocol.handle(APP_SCHEME, (request) => serveRenderer(rendererDir, request))
  const info = appInfo()
  app.setAboutPanelOptions(aboutPanelOptions(info))
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        { platform: process.platform, packaged: app.isPackaged, appName: info.name, logsDir },
        {
          openFolder: (path) =>
            void shell.openPath(path).then((problem) => {
              // openPath answers with an error message, or '' when it opened the folder
              if (problem) log.warn({ path, problem }, 'opening a folder failed')
            }),
        },
      ),
    ),
  )

  const settings = new SettingsStore(join(app.getPath('userData'), 'settings.json'))
  const windows = new Set<BrowserWindow>()
  const services = createServices({
    dataDir: app.getPath('userData'),
    appInfo: info,
    chooseSavePath: saveDialog(windows),
    chooseOpenPath: openDialog(windows),
  })
  services.events.attach(windowsSink(() => [...windows].map((w) => w.webContents)))
  const isKnown = (id: number): boolean =>
    [...windows].some((w) => !w.isDestroyed() && w.webContents.id === id)
  registerIpc(ipcMain, services.router(makeSenderCheck(source.location, isKnown)))
  installSessionGuards(session.defaultSession)

  const open = (): BrowserWindow => {
    const win = createMainWindow({
      outDir,
      settings,
      url: source.url,
      devTools: !app.isPackaged,
    })
    const id = win.webContents.id
    windows.add(win)
    win.webContents.on('render-process-gone', () => services.senderGone(id))
    win.webContents.on('did-start-navigation', (d) => {
      if (d.isMainFrame && !d.isSameDocument) services.senderGone(id)
    })
    win.on('closed', () => {
      windows.delete(win)
      services.senderGone(id)
    })
    return win
  }

  app.on('second-instance', () => {
    const win = [...windows][0] ?? open()
    if (win.isMinimized()) win.restore()
    win.focus()
  })
  app.on('activate', () => {
    if (windows.size === 0) open()
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  let quitting = false
  app.on('before-quit', (event) => {
    if (quitting) return
    quitting = true
    event.preventDefault()
    log.info('quitting')
    void services.dispose({ haltVm: settings.get().haltVmOnQuit }).finally(() => app.quit())
  })
  open()
}

// Electron keeps main running after an unhandled rejection: it should at least leave a trace.
process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection'))

if (!app.requestSingleInstanceLock()) app.quit()
else
  void app
    .whenReady()
    .then(openLogs)
    .then((logsDir) => start(logsDir))

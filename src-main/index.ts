// Electron entry point: single-instance lock, session guards, the composition root (services),
// the IPC glue and the main window. Quit stops every stream and closes SSH; the VM is halted on
// quit only when the user's setting says so.

import { app, ipcMain, session, type BrowserWindow } from 'electron'
import { join } from 'node:path'
import { createServices } from './app/services'
import { createMainWindow } from './app/window'
import { registerIpc, windowsSink } from './ipc/electron-ipc'
import { installSessionGuards, makeSenderCheck, type AppLocation } from './security'
import { SettingsStore } from './settings'

const outDir = join(import.meta.dirname, '..')
const devUrl = process.env.ELECTRON_RENDERER_URL
const location: AppLocation = devUrl
  ? { kind: 'url', origin: devUrl }
  : { kind: 'file', indexPath: join(outDir, 'renderer/index.html') }

function start(): void {
  const settings = new SettingsStore(join(app.getPath('userData'), 'settings.json'))
  const services = createServices({ dataDir: app.getPath('userData') })
  const windows = new Set<BrowserWindow>()
  services.events.attach(windowsSink(() => [...windows].map((w) => w.webContents)))
  const isKnown = (id: number): boolean =>
    [...windows].some((w) => !w.isDestroyed() && w.webContents.id === id)
  registerIpc(ipcMain, services.router(makeSenderCheck(location, isKnown)))
  installSessionGuards(session.defaultSession)

  const open = (): BrowserWindow => {
    const win = createMainWindow({ outDir, settings, ...(devUrl ? { devUrl } : {}) })
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
    void services.dispose({ haltVm: settings.get().haltVmOnQuit }).finally(() => app.quit())
  })
  open()
}

if (!app.requestSingleInstanceLock()) app.quit()
else void app.whenReady().then(start)

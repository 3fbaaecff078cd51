// The one BrowserWindow factory: isolated, sandboxed, no Node, no webviews, strict CSP, no DevTools
// when packaged; navigation, new windows and permissions denied; size and position remembered.

import { BrowserWindow, screen, shell } from 'electron'
import { join } from 'node:path'
import { installContentsGuards } from '../security'
import { MIN_WINDOW, visibleBounds, type SettingsStore } from '../settings'

export interface WindowOptions {
  /** Folder of the built app (out/): the preload lives under it. */
  outDir: string
  settings: SettingsStore
  /** The page to load: the app scheme's index.html, or the dev server (see renderer-source.ts). */
  url: string
  /** DevTools allowed (false in packaged builds). */
  devTools: boolean
}

/** Create the main window and load the app page. */
export function createMainWindow(opts: WindowOptions): BrowserWindow {
  const saved = visibleBounds(
    opts.settings.get().windowBounds,
    screen.getAllDisplays().map((d) => d.workArea),
  )
  const win = new BrowserWindow({
    width: saved?.width ?? 1280,
    height: saved?.height ?? 820,
    ...(saved ? { x: saved.x, y: saved.y } : {}),
    minWidth: MIN_WINDOW.width,
    minHeight: MIN_WINDOW.height,
    show: false,
    title: 'netns-studio',
    backgroundColor: '#1b1d22',
    webPreferences: {
      preload: join(opts.outDir, 'preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      spellcheck: false,
      devTools: opts.devTools,
    },
  })
  if (saved?.maximized) win.maximize()
  installContentsGuards(win.webContents, (url) => void shell.openExternal(url))
  win.once('ready-to-show', () => win.show())

  const remember = (): void => {
    if (win.isDestroyed() || win.isMinimized()) return
    const b = win.getNormalBounds()
    opts.settings.update({ windowBounds: { ...b, maximized: win.isMaximized() } })
  }
  let timer: NodeJS.Timeout | null = null
  const later = (): void => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(remember, 500)
  }
  win.on('resize', later)
  win.on('move', later)
  win.on('close', remember)

  // Never loadFile: file:// pages are blank in the packaged app (see renderer-protocol.ts).
  void win.loadURL(opts.url)
  return win
}

// The application menu as a pure template (platform, packaged, logs folder in; Electron menu
// template out), and the About panel's text. index.ts hands both to Electron.

import type { AboutPanelOptionsOptions, MenuItemConstructorOptions } from 'electron'
import type { AppInfo } from '../../shared/ipc/domains/app'

/** Facts the menu depends on. */
export interface MenuFacts {
  /** process.platform: macOS gets the app menu and the Window menu. */
  platform: string
  /** Packaged builds get no Reload and no DevTools. */
  packaged: boolean
  /** The app's display name ("netns-studio"). */
  appName: string
  /** The app's logs folder; "Open logs folder" appears only when it is given. */
  logsDir?: string | undefined
}

/** What the non-role items do (kept out of the template so it stays pure). */
export interface MenuActions {
  /** Open a folder in the system file manager. */
  openFolder(path: string): void
}

/**
 * Edit menu. The roles make Electron run the editing command (webContents.copy(), paste(), ...)
 * on the page's focused element, which fires the DOM `copy`/`paste` events there, as a browser
 * does for Ctrl+C/Ctrl+V; on macOS, without these items the shortcuts do nothing at all. In the
 * terminal, xterm keeps focus in its hidden helper textarea inside the terminal element: xterm's
 * own `copy` listener on that element puts the terminal selection on the clipboard, and its
 * `paste` listener on the textarea sends the clipboard text to the shell. Form fields get the
 * native behaviour.
 */
function editMenu(mac: boolean): MenuItemConstructorOptions {
  return {
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(mac ? [{ role: 'pasteAndMatchStyle' } as const] : []),
      { role: 'delete' },
      { type: 'separator' },
      { role: 'selectAll' },
    ],
  }
}

function viewMenu(packaged: boolean): MenuItemConstructorOptions {
  const dev: MenuItemConstructorOptions[] = packaged
    ? []
    : [
        { role: 'reload' },
        { role: 'forceReload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
      ]
  return {
    label: 'View',
    submenu: [
      ...dev,
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  }
}

/** The application menu for `facts`. */
export function menuTemplate(facts: MenuFacts, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = facts.platform === 'darwin'
  const about: MenuItemConstructorOptions = { role: 'about', label: `About ${facts.appName}` }
  const logsDir = facts.logsDir
  const help: MenuItemConstructorOptions[] = [
    ...(logsDir ? [{ label: 'Open logs folder', click: () => actions.openFolder(logsDir) }] : []),
    // macOS shows About in the app menu, where users look for it.
    ...(mac ? [] : [...(logsDir ? [{ type: 'separator' } as const] : []), about]),
  ]
  return [
    ...(mac
      ? [
          {
            label: facts.appName,
            submenu: [
              about,
              { type: 'separator' },
              { role: 'services' },
              { type: 'separator' },
              { role: 'hide' },
              { role: 'hideOthers' },
              { role: 'unhide' },
              { type: 'separator' },
              { role: 'quit' },
            ],
          } satisfies MenuItemConstructorOptions,
        ]
      : []),
    { label: 'File', submenu: [mac ? { role: 'close' } : { role: 'quit' }] },
    editMenu(mac),
    viewMenu(facts.packaged),
    {
      label: 'Window',
      submenu: mac
        ? [{ role: 'minimize' }, { role: 'zoom' }, { type: 'separator' }, { role: 'front' }]
        : [{ role: 'minimize' }, { role: 'close' }],
    },
    ...(help.length > 0 ? [{ role: 'help', label: 'Help', submenu: help } as const] : []),
  ]
}

/**
 * The About panel's text (app.setAboutPanelOptions): name, version and the runtime versions
 * (`version` and `credits` are shown on macOS and Windows; Linux shows name, version, copyright).
 */
export function aboutPanelOptions(info: AppInfo): AboutPanelOptionsOptions {
  const runtime = [
    info.versions.electron ? `Electron ${info.versions.electron}` : null,
    info.versions.chrome ? `Chromium ${info.versions.chrome}` : null,
    `Node ${info.versions.node}`,
  ]
    .filter((s): s is string => s !== null)
    .join(' · ')
  return {
    applicationName: info.name,
    applicationVersion: info.version,
    version: runtime,
    copyright: 'Copyright © 2026 netns-studio authors',
    credits: `Linux network namespaces, visible and hands-on.\n${runtime} · ${info.platform} ${info.arch}`,
  }
}

// The application menu template per platform and build: Edit roles for copy/paste, no Reload or
// DevTools when packaged, the macOS app menu, About, and "Open logs folder" only with a logs folder.
import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it } from 'vitest'
import { aboutPanelOptions, menuTemplate, type MenuFacts } from '../../../../src-main/app/menu'

type Item = MenuItemConstructorOptions

/** Every item of the template, depth first. */
function flatten(items: Item[]): Item[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])])
}
const roles = (items: Item[]): string[] => flatten(items).flatMap((i) => (i.role ? [i.role] : []))
const top = (items: Item[]): string[] => items.map((i) => i.label ?? i.role ?? '?')
const submenu = (items: Item[], label: string): Item[] => {
  const m = items.find((i) => (i.label ?? i.role) === label)
  if (!m || !Array.isArray(m.submenu)) throw new Error(`no menu ${label}`)
  return m.submenu
}

const facts = (f: Partial<MenuFacts> = {}): MenuFacts => ({
  platform: 'linux',
  packaged: true,
  appName: 'netns-studio',
  ...f,
})
const noActions = { openFolder: () => undefined }

describe('menuTemplate', () => {
  it('has an Edit menu with the editing roles on every platform', () => {
    for (const platform of ['linux', 'win32', 'darwin']) {
      const edit = roles(submenu(menuTemplate(facts({ platform }), noActions), 'Edit'))
      for (const role of ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll'])
        expect(edit, `${platform} ${role}`).toContain(role)
    }
  })

  it('packaged: no reload and no DevTools anywhere; zoom and fullscreen stay', () => {
    const all = roles(menuTemplate(facts({ packaged: true }), noActions))
    for (const role of ['reload', 'forceReload', 'toggleDevTools']) expect(all).not.toContain(role)
    const view = roles(submenu(menuTemplate(facts({ packaged: true }), noActions), 'View'))
    expect(view).toEqual(['resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen'])
  })

  it('development: reload and DevTools in View', () => {
    const view = roles(submenu(menuTemplate(facts({ packaged: false }), noActions), 'View'))
    expect(view).toEqual([
      'reload',
      'forceReload',
      'toggleDevTools',
      'resetZoom',
      'zoomIn',
      'zoomOut',
      'togglefullscreen',
    ])
  })

  it('macOS: the app menu first, with About and Quit; Help without About', () => {
    const t = menuTemplate(facts({ platform: 'darwin' }), noActions)
    expect(top(t)).toEqual(['netns-studio', 'File', 'Edit', 'View', 'Window'])
    const appMenu = submenu(t, 'netns-studio')
    expect(appMenu[0]).toMatchObject({ role: 'about', label: 'About netns-studio' })
    expect(roles(appMenu)).toContain('quit')
    expect(roles(submenu(t, 'File'))).toEqual(['close'])
  })

  it('Linux and Windows: Quit in File, About netns-studio in Help', () => {
    for (const platform of ['linux', 'win32']) {
      const t = menuTemplate(facts({ platform }), noActions)
      expect(top(t), platform).toEqual(['File', 'Edit', 'View', 'Window', 'Help'])
      expect(roles(submenu(t, 'File'))).toEqual(['quit'])
      expect(submenu(t, 'Help')).toEqual([{ role: 'about', label: 'About netns-studio' }])
    }
  })

  it('"Open logs folder" only when there is a logs folder, and it opens that folder', () => {
    const without = flatten(menuTemplate(facts(), noActions)).map((i) => i.label)
    expect(without).not.toContain('Open logs folder')

    const opened: string[] = []
    for (const platform of ['linux', 'darwin']) {
      const t = menuTemplate(facts({ platform, logsDir: '/home/u/.config/netns-studio/logs' }), {
        openFolder: (p) => opened.push(p),
      })
      const item = submenu(t, 'Help').find((i) => i.label === 'Open logs folder')
      expect(item, platform).toBeDefined()
      ;(item!.click as () => void)()
    }
    expect(opened).toEqual([
      '/home/u/.config/netns-studio/logs',
      '/home/u/.config/netns-studio/logs',
    ])
  })
})

describe('aboutPanelOptions', () => {
  it('names the app, its version and the runtime versions', () => {
    const o = aboutPanelOptions({
      name: 'netns-studio',
      version: '0.1.0',
      platform: 'linux',
      arch: 'x64',
      packaged: true,
      versions: { electron: '45.4.1', node: '24.1.0', chrome: '142.0.0.0' },
    })
    expect(o.applicationName).toBe('netns-studio')
    expect(o.applicationVersion).toBe('0.1.0')
    expect(o.version).toBe('Electron 45.4.1 · Chromium 142.0.0.0 · Node 24.1.0')
    expect(o.credits).toContain('linux x64')
  })

  it('leaves out runtimes that are absent (plain Node)', () => {
    const o = aboutPanelOptions({
      name: 'netns-studio',
      version: '0.1.0',
      platform: 'darwin',
      arch: 'arm64',
      packaged: false,
      versions: { electron: null, node: '20.19.0', chrome: null },
    })
    expect(o.version).toBe('Node 20.19.0')
  })
})

// The BUILT main bundle (out/main/index.js) started under Node with an electron STAND-IN
// (test/e2e/support/electron-stand-in/electron.mjs), because the Electron binary cannot run here.
// The stand-in is not Electron: it records what the bundle does and enforces Electron's documented
// rules (privileged schemes before ready, protocol.handle after it, a CommonJS preload for the
// sandbox, secure window options). The bundle must start, register every contract channel, serve
// the renderer through its app:// handler, load that URL in its window and quit cleanly.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { invokeArgChecks } from '../../shared/ipc/contract'
import { APP_CSP } from '../../src-main/security'
import { RENDERER_DIR } from './support/app'
import {
  MAIN_BUNDLE,
  MainBundle,
  type MenuItemData,
  type StandInRecord,
} from './support/main-bundle'

const skip = existsSync(MAIN_BUNDLE)
  ? existsSync(join(RENDERER_DIR, 'index.html'))
    ? null
    : 'out/renderer is not built (run `npx electron-vite build`)'
  : 'out/main/index.js is not built (run `npx electron-vite build`)'
if (skip) console.warn(`[e2e main bundle] skipped: ${skip}`)

const APP_PAGE = 'app://netns-studio/index.html'
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version

/** Roles anywhere in the recorded application menu. */
function menuRoles(items: MenuItemData[] | null): string[] {
  return (items ?? []).flatMap((i) => [
    ...(i.role ? [i.role] : []),
    ...menuRoles(i.submenu ?? null),
  ])
}

let bundle: MainBundle | null = null
afterEach(async () => {
  await bundle?.cleanup()
  bundle = null
})

/** Start the bundle and wait (polled) until its first window has loaded its page. */
async function started(opts: ConstructorParameters<typeof MainBundle>[0]): Promise<StandInRecord> {
  bundle = new MainBundle(opts)
  const b = bundle
  const loaded = async (): Promise<boolean> => {
    const w = (await b.report()).windows[0]
    return w !== undefined && w.preload !== null
  }
  await expect
    .poll(
      async () => (b.exit !== null ? 'exited' : (await loaded().catch(() => false)) ? 'up' : '…'),
      { timeout: 20_000, interval: 100 },
    )
    .not.toBe('…')
  expect(b.exit, `the bundle exited:\n${b.output}`).toBeNull()
  return b.report()
}

/** Quit through the stand-in's Electron quit sequence; the process must end by itself, with 0. */
async function quitsCleanly(b: MainBundle): Promise<void> {
  await b.quit()
  await expect.poll(() => b.exit, { timeout: 15_000, interval: 50 }).not.toBeNull()
  expect(b.exit, b.output).toBe(0)
  // The bundle's before-quit handler holds the first quit to dispose its services, then quits.
  expect(b.final?.quit).toEqual(['before-quit prevented', 'before-quit', 'will-quit', 'quit'])
  expect(b.final?.violations).toEqual([])
}

describe.skipIf(skip !== null)('built main bundle under Node with an electron stand-in', () => {
  it('starts under Electron rules, registers every channel, serves app:// and quits cleanly', async () => {
    const r = await started({ packaged: false })
    const b = bundle!
    expect(r.standIn).toMatch(/stand-in/)
    expect(r.violations, b.output).toEqual([])

    // Privileged scheme before ready (one call), handler after it.
    expect(r.schemes).toEqual([
      {
        scheme: 'app',
        privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
      },
    ])
    const at = (c: string): number => r.calls.indexOf(c)
    expect(at('protocol.registerSchemesAsPrivileged')).toBeGreaterThanOrEqual(0)
    expect(at('protocol.registerSchemesAsPrivileged')).toBeLessThan(at('ready'))
    expect(at('ready')).toBeLessThan(at('protocol.handle app'))
    expect(r.protocolHandlers).toEqual(['app'])

    // Every contract channel has its ipcMain handler, and nothing else.
    expect([...r.ipcChannels].sort()).toEqual(Object.keys(invokeArgChecks).sort())

    // One secure window, loading the app scheme page, with a CommonJS preload exposing window.api.
    expect(r.windows).toHaveLength(1)
    const w = r.windows[0]!
    expect(w.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      devTools: true,
    })
    expect(w.options.webPreferences?.webSecurity).not.toBe(false)
    expect(w.loads).toEqual([
      { url: APP_PAGE, status: 200, contentType: 'text/html; charset=utf-8' },
    ])
    expect(w.shown).toBe(true)
    expect(w.windowOpenHandler).toBe(true)
    expect(w.preload).toMatchObject({
      path: join(process.cwd(), 'out/preload/index.cjs'),
      format: 'commonjs',
      required: ['electron'],
      exposed: { api: ['invoke:function', 'on:function'] },
    })
    expect(r.permissionRequestAnswer).toBe('denied')
    expect(r.permissionCheckAnswer).toBe(false)

    // The page and its module script through the bundle's handler: type, CSP, nosniff, bytes.
    const page = await b.fetch(APP_PAGE)
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['content-security-policy']).toBe(APP_CSP)
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    expect(page.body.equals(readFileSync(join(RENDERER_DIR, 'index.html')))).toBe(true)
    const src = /<script type="module"[^>]*src="([^"]+)"/.exec(page.body.toString())?.[1]
    expect(src).toBeDefined()
    const scriptUrl = new URL(src!, 'https://netns-studio/index.html').pathname
    const js = await b.fetch(`app://netns-studio${scriptUrl}`)
    expect(js.status).toBe(200)
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(js.headers['content-security-policy']).toBe(APP_CSP)
    expect(js.body.equals(readFileSync(join(RENDERER_DIR, scriptUrl)))).toBe(true)
    expect((await b.fetch('app://netns-studio/%2e%2e/main/index.js')).status).toBe(404)
    expect((await b.fetch('app://netns-studio/..%2fmain%2findex.js')).status).toBe(403)

    // IPC from the window's main frame on the app page works; the same call from elsewhere not.
    const info = await b.invoke('app:info', [], { senderId: w.id, frameUrl: APP_PAGE })
    expect(info).toMatchObject({
      ok: true,
      value: { name: 'netns-studio', version, packaged: false, platform: process.platform },
    })
    for (const frame of [
      { senderId: w.id, frameUrl: 'app://netns-studio/assets/other.html' },
      { senderId: w.id, frameUrl: APP_PAGE, subFrame: true },
      { senderId: w.id + 100, frameUrl: APP_PAGE },
      { senderId: w.id, frameUrl: 'https://evil.example/' },
    ])
      expect(await b.invoke('app:info', [], frame), JSON.stringify(frame)).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN_SENDER' },
      })

    // Development build: reload and DevTools in the menu; About and the Edit roles.
    const roles = menuRoles(r.menu)
    for (const role of ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'about'])
      expect(roles, role).toContain(role)
    expect(roles).toContain('toggleDevTools')
    expect(r.aboutPanel).toMatchObject({
      applicationName: 'netns-studio',
      applicationVersion: version,
    })

    // Logs: Help has "Open logs folder"; <userData>/logs is private and its file holds the IPC
    // calls above (debug in a development build): channel and outcome, never the arguments.
    const help = r.menu?.find((m) => m.label === 'Help')
    expect(help?.submenu?.map((i) => i.label)).toContain('Open logs folder')
    const logsDir = join(b.home, 'userData', 'logs')
    const logFile = join(logsDir, 'main.1.log')
    expect(statSync(logsDir).mode & 0o777).toBe(0o700)
    expect(statSync(logFile).mode & 0o777).toBe(0o600)
    const logLines = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(logLines).toContainEqual(
      expect.objectContaining({ scope: 'ipc', channel: 'app:info', sender: w.id, outcome: 'ok' }),
    )
    expect(logLines).toContainEqual(
      expect.objectContaining({ scope: 'ipc', channel: 'app:info', outcome: 'FORBIDDEN_SENDER' }),
    )

    await quitsCleanly(b)
  })

  it('packaged: ignores ELECTRON_RENDERER_URL, no DevTools, no reload in the menu', async () => {
    const r = await started({
      packaged: true,
      env: { ELECTRON_RENDERER_URL: 'http://127.0.0.1:9/foreign-page' },
    })
    const b = bundle!
    expect(r.violations, b.output).toEqual([])
    const w = r.windows[0]!
    expect(w.loads.map((l) => l.url)).toEqual([APP_PAGE])
    expect(w.options.webPreferences?.devTools).toBe(false)
    const roles = menuRoles(r.menu)
    for (const role of ['reload', 'forceReload', 'toggleDevTools'])
      expect(roles).not.toContain(role)
    expect(roles).toContain('copy')
    expect(await b.invoke('app:info', [], { senderId: w.id, frameUrl: APP_PAGE })).toMatchObject({
      ok: true,
      value: { packaged: true },
    })
    await quitsCleanly(b)
  })

  it('development: ELECTRON_RENDERER_URL is loaded, and IPC trusts only that origin', async () => {
    const dev = 'http://localhost:5173/'
    const r = await started({ packaged: false, env: { ELECTRON_RENDERER_URL: dev } })
    const b = bundle!
    const w = r.windows[0]!
    expect(w.loads.map((l) => l.url)).toEqual([dev])
    expect(await b.invoke('app:info', [], { senderId: w.id, frameUrl: dev })).toMatchObject({
      ok: true,
    })
    expect(await b.invoke('app:info', [], { senderId: w.id, frameUrl: APP_PAGE })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN_SENDER' },
    })
    await quitsCleanly(b)
  })
})

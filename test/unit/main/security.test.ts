// Window security rules as plain code: app-URL matching, the IPC sender rule, link decisions,
// and the guards installed on (stand-ins for) Electron's WebContents and Session objects.
import { describe, expect, it } from 'vitest'
import {
  APP_CSP,
  decideLink,
  installContentsGuards,
  installSessionGuards,
  isAppUrl,
  makeSenderCheck,
  withCsp,
  type AppLocation,
  type GuardedContents,
  type GuardedSession,
} from '../../../src-main/security'
import { readFileSync } from 'node:fs'

const devApp: AppLocation = { kind: 'url', origin: 'http://localhost:5173' }
const schemeApp: AppLocation = { kind: 'scheme', origin: 'app://netns-studio' }

describe('isAppUrl for the dev server', () => {
  it('accepts pages of the dev origin', () => {
    expect(isAppUrl('http://localhost:5173/', devApp)).toBe(true)
    expect(isAppUrl('http://localhost:5173/src/x.html?a=1', devApp)).toBe(true)
  })

  it('rejects other origins and junk', () => {
    expect(isAppUrl('http://localhost:5174/', devApp)).toBe(false)
    expect(isAppUrl('http://127.0.0.1:5173/', devApp)).toBe(false)
    expect(isAppUrl('file:///opt/x/index.html', devApp)).toBe(false)
    expect(isAppUrl('', devApp)).toBe(false)
  })
})

describe('isAppUrl for the app scheme', () => {
  it('accepts exactly the index page of the app origin, with hash or query', () => {
    for (const url of [
      'app://netns-studio/index.html',
      'app://netns-studio/index.html#/topology',
      'app://netns-studio/index.html?x=1',
      'app://netns-studio/assets/../index.html',
    ])
      expect(isAppUrl(url, schemeApp), url).toBe(true)
  })

  it('rejects other files, hosts, ports, credentials and schemes', () => {
    for (const url of [
      'app://netns-studio/',
      'app://netns-studio',
      'app://netns-studio/assets/index.js',
      'app://netns-studio/index.html/',
      'app://netns-studio/other/index.html',
      'app://evil/index.html',
      'app://netns-studio.evil/index.html',
      'app://netns-studio:8080/index.html',
      'app://user@netns-studio/index.html',
      'apps://netns-studio/index.html',
      'https://netns-studio/index.html',
      'file:///netns-studio/index.html',
      'about:blank',
      '',
    ])
      expect(isAppUrl(url, schemeApp), url).toBe(false)
  })
})

describe('makeSenderCheck', () => {
  const url = 'http://localhost:5173/'
  it('needs the main frame, a known window, and the app URL', () => {
    const check = makeSenderCheck(devApp, (id) => id === 1)
    expect(check({ senderId: 1, frameUrl: url, isMainFrame: true })).toBe(true)
    expect(check({ senderId: 1, frameUrl: url, isMainFrame: false })).toBe(false)
    expect(check({ senderId: 2, frameUrl: url, isMainFrame: true })).toBe(false)
    expect(check({ senderId: 1, frameUrl: 'https://evil.example/', isMainFrame: true })).toBe(false)
  })

  it('with the app scheme: the main frame of a known window on app://netns-studio/index.html', () => {
    const check = makeSenderCheck(schemeApp, (id) => id === 1)
    const page = 'app://netns-studio/index.html'
    expect(check({ senderId: 1, frameUrl: page, isMainFrame: true })).toBe(true)
    expect(check({ senderId: 1, frameUrl: page, isMainFrame: false })).toBe(false)
    expect(check({ senderId: 2, frameUrl: page, isMainFrame: true })).toBe(false)
    expect(
      check({ senderId: 1, frameUrl: 'app://netns-studio/assets/x.html', isMainFrame: true }),
    ).toBe(false)
  })
})

describe('decideLink', () => {
  it('always denies; only allow-listed https links go to the system browser', () => {
    expect(decideLink('https://man7.org/linux/man-pages/man8/ip-netns.8.html')).toEqual({
      deny: true,
      openExternally: 'https://man7.org/linux/man-pages/man8/ip-netns.8.html',
    })
    for (const url of [
      'http://man7.org/',
      'https://evil.example/',
      'file:///etc/passwd',
      'https://user@man7.org/',
      'javascript:alert(1)',
    ]) {
      expect(decideLink(url)).toEqual({ deny: true, openExternally: null })
    }
  })
})

/** Stand-in for Electron's WebContents (no Electron binary here): records registered handlers. */
function fakeContents(): GuardedContents & {
  handlers: Map<string, (event: { preventDefault(): void }, url: string) => void>
  openHandler?: (d: { url: string }) => { action: string }
} {
  const handlers = new Map<string, (event: { preventDefault(): void }, url: string) => void>()
  const c = {
    handlers,
    openHandler: undefined as undefined | ((d: { url: string }) => { action: string }),
    on(name: string, fn: (event: { preventDefault(): void }, url: string) => void) {
      handlers.set(name, fn)
      return c
    },
    setWindowOpenHandler(fn: (d: { url: string }) => { action: string }) {
      c.openHandler = fn
    },
  }
  return c as unknown as ReturnType<typeof fakeContents>
}

describe('installContentsGuards', () => {
  it('prevents every navigation, redirect and webview, and denies new windows', () => {
    const c = fakeContents()
    const opened: string[] = []
    installContentsGuards(c, (u) => opened.push(u))
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false
      c.handlers.get(name)!({ preventDefault: () => (prevented = true) }, 'https://evil.example/')
      expect(prevented, name).toBe(true)
    }
    let prevented = false
    c.handlers.get('will-navigate')!(
      { preventDefault: () => (prevented = true) },
      'https://github.com/x',
    )
    expect(prevented).toBe(true)
    expect(c.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
    expect(c.openHandler!({ url: 'https://man7.org/' })).toEqual({ action: 'deny' })
    expect(opened).toEqual(['https://github.com/x', 'https://man7.org/'])
  })
})

describe('installSessionGuards', () => {
  it('denies permission requests and checks, and adds the CSP header', () => {
    let request: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | undefined
    let check: (() => boolean) | undefined
    let headers:
      | ((d: { responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void)
      | undefined
    // Stand-in for Electron's Session (no Electron binary here).
    const session = {
      setPermissionRequestHandler: (fn: typeof request) => (request = fn),
      setPermissionCheckHandler: (fn: typeof check) => (check = fn),
      webRequest: { onHeadersReceived: (fn: typeof headers) => (headers = fn) },
    } as unknown as GuardedSession
    installSessionGuards(session)
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read']) {
      let answer: boolean | undefined
      request!({}, p, (ok) => (answer = ok))
      expect(answer, p).toBe(false)
    }
    expect(check!()).toBe(false)
    let out: unknown
    headers!(
      { responseHeaders: { 'content-security-policy': ['default-src *'], 'X-A': ['1'] } },
      (r) => (out = r),
    )
    expect(out).toEqual({ responseHeaders: { 'X-A': ['1'], 'Content-Security-Policy': [APP_CSP] } })
  })

  it('withCsp tolerates missing headers', () => {
    expect(withCsp(undefined, 'x')).toEqual({ 'Content-Security-Policy': ['x'] })
  })

  it('APP_CSP is the meta tag policy plus frame-ancestors (which only works as a header)', () => {
    const html = readFileSync('src-renderer/index.html', 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)
    expect(`${meta?.[1]}; frame-ancestors 'none'`).toBe(APP_CSP)
  })
})

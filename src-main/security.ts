// Security rules for the window, as plain functions: which URLs are the app, which senders may
// call IPC, and the navigation / new-window / permission / CSP guards wired onto Electron objects.

import type { Session, WebContents } from 'electron'
import type { SenderContext } from './ipc/router'

/**
 * Where the app's renderer lives: the built files served over the privileged app scheme
 * (`origin` e.g. "app://netns-studio"), or the dev server in development. Never a file: URL:
 * `file://` pages are blank with the fuse grantFileProtocolExtraPrivileges off.
 */
export type AppLocation = { kind: 'scheme'; origin: string } | { kind: 'url'; origin: string }

/** The renderer's Content-Security-Policy header: the meta tag's policy in index.html plus frame-ancestors (ignored in a meta tag). */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** Hosts whose https links may open in the system browser (never inside the app). */
export const EXTERNAL_LINK_HOSTS: readonly string[] = [
  'man7.org',
  'github.com',
  'developer.hashicorp.com',
  'www.kernel.org',
]

function parse(url: string): URL | null {
  try {
    return new URL(url)
  } catch {
    return null
  }
}

/**
 * True when `url` is the app's own page (any hash or query), false for anything else. For the
 * app scheme that is exactly `<origin>/index.html`: no other file of the folder, no user, port
 * or other host.
 */
export function isAppUrl(url: string, app: AppLocation): boolean {
  const u = parse(url)
  if (!u) return false
  if (app.kind === 'scheme') {
    const origin = parse(app.origin)
    // Compared part by part: Node gives custom schemes an opaque ("null") origin.
    return (
      origin !== null &&
      u.protocol === origin.protocol &&
      u.host === origin.host &&
      u.host !== '' &&
      u.username === '' &&
      u.password === '' &&
      u.pathname === '/index.html'
    )
  }
  const origin = parse(app.origin)
  return (
    origin !== null &&
    u.origin === origin.origin &&
    (u.protocol === 'http:' || u.protocol === 'https:')
  )
}

/**
 * The IPC sender rule: the call must come from the top-level frame of a known app window, and
 * that frame must show the app's own page.
 */
export function makeSenderCheck(
  app: AppLocation,
  isKnownSender: (senderId: number) => boolean = () => true,
): (ctx: SenderContext) => boolean {
  return (ctx) => ctx.isMainFrame && isKnownSender(ctx.senderId) && isAppUrl(ctx.frameUrl, app)
}

/** An https link to an allow-listed host, which may open in the system browser. */
export function isAllowedExternalLink(url: string): boolean {
  const u = parse(url)
  return (
    u !== null &&
    u.protocol === 'https:' &&
    u.username === '' &&
    EXTERNAL_LINK_HOSTS.includes(u.hostname)
  )
}

/** What to do when the page tries to navigate or open a window: the app itself never moves. */
export interface LinkDecision {
  /** Always true: the app window never navigates away and never opens another window. */
  deny: true
  /** The URL to hand to the system browser, if it is an allowed external link. */
  openExternally: string | null
}

/** Decide a navigation or window-open request. */
export function decideLink(url: string): LinkDecision {
  return { deny: true, openExternally: isAllowedExternalLink(url) ? url : null }
}

/** The subset of WebContents the guards use. */
export type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>

/**
 * Deny navigation, redirects, webviews and new windows on a window's contents; allowed external
 * links go to `openExternal` (the system browser) instead.
 */
export function installContentsGuards(
  contents: GuardedContents,
  openExternal: (url: string) => void,
): void {
  const onNavigate = (event: { preventDefault(): void }, url: string): void => {
    event.preventDefault()
    const d = decideLink(url)
    if (d.openExternally) openExternal(d.openExternally)
  }
  contents.on('will-navigate', onNavigate)
  contents.on('will-redirect', (event) => event.preventDefault())
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    const d = decideLink(url)
    if (d.openExternally) openExternal(d.openExternally)
    return { action: 'deny' }
  })
}

/** The subset of Session the guards use. */
export type GuardedSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'webRequest'
>

/** Deny every permission request and check, and send the CSP as a response header too. */
export function installSessionGuards(session: GuardedSession, csp: string = APP_CSP): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders, csp) })
  })
}

/** Response headers with our CSP set (replacing any other CSP header, whatever its case). */
export function withCsp(
  headers: Record<string, string[] | string> | undefined,
  csp: string,
): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() === 'content-security-policy') continue
    out[k] = Array.isArray(v) ? v : [v]
  }
  out['Content-Security-Policy'] = [csp]
  return out
}

// The app:// scheme that serves the built renderer in the packaged app (file:// pages are blank
// there: the fuse grantFileProtocolExtraPrivileges is off). Pure Node: a WHATWG Request in, a
// Response out, so Electron's protocol.handle, the e2e server and the unit tests share it.

import { promises as fsp } from 'node:fs'
import { extname, join, sep } from 'node:path'
import type { CustomScheme } from 'electron'
import { APP_CSP } from '../security'

/** The scheme of the renderer's pages: `app://netns-studio/index.html`. */
export const APP_SCHEME = 'app'
/** The one host the scheme answers for (the app's name, so the origin reads as what it is). */
export const APP_HOST = 'netns-studio'
/** The renderer's origin. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
/** The page the window loads, and the only page whose frames may call IPC. */
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`

/**
 * How the scheme is registered (before `ready`, in one call: a second call replaces the first).
 * - standard: relative URLs resolve (`./assets/x.js`) and the page has a real origin, not "null".
 * - secure: a secure context, like https (what `file://` and http are not).
 * - supportFetchAPI: the page may fetch() its own files.
 * - corsEnabled stays false: other origins cannot read our files; our page only loads from its
 *   own origin, and same-origin loads (module scripts included) need no CORS on a standard scheme.
 * - codeCache: V8 keeps compiled code of the bundle between starts (needs standard); the cache
 *   is checked against the source, so an update never runs stale code.
 * - bypassCSP, allowServiceWorkers, stream stay off: nothing needs them.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
}

/** Content types by file extension, for what a Vite build emits (anything else is octet-stream). */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
}

/** The content type of a file name. */
export function mimeType(file: string): string {
  return MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/** Headers on every response, errors included: the page's CSP and no MIME sniffing. */
function baseHeaders(csp: string): Record<string, string> {
  return { 'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff' }
}

function plain(status: number, text: string, csp: string, extra: Record<string, string> = {}) {
  return new Response(text, {
    status,
    headers: { ...baseHeaders(csp), 'Content-Type': 'text/plain; charset=utf-8', ...extra },
  })
}

/** Why a URL path cannot be mapped to a file: a bad request, or a path out of the folder. */
type PathProblem = { status: 400 | 403 | 404; reason: string }

/**
 * The path segments of a URL pathname, decoded, or why they are refused. Refused: bad percent
 * encoding, NUL, backslashes, `.`/`..` (also when percent-encoded), `/` hidden in a segment
 * (`%2f`) and empty segments; a trailing slash is a 404 (no folder pages).
 */
export function pathSegments(pathname: string): string[] | PathProblem {
  if (!pathname.startsWith('/')) return { status: 400, reason: 'path must start with /' }
  if (pathname.endsWith('/')) return { status: 404, reason: 'no folder pages: load /index.html' }
  const out: string[] = []
  for (const raw of pathname.slice(1).split('/')) {
    let seg: string
    try {
      seg = decodeURIComponent(raw)
    } catch {
      return { status: 400, reason: 'bad percent-encoding' }
    }
    if (seg.includes('\0')) return { status: 400, reason: 'NUL in path' }
    if (seg.includes('\\')) return { status: 400, reason: 'backslash in path' }
    if (seg === '.' || seg === '..') return { status: 403, reason: 'path leaves the folder' }
    if (seg.includes('/')) return { status: 403, reason: 'encoded slash in path' }
    if (seg === '') return { status: 400, reason: 'empty path segment' }
    out.push(seg)
  }
  return out
}

/** True when `path` is `root` or inside it (both already real paths). */
function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep)
}

export interface ServeOptions {
  /** CSP header value (default APP_CSP). */
  csp?: string
}

/**
 * Answer a request for `app://netns-studio/<path>` from the renderer folder `root`: GET and HEAD
 * only (405 otherwise), the file's bytes with its MIME type, 404 for anything missing, other
 * hosts or directories, 400/403 for paths that try to leave the folder (`..`, encoded or not,
 * backslashes, NUL, symlinks whose target is outside). Every response carries the CSP and nosniff.
 */
export async function serveRenderer(
  root: string,
  request: Request,
  opts: ServeOptions = {},
): Promise<Response> {
  const csp = opts.csp ?? APP_CSP
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return plain(405, 'method not allowed', csp, { Allow: 'GET, HEAD' })
  let url: URL
  try {
    url = new URL(request.url)
  } catch {
    return plain(400, 'bad URL', csp)
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || url.username || url.password)
    return plain(404, 'not found', csp)
  const segments = pathSegments(url.pathname)
  if (!Array.isArray(segments)) return plain(segments.status, segments.reason, csp)

  let file: string
  let size: number
  try {
    const realRoot = await fsp.realpath(root)
    file = await fsp.realpath(join(realRoot, ...segments))
    // realpath resolves every symlink on the way: a link out of the folder ends up outside.
    if (!inside(realRoot, file)) return plain(403, 'path leaves the folder', csp)
    const st = await fsp.stat(file)
    if (!st.isFile()) return plain(404, 'not found', csp)
    size = st.size
  } catch {
    return plain(404, 'not found', csp)
  }
  const headers = (length: number): Record<string, string> => ({
    ...baseHeaders(csp),
    'Content-Type': mimeType(file),
    'Content-Length': String(length),
  })
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers: headers(size) })
  let body: Buffer
  try {
    body = await fsp.readFile(file)
  } catch {
    return plain(404, 'not found', csp)
  }
  // A copy typed on a plain ArrayBuffer, which every BodyInit typing (DOM or Node) accepts.
  return new Response(new Uint8Array(body), { status: 200, headers: headers(body.length) })
}

// The app:// handler over a real folder on disk: files with their MIME types and the CSP header,
// HEAD, 404s, refused methods, and every way out of the folder (.., encoded .., backslashes,
// NUL, symlinks pointing outside) refused without reading the file outside.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  APP_INDEX_URL,
  APP_ORIGIN,
  APP_SCHEME_PRIVILEGES,
  pathSegments,
  serveRenderer,
} from '../../../../src-main/app/renderer-protocol'
import { APP_CSP } from '../../../../src-main/security'

const SECRET = 'secret outside the renderer folder'
let base: string
let root: string

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'nss-proto-'))
  root = join(base, 'renderer')
  mkdirSync(join(root, 'assets'), { recursive: true })
  writeFileSync(join(base, 'secret.txt'), SECRET)
  const files: Record<string, string> = {
    'index.html': '<!doctype html><div id="app"></div>',
    'assets/index-abc.js': 'console.log(1)',
    'assets/worker.mjs': 'export {}',
    'assets/index-abc.css': 'body{}',
    'assets/logo.svg': '<svg/>',
    'assets/logo.png': 'png',
    'assets/font.woff2': 'woff2',
    'assets/data.json': '{}',
    'assets/mod.wasm': 'wasm',
    'favicon.ico': 'ico',
    'assets/index-abc.js.map': '{}',
    'assets/blob.bin': 'bin',
  }
  for (const [p, text] of Object.entries(files)) writeFileSync(join(root, p), text)
  symlinkSync(join(base, 'secret.txt'), join(root, 'leak.txt'))
  symlinkSync(base, join(root, 'up'))
  symlinkSync(join(root, 'index.html'), join(root, 'alias.html'))
  // The root itself reached through a symlink (as an install folder may be).
  symlinkSync(root, join(base, 'root-link'))
})

afterAll(() => rmSync(base, { recursive: true, force: true }))

const get = (path: string, init?: RequestInit): Promise<Response> =>
  serveRenderer(root, new Request(`${APP_ORIGIN}${path}`, init))

describe('serveRenderer', () => {
  it('serves index.html with its type, length, the CSP header and nosniff', async () => {
    const res = await serveRenderer(root, new Request(APP_INDEX_URL))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('content-security-policy')).toBe(APP_CSP)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    const body = await res.text()
    expect(body).toBe('<!doctype html><div id="app"></div>')
    expect(res.headers.get('content-length')).toBe(String(body.length))
  })

  it('gives each kind of file its MIME type', async () => {
    const expected: Record<string, string> = {
      '/assets/index-abc.js': 'text/javascript; charset=utf-8',
      '/assets/worker.mjs': 'text/javascript; charset=utf-8',
      '/assets/index-abc.css': 'text/css; charset=utf-8',
      '/assets/logo.svg': 'image/svg+xml',
      '/assets/logo.png': 'image/png',
      '/assets/font.woff2': 'font/woff2',
      '/assets/data.json': 'application/json',
      '/assets/mod.wasm': 'application/wasm',
      '/favicon.ico': 'image/x-icon',
      '/assets/index-abc.js.map': 'application/json',
      '/assets/blob.bin': 'application/octet-stream',
    }
    for (const [path, type] of Object.entries(expected)) {
      const res = await get(path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type'), path).toBe(type)
      expect(res.headers.get('content-security-policy'), path).toBe(APP_CSP)
    }
  })

  it('answers HEAD with the headers and no body', async () => {
    const res = await get('/assets/index-abc.js', { method: 'HEAD' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(res.headers.get('content-length')).toBe(String('console.log(1)'.length))
    expect(res.headers.get('content-security-policy')).toBe(APP_CSP)
    expect(await res.text()).toBe('')
  })

  it('refuses methods other than GET and HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const res = await get('/index.html', { method })
      expect(res.status, method).toBe(405)
      expect(res.headers.get('allow')).toBe('GET, HEAD')
      expect(res.headers.get('content-security-policy')).toBe(APP_CSP)
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    }
  })

  it('404s missing files, folders, the bare origin and other hosts', async () => {
    for (const url of [
      `${APP_ORIGIN}/nope.js`,
      `${APP_ORIGIN}/assets`,
      `${APP_ORIGIN}/assets/`,
      `${APP_ORIGIN}/`,
      'app://other-host/index.html',
      'other://netns-studio/index.html',
    ]) {
      const res = await serveRenderer(root, new Request(url))
      expect(res.status, url).toBe(404)
      expect(res.headers.get('content-security-policy'), url).toBe(APP_CSP)
      expect(res.headers.get('x-content-type-options'), url).toBe('nosniff')
    }
  })

  it('never serves a file outside the folder: .., encoded .., backslash, NUL', async () => {
    const attempts: Array<[string, number]> = [
      // The URL parser already folds these to /secret.txt, which is not in the folder.
      ['/../secret.txt', 404],
      ['/assets/../../secret.txt', 404],
      ['/%2e%2e/secret.txt', 404],
      ['/%2E%2E/%2e%2e/secret.txt', 404],
      // These reach the handler as one segment that decodes to a path with a separator.
      ['/..%2fsecret.txt', 403],
      ['/%2e%2e%2fsecret.txt', 403],
      ['/assets%2f..%2f..%2fsecret.txt', 403],
      ['/..%5csecret.txt', 400],
      ['/..\\secret.txt', 400],
      ['/index.html%00.png', 400],
      ['/%E0%A4%A', 400],
    ]
    for (const [path, status] of attempts) {
      const res = await get(path)
      const body = await res.text()
      expect(res.status, path).toBe(status)
      expect(body, path).not.toContain(SECRET)
      expect(res.headers.get('content-security-policy'), path).toBe(APP_CSP)
    }
  })

  it('refuses symlinks whose target is outside the folder, follows those inside it', async () => {
    for (const path of ['/leak.txt', '/up/secret.txt']) {
      const res = await get(path)
      expect(res.status, path).toBe(403)
      expect(await res.text(), path).not.toContain(SECRET)
    }
    const alias = await get('/alias.html')
    expect(alias.status).toBe(200)
    expect(await alias.text()).toContain('id="app"')
    // A root given through a symlink still serves its own files, and still refuses the leak.
    const viaLink = join(base, 'root-link')
    expect((await serveRenderer(viaLink, new Request(APP_INDEX_URL))).status).toBe(200)
    expect((await serveRenderer(viaLink, new Request(`${APP_ORIGIN}/leak.txt`))).status).toBe(403)
  })

  it('uses the CSP it is given', async () => {
    const res = await serveRenderer(root, new Request(APP_INDEX_URL), { csp: "default-src 'none'" })
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'")
  })
})

describe('pathSegments', () => {
  it('decodes the segments of a clean path', () => {
    expect(pathSegments('/assets/a%20b.js')).toEqual(['assets', 'a b.js'])
  })

  it('refuses dot segments even where a URL parser did not fold them', () => {
    expect(pathSegments('/../secret.txt')).toMatchObject({ status: 403 })
    expect(pathSegments('/a/./b')).toMatchObject({ status: 403 })
    expect(pathSegments('/a/%2e%2e/b')).toMatchObject({ status: 403 })
    expect(pathSegments('//etc/passwd')).toMatchObject({ status: 400 })
    expect(pathSegments('relative')).toMatchObject({ status: 400 })
  })
})

describe('APP_SCHEME_PRIVILEGES', () => {
  it('registers a standard, secure scheme that other origins cannot read', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({
      scheme: 'app',
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    })
  })
})

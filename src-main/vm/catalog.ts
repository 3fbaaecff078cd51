// The box catalog as preflight sees it: whether it answers (directly, or through the proxy from the
// environment with an HTTP CONNECT) and how big a box's download is (its metadata, then a HEAD).

import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { connect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { compareVersions } from '../../shared/vm/preflight'
import { proxyFor, type ProxyChoice } from '../../shared/vm/proxy'
import { logger } from '../log'

const log = logger('vm')

type Env = Record<string, string | undefined>

/** The catalog's base URL: VAGRANT_SERVER_URL when set, as Vagrant does. */
export function catalogUrl(env: Env): string {
  const v = env.VAGRANT_SERVER_URL
  try {
    if (v) return new URL(v).toString().replace(/\/$/, '')
  } catch {
    // not a URL: Vagrant would fail on it too; check the default
  }
  return 'https://vagrantcloud.com'
}

const portOf = (u: URL): number => (u.port ? Number(u.port) : u.protocol === 'http:' ? 80 : 443)

/** A TCP connection to host:port within `ms`, or null. */
function tcp(host: string, port: number, ms: number, signal?: AbortSignal): Promise<Socket | null> {
  return new Promise((resolve) => {
    const s = connect({ host, port })
    const done = (ok: boolean): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', abort)
      if (!ok) s.destroy()
      resolve(ok ? s : null)
    }
    const abort = (): void => done(false)
    const timer = setTimeout(() => done(false), ms)
    signal?.addEventListener('abort', abort, { once: true })
    s.once('connect', () => done(true))
    s.once('error', () => done(false))
  })
}

/**
 * Ask an HTTP proxy for a tunnel to host:port (`CONNECT`). Resolves with the tunnel socket when
 * the proxy answers 2xx within `ms`, else null.
 */
export async function connectTunnel(
  proxy: ProxyChoice,
  host: string,
  port: number,
  ms: number,
  signal?: AbortSignal,
): Promise<Socket | null> {
  const t0 = Date.now()
  const s = await tcp(proxy.host, proxy.port, ms, signal)
  if (!s) return null
  const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
  const auth = proxy.auth
    ? `Proxy-Authorization: Basic ${Buffer.from(proxy.auth).toString('base64')}\r\n`
    : ''
  return new Promise((resolve) => {
    let head = ''
    const done = (ok: boolean): void => {
      clearTimeout(timer)
      s.removeAllListeners('data')
      if (!ok) s.destroy()
      resolve(ok ? s : null)
    }
    const timer = setTimeout(() => done(false), Math.max(1, ms - (Date.now() - t0)))
    s.on('data', (d: Buffer) => {
      head += d.toString('latin1')
      if (head.length > 16_384) return done(false)
      if (!head.includes('\r\n\r\n')) return
      done(/^HTTP\/1\.[01] 2\d\d/.test(head))
    })
    s.once('error', () => done(false))
    s.once('close', () => done(false))
    s.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`)
  })
}

/**
 * Whether the catalog answers: a TCP connect to it, or, when the environment names a proxy for
 * it, a CONNECT through that proxy that the proxy accepts (a SOCKS proxy: reaching the proxy).
 */
export async function catalogReachable(
  env: Env,
  ms = 3000,
  signal?: AbortSignal,
): Promise<{ ok: boolean; proxy: string | null }> {
  const u = new URL(catalogUrl(env))
  const proxy = proxyFor(u.toString(), env)
  const host = u.hostname.replace(/^\[|\]$/g, '')
  let s: Socket | null
  if (!proxy) s = await tcp(host, portOf(u), ms, signal)
  else if (proxy.protocol === 'socks:') s = await tcp(proxy.host, proxy.port, ms, signal)
  else s = await connectTunnel(proxy, host, portOf(u), ms, signal)
  s?.destroy()
  return { ok: s !== null, proxy: proxy?.display ?? null }
}

interface Fetched {
  status: number
  headers: IncomingMessage['headers']
  body: string
}

/** One HTTP(S) request, through the environment's proxy when it names one; body capped. */
async function fetchOnce(
  url: URL,
  method: 'GET' | 'HEAD',
  env: Env,
  ms: number,
  signal?: AbortSignal,
): Promise<Fetched> {
  const proxy = proxyFor(url.toString(), env)
  if (proxy?.protocol === 'socks:') throw new Error('SOCKS proxies are not supported here')
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'User-Agent': 'netns-studio preflight',
  }
  let tunnel: Socket | null = null
  if (proxy && url.protocol === 'https:') {
    tunnel = await connectTunnel(proxy, host, portOf(url), ms, signal)
    if (!tunnel) throw new Error(`the proxy ${proxy.display} refused a tunnel to ${url.host}`)
  }
  const viaProxy = proxy && url.protocol === 'http:'
  if (viaProxy && proxy.auth)
    headers['Proxy-Authorization'] = `Basic ${Buffer.from(proxy.auth).toString('base64')}`
  const req =
    url.protocol === 'https:'
      ? httpsRequest({
          host,
          port: portOf(url),
          path: url.pathname + url.search,
          method,
          headers,
          signal,
          timeout: ms,
          ...(tunnel
            ? { createConnection: () => tlsConnect({ socket: tunnel, servername: host }) }
            : {}),
        })
      : httpRequest({
          host: viaProxy ? proxy.host : host,
          port: viaProxy ? proxy.port : portOf(url),
          path: viaProxy ? url.toString() : url.pathname + url.search,
          method,
          headers,
          signal,
          timeout: ms,
        })
  return new Promise<Fetched>((resolve, reject) => {
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.host} in ${ms} ms`)))
    req.on('error', reject)
    req.on('response', (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => {
        body += d
        if (body.length > 2_000_000) req.destroy(new Error('catalog answer too large'))
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      res.on('error', reject)
    })
    req.end()
  })
}

/** Follow up to 5 redirects. */
async function fetchFollow(
  url: string,
  method: 'GET' | 'HEAD',
  env: Env,
  ms: number,
  signal?: AbortSignal,
): Promise<Fetched> {
  let u = new URL(url)
  for (let i = 0; i < 6; i++) {
    const r = await fetchOnce(u, method, env, ms, signal)
    const loc = r.headers.location
    if (r.status >= 300 && r.status < 400 && loc) {
      u = new URL(loc, u)
      continue
    }
    return r
  }
  throw new Error('too many redirects')
}

/** Vagrant's box metadata (catalog format): versions, each with provider builds. */
interface BoxMetadata {
  versions?: Array<{
    version?: string
    providers?: Array<{
      name?: string
      url?: string
      architecture?: string
      default_architecture?: boolean
    }>
  }>
}

/** The download URL of the newest version that has a build for provider and architecture. */
export function downloadUrlFrom(meta: BoxMetadata, provider: string, arch: string): string | null {
  const versions = [...(meta.versions ?? [])].sort((a, b) =>
    compareVersions(b.version ?? '0', a.version ?? '0'),
  )
  for (const v of versions) {
    const builds = (v.providers ?? []).filter((p) => p.name === provider && p.url)
    const build =
      builds.find((p) => p.architecture === arch) ??
      builds.find((p) => !p.architecture || p.architecture === 'unknown')
    if (build?.url) return build.url
  }
  return null
}

/**
 * The download size of a catalog box in MB (rounded up), from its metadata and a HEAD of its
 * file; null when the catalog or the file does not say (offline, private box, no length).
 */
export async function boxDownloadMB(
  name: string,
  provider: string,
  arch: string,
  env: Env,
  ms = 5000,
  signal?: AbortSignal,
): Promise<number | null> {
  try {
    const meta = await fetchFollow(`${catalogUrl(env)}/${name}`, 'GET', env, ms, signal)
    if (meta.status !== 200) return null
    const url = downloadUrlFrom(JSON.parse(meta.body) as BoxMetadata, provider, arch)
    if (!url) return null
    const head = await fetchFollow(url, 'HEAD', env, ms, signal)
    const bytes = Number(head.headers['content-length'])
    return head.status === 200 && bytes > 0 ? Math.ceil(bytes / 1_000_000) : null
  } catch (err) {
    // Only the size shown before the download is missing.
    log.debug({ err, name }, 'box size lookup failed')
    return null
  }
}

// Which proxy a request to the box catalog goes through, read the way curl (Vagrant's downloader)
// reads the environment: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY in either case, minus NO_PROXY. Pure.

/** A proxy to reach a host through. */
export interface ProxyChoice {
  protocol: 'http:' | 'https:' | 'socks:'
  host: string
  port: number
  /** `user:password` for Proxy-Authorization (basic), or null. */
  auth: string | null
  /** For messages: scheme, host and port, never the credentials. */
  display: string
}

type Env = Record<string, string | undefined>

const get = (env: Env, name: string): string | undefined => {
  const v = env[name.toLowerCase()] ?? env[name.toUpperCase()]
  return v && v.trim() ? v.trim() : undefined
}

/** A proxy variable's value ("host:3128", "http://user:pw@host:3128") → the proxy, or null. */
export function parseProxy(value: string): ProxyChoice | null {
  const full = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`
  let u: URL
  try {
    u = new URL(full)
  } catch {
    return null
  }
  // URL drops a port equal to the scheme's default (":80"); curl keeps what was written.
  const written = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/]*):(\d+)/i.exec(full)?.[1]
  const scheme = u.protocol.toLowerCase()
  const protocol: ProxyChoice['protocol'] | null =
    scheme === 'http:'
      ? 'http:'
      : scheme === 'https:'
        ? 'https:'
        : scheme.startsWith('socks')
          ? 'socks:'
          : null
  if (!protocol || !u.hostname) return null
  // curl's default proxy port when none is given.
  const port = written ? Number(written) : protocol === 'https:' ? 443 : 1080
  const host = u.hostname.replace(/^\[|\]$/g, '')
  const auth = u.username
    ? `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`
    : null
  return { protocol, host, port, auth, display: `${u.protocol}//${u.hostname}:${port}` }
}

/** Whether NO_PROXY exempts host:port (entries: `*`, names, `.suffix`, `*.suffix`, IPs, `:port`). */
export function noProxyMatches(noProxy: string, host: string, port: number): boolean {
  const h = host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase()
    if (!entry) continue
    if (entry === '*') return true
    let entryPort: number | null = null
    const m = /^(.*?):(\d+)$/.exec(entry)
    if (m && !entry.includes('::')) {
      entry = m[1] ?? ''
      entryPort = Number(m[2])
    }
    if (entryPort !== null && entryPort !== port) continue
    entry = entry.replace(/^\*/, '').replace(/^\[|\]$/g, '')
    if (entry.startsWith('.')) {
      if (h.endsWith(entry) || h === entry.slice(1)) return true
    } else if (h === entry || h.endsWith(`.${entry}`)) return true
  }
  return false
}

/**
 * The proxy for a URL's host, or null for a direct connection: `https_proxy`/`HTTPS_PROXY` for
 * https, `http_proxy`/`HTTP_PROXY` for http, else `all_proxy`; none when NO_PROXY matches.
 */
export function proxyFor(url: string, env: Env): ProxyChoice | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  const port = u.port ? Number(u.port) : u.protocol === 'http:' ? 80 : 443
  const noProxy = get(env, 'no_proxy')
  if (noProxy && noProxyMatches(noProxy, u.hostname, port)) return null
  const value =
    (u.protocol === 'https:' ? get(env, 'https_proxy') : get(env, 'http_proxy')) ??
    get(env, 'all_proxy')
  return value ? parseProxy(value) : null
}

// The catalog check and the box size against real servers on 127.0.0.1: a catalog serving box
// metadata (with a redirect to the file, as the real one does), and a real little HTTP proxy that
// tunnels CONNECT and forwards absolute-URI requests.
import { createServer as createHttpServer, request, type Server } from 'node:http'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { boxDownloadMB, catalogReachable, downloadUrlFrom } from '../../../../src-main/vm/catalog'

const listen = (s: Server | ReturnType<typeof createServer>): Promise<number> =>
  new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)),
  )

/** A free port nobody listens on. */
async function closedPort(): Promise<number> {
  const s = createServer()
  const port = await listen(s)
  await new Promise((r) => s.close(r))
  return port
}

describe('the box catalog through a proxy', () => {
  let catalogPort = 0
  let proxyPort = 0
  const catalog = createHttpServer((req, res) => {
    const base = `http://127.0.0.1:${catalogPort}`
    if (req.url === '/netns/testbox') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          name: 'netns/testbox',
          versions: [
            { version: '1.0.0', providers: [{ name: 'libvirt', url: `${base}/old.box` }] },
            {
              version: '1.2.0',
              providers: [
                { name: 'libvirt', url: `${base}/dl/amd64.box`, architecture: 'amd64' },
                { name: 'libvirt', url: `${base}/dl/arm64.box`, architecture: 'arm64' },
              ],
            },
          ],
        }),
      )
      return
    }
    // The registry redirects to the storage that serves the file.
    if (req.url?.startsWith('/dl/')) {
      res.writeHead(302, { location: `/files${req.url.slice(3)}` })
      return res.end()
    }
    const sizes: Record<string, number> = {
      '/files/amd64.box': 612_345_678,
      '/files/arm64.box': 587_000_001,
    }
    const size = sizes[req.url ?? '']
    if (req.method === 'HEAD' && size) {
      res.writeHead(200, { 'content-length': size })
      return res.end()
    }
    res.writeHead(404)
    res.end()
  })
  const seen: Array<{ method: string; target: string; auth: string | null }> = []
  let refuse = false
  const proxy = createHttpServer((req, res) => {
    // Absolute-URI request (plain http through the proxy): forward it.
    seen.push({
      method: req.method ?? '',
      target: req.url ?? '',
      auth: req.headers['proxy-authorization'] ?? null,
    })
    const u = new URL(req.url ?? '')
    const fwd = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: req.method,
        headers: { accept: 'application/json' },
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers)
        r.pipe(res)
      },
    )
    fwd.on('error', () => res.writeHead(502).end())
    fwd.end()
  })
  proxy.on('connect', (req, client: Socket) => {
    seen.push({
      method: 'CONNECT',
      target: req.url ?? '',
      auth: req.headers['proxy-authorization'] ?? null,
    })
    if (refuse) return client.end('HTTP/1.1 403 Forbidden\r\n\r\n')
    const [host, port] = (req.url ?? '').split(':')
    const up = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      up.pipe(client)
      client.pipe(up)
    })
    up.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'))
    client.on('error', () => up.destroy())
  })

  beforeAll(async () => {
    catalogPort = await listen(catalog)
    proxyPort = await listen(proxy)
  })
  afterAll(async () => {
    catalog.closeAllConnections()
    proxy.closeAllConnections()
    await Promise.all([new Promise((r) => catalog.close(r)), new Promise((r) => proxy.close(r))])
  })

  it('reaches an https catalog with CONNECT through HTTPS_PROXY, sending the credentials', async () => {
    seen.length = 0
    const env = {
      VAGRANT_SERVER_URL: `https://127.0.0.1:${catalogPort}`,
      HTTPS_PROXY: `http://me:secret@127.0.0.1:${proxyPort}`,
    }
    expect(await catalogReachable(env)).toEqual({
      ok: true,
      proxy: `http://127.0.0.1:${proxyPort}`,
    })
    expect(seen).toEqual([
      {
        method: 'CONNECT',
        target: `127.0.0.1:${catalogPort}`,
        auth: `Basic ${Buffer.from('me:secret').toString('base64')}`,
      },
    ])
  })

  it('is unreachable when the proxy refuses the tunnel or is down, even though the catalog is up', async () => {
    refuse = true
    const env = {
      VAGRANT_SERVER_URL: `https://127.0.0.1:${catalogPort}`,
      https_proxy: `127.0.0.1:${proxyPort}`,
    }
    expect((await catalogReachable(env)).ok).toBe(false)
    refuse = false
    const down = { ...env, https_proxy: `http://127.0.0.1:${await closedPort()}` }
    expect(await catalogReachable(down, 1000)).toMatchObject({ ok: false })
  })

  it('goes direct for NO_PROXY hosts and without a proxy', async () => {
    seen.length = 0
    const env = {
      VAGRANT_SERVER_URL: `https://127.0.0.1:${catalogPort}`,
      HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`,
      NO_PROXY: 'localhost,127.0.0.1',
    }
    expect(await catalogReachable(env)).toEqual({ ok: true, proxy: null })
    expect(seen).toEqual([])
    expect(
      (
        await catalogReachable(
          { VAGRANT_SERVER_URL: `http://127.0.0.1:${await closedPort()}` },
          1000,
        )
      ).ok,
    ).toBe(false)
  })

  it('measures the download from the metadata and a HEAD of the file (newest version, this CPU), via HTTP_PROXY', async () => {
    seen.length = 0
    const env = {
      VAGRANT_SERVER_URL: `http://127.0.0.1:${catalogPort}`,
      HTTP_PROXY: `http://127.0.0.1:${proxyPort}`,
    }
    expect(await boxDownloadMB('netns/testbox', 'libvirt', 'amd64', env)).toBe(613)
    expect(seen.map((s) => `${s.method} ${new URL(s.target).pathname}`)).toEqual([
      'GET /netns/testbox',
      'HEAD /dl/amd64.box',
      'HEAD /files/amd64.box',
    ])
    const direct = { VAGRANT_SERVER_URL: `http://127.0.0.1:${catalogPort}` }
    expect(await boxDownloadMB('netns/testbox', 'libvirt', 'arm64', direct)).toBe(588)
    expect(await boxDownloadMB('netns/testbox', 'virtualbox', 'amd64', direct)).toBeNull()
    expect(await boxDownloadMB('netns/nothere', 'libvirt', 'amd64', direct)).toBeNull()
    const offline = { VAGRANT_SERVER_URL: `http://127.0.0.1:${await closedPort()}` }
    expect(await boxDownloadMB('netns/testbox', 'libvirt', 'amd64', offline, 1000)).toBeNull()
  })

  it('picks builds without an architecture for old catalogs', () => {
    expect(
      downloadUrlFrom(
        { versions: [{ version: '1', providers: [{ name: 'virtualbox', url: 'u' }] }] },
        'virtualbox',
        'arm64',
      ),
    ).toBe('u')
  })
})

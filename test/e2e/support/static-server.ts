// The built renderer on 127.0.0.1 (random port) for Chromium, answered by the app's own app://
// handler (src-main/app/renderer-protocol.ts): each request becomes the app:// Request the
// packaged app's protocol.handle would get, so MIME types, CSP and path rules are the app's.

import { createServer, type IncomingMessage, type Server } from 'node:http'
import { APP_ORIGIN, serveRenderer } from '../../../src-main/app/renderer-protocol'

export interface StaticServer {
  /** e.g. "http://127.0.0.1:40123" */
  origin: string
  close(): Promise<void>
}

/** The app:// request the packaged app would get for this HTTP request. */
function appRequest(req: IncomingMessage): Request {
  // Only the path and query: an absolute-form or "//host" target ends up on another host, which
  // the handler answers with 404.
  const target = req.url ?? '/'
  return new Request(`${APP_ORIGIN}${target.startsWith('/') ? target : `/${target}`}`, {
    method: req.method ?? 'GET',
  })
}

/** Serve `root` (e.g. out/renderer) on a random loopback port through the app:// handler. */
export async function serveStatic(root: string): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    let request: Request
    try {
      request = appRequest(req)
    } catch {
      res.writeHead(400).end()
      return
    }
    void serveRenderer(root, request).then(
      async (response) => {
        const headers: Record<string, string> = { 'Cache-Control': 'no-store' }
        response.headers.forEach((value, key) => (headers[key] = value))
        res.writeHead(response.status, headers)
        res.end(Buffer.from(await response.arrayBuffer()))
      },
      () => res.writeHead(500).end(),
    )
  })
  await new Promise<void>((ok, fail) => {
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => ok())
  })
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : 0
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections()
        server.close(() => ok())
      }),
  }
}

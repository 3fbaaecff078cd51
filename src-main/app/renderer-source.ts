// Which page the window loads: the built renderer over the app scheme, or, in development only,
// the electron-vite dev server named by ELECTRON_RENDERER_URL. A packaged app ignores the variable:
// otherwise anyone who can set an environment variable could load a foreign page with our preload.

import type { AppLocation } from '../security'
import { APP_INDEX_URL, APP_ORIGIN } from './renderer-protocol'

/** The page to load, and the location the IPC sender check accepts. */
export interface RendererSource {
  /** URL the window loads. */
  url: string
  /** The app's page, as the sender check knows it. */
  location: AppLocation
  /** True when the page comes from the dev server. */
  dev: boolean
}

/**
 * Decide where the renderer comes from. `devUrl` (ELECTRON_RENDERER_URL) counts only when not
 * packaged, and must then be an http(s) URL without credentials.
 */
export function rendererSource(opts: {
  packaged: boolean
  devUrl?: string | undefined
}): RendererSource {
  const built: RendererSource = {
    url: APP_INDEX_URL,
    location: { kind: 'scheme', origin: APP_ORIGIN },
    dev: false,
  }
  if (opts.packaged || !opts.devUrl) return built
  let u: URL
  try {
    u = new URL(opts.devUrl)
  } catch {
    throw new Error(`ELECTRON_RENDERER_URL is not a URL: "${opts.devUrl.slice(0, 200)}".`)
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password)
    throw new Error(
      `ELECTRON_RENDERER_URL must be an http(s) URL without credentials, got "${u.protocol}//${u.host}".`,
    )
  return { url: u.href, location: { kind: 'url', origin: u.origin }, dev: true }
}

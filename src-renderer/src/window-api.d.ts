// window.api is what the preload exposes; the renderer reaches it only through ipc/client.ts.
import type { PreloadApi } from '@shared/ipc/contract'

declare global {
  interface Window {
    api: PreloadApi
  }
}

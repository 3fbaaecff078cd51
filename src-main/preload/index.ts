// The preload: exposes only invoke(channel, ...args) and on(channel, fn) → unsubscribe, limited to
// the one IPC contract's allowlists. The e2e bridge (test/e2e/support/bridge.ts) mirrors it.
import { contextBridge, ipcRenderer } from 'electron'
import { isEventChannel, isInvokeChannel, type PreloadApi } from '../../shared/ipc/contract'

const api: PreloadApi = {
  invoke(channel, ...args) {
    if (!isInvokeChannel(channel)) {
      const message = `Unknown call "${String(channel).slice(0, 60)}".`
      return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message } })
    }
    return ipcRenderer.invoke(channel, ...args)
  },
  on(channel, fn) {
    if (!isEventChannel(channel))
      throw new Error(`Unknown event "${String(channel).slice(0, 60)}".`)
    if (typeof fn !== 'function') throw new Error('on() needs a listener function.')
    // Drop the IpcRendererEvent: the page never sees Electron objects.
    const listener = (_e: unknown, ...args: unknown[]): void =>
      (fn as (...a: unknown[]) => void)(...args)
    ipcRenderer.on(channel, listener)
    return () => void ipcRenderer.removeListener(channel, listener)
  },
}

contextBridge.exposeInMainWorld('api', api)

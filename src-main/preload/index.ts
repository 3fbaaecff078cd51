// The preload: exposes only invoke(channel, ...args) and on(channel, fn) from the one IPC contract.
import { contextBridge, ipcRenderer } from 'electron'
import { isEventChannel, isInvokeChannel, type PreloadApi } from '../../shared/ipc/contract'

const api: PreloadApi = {
  invoke(channel, ...args) {
    if (!isInvokeChannel(channel)) return Promise.reject(new Error(`unknown channel ${String(channel)}`))
    return ipcRenderer.invoke(channel, ...args)
  },
  on(channel, fn) {
    if (!isEventChannel(channel)) throw new Error(`unknown event ${String(channel)}`)
    const listener = (_e: unknown, ...args: unknown[]): void => (fn as (...a: unknown[]) => void)(...args)
    ipcRenderer.on(channel, listener)
    return () => void ipcRenderer.removeListener(channel, listener)
  },
}

contextBridge.exposeInMainWorld('api', api)

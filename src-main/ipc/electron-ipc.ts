// Thin Electron glue for the router: one ipcMain.handle per contract channel, the sender context
// taken from event.senderFrame, and an EventSink that sends to live app windows only.

import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron'
import type { EventArgs, EventChannel } from '../../shared/ipc/contract'
import { invokeArgChecks } from '../../shared/ipc/contract'
import type { Router, SenderContext } from './router'
import type { EventSink } from './types'

/** The caller as the router sees it. A frame that is gone or navigating has no URL: untrusted. */
export function senderContext(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
): SenderContext {
  const frame = event.senderFrame
  return {
    senderId: event.sender.id,
    frameUrl: frame?.url ?? '',
    isMainFrame: frame !== null && frame.parent === null,
  }
}

/** Register every contract channel on ipcMain; returns the function that removes them again. */
export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  router: Router,
): () => void {
  const channels = Object.keys(invokeArgChecks)
  for (const channel of channels) {
    ipcMain.handle(channel, (event, ...args: unknown[]) =>
      router.handle(senderContext(event), channel, args),
    )
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel)
  }
}

/** An EventSink over the app's windows; sends to destroyed or crashed contents are dropped. */
export function windowsSink(contents: () => Iterable<WebContents>): EventSink {
  const alive = (c: WebContents): boolean => !c.isDestroyed() && !c.isCrashed()
  return {
    send<C extends EventChannel>(channel: C, ...args: EventArgs<C>): void {
      for (const c of contents()) if (alive(c)) c.send(channel, ...args)
    },
    sendTo<C extends EventChannel>(senderId: number, channel: C, ...args: EventArgs<C>): void {
      for (const c of contents()) if (c.id === senderId && alive(c)) c.send(channel, ...args)
    },
  }
}

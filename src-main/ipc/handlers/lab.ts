// IPC handlers of the lab domain: thin adapters over LabApp. The caller's sender id is the window
// the dialogs attach to and the progress events go to.

import type { LabInvoke } from '../../../shared/ipc/domains/lab'
import type { LabApp } from '../../lab/lab-app'
import type { HandlerMap } from '../types'

/** Handlers for every LabInvoke channel. Arguments arrive already checked by the router. */
export function createLabHandlers(labs: LabApp): HandlerMap<keyof LabInvoke> {
  return {
    'lab:list': () => labs.list(),
    'lab:recent': () => labs.recent(),
    'lab:open': (c, req) => labs.open(c.senderId, req),
    'lab:plan': (_c, lab) => labs.plan(lab),
    'lab:check': (_c, lab) => labs.check(lab),
    'lab:apply': (c, lab, req) => labs.apply(c.senderId, lab, req),
    'lab:destroy': (c, name, req) => labs.destroy(c.senderId, name, req),
    'lab:capture': (_c, name) => labs.capture(name),
    'lab:save': (_c, lab, fileId) => labs.save(lab, fileId),
    'lab:save-as': (c, lab) => labs.saveAs(c.senderId, lab),
    'lab:settings': () => labs.settings(),
    'lab:set-settings': (_c, s) => labs.setSettings(s),
  }
}

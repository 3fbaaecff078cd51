// IPC handlers of the app domain: facts about the running app for the welcome screen and About.

import type { AppInfo, AppInvoke } from '../../../shared/ipc/domains/app'
import type { HandlerMap } from '../types'

/** Facts about the app when no Electron is around (tests, the e2e bridge). */
export function nodeAppInfo(version: string): AppInfo {
  return {
    name: 'netns-studio',
    version,
    platform: process.platform,
    arch: process.arch,
    packaged: false,
    versions: {
      electron: process.versions.electron ?? null,
      node: process.versions.node,
      chrome: process.versions.chrome ?? null,
    },
  }
}

export function createAppHandlers(info: AppInfo): HandlerMap<keyof AppInvoke> {
  return { 'app:info': () => ({ ...info, versions: { ...info.versions } }) }
}

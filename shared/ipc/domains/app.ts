// IPC entries of the app itself: what the renderer needs to know about where it runs (platform,
// version, packaged or not) for the welcome screen and About.

import type { Check } from '../../net/validate'

/** Facts about the running app and this computer. */
export interface AppInfo {
  name: string
  version: string
  /** process.platform: 'linux', 'darwin', 'win32', ... */
  platform: string
  /** process.arch: 'x64', 'arm64', ... */
  arch: string
  /** True in a packaged build (no DevTools, no dev URL). */
  packaged: boolean
  /** Versions of the runtime parts, for About and bug reports. */
  versions: { electron: string | null; node: string; chrome: string | null }
}

export interface AppInvoke {
  /** Where the app runs. */
  'app:info': () => AppInfo
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AppEvents {}

const none = (a: unknown[]): Check =>
  a.length === 0 ? { ok: true } : { ok: false, message: 'This call takes no arguments.' }

export const appInvokeArgs: { [K in keyof AppInvoke]: (args: unknown[]) => Check } = {
  'app:info': none,
}

export const appEventNames: { [K in keyof AppEvents]: true } = {}

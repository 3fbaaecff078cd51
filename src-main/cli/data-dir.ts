// The app's data folder (Electron's userData for "netns-studio"), found without Electron so the
// CLI pins host keys and finds the VM and the user's labs where the app does.

import { homedir } from 'node:os'
import { join } from 'node:path'

/** The folder name Electron derives from the product name. */
const APP_NAME = 'netns-studio'

/**
 * The app's data folder: NETNS_STUDIO_DATA_DIR when set; else on Linux
 * `${XDG_CONFIG_HOME:-~/.config}/netns-studio`, on macOS `~/Library/Application Support/netns-studio`,
 * on Windows `%APPDATA%\netns-studio`.
 */
export function appDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.NETNS_STUDIO_DATA_DIR) return env.NETNS_STUDIO_DATA_DIR
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_NAME)
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), APP_NAME)
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), APP_NAME)
}

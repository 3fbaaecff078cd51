// The words preflight's problems point users with: where the settings are, how to install
// Vagrant, and the problem (with its fix) for each known provider blocker.

import type { PreflightProblem, ProviderFacts } from './preflight-types'
import { PROVIDER_LABELS, type ProviderName } from './providers'

/** Where the UI lets the user change the VM's provider and box (the hints point there). */
export const SETTINGS_PROVIDER = 'Settings → VM → Provider'
export const SETTINGS_BOX = 'Settings → VM → Box'

/** How to install Vagrant, per platform. */
export function vagrantInstallHint(platform: string): string {
  if (platform === 'darwin')
    return 'Install Vagrant with `brew install --cask vagrant` or from https://developer.hashicorp.com/vagrant/install, then restart the app.'
  if (platform === 'win32')
    return 'Install Vagrant from https://developer.hashicorp.com/vagrant/install (or `winget install Hashicorp.Vagrant`), then restart the app.'
  return 'Install Vagrant (Debian/Ubuntu: `sudo apt install vagrant`; others: https://developer.hashicorp.com/vagrant/install), or set its path in the settings.'
}

/** Providers by the names users know them by, comma-separated. */
export const providerList = (names: readonly ProviderName[]): string =>
  names.map((n) => PROVIDER_LABELS[n]).join(', ')

/** The problem (and its fix) for a provider's known blocker; null when it has none. */
export function blockerProblem(p: ProviderFacts): PreflightProblem | null {
  if (p.blocker === 'not-admin')
    return {
      code: 'hyperv-not-admin',
      severity: 'error',
      message:
        'Hyper-V needs administrator rights: this Windows user is neither an administrator nor in the "Hyper-V Administrators" group.',
      action:
        'Add the user to "Hyper-V Administrators" (Computer Management → Local Users and Groups; or as admin `net localgroup "Hyper-V Administrators" %USERNAME% /add`), then sign out and in. Or choose VirtualBox or VMware in ' +
        SETTINGS_PROVIDER +
        '.',
    }
  if (p.blocker === 'no-permission')
    return {
      code: 'libvirt-permission',
      severity: 'error',
      message: `libvirt refuses this user (${p.detail}).`,
      action:
        'Add yourself to the libvirt group: `sudo usermod -aG libvirt $USER`, then log out and in again (or reboot) so the new group applies.',
    }
  if (p.blocker === 'not-running')
    return {
      code: 'provider-unusable',
      severity: 'error',
      message: `libvirt is installed but not running: ${p.detail}.`,
      action:
        'Start it with `sudo systemctl start libvirtd` (or `sudo systemctl enable --now libvirtd` to keep it started); `virsh -c qemu:///system version` should then answer. Or choose another provider in ' +
        SETTINGS_PROVIDER +
        '.',
    }
  return null
}

// The user's VM settings as vagrant sees them: the environment the app's Vagrantfile reads
// (memory, CPUs, provider, box), plus the provider and Hyper-V switch an operation uses.

import { PROVIDERS } from '../../shared/vm/preflight'
import type { VmSettings } from '../../shared/vm/settings'
import { vagrantEnv, type VagrantCliOptions } from './vagrant-cli'

/** Where the VM's settings come from (the app's VmSettingsStore). */
export interface VmSettingsSource {
  get(): VmSettings
  /** The environment the Vagrantfile reads them from. */
  env(): Record<string, string>
}

/** The configured environment plus the user's settings (memory, CPUs, provider, box). */
export function baseEnv(
  o: VagrantCliOptions,
  settings: VmSettingsSource | null,
): Record<string, string> {
  return { ...(o.env ?? {}), ...(settings?.env() ?? {}) }
}

/**
 * vagrant's environment; with the provider the VM uses (also for commands without --provider,
 * such as reload) and the Hyper-V switch preflight chose.
 */
export function vmEnv(
  o: VagrantCliOptions,
  settings: VmSettingsSource | null,
  provider: string | null,
  hypervSwitch: string | null,
): NodeJS.ProcessEnv {
  const extra: Record<string, string> = {}
  if (provider && (PROVIDERS as readonly string[]).includes(provider)) {
    extra.VAGRANT_DEFAULT_PROVIDER = provider
    extra.NETNS_STUDIO_PROVIDER = provider
  }
  if (hypervSwitch) extra.NETNS_STUDIO_HYPERV_SWITCH = hypervSwitch
  return vagrantEnv({ ...o, env: { ...baseEnv(o, settings), ...extra } })
}

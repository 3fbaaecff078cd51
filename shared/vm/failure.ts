// Failure details of a Vagrant operation: which step failed, exit code, Vagrant's `error-exit` type
// and message, the last output lines, and a hint for known causes. Pure, so the UI and tests share it.

import type { MachineLine } from './machine-readable'
import type { VmOperation, VmStep } from './progress'

/** How many output lines a failure keeps. */
export const FAILURE_TAIL_LINES = 30

/** Known causes the app can explain. */
export type FailureHintCode =
  | 'virtualization-disabled'
  | 'provider-missing'
  | 'port-in-use'
  | 'box-not-found-offline'
  | 'box-not-found'
  | 'ssh-timeout'
  | 'locked'

export interface FailureHint {
  code: FailureHintCode
  text: string
}

/** Everything the UI shows when an operation fails or is cancelled. */
export interface VmFailure {
  op: VmOperation
  /** The step that was running when it failed. */
  step: VmStep
  exitCode: number | null
  /** Signal that ended vagrant, when it was killed. */
  signal: string | null
  /** True when the user cancelled. */
  cancelled: boolean
  /** Vagrant's error class, e.g. `Vagrant::Errors::SSHNotReady`; null when none was printed. */
  errorType: string | null
  /** Vagrant's error message (unescaped), or the last error-looking line. */
  errorMessage: string | null
  /** The last output lines (at most {@link FAILURE_TAIL_LINES}), as the user would have seen them. */
  tail: string[]
  hint: FailureHint | null
  /** Epoch ms. */
  at: number
  durationMs: number
}

/** The `error-exit` of an output, if any: `TS,,error-exit,TYPE,MESSAGE`. */
export function findErrorExit(lines: MachineLine[]): { type: string; message: string } | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]
    if (l?.type === 'error-exit')
      return { type: l.data[0] ?? '', message: (l.data[1] ?? '').trim() }
  }
  return null
}

const OFFLINE =
  /Could not resolve host|Failed to connect to|Connection refused|Network is unreachable|Couldn't connect to server|Temporary failure in name resolution|Connection timed out/i

const HINTS: Array<{
  code: FailureHintCode
  types: RegExp
  text: RegExp
  hint: string
  when?: (text: string) => boolean
}> = [
  {
    code: 'virtualization-disabled',
    types: /VirtualBoxKernelModuleNotLoaded|VMX|HyperV.*NotEnabled/i,
    text: /VT-x is not available|VERR_VMX_NO_VMX|VERR_VMX_MSR|AMD-V is (disabled|not available)|VERR_SVM_DISABLED|VERR_NEM_NOT_AVAILABLE|Could not access KVM kernel module|failed to initialize kvm|KVM is not available|hardware virtualization|HAXM|Hypervisor.framework/i,
    hint: 'Hardware virtualization looks unavailable. Turn on VT-x/AMD-V ("SVM", "Virtualization Technology") in the computer\'s firmware settings; on Windows, VirtualBox also needs Hyper-V and "Virtual Machine Platform" turned off, or use the hyperv provider.',
  },
  {
    code: 'provider-missing',
    types:
      /ProviderNotUsable|ProviderNotFound|ProviderNotFoundError|VirtualBoxNotDetected|VirtualBoxInstallIncomplete|ProviderChecksumMismatch|PluginLoadError/,
    text: /provider .* (could not be found|is not usable)|VBoxManage.*(not found|could not be found)|Vagrant could not detect VirtualBox|The provider '.*' could not be found/i,
    hint: 'The VM provider is not installed or not usable. Install one (VirtualBox, VMware with the vagrant-vmware-desktop plugin, Parallels, Hyper-V, or libvirt with vagrant-libvirt), then choose it in the settings.',
  },
  {
    code: 'port-in-use',
    types: /ForwardPortCollision|ForwardPortAutolistEmpty/,
    text: /port .*already in use|Address already in use|Could not set up host forwarding rule|collides with an existing port|bind.*EADDRINUSE/i,
    hint: "A port the VM forwards is already taken on this computer, maybe by another VM. Stop the program that uses it, or change the forwarded port in the VM's Vagrantfile.",
  },
  {
    code: 'box-not-found-offline',
    types: /BoxAddShortNotFound|DownloaderError|BoxMetadataDownloadError/,
    text: /could not be accessed in the remote catalog|Could not resolve host|Couldn't connect to server/i,
    when: (text) => OFFLINE.test(text),
    hint: "The VM's box is not on this computer and Vagrant could not reach the box catalog. Connect to the internet once so the box can download, or add a box file with `vagrant box add NAME FILE`.",
  },
  {
    code: 'box-not-found',
    types: /BoxNotFound|BoxAddShortNotFound|BoxAddNameMismatch|BoxFileNotExist/,
    text: /box .* (could not be found|does not exist)|Couldn't open file/i,
    hint: 'The box named in the Vagrantfile does not exist. Check the box name (NETNS_STUDIO_BOX or the Vagrantfile) or add it with `vagrant box add`.',
  },
  {
    code: 'ssh-timeout',
    types: /SSHNotReady|BootTimeout|SSHConnectionTimeout/,
    text: /Timed out while waiting for the machine to boot|SSH connection was (reset|refused)/i,
    hint: "The VM started but SSH did not answer in time. On a slow or busy computer, try again; if it keeps failing, open the provider's console to see where the guest stops booting.",
  },
  {
    code: 'locked',
    types: /MachineLocked|EnvironmentLockedError/,
    text: /is locked|another process is already executing an action/i,
    hint: 'Another Vagrant command is running on this VM (maybe in a terminal). Wait for it to finish, then try again.',
  },
]

/** A hint for a known cause, from the error type, its message and the output tail. */
export function failureHint(
  errorType: string | null,
  errorMessage: string | null,
  tail: readonly string[],
): FailureHint | null {
  const text = [errorMessage ?? '', ...tail].join('\n')
  const fits = (h: (typeof HINTS)[number]): boolean => !h.when || h.when(text)
  for (const h of HINTS)
    if (errorType !== null && h.types.test(errorType) && fits(h))
      return { code: h.code, text: h.hint }
  for (const h of HINTS) if (h.text.test(text) && fits(h)) return { code: h.code, text: h.hint }
  return null
}

/** Keep the last `n` non-empty lines. */
export function tailLines(lines: readonly string[], n = FAILURE_TAIL_LINES): string[] {
  const nonEmpty = lines.flatMap((l) => l.split('\n')).filter((l) => l.trim().length > 0)
  return nonEmpty.slice(-n)
}

/**
 * An uncaught Ruby exception (vagrant or a plugin crashed, no `error-exit` line), e.g.
 * "…/vm_action.rb:7:in `create': Call to virDomainCreateWithFlags failed: … (Libvirt::Error)".
 */
export function parseRubyCrash(line: string): { type: string; message: string } | null {
  const m = /^\S.*?:\d+:in [`'][^']*': (.*) \(([A-Z][\w:]*)\)\s*$/.exec(line)
  return m ? { type: m[2] ?? '', message: (m[1] ?? '').trim() } : null
}

/** A Ruby stack frame line ("\tfrom /usr/…/machine.rb:203:in `action'"): noise in a failure tail. */
export function isStackFrame(line: string): boolean {
  return /^\s+from \S+:\d+:in /.test(line)
}

// Failure details of a Vagrant operation: which step failed, exit code, Vagrant's `error-exit` type
// and message, the last output lines, and a hint for known causes. Pure, so the UI and tests share it.

import type { MachineLine } from './machine-readable'
import { SETTINGS_BOX, SETTINGS_PROVIDER } from './preflight'
import { LIBVIRT_REFUSAL } from './provider-probes'
import type { VmOperation, VmStep } from './progress'

/** How many output lines a failure keeps. */
export const FAILURE_TAIL_LINES = 30

/** Known causes the app can explain. */
export type FailureHintCode =
  | 'provision-offline'
  | 'hyperv-admin'
  | 'hyperv-switch'
  | 'libvirt-permission'
  | 'virtualbox-version'
  | 'virtualbox-hypervisor'
  | 'box-no-build'
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
  /**
   * The operation left a VM that is neither running nor gone (a cancelled or failed boot, status
   * re-read after it ended): the UI offers Destroy to start clean.
   */
  offerDestroy?: boolean
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

/**
 * Known causes, most specific first: the first whose error type or text matches wins. Texts are
 * Vagrant's, its plugins' and the hypervisors' own (see test/fixtures/vagrant/README.md).
 */
const HINTS: Array<{
  code: FailureHintCode
  types?: RegExp
  text: RegExp
  hint: string
  when?: (text: string) => boolean
}> = [
  {
    code: 'provision-offline',
    text: /netns-studio: cannot install/,
    hint:
      'The VM could not install its networking tools: the box lacks them and the VM has no network. Connect this computer to the internet (behind a proxy, set HTTPS_PROXY before starting the app) and boot again, or choose a box that already has them in ' +
      SETTINGS_BOX +
      '.',
  },
  {
    code: 'hyperv-admin',
    types: /HyperV::Errors::AdminRequired/,
    text: /Hyper-V provider requires that Vagrant be run with\s+administrative privileges/,
    hint:
      'Hyper-V needs administrator rights. Add your Windows user to the "Hyper-V Administrators" group (then sign out and in), or choose VirtualBox or VMware in ' +
      SETTINGS_PROVIDER +
      '.',
  },
  {
    code: 'hyperv-switch',
    types: /HyperV::Errors::NoSwitches/,
    text: /choose a switch to attach to your Hyper-V instance|There are no virtual switches created for Hyper-V/,
    hint: 'Vagrant needs one Hyper-V virtual switch for the VM and could not pick it. In Hyper-V Manager → Virtual Switch Manager, make sure a switch exists and, if there are several, that one is the "Default Switch" or remove the ones you do not need; then boot again.',
  },
  {
    code: 'libvirt-permission',
    text: LIBVIRT_REFUSAL,
    hint: 'libvirt refuses your user. Add yourself to the libvirt group with `sudo usermod -aG libvirt $USER`, then log out and in again (or reboot) and boot the VM.',
  },
  {
    code: 'virtualbox-version',
    types: /VirtualBoxInvalidVersion/,
    text: /version of VirtualBox installed\s+that is not supported by this version of Vagrant/,
    hint: 'This Vagrant does not support the installed VirtualBox. Update Vagrant (https://developer.hashicorp.com/vagrant/install); VirtualBox 7.2 needs Vagrant 2.4.9 or later.',
  },
  {
    code: 'virtualbox-hypervisor',
    text: /VERR_NEM_(?!NOT_AVAILABLE)[A-Z_0-9]+|VERR_VMX_IN_VMX_ROOT_MODE|VERR_SVM_IN_USE|being used by another hypervisor|Hyper-V and VirtualBox cannot be used together/,
    hint:
      "VirtualBox cannot run beside another hypervisor that holds the CPU's virtualization. On Windows that is Hyper-V (also used by WSL 2, Windows Sandbox and Memory integrity): choose Hyper-V in " +
      SETTINGS_PROVIDER +
      ', or turn off "Hyper-V", "Virtual Machine Platform" and "Windows Hypervisor Platform" in the Windows features and restart. On Linux it is KVM: stop the other VMs and unload it (`sudo modprobe -r kvm_intel kvm`, or kvm_amd), or choose libvirt in ' +
      SETTINGS_PROVIDER +
      '.',
  },
  {
    code: 'virtualization-disabled',
    types: /VirtualBoxKernelModuleNotLoaded|HyperV.*NotEnabled/i,
    text: /VT-x is not available|VT-x is disabled|VERR_VMX_NO_VMX|VERR_VMX_MSR|VERR_NEM_NOT_AVAILABLE|AMD-V is (disabled|not available)|VERR_SVM_DISABLED|Could not access KVM kernel module|failed to initialize kvm|KVM is not available|hardware virtualization|HAXM|Hypervisor.framework/i,
    hint: 'Hardware virtualization looks unavailable. Turn on VT-x/AMD-V ("SVM", "Virtualization Technology") in the computer\'s firmware settings; inside a VM, turn on nested virtualization.',
  },
  {
    code: 'box-no-build',
    types:
      /BoxAddNoMatchingProvider|BoxAddNoMatchingArchitecture|BoxAddNoArchitectureSupport|BoxAddNoMatchingProviderVersion|BoxNotFoundWithProviderArchitecture/,
    text: /doesn't support the provider|doesn't support the requested\s+architecture|isn't installed for the architecture/,
    hint:
      'The box has no build for this provider and CPU. Choose the recommended box (clear ' +
      SETTINGS_BOX +
      ') or another provider in ' +
      SETTINGS_PROVIDER +
      '; the app only recommends boxes that publish a build for the pair.',
  },
  {
    code: 'provider-missing',
    types:
      /ProviderNotUsable|ProviderNotFound|ProviderNotFoundError|VirtualBoxNotDetected|VirtualBoxInstallIncomplete|ProviderChecksumMismatch|PluginLoadError/,
    text: /provider .* (could not be found|is not usable)|VBoxManage.*(not found|could not be found)|Vagrant could not detect VirtualBox|The provider '.*' could not be found/i,
    hint: `The VM provider is not installed or not usable. Install one (VirtualBox, VMware with the vagrant-vmware-desktop plugin, Parallels, Hyper-V, or libvirt with vagrant-libvirt), then choose it in ${SETTINGS_PROVIDER}.`,
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
    hint: "The VM's box is not on this computer and Vagrant could not reach the box catalog. Connect to the internet once so the box can download (behind a proxy, set HTTPS_PROXY before starting the app), or add a box file with `vagrant box add NAME FILE`.",
  },
  {
    code: 'box-not-found',
    types: /BoxNotFound|BoxAddShortNotFound|BoxAddNameMismatch|BoxFileNotExist/,
    text: /box .* (could not be found|does not exist)|Couldn't open file/i,
    hint: `The box does not exist in the catalog. Check its name in ${SETTINGS_BOX} (or clear it to use the recommended one), or add it with \`vagrant box add\`.`,
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
  for (const h of HINTS) {
    const matches = (errorType !== null && !!h.types?.test(errorType)) || h.text.test(text)
    if (matches && (!h.when || h.when(text))) return { code: h.code, text: h.hint }
  }
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

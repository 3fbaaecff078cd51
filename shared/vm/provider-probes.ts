// What the hypervisor tools say, turned into provider facts: VirtualBox's version, libvirt's answer
// (or its refusal of an unprivileged user), the Hyper-V probe (a PowerShell script that checks
// rights the way Vagrant does and lists the virtual switches). Pure: scripts and parsers.

import type { HyperVSwitch, ProviderBlocker, ProviderFacts } from './preflight'

/**
 * The Hyper-V probe, run as `powershell.exe -NoLogo -NoProfile -NonInteractive -Command <this>`.
 * Rights as Vagrant checks them (lib/vagrant/util/platform.rb `windows_admin?` and
 * `windows_hyperv_admin?`, v2.4.9): an elevated administrator; or a member of "Hyper-V
 * Administrators" (S-1-5-32-578) or Domain Admins (S-1-5-21-…-512); or `Get-VMHost` answers for
 * this host. Switches as Vagrant lists them (plugins/providers/hyperv/scripts/get_switches.ps1),
 * only when allowed. Prints one JSON line.
 */
export const HYPERV_PROBE_SCRIPT = [
  "$ErrorActionPreference = 'SilentlyContinue'",
  '$id = [System.Security.Principal.WindowsIdentity]::GetCurrent()',
  '$admin = (New-Object System.Security.Principal.WindowsPrincipal($id)).IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)',
  "$group = [bool]($id.Groups | Where-Object { $_.Value -eq 'S-1-5-32-578' -or ($_.Value -like 'S-1-5-21-*' -and $_.Value -like '*-512') })",
  '$hyperv = [bool](Get-Command Get-VMSwitch)',
  '$hostOk = $false',
  'if ($hyperv -and -not ($admin -or $group)) { $hostOk = ((Get-VMHost).Name -eq [System.Net.Dns]::GetHostName()) }',
  '$switches = $null',
  'if ($hyperv -and ($admin -or $group -or $hostOk)) { $switches = @(Get-VMSwitch | ForEach-Object { @{ name = [string]$_.Name; type = [string]$_.SwitchType } }) }',
  'ConvertTo-Json -Compress -Depth 3 @{ admin = $admin; hypervAdmin = ($group -or $hostOk); hyperv = $hyperv; switches = $switches }',
].join('; ')

/** What the Hyper-V probe found. */
export interface HyperVProbe {
  /** The Hyper-V PowerShell module is there (Hyper-V is turned on). */
  hyperv: boolean
  /** Allowed to manage Hyper-V (administrator or Hyper-V administrator). */
  allowed: boolean
  /** The virtual switches (null: not listed, e.g. not allowed). */
  switches: HyperVSwitch[] | null
}

/** Parse the probe's JSON line; null when it printed something else (no PowerShell, a crash). */
export function parseHyperVProbe(stdout: string): HyperVProbe | null {
  const line = stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l.startsWith('{'))
  if (!line) return null
  let v: unknown
  try {
    v = JSON.parse(line)
  } catch {
    return null
  }
  if (typeof v !== 'object' || v === null) return null
  const o = v as Record<string, unknown>
  // ConvertTo-Json prints a one-element array as the bare object in Windows PowerShell 5.1.
  const raw =
    o.switches === null || o.switches === undefined ? null : ([] as unknown[]).concat(o.switches)
  const switches = raw
    ? raw
        .filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null)
        .map((s) => ({
          name: typeof s.name === 'string' ? s.name : '',
          type: typeof s.type === 'string' ? s.type : '',
        }))
        .filter((s) => s.name.length > 0)
    : null
  return {
    hyperv: o.hyperv === true,
    allowed: o.admin === true || o.hypervAdmin === true,
    switches,
  }
}

/**
 * libvirt's refusals of a user who may not manage qemu:///system: the socket's permissions
 * ("Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied", libvirt
 * src/rpc/virnetsocket.c), polkit without an agent ("authentication unavailable: no polkit agent
 * available to authenticate action 'org.libvirt.unix.manage'", src/util/virpolkit.c) or denying
 * ("access denied by policy"), and polkit unreachable for a non-root client ("Unable to get system
 * bus connection", captured in test/fixtures/vagrant/virsh-no-permission.txt). The libvirt group
 * is what the socket (libvirtd.socket: SocketGroup=libvirt) and polkit (60-libvirt.rules) allow.
 */
export const LIBVIRT_REFUSAL =
  /Failed to connect socket to '[^']*': Permission denied|authentication unavailable|no polkit agent available|access denied by policy|Unable to get system bus connection/

/** Why `virsh -c qemu:///system` was refused, from its stderr. */
export function libvirtBlocker(stderr: string): ProviderBlocker | null {
  return LIBVIRT_REFUSAL.test(stderr) ? 'no-permission' : null
}

/** The box of an existing VM from Vagrant's `box_meta` file in its machine folder, or null. */
export function parseBoxMeta(text: string): string | null {
  try {
    const v = JSON.parse(text) as { name?: unknown }
    return typeof v.name === 'string' && v.name ? v.name : null
  } catch {
    return null
  }
}

/** A command's result as the probes read it (null: it could not run or timed out). */
export interface ProbeRun {
  code: number | null
  stdout: string
  stderr: string
}

/** VirtualBox from `VBoxManage --version` ("7.2.4r170995"). */
export function virtualBoxFacts(r: ProbeRun | null): ProviderFacts {
  const v = /^(\d+\.\d+\.\d+)/.exec(r?.stdout.trim() ?? '')?.[1] ?? null
  return {
    name: 'virtualbox',
    installed: true,
    usable: v !== null,
    version: v,
    detail: v ? `VirtualBox ${v}` : 'VBoxManage does not answer',
  }
}

/** libvirt from `virsh -c qemu:///system version`: answers, refuses this user, or is down. */
export function libvirtFacts(r: ProbeRun | null): ProviderFacts {
  const v = /hypervisor: QEMU (\d+\.\d+\.\d+)/i.exec(r?.stdout ?? '')?.[1] ?? null
  const ok = r?.code === 0
  // A permission refusal has its own fix; any other failure to connect: the daemon is not running.
  const blocker = ok ? null : (libvirtBlocker(r?.stderr ?? '') ?? 'not-running')
  const said = (r?.stderr ?? '')
    .split('\n')
    .map((l) => l.replace(/^error:\s*/, '').trim())
    .filter((l) => l && !/^failed to connect to the hypervisor$/i.test(l))
    .at(-1)
  return {
    name: 'libvirt',
    installed: true,
    usable: ok,
    version: v,
    detail: ok
      ? `libvirt answers${v ? `, QEMU ${v}` : ''}`
      : blocker === 'no-permission'
        ? `virsh -c qemu:///system: ${said ?? 'permission denied'}`
        : 'libvirtd is not running (virsh -c qemu:///system cannot connect)',
    ...(blocker ? { blocker } : {}),
  }
}

/** Hyper-V from the probe (null: PowerShell did not answer). */
export function hypervFacts(probe: HyperVProbe | null): ProviderFacts {
  const name = 'hyperv'
  if (!probe)
    return {
      name,
      installed: true,
      usable: false,
      version: null,
      detail: 'PowerShell did not answer the Hyper-V check',
    }
  if (!probe.hyperv)
    return {
      name,
      installed: false,
      usable: false,
      version: null,
      detail: 'Hyper-V is not turned on (Windows features)',
    }
  return probe.allowed
    ? { name, installed: true, usable: true, version: null, detail: 'Hyper-V, allowed' }
    : {
        name,
        installed: true,
        usable: false,
        version: null,
        detail: 'needs administrator rights',
        blocker: 'not-admin',
      }
}

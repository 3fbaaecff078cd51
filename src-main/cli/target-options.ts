// The target options every command that touches a kernel takes (--local, --ssh USER@HOST[:PORT]
// --key PATH, --vm --boot), checked and turned into the app's own TargetSpec.

import { existsSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { Option, type Command } from 'commander'
import type { TargetSpec } from '../../shared/ipc/domains/core'
import { coreInvokeArgs } from '../../shared/ipc/domains/core'
import { usageError } from './errors'

/** The raw target options as commander parsed them. */
export interface TargetFlags {
  local?: boolean
  ssh?: string
  key?: string
  vm?: boolean
  boot?: boolean
}

/** Which target to open, and whether to boot the VM first. */
export interface TargetChoice {
  spec: TargetSpec
  boot: boolean
}

/** Add --local, --ssh, --key, --vm and --boot to `cmd`. */
export function addTargetOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--local',
        'this machine, as root or with sudo -n (the default on Linux)',
      ).conflicts(['ssh', 'vm']),
    )
    .addOption(
      new Option(
        '--ssh <user@host[:port]>',
        'a Linux host over SSH (host key pinned like the app)',
      ).conflicts('vm'),
    )
    .addOption(
      new Option('--key <path>', 'private key for --ssh (default: ssh-agent, then ~/.ssh/id_*)'),
    )
    .addOption(new Option('--vm', "the app's Vagrant VM"))
    .addOption(new Option('--boot', 'with --vm: boot the VM first when it is not running'))
}

/** Split `USER@HOST[:PORT]` (an IPv6 host in brackets when a port follows). */
export function parseSshAddress(text: string): { username: string; host: string; port: number } {
  const m = /^([^@\s]+)@(\[[^\]\s]+\]|[^@\s]+)$/.exec(text)
  if (!m) throw usageError(`--ssh wants USER@HOST[:PORT], got "${text.slice(0, 80)}".`)
  const username = m[1]!
  let rest = m[2]!
  let port = 22
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']')
    const after = rest.slice(close + 1)
    if (after && !/^:\d{1,5}$/.test(after))
      throw usageError(`--ssh: "${after}" after the IPv6 address is not :PORT.`)
    if (after) port = Number(after.slice(1))
    rest = rest.slice(1, close)
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    const [h, p] = rest.split(':') as [string, string]
    if (!/^\d{1,5}$/.test(p)) throw usageError(`--ssh: port "${p.slice(0, 20)}" is not a number.`)
    rest = h
    port = Number(p)
  }
  return { username, host: rest, port }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** The private keys OpenSSH tries by default, first existing one. */
function defaultKey(home: string): string | undefined {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa']
    .map((f) => join(home, '.ssh', f))
    .find((p) => existsSync(p))
}

/**
 * Turn the flags into a TargetSpec, checked as the app checks `target:connect`. Without a target
 * flag: --local on Linux, a usage error elsewhere.
 */
export function targetChoice(
  flags: TargetFlags,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  home: string = homedir(),
): TargetChoice {
  if (flags.key !== undefined && flags.ssh === undefined) throw usageError('--key goes with --ssh.')
  if (flags.boot && !flags.vm) throw usageError('--boot goes with --vm.')
  let spec: TargetSpec
  if (flags.ssh !== undefined) {
    const a = parseSshAddress(flags.ssh)
    const key = flags.key ?? (env.SSH_AUTH_SOCK ? undefined : defaultKey(home))
    if (flags.key !== undefined && !isFile(flags.key))
      throw usageError(
        `--key: ${flags.key} is not a file; give the private key file (e.g. ~/.ssh/id_ed25519).`,
      )
    if (!key && !env.SSH_AUTH_SOCK)
      throw usageError('--ssh needs a key: give --key PATH, or start ssh-agent (SSH_AUTH_SOCK).')
    spec = { kind: 'ssh', ...a, ...(key ? { privateKeyPath: key } : { useAgent: true }) }
  } else if (flags.vm) spec = { kind: 'vm' }
  else if (flags.local || platform === 'linux') spec = { kind: 'local' }
  else throw usageError("Choose a target: --vm (the app's Vagrant VM) or --ssh USER@HOST[:PORT].")
  if (spec.kind === 'local' && platform !== 'linux')
    throw usageError('--local needs Linux (network namespaces); use --vm or --ssh.')
  const check = coreInvokeArgs['target:connect']([spec])
  if (!check.ok) throw usageError(`--ssh: ${check.message}`)
  return { spec, boot: !!flags.boot }
}

// Gathers the facts preflight judges: vagrant and its version, installed provider plugins and
// hypervisor tools (with the user's rights for Hyper-V and libvirt), the boxes Vagrant has, the
// existing VM's provider and box, and whether the box catalog answers (through the proxy, if any).

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../shared/errors'
import { boxArch } from '../../shared/vm/boxes'
import { parseMachineOutput } from '../../shared/vm/machine-readable'
import type { PreflightFacts, ProviderFacts, ProviderName } from '../../shared/vm/preflight'
import {
  boxListed,
  chooseBox,
  chooseProvider,
  parseBoxList,
  parsePluginList,
  parseVagrantVersion,
  PROVIDER_PLUGINS,
  PROVIDERS,
} from '../../shared/vm/preflight'
import {
  HYPERV_PROBE_SCRIPT,
  type HyperVProbe,
  hypervFacts,
  libvirtFacts,
  parseBoxMeta,
  parseHyperVProbe,
  type ProbeRun,
  virtualBoxFacts,
} from '../../shared/vm/provider-probes'
import { logger } from '../log'
import { boxDownloadMB, catalogReachable } from './catalog'
import {
  findExecutable,
  findVagrant,
  runFile,
  vagrantEnv,
  type ProcessOptions,
  type VagrantCliOptions,
} from './vagrant-cli'

const log = logger('vm')

/** Where each provider's hypervisor tool usually is, besides PATH. */
const TOOLS: Record<ProviderName, string[]> = {
  virtualbox: [
    'VBoxManage',
    '/Applications/VirtualBox.app/Contents/MacOS/VBoxManage',
    'C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe',
  ],
  libvirt: ['virsh'],
  vmware_desktop: [
    'vmrun',
    '/Applications/VMware Fusion.app/Contents/Library/vmrun',
    'C:\\Program Files (x86)\\VMware\\VMware Workstation\\vmrun.exe',
  ],
  parallels: ['prlctl'],
  hyperv: [],
  qemu: ['qemu-system-x86_64', 'qemu-system-aarch64'],
}

const windowsOnly: ProviderFacts = {
  name: 'hyperv',
  installed: false,
  usable: false,
  version: null,
  detail: 'Windows only',
}

/** How preflight runs: the VM folder, whether the VM exists, the user's settings, the platform. */
export interface PreflightOptions extends VagrantCliOptions, ProcessOptions {
  folder: string
  /** The VM exists: skip the box list and network check, read its provider and box instead. */
  vmCreated: boolean
  /** The provider the existing VM was created with (from `vagrant status`). */
  existingProvider?: string | null
  /** The user's settings; absent: NETNS_STUDIO_PROVIDER / NETNS_STUDIO_BOX from the environment. */
  settings?: { provider: string | null; box: string | null }
  /** CPU architecture (default `process.arch`). */
  arch?: string
  /** Aborts every check (their processes are killed) and rejects with CANCELLED. */
  signal?: AbortSignal
}

async function providerFacts(
  name: ProviderName,
  plugins: string[],
  env: NodeJS.ProcessEnv,
  o: PreflightOptions,
  hyperv: Promise<HyperVProbe | null> | null,
): Promise<ProviderFacts> {
  const run = (file: string, args: string[]): ReturnType<typeof runFile> =>
    runFile(file, args, {
      env,
      timeoutMs: 20_000,
      signal: o.signal,
      platform: o.platform,
      taskkill: o.taskkill,
    })
  const plugin = PROVIDER_PLUGINS[name]
  if (name === 'hyperv') return hyperv ? hypervFacts(await hyperv) : windowsOnly
  const installed = plugin === null || plugins.includes(plugin)
  const tool =
    TOOLS[name].map((t) => findExecutable(t, env.PATH ?? '')).find((t) => t !== null) ?? null
  if (!installed)
    return {
      name,
      installed,
      usable: false,
      version: null,
      detail: `plugin ${plugin ?? ''} not installed`,
    }
  if (!tool)
    return {
      name,
      installed,
      usable: false,
      version: null,
      detail: `${TOOLS[name][0] ?? name} not found`,
    }
  const probe = (args: string[]): Promise<ProbeRun | null> =>
    run(tool, args).catch((e: unknown) => {
      if (o.signal?.aborted) throw e
      log.debug({ err: e, tool: name }, 'provider probe failed: not usable')
      return null
    })
  if (name === 'virtualbox') return virtualBoxFacts(await probe(['--version']))
  if (name === 'libvirt') return libvirtFacts(await probe(['-c', 'qemu:///system', 'version']))
  return { name, installed, usable: true, version: null, detail: `${tool} found` }
}

/** The existing VM's box, from Vagrant's `box_meta` in its machine folder (null: unknown). */
function existingBox(folder: string, provider: string | null): string | null {
  if (!provider) return null
  try {
    return parseBoxMeta(
      readFileSync(join(folder, '.vagrant', 'machines', 'default', provider, 'box_meta'), 'utf8'),
    )
  } catch {
    // no box_meta (never booted, or another Vagrant version): the box is unknown
    return null
  }
}

/** Everything preflight needs. Rejects with CANCELLED when `o.signal` aborts. */
export async function gatherPreflightFacts(o: PreflightOptions): Promise<PreflightFacts> {
  const env = vagrantEnv(o)
  const platform = o.platform ?? process.platform
  const arch = o.arch ?? process.arch
  const requestedProvider = o.settings
    ? o.settings.provider
    : env.NETNS_STUDIO_PROVIDER || env.VAGRANT_DEFAULT_PROVIDER || null
  const customBox = o.settings ? o.settings.box : env.NETNS_STUDIO_BOX || null
  const existing = o.vmCreated
    ? {
        provider: o.existingProvider ?? null,
        box: existingBox(o.folder, o.existingProvider ?? null),
      }
    : null
  const base = {
    platform,
    arch,
    requestedProvider,
    customBox,
    existing,
    proxy: null,
    downloadMB: null,
    hypervSwitches: null,
  }
  const run = (args: string[], bin: string): ReturnType<typeof runFile> =>
    runFile(bin, args, {
      env,
      cwd: o.folder,
      timeoutMs: 60_000,
      signal: o.signal,
      platform: o.platform,
      taskkill: o.taskkill,
    })
  const bin = findVagrant(o)
  const ver = bin
    ? await run(['--version'], bin).catch((e: unknown) => {
        if (o.signal?.aborted) throw e
        log.warn({ err: e }, 'vagrant --version failed')
        return null
      })
    : null
  const version = ver ? parseVagrantVersion(ver.stdout) : null
  if (!bin || !version) return { ...base, vagrant: null, providers: [], boxes: null, network: null }
  const network = o.vmCreated ? null : catalogReachable(env, 3000, o.signal)
  const hyperv = platform === 'win32' ? hypervProbe(env, o) : null
  // Awaited below; a cancel that rejects them first must not leave unhandled rejections.
  hyperv?.catch(() => undefined)
  const [pluginOut, boxOut] = await Promise.all([
    run(['plugin', 'list', '--machine-readable'], bin),
    o.vmCreated ? null : run(['box', 'list', '--machine-readable'], bin),
  ])
  const plugins = parsePluginList(parseMachineOutput(pluginOut.stdout)).map((p) => p.name)
  const providers = await Promise.all(
    PROVIDERS.map((p) => providerFacts(p, plugins, env, o, hyperv)),
  )
  const boxes = boxOut ? parseBoxList(parseMachineOutput(boxOut.stdout)) : null
  const net = network ? await network : null
  const facts: PreflightFacts = {
    ...base,
    vagrant: { path: bin, version },
    providers,
    boxes,
    network: net ? net.ok : null,
    proxy: net?.proxy ?? null,
  }
  if (hyperv) facts.hypervSwitches = (await hyperv)?.switches ?? null
  // The download size, when the chosen box must be downloaded and the catalog answers.
  const pick = chooseProvider(facts)
  const box = pick ? chooseBox(facts, pick.name) : null
  const cpu = boxArch(arch)
  if (pick && box && boxes && cpu && net?.ok && !boxListed(boxes, box.name, pick.name, cpu))
    facts.downloadMB = await boxDownloadMB(box.name, pick.name, cpu, env, 5000, o.signal)
  if (o.signal?.aborted) throw new AppError('CANCELLED', 'Preflight was cancelled.')
  return facts
}

/** The Hyper-V probe (rights, switches) through PowerShell; null when it does not answer. */
async function hypervProbe(
  env: NodeJS.ProcessEnv,
  o: PreflightOptions,
): Promise<HyperVProbe | null> {
  const r = await runFile(
    'powershell.exe',
    ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', HYPERV_PROBE_SCRIPT],
    { env, timeoutMs: 30_000, signal: o.signal, platform: o.platform, taskkill: o.taskkill },
  ).catch((e: unknown) => {
    if (o.signal?.aborted) throw e
    log.debug({ err: e }, 'Hyper-V probe failed')
    return null
  })
  return r ? parseHyperVProbe(r.stdout) : null
}

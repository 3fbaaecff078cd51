// Gathers the facts preflight judges: vagrant and its version, installed provider plugins and
// hypervisor tools, whether the VM's box is present, whether the box catalog answers.

import { connect } from 'node:net'
import { parseMachineOutput } from '../../shared/vm/machine-readable'
import type { PreflightFacts, ProviderFacts, ProviderName } from '../../shared/vm/preflight'
import {
  defaultBox,
  parseBoxList,
  parsePluginList,
  parseVagrantVersion,
  PROVIDER_PLUGINS,
  PROVIDERS,
} from '../../shared/vm/preflight'
import {
  findExecutable,
  findVagrant,
  runFile,
  vagrantEnv,
  type VagrantCliOptions,
} from './vagrant-cli'

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

/** A TCP connect to host:port within `ms`: does the box catalog answer at all? */
export function reachable(host: string, port: number, ms = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port })
    const done = (ok: boolean): void => {
      s.destroy()
      resolve(ok)
    }
    s.setTimeout(ms, () => done(false))
    s.once('connect', () => done(true))
    s.once('error', () => done(false))
  })
}

/** The box catalog's host and port (VAGRANT_SERVER_URL when set, as Vagrant does). */
export function catalogAddress(env: NodeJS.ProcessEnv): { host: string; port: number } {
  try {
    const u = new URL(env.VAGRANT_SERVER_URL ?? 'https://vagrantcloud.com')
    return { host: u.hostname, port: u.port ? Number(u.port) : u.protocol === 'http:' ? 80 : 443 }
  } catch {
    return { host: 'vagrantcloud.com', port: 443 }
  }
}

async function providerFacts(
  name: ProviderName,
  plugins: string[],
  env: NodeJS.ProcessEnv,
): Promise<ProviderFacts> {
  const plugin = PROVIDER_PLUGINS[name]
  const installed =
    name === 'hyperv' ? process.platform === 'win32' : plugin === null || plugins.includes(plugin)
  if (name === 'hyperv')
    return {
      name,
      installed,
      usable: installed,
      version: null,
      detail: installed ? 'built into Windows' : 'Windows only',
    }
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
  if (name === 'virtualbox') {
    const r = await runFile(tool, ['--version'], { env, timeoutMs: 15_000 }).catch(() => null)
    const v = /^(\d+\.\d+\.\d+)/.exec(r?.stdout.trim() ?? '')?.[1] ?? null
    return {
      name,
      installed,
      usable: v !== null,
      version: v,
      detail: v ? `VirtualBox ${v}` : 'VBoxManage does not answer',
    }
  }
  if (name === 'libvirt') {
    const r = await runFile(tool, ['-c', 'qemu:///system', 'version'], {
      env,
      timeoutMs: 15_000,
    }).catch(() => null)
    const v = /hypervisor: QEMU (\d+\.\d+\.\d+)/i.exec(r?.stdout ?? '')?.[1] ?? null
    const ok = r?.code === 0
    return {
      name,
      installed,
      usable: ok,
      version: v,
      detail: ok
        ? `libvirt answers${v ? `, QEMU ${v}` : ''}`
        : 'libvirtd is not running (virsh -c qemu:///system cannot connect)',
    }
  }
  return { name, installed, usable: true, version: null, detail: `${tool} found` }
}

/** Everything preflight needs. `vmCreated` skips the box check (the VM already has its disk). */
export async function gatherPreflightFacts(
  o: VagrantCliOptions & { folder: string; vmCreated: boolean },
): Promise<PreflightFacts> {
  const env = vagrantEnv(o)
  const requestedProvider = env.NETNS_STUDIO_PROVIDER || env.VAGRANT_DEFAULT_PROVIDER || null
  const base = { platform: process.platform, arch: process.arch, requestedProvider }
  const bin = findVagrant(o)
  const ver = bin
    ? await runFile(bin, ['--version'], { env, timeoutMs: 30_000 }).catch(() => null)
    : null
  const version = ver ? parseVagrantVersion(ver.stdout) : null
  if (!bin || !version) return { ...base, vagrant: null, providers: [], box: null, network: null }
  const [pluginOut, boxOut] = await Promise.all([
    runFile(bin, ['plugin', 'list', '--machine-readable'], {
      env,
      cwd: o.folder,
      timeoutMs: 60_000,
    }),
    o.vmCreated
      ? null
      : runFile(bin, ['box', 'list', '--machine-readable'], {
          env,
          cwd: o.folder,
          timeoutMs: 60_000,
        }),
  ])
  const plugins = parsePluginList(parseMachineOutput(pluginOut.stdout)).map((p) => p.name)
  const providers = await Promise.all(PROVIDERS.map((p) => providerFacts(p, plugins, env)))
  let box: PreflightFacts['box'] = null
  let network: boolean | null = null
  if (boxOut) {
    const name = env.NETNS_STUDIO_BOX || defaultBox(requestedProvider, process.arch)
    const present = parseBoxList(parseMachineOutput(boxOut.stdout)).some((b) => b.name === name)
    box = { name, present }
    if (!present) {
      const c = catalogAddress(env)
      network = await reachable(c.host, c.port)
    }
  }
  return { ...base, vagrant: { path: bin, version }, providers, box, network }
}

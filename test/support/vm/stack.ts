// The real VM test's stack: what must be installed, libvirtd/virtlogd started (and stopped) by
// hand (no systemd here), /dev/kvm permissions adjusted for the run and restored, the box cache.

import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'

/** Commands the VM test needs; .ci/run installs their packages. */
const NEEDED = [
  'vagrant',
  'virsh',
  'libvirtd',
  'virtlogd',
  'qemu-system-x86_64',
  'qemu-img',
  'debootstrap',
  'sfdisk',
  'mkfs.ext4',
]

/** The box cache, outside the repo; one file per recipe hash. */
export const BOX_CACHE = '/var/cache/netns-studio-box'
/** Vagrant's home for the test (boxes added once), also outside the repo. */
export const VAGRANT_HOME = join(BOX_CACHE, 'vagrant-home')
const RECIPE = join(import.meta.dirname, 'build-box.sh')
const LIBVIRT = 'qemu:///system'

const which = (c: string): boolean =>
  spawnSync('sh', ['-c', 'command -v "$1"', 'sh', c]).status === 0

/** Why the VM test cannot run here (quick checks), or null. */
export function vmSkipReason(): string | null {
  if (process.env.NETNS_SKIP_VM === '1') return 'NETNS_SKIP_VM=1'
  if (process.platform !== 'linux') return 'the VM test runs on Linux only'
  if (process.getuid?.() !== 0) return 'the VM test needs root (libvirtd, debootstrap)'
  const missing = NEEDED.filter((c) => !which(c))
  if (missing.length) return `missing commands: ${missing.join(', ')} (run .ci/run to install them)`
  if (!existsSync('/dev/kvm') && !which('qemu-system-x86_64')) return 'no QEMU'
  return null
}

const env = {
  ...process.env,
  VAGRANT_CHECKPOINT_DISABLE: '1',
  VAGRANT_BOX_UPDATE_CHECK_DISABLE: '1',
  VAGRANT_HOME,
}
const run = (cmd: string, args: string[], timeout = 120_000): string =>
  execFileSync(cmd, args, { env, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] })

function pidAlive(file: string, name: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim())
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
    return comm === name ? pid : null
  } catch {
    return null
  }
}

async function waitUntil(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now()
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

export interface Stack {
  boxName: string
  /** Stop what this setup started, restore /dev/kvm, remove the box's libvirt volume. */
  stop(): Promise<void>
}

/**
 * Start virtlogd and libvirtd unless they run, make /dev/kvm root:kvm 0660 for the run (libvirt
 * re-probes QEMU on every lookup otherwise), build the box if its recipe changed, add it to Vagrant.
 */
export async function startStack(log: (s: string) => void): Promise<Stack> {
  const unlock = await lockStack(log)
  const started: Array<{ pid: number; name: string }> = []
  let kvm: { uid: number; gid: number; mode: number } | null = null
  const stop = async (): Promise<void> => {
    if (kvm) {
      chownSync('/dev/kvm', kvm.uid, kvm.gid)
      chmodSync('/dev/kvm', kvm.mode & 0o7777)
    }
    for (const d of started.reverse()) {
      try {
        process.kill(d.pid, 'SIGTERM')
        await waitUntil(() => !existsSync(`/proc/${d.pid}`), 15_000, `${d.name} to stop`)
      } catch {
        try {
          process.kill(d.pid, 'SIGKILL')
        } catch {
          // gone
        }
      }
    }
    unlock()
  }
  try {
    if (existsSync('/dev/kvm')) {
      const s = statSync('/dev/kvm')
      kvm = { uid: s.uid, gid: s.gid, mode: s.mode }
      const gid = Number(
        /^kvm:[^:]*:(\d+):/m.exec(readFileSync('/etc/group', 'utf8'))?.[1] ?? s.gid,
      )
      chownSync('/dev/kvm', 0, gid)
      chmodSync('/dev/kvm', 0o660)
    }
    try {
      for (const name of ['virtlogd', 'libvirtd']) {
        if (pidAlive(`/run/${name}.pid`, name)) continue
        run(name, ['-d'])
        await waitUntil(() => pidAlive(`/run/${name}.pid`, name) !== null, 15_000, name)
        started.push({ pid: pidAlive(`/run/${name}.pid`, name) ?? 0, name })
      }
      await waitUntil(
        () => spawnSync('virsh', ['-c', LIBVIRT, 'version'], { stdio: 'ignore' }).status === 0,
        30_000,
        'libvirtd to answer',
      )
    } catch (e) {
      throw new BoxBuildError(`libvirt could not be started here: ${(e as Error).message}`)
    }
    const boxName = await ensureBox(log)
    return {
      boxName,
      stop: async () => {
        removeBoxVolume(boxName)
        await stop()
      },
    }
  } catch (e) {
    await stop()
    throw e
  }
}

/**
 * One VM test at a time on this machine (concurrent `npm test` runs share the box cache, the
 * daemons and two cores): `flock` holds the lock until its stdin closes.
 */
async function lockStack(log: (s: string) => void): Promise<() => void> {
  mkdirSync(BOX_CACHE, { recursive: true })
  const child = spawn('flock', [join(BOX_CACHE, '.lock'), 'sh', '-c', 'echo locked; exec cat'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  })
  const t0 = Date.now()
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve())
    child.once('exit', () => reject(new Error('flock ended before taking the VM test lock')))
  })
  if (Date.now() - t0 > 1000)
    log(`waited ${Math.round((Date.now() - t0) / 1000)} s for another VM test`)
  return () => {
    child.stdin.end()
    child.kill()
  }
}

/** The recipe's hash: the box is rebuilt only when build-box.sh changes. */
export function recipeHash(): string {
  return createHash('sha256').update(readFileSync(RECIPE)).digest('hex').slice(0, 16)
}

async function ensureBox(log: (s: string) => void): Promise<string> {
  const hash = recipeHash()
  const file = join(BOX_CACHE, `${hash}.box`)
  const name = `netns-test-${hash}`
  if (!existsSync(file)) {
    log(`building the test box (recipe ${hash}), ~3 min`)
    const t0 = Date.now()
    const r = spawnSync('bash', [RECIPE, file], { encoding: 'utf8', timeout: 900_000 })
    if (r.status !== 0)
      throw new BoxBuildError(
        `box build failed: ${(r.stderr || '').trim().split('\n').slice(-8).join('\n')}`,
      )
    log(`box built in ${Math.round((Date.now() - t0) / 1000)} s`)
  }
  const boxes = run('vagrant', ['box', 'list', '--machine-readable'])
  if (!boxes.includes(`,box-name,${name}\n`)) {
    log(`adding ${name} to ${VAGRANT_HOME}`)
    run('vagrant', ['box', 'add', '--name', name, file], 300_000)
  }
  await Promise.resolve()
  return name
}

/** The stack cannot run here (no Debian mirror for the box, libvirtd will not start): the test skips with this reason. */
export class BoxBuildError extends Error {}

/** vagrant-libvirt uploads the box into the default pool on first use; remove it after the run. */
function removeBoxVolume(boxName: string): void {
  const r = spawnSync('virsh', ['-c', LIBVIRT, 'vol-list', 'default'], { encoding: 'utf8' })
  for (const line of (r.stdout ?? '').split('\n')) {
    const vol = line.trim().split(/\s+/)[0] ?? ''
    if (vol.startsWith(`${boxName}_vagrant_box_image`))
      spawnSync('virsh', ['-c', LIBVIRT, 'vol-delete', '--pool', 'default', vol], {
        stdio: 'ignore',
      })
  }
}

/** QEMU's pid for a libvirt domain whose name starts with `prefix`, or null. */
export function qemuPid(prefix: string): number | null {
  const r = spawnSync('virsh', ['-c', LIBVIRT, 'list', '--name'], { encoding: 'utf8' })
  const dom = (r.stdout ?? '').split('\n').find((d) => d.startsWith(prefix))
  if (!dom) return null
  try {
    return Number(readFileSync(`/run/libvirt/qemu/${dom}.pid`, 'utf8').trim())
  } catch {
    return null
  }
}

/** Libvirt domains (any state) whose names start with `prefix`. */
export function domainsWithPrefix(prefix: string): string[] {
  const r = spawnSync('virsh', ['-c', LIBVIRT, 'list', '--all', '--name'], { encoding: 'utf8' })
  return (r.stdout ?? '').split('\n').filter((d) => d.startsWith(prefix))
}

/** A free TCP port on 127.0.0.1 (for the VM's forwarded SSH). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))))
    })
  })
}

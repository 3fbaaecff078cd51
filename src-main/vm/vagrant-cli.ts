// Runs the `vagrant` CLI: finds it (configured path or PATH), builds its environment, runs one-shot
// commands and long operations in their own process group, with cancel by signal escalation.

import { spawn } from 'node:child_process'
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, isAbsolute, join } from 'node:path'
import { AppError } from '../../shared/errors'
import { LineSplitter } from '../../shared/vm/machine-readable'

/** Where and how to run vagrant. */
export interface VagrantCliOptions {
  /** A configured path to the vagrant executable; else it is looked up on PATH. */
  vagrantPath?: string
  /** Separate Vagrant home (boxes, plugins), e.g. for tests. */
  vagrantHome?: string
  /** Extra environment (from main's own configuration, never from the renderer). */
  env?: Record<string, string>
}

/** Find an executable on PATH (or check a given path); null when absent. */
export function findExecutable(name: string, pathVar = process.env.PATH ?? ''): string | null {
  const exts = process.platform === 'win32' ? ['.exe', '.bat', '.cmd', ''] : ['']
  const ok = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK)
      return statSync(p).isFile()
    } catch {
      return false
    }
  }
  if (isAbsolute(name)) return ok(name) ? name : null
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue
    for (const ext of exts) if (ok(join(dir, name + ext))) return join(dir, name + ext)
  }
  return null
}

/** The vagrant executable, or null. */
export function findVagrant(o: VagrantCliOptions): string | null {
  const pathVar = searchPath(o.env?.PATH ?? process.env.PATH ?? '')
  return o.vagrantPath ? findExecutable(o.vagrantPath, pathVar) : findExecutable('vagrant', pathVar)
}

/**
 * Where installers put vagrant and the hypervisor tools. An app started from the Finder or the
 * Start menu gets a short PATH without them, so they are searched (and given to vagrant) too.
 */
const EXTRA_DIRS: Record<string, string[]> = {
  darwin: [
    '/usr/local/bin',
    '/opt/homebrew/bin',
    '/opt/vagrant/bin',
    '/Applications/VirtualBox.app/Contents/MacOS',
  ],
  win32: [
    'C:\\Program Files\\Vagrant\\bin',
    'C:\\HashiCorp\\Vagrant\\bin',
    'C:\\Program Files\\Oracle\\VirtualBox',
  ],
}

/** PATH plus the platform's usual install folders that are missing from it. */
export function searchPath(pathVar: string, platform: string = process.platform): string {
  const dirs = pathVar.split(delimiter).filter((d) => d)
  const extra = (EXTRA_DIRS[platform] ?? []).filter((d) => !dirs.includes(d))
  return [...dirs, ...extra].join(delimiter)
}

/** The environment vagrant runs with: no online checks, optional VAGRANT_HOME, extra entries. */
export function vagrantEnv(o: VagrantCliOptions): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...o.env,
    PATH: searchPath(o.env?.PATH ?? process.env.PATH ?? ''),
    VAGRANT_CHECKPOINT_DISABLE: '1',
    VAGRANT_BOX_UPDATE_CHECK_DISABLE: '1',
    VAGRANT_NO_COLOR: '1',
    ...(o.vagrantHome ? { VAGRANT_HOME: o.vagrantHome } : {}),
  }
}

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Run a short command (argv, no shell) and collect its output; killed after `timeoutMs`. */
export function runFile(
  file: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

/** A running vagrant operation. */
export interface VagrantProcess {
  readonly pid: number | undefined
  /** Resolves when vagrant and its output have ended. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /**
   * Stop it: SIGINT to its process group (vagrant cleans up); after `graceMs` a second SIGINT
   * (vagrant exits without cleanup), then SIGTERM and SIGKILL `stepMs` apart. Resolves when ended.
   */
  cancel(graceMs?: number, stepMs?: number): Promise<void>
}

/**
 * Start a long vagrant command in its own process group; `onLine` gets each stdout/stderr line.
 * Throws VAGRANT_MISSING when the executable cannot be started.
 */
export function startVagrant(
  bin: string,
  args: string[],
  opts: {
    cwd: string
    env: NodeJS.ProcessEnv
    onLine: (line: string, stream: 'stdout' | 'stderr') => void
  },
): VagrantProcess {
  const detached = process.platform !== 'win32'
  const child = spawn(bin, args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached,
  })
  const wire = (s: NodeJS.ReadableStream, name: 'stdout' | 'stderr'): void => {
    const split = new LineSplitter()
    s.setEncoding('utf8')
    s.on('data', (d: string) => split.push(d).forEach((l) => opts.onLine(l, name)))
    s.on('end', () => split.flush().forEach((l) => opts.onLine(l, name)))
  }
  wire(child.stdout, 'stdout')
  wire(child.stderr, 'stderr')
  let ended = false
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.on('error', (e) => {
        ended = true
        reject(new AppError('VAGRANT_MISSING', `Cannot start vagrant (${bin}): ${e.message}`))
      })
      child.on('close', (code, signal) => {
        ended = true
        resolve({ code, signal })
      })
    },
  )
  const signalGroup = (sig: NodeJS.Signals): void => {
    if (ended || child.pid === undefined) return
    try {
      if (detached) process.kill(-child.pid, sig)
      else child.kill(sig)
    } catch {
      // already gone
    }
  }
  let cancelling: Promise<void> | null = null
  return {
    pid: child.pid,
    done,
    cancel(graceMs = 15_000, stepMs = 5_000) {
      cancelling ??= (async () => {
        const settled = done.then(
          () => true,
          () => true,
        )
        const within = (ms: number): Promise<boolean> =>
          Promise.race([
            settled,
            new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref()),
          ])
        signalGroup('SIGINT')
        if (await within(graceMs)) return
        // Vagrant's second interrupt: "Exiting immediately, without cleanup!"
        signalGroup('SIGINT')
        if (await within(stepMs)) return
        signalGroup('SIGTERM')
        if (await within(stepMs)) return
        signalGroup('SIGKILL')
        await settled
      })()
      return cancelling
    },
  }
}

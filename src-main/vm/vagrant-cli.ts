// Runs the `vagrant` CLI: finds it (configured path or PATH), builds its environment, runs one-shot
// commands and long operations in their own process group (a process tree on Windows), with cancel
// by signal escalation or taskkill, and the launcher's exit as the end.

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
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
      // not there, or not executable: keep looking
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

/** The process rules to follow: tests inject another platform and a stand-in for taskkill. */
export interface ProcessOptions {
  /** The platform whose process rules apply (default `process.platform`). */
  platform?: string
  /** taskkill's path on Windows (default `taskkill`, found on PATH). */
  taskkill?: string
}

/** How long the pipes may stay open after the process exited before they are closed. */
export const EXIT_GRACE_MS = 2000

/**
 * End a process and everything it started. Windows: `taskkill /T /F /PID <pid>` (argv, no shell):
 * `vagrant.exe` is a launcher whose Ruby child would survive a signal to the launcher alone.
 * Elsewhere: the signal to the process group (the process was started as a group leader).
 */
export function killTree(
  pid: number,
  o: ProcessOptions & { sig?: NodeJS.Signals } = {},
): Promise<void> {
  const platform = o.platform ?? process.platform
  if (platform !== 'win32') {
    try {
      process.kill(-pid, o.sig ?? 'SIGKILL')
    } catch {
      // already gone
    }
    return Promise.resolve()
  }
  return new Promise((resolve) => {
    const tk = spawn(o.taskkill ?? 'taskkill', ['/T', '/F', '/PID', String(pid)], {
      stdio: 'ignore',
      windowsHide: true,
    })
    const timer = setTimeout(() => {
      tk.kill()
      resolve()
    }, 10_000)
    const done = (): void => {
      clearTimeout(timer)
      resolve()
    }
    tk.once('error', done)
    tk.once('exit', done)
  })
}

/** Spawn in its own process group (not on Windows, where the tree is ended with taskkill). */
function launch(
  file: string,
  args: string[],
  o: ProcessOptions & { cwd?: string; env?: NodeJS.ProcessEnv },
): ChildProcessWithoutNullStreams {
  return spawn(file, args, {
    cwd: o.cwd,
    env: o.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: (o.platform ?? process.platform) !== 'win32',
    windowsHide: true,
  })
}

/**
 * The end of a process: its `exit`, not the end of its pipes (a grandchild may hold them open, as
 * the Ruby child of Windows' vagrant launcher does). After the exit, the pipes get `graceMs` to
 * deliver the rest of the output, then they are closed. Rejects when it could not be started.
 */
function ended(
  child: ChildProcessWithoutNullStreams,
  graceMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  child.stdin.end()
  return new Promise((resolve, reject) => {
    let closed = false
    child.once('close', () => (closed = true))
    child.once('error', (e) => {
      if (child.pid === undefined) reject(e)
    })
    child.once('exit', (code, signal) => {
      const finish = (): void => resolve({ code, signal })
      if (closed) return finish()
      const timer = setTimeout(() => {
        child.stdout.destroy()
        child.stderr.destroy()
        finish()
      }, graceMs)
      timer.unref()
      child.once('close', () => {
        clearTimeout(timer)
        finish()
      })
    })
  })
}

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Run a short command (argv, no shell) and collect its output. After `timeoutMs` its whole process
 * tree is killed; `signal` aborts it the same way and rejects with CANCELLED.
 */
export async function runFile(
  file: string,
  args: string[],
  opts: ProcessOptions & {
    cwd?: string
    env?: NodeJS.ProcessEnv
    timeoutMs?: number
    signal?: AbortSignal
  } = {},
): Promise<RunResult> {
  if (opts.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled.')
  const child = launch(file, args, opts)
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const kill = (): void => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null)
      void killTree(child.pid, { platform: opts.platform, taskkill: opts.taskkill })
  }
  const timer = setTimeout(kill, opts.timeoutMs ?? 60_000)
  opts.signal?.addEventListener('abort', kill, { once: true })
  try {
    const end = await ended(child, EXIT_GRACE_MS)
    if (opts.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled.')
    return { ...end, stdout, stderr }
  } finally {
    clearTimeout(timer)
    opts.signal?.removeEventListener('abort', kill)
  }
}

/** A running vagrant operation. */
export interface VagrantProcess {
  readonly pid: number | undefined
  /** Resolves when vagrant exited (its pipes closed, or closed by us shortly after). */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /**
   * Stop it. Unix: SIGINT to its process group (vagrant cleans up); after `graceMs` a second SIGINT
   * (vagrant exits without cleanup), then SIGTERM and SIGKILL `stepMs` apart. Windows: the whole
   * tree at once with taskkill (a console signal cannot be sent to it). Resolves when ended.
   */
  cancel(graceMs?: number, stepMs?: number): Promise<void>
  /** End the whole tree now (SIGKILL / taskkill), e.g. when the app quits. */
  kill(): Promise<void>
}

/**
 * Start a long vagrant command in its own process group; `onLine` gets each stdout/stderr line.
 * Throws VAGRANT_MISSING when the executable cannot be started.
 */
export function startVagrant(
  bin: string,
  args: string[],
  opts: ProcessOptions & {
    cwd: string
    env: NodeJS.ProcessEnv
    onLine: (line: string, stream: 'stdout' | 'stderr') => void
    /** Grace for the pipes after the exit (default {@link EXIT_GRACE_MS}). */
    exitGraceMs?: number
  },
): VagrantProcess {
  const platform = opts.platform ?? process.platform
  const child = launch(bin, args, opts)
  const wire = (s: NodeJS.ReadableStream, name: 'stdout' | 'stderr'): void => {
    const split = new LineSplitter()
    const flush = (): void => split.flush().forEach((l) => opts.onLine(l, name))
    s.setEncoding('utf8')
    s.on('data', (d: string) => split.push(d).forEach((l) => opts.onLine(l, name)))
    s.on('end', flush)
    s.on('close', flush)
  }
  wire(child.stdout, 'stdout')
  wire(child.stderr, 'stderr')
  let exited = false
  const done = ended(child, opts.exitGraceMs ?? EXIT_GRACE_MS).then(
    (end) => {
      exited = true
      return end
    },
    (e: Error) => {
      exited = true
      throw new AppError('VAGRANT_MISSING', `Cannot start vagrant (${bin}): ${e.message}`)
    },
  )
  child.once('exit', () => (exited = true))
  const signalGroup = (sig: NodeJS.Signals): void => {
    if (exited || child.pid === undefined) return
    void killTree(child.pid, { platform, taskkill: opts.taskkill, sig })
  }
  const settled = done.then(
    () => true,
    () => true,
  )
  const within = (ms: number): Promise<boolean> =>
    Promise.race([settled, new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())])
  const kill = async (): Promise<void> => {
    if (!exited && child.pid !== undefined)
      await killTree(child.pid, { platform, taskkill: opts.taskkill })
    if (!(await within(5_000))) child.kill('SIGKILL')
    await settled
  }
  let cancelling: Promise<void> | null = null
  return {
    pid: child.pid,
    done,
    kill,
    cancel(graceMs = 15_000, stepMs = 5_000) {
      cancelling ??= (async () => {
        if (platform === 'win32') return kill()
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

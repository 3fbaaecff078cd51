// LocalTarget: the same commands on this Linux machine, as root or through `sudo -n`. Streams and
// shells are capped (each one is a few processes), like the SSH target's channels.

import { spawn, type ChildProcess, execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { Writable } from 'node:stream'
import { AppError } from '../../shared/errors'
import { toShellLine } from '../../shared/net/shell'
import { CloseHooks } from './close-hooks'
import { copyOut } from './copy-out'
import { ShellChannel } from './shell-channel'
import { PipeStream } from './stream-handle'
import { watchdogScript } from './stream-wrapper'
import type {
  CommandResult,
  RunOptions,
  ShellHandle,
  ShellOptions,
  StreamHandle,
  StreamOptions,
  Target,
} from './target'

export interface LocalTargetOptions {
  /** Streams and shells at once, the app's own monitor and sampler included (default 18). */
  maxStreams?: number
}

/** Long-lived streams the app keeps for itself besides windows' streams: monitor and sampler. */
const OWN_STREAMS = 2

export class LocalTarget extends EventEmitter implements Target {
  readonly kind = 'local' as const
  readonly label = 'this machine'
  private channel: ShellChannel | null = null
  private readonly children = new Set<ChildProcess>()
  private prefix: string[] = []
  private isUp = false
  /** Streams and shells running (counted when spawned, synchronously). */
  private running = 0
  private readonly maxStreams: number
  private readonly closeHooks = new CloseHooks()

  constructor(opts: LocalTargetOptions = {}) {
    super()
    this.maxStreams = opts.maxStreams ?? 18
  }

  get connected(): boolean {
    return this.isUp
  }

  /** Streams left for windows: all but the table monitor and the traffic sampler. */
  get streamCap(): number {
    return Math.max(0, this.maxStreams - OWN_STREAMS)
  }

  /** Check that we can act as root (directly or with `sudo -n`) and open the command shell. */
  async connect(): Promise<void> {
    if (process.platform !== 'linux')
      throw new AppError(
        'TARGET_UNREACHABLE',
        'This machine is not Linux: use the Vagrant VM or an SSH host.',
      )
    if (process.getuid?.() !== 0) {
      const ok = await new Promise<boolean>((resolve) =>
        execFile('sudo', ['-n', 'true'], (e) => resolve(!e)),
      )
      if (!ok)
        throw new AppError(
          'PERMISSION_DENIED',
          'This needs root: run as root, or allow passwordless sudo (sudo -n) for ip, iptables and tc.',
        )
      this.prefix = ['sudo', '-n']
    }
    this.isUp = true
    await this.commandChannel()
  }

  async run(commands: string[][], opts: RunOptions = {}): Promise<CommandResult[]> {
    if (!this.isUp) throw new AppError('NOT_CONNECTED', 'Not connected to this machine.')
    return (await this.commandChannel()).run(commands, opts)
  }

  stream(argv: string[], opts: StreamOptions = {}): Promise<StreamHandle> {
    if (!this.isUp)
      return Promise.reject(new AppError('NOT_CONNECTED', 'Not connected to this machine.'))
    const full = this.refuseOverCap()
    if (full) return Promise.reject(full)
    const child = this.spawn(['sh', '-c', watchdogScript(argv)])
    this.countRunning(child)
    const s = new PipeStream(
      argv,
      {
        stdin: child.stdin!,
        stdout: child.stdout!,
        stderr: child.stderr!,
        forceKill: () => child.kill('SIGKILL'),
      },
      !!opts.lines,
    )
    child.on('close', (code) => s.finish({ reason: 'exit', exitCode: code }))
    return Promise.resolve(s)
  }

  /** A pty via util-linux `script` (no resize: `script` has no way to pass it on). */
  shell(opts: ShellOptions): Promise<ShellHandle> {
    if (!this.isUp)
      return Promise.reject(new AppError('NOT_CONNECTED', 'Not connected to this machine.'))
    const full = this.refuseOverCap()
    if (full) return Promise.reject(full)
    const inner = toShellLine([...this.prefix, ...(opts.argv ?? ['bash', '-l'])])
    const child = spawn(
      'script',
      ['-qfc', `stty cols ${opts.cols} rows ${opts.rows}; exec ${inner}`, '/dev/null'],
      {
        stdio: 'pipe',
      },
    )
    this.track(child)
    this.countRunning(child)
    const h = new EventEmitter() as ShellHandle & EventEmitter
    Object.assign(h, {
      id: randomUUID(),
      write: (d: string) => child.stdin.write(d),
      resize: () => undefined,
      close: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('close', () => resolve())
          // `script` ignores SIGHUP while its pty is busy: end its input, ask, then insist.
          child.stdin.end()
          child.kill('SIGTERM')
          setTimeout(() => child.kill('SIGKILL'), 300).unref()
        }),
    })
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (d: string) => h.emit('data', d))
    child.on('close', () => h.emit('end'))
    return Promise.resolve(h)
  }

  /** `cat -- FILE` (through sudo when not root) piped into `into`. */
  copyFile(path: string, into: Writable): Promise<number> {
    if (!this.isUp)
      return Promise.reject(new AppError('NOT_CONNECTED', 'Not connected to this machine.'))
    const child = this.spawn(['cat', '--', path])
    child.stdin!.end()
    const exited = new Promise<number | null>((resolve) => {
      child.on('close', (code) => resolve(code))
      child.on('error', () => resolve(null))
    })
    return copyOut(
      { stdout: child.stdout!, stderr: child.stderr!, exited, kill: () => child.kill('SIGKILL') },
      into,
      { path, where: this.label, lost: () => false },
    )
  }

  beforeClose(fn: () => Promise<void>): () => void {
    return this.closeHooks.add(fn)
  }

  async close(): Promise<void> {
    // streams stop and remove their files while commands still work
    await this.closeHooks.run()
    this.isUp = false
    this.channel?.close()
    this.channel = null
    const waits = [...this.children].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve()
          c.once('close', () => resolve())
          c.stdin?.end()
          setTimeout(() => {
            c.kill('SIGKILL')
            resolve()
          }, 3000).unref()
        }),
    )
    await Promise.all(waits)
  }

  /** LIMIT_REACHED when every stream slot is taken, else null. */
  private refuseOverCap(): AppError | null {
    if (this.running < this.maxStreams) return null
    return new AppError(
      'LIMIT_REACHED',
      `Too many live views on ${this.label} (at most ${this.maxStreams} streams and terminals at once). Stop one first.`,
    )
  }

  private countRunning(child: ChildProcess): void {
    this.running++
    let done = false
    const release = (): void => {
      if (done) return
      done = true
      this.running--
    }
    child.on('close', release)
    child.on('error', release)
  }

  private spawn(argv: string[]): ChildProcess {
    const full = [...this.prefix, ...argv]
    const child = spawn(full[0]!, full.slice(1), { stdio: 'pipe' })
    this.track(child)
    return child
  }

  private track(child: ChildProcess): void {
    this.children.add(child)
    child.on('close', () => this.children.delete(child))
    child.on('error', () => this.children.delete(child))
  }

  private async commandChannel(): Promise<ShellChannel> {
    if (this.channel?.alive) return this.channel
    const child = this.spawn(['sh'])
    const ch = new ShellChannel(
      {
        stdin: child.stdin!,
        stdout: child.stdout!,
        stderr: child.stderr!,
        destroy: () => child.kill('SIGKILL'),
      },
      (pid) =>
        new Promise<void>((resolve) =>
          execFile('pkill', ['-KILL', '-P', String(pid)], () => resolve()),
        ),
    )
    await ch.start()
    this.channel = ch
    return ch
  }
}

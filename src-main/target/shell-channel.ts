// Request/response over one persistent POSIX shell: a batch of commands is written at once and
// framed with nonce markers, so N commands cost one round trip. Output is read in linear time
// (marker-reader.ts). Used by SshTarget and LocalTarget.

import { randomBytes } from 'node:crypto'
import type { Readable, Writable } from 'node:stream'
import { AppError } from '../../shared/errors'
import { toShellLine } from '../../shared/net/shell'
import { logger } from '../log'
import { type Mark, MarkerReader } from './marker-reader'
import type { CommandResult, RunOptions } from './target'

/** The three pipes of a running shell, plus a way to end it. */
export interface ShellIo {
  stdin: Writable
  stdout: Readable
  stderr: Readable
  /** Forcefully end the shell (its channel or process). */
  destroy(): void
}

interface Pending {
  nonce: string
  commands: string[][]
  results: CommandResult[]
  started: number
  lastMark: number
  resolve(r: CommandResult[]): void
  reject(e: Error): void
  timer: NodeJS.Timeout
  outDone: Map<number, { code: number; stdout: string; at: number }>
  errDone: Map<number, string>
}

const DEFAULT_TIMEOUT = 30_000

const log = logger('target')

/**
 * A persistent shell. Commands run one batch at a time (calls queue). A batch that times out
 * kills the shell's children and poisons the channel: the owner must open a new one.
 */
export class ShellChannel {
  /** PID of the remote shell, known after start(). */
  pid = 0
  private readonly out = new MarkerReader()
  private readonly err = new MarkerReader()
  private pending: Pending | null = null
  private queue: Promise<unknown> = Promise.resolve()
  private dead: AppError | null = null
  private onDeadFns: Array<(e: AppError) => void> = []

  constructor(
    private readonly io: ShellIo,
    /** Called on timeout to kill what the shell is running (by the shell's PID). */
    private readonly killTree: (pid: number) => Promise<void>,
  ) {
    io.stdout.setEncoding('utf8')
    io.stderr.setEncoding('utf8')
    io.stdout.on('data', (d: string) => this.out.push(d, (m) => this.onMark(m, 'out')))
    io.stderr.on('data', (d: string) => this.err.push(d, (m) => this.onMark(m, 'err')))
    io.stdout.on('close', () =>
      this.fail(new AppError('TARGET_UNREACHABLE', 'The command channel closed.')),
    )
    io.stdin.on('error', () =>
      this.fail(new AppError('TARGET_UNREACHABLE', 'The command channel broke.')),
    )
  }

  get alive(): boolean {
    return this.dead === null
  }

  /** Called once when the channel dies (closed, broken, or poisoned by a timeout). */
  onDead(fn: (e: AppError) => void): void {
    if (this.dead) fn(this.dead)
    else this.onDeadFns.push(fn)
  }

  /** Set a stable environment and learn the shell's PID. */
  async start(timeoutMs = 10_000): Promise<void> {
    this.io.stdin.write('export LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH\n')
    const [r] = await this.run([['sh', '-c', 'echo $PPID']], { timeoutMs })
    this.pid = Number(r?.stdout.trim() ?? 0)
  }

  /** Run a batch; resolves with one result per command run (fewer when stopOnError stopped it). */
  run(commands: string[][], opts: RunOptions = {}): Promise<CommandResult[]> {
    const job = this.queue.then(() => this.runNow(commands, opts))
    // The caller gets the error from `job`; this tail only orders the next batch after it.
    this.queue = job.catch(() => undefined)
    return job
  }

  close(): void {
    try {
      this.io.stdin.end('exit 0\n')
    } catch {
      // already closed
    }
    this.fail(new AppError('NOT_CONNECTED', 'The command channel was closed.'))
    setTimeout(() => this.io.destroy(), 500).unref()
  }

  private runNow(commands: string[][], opts: RunOptions): Promise<CommandResult[]> {
    if (this.dead) return Promise.reject(this.dead)
    if (commands.length === 0) return Promise.resolve([])
    if (opts.signal?.aborted)
      return Promise.reject(new AppError('CANCELLED', 'Cancelled before it ran.'))
    const nonce = randomBytes(8).toString('hex')
    const script = buildScript(nonce, commands, opts)
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT
    return new Promise<CommandResult[]>((resolve, reject) => {
      const now = Date.now()
      const p: Pending = {
        nonce,
        commands,
        results: [],
        started: now,
        lastMark: now,
        resolve,
        reject,
        outDone: new Map(),
        errDone: new Map(),
        timer: setTimeout(() => this.timeout(p, timeoutMs), timeoutMs),
      }
      const onAbort = (): void => this.timeout(p, timeoutMs, true)
      opts.signal?.addEventListener('abort', onAbort, { once: true })
      const settle = (): void => {
        clearTimeout(p.timer)
        opts.signal?.removeEventListener('abort', onAbort)
      }
      p.resolve = (r) => {
        settle()
        resolve(r)
      }
      p.reject = (e) => {
        settle()
        reject(e)
      }
      this.pending = p
      this.io.stdin.write(script)
    })
  }

  private timeout(p: Pending, ms: number, aborted = false): void {
    if (this.pending !== p) return
    const idx = p.results.length
    const line = p.commands[idx] ? toShellLine(p.commands[idx]) : ''
    const err = aborted
      ? new AppError('CANCELLED', `Cancelled while running: ${line}`)
      : new AppError('TIMEOUT', `A command did not finish within ${ms} ms.`, { detail: line })
    this.pending = null
    p.reject(err)
    // The shell is now in an unknown state: kill what it runs and retire the channel.
    void this.killTree(this.pid).catch((e: unknown) =>
      log.warn({ err: e, pid: this.pid }, 'killing the commands of a retired channel failed'),
    )
    this.fail(err)
    this.io.destroy()
  }

  private fail(e: AppError): void {
    if (this.dead) return
    this.dead = e
    const p = this.pending
    this.pending = null
    if (p) p.reject(e)
    for (const fn of this.onDeadFns.splice(0)) fn(e)
  }

  /**
   * One command's stdout or stderr is complete. Marks of another batch (none can follow a timed-out
   * one: its channel is retired) and output between batches are dropped.
   */
  private onMark(m: Mark, pipe: 'out' | 'err'): void {
    const p = this.pending
    if (!p || m.nonce !== p.nonce) return
    if (pipe === 'out') {
      const code = m.code === undefined || m.code === 'S' ? NaN : Number(m.code)
      p.outDone.set(m.index, { code, stdout: m.body, at: Date.now() })
    } else p.errDone.set(m.index, m.body)
    this.collect(p)
  }

  private collect(p: Pending): void {
    while (p.results.length < p.commands.length) {
      const i = p.results.length
      const o = p.outDone.get(i)
      const e = p.errDone.get(i)
      if (!o || e === undefined) return
      if (Number.isNaN(o.code)) break // skipped: an earlier command failed with stopOnError
      p.results.push({
        argv: p.commands[i] ?? [],
        stdout: o.stdout,
        stderr: e,
        exitCode: o.code,
        durationMs: o.at - p.lastMark,
      })
      p.lastMark = o.at
    }
    if (p.outDone.size === p.commands.length && p.errDone.size === p.commands.length) {
      this.pending = null
      p.resolve(p.results)
    }
  }
}

/** The shell text for one batch. Exported for tests. */
export function buildScript(nonce: string, commands: string[][], opts: RunOptions = {}): string {
  const parts: string[] = ['__nss_f=0']
  commands.forEach((argv, i) => {
    const input = opts.stdin?.[i]
    const delim = `__NSS_${nonce}_IN_${i}`
    const redirect = input === undefined ? ' </dev/null' : ` <<'${delim}'`
    const body =
      input === undefined ? '' : `\n${input.endsWith('\n') ? input : `${input}\n`}${delim}`
    const mark = `__NSS_${nonce}_${i}`
    const run = `${toShellLine(argv)}${redirect}${body}\n__nss_r=$?`
    const guard = opts.stopOnError
      ? `if [ $__nss_f = 0 ]; then ${run}\n[ $__nss_r = 0 ] || __nss_f=1\nelse __nss_r=S; fi`
      : run
    parts.push(guard, `printf '\\n%s %s\\n' ${mark} "$__nss_r"; printf '\\n%s\\n' ${mark} >&2`)
  })
  return `${parts.join('\n')}\n`
}

// One StreamHandle implementation for both targets: wraps the pipes of a remote or local process
// that runs under the watchdog (stream-wrapper.ts), splits lines (each capped at MAX_LINE_CHARS),
// and guarantees one 'end' event.

import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { Readable, Writable } from 'node:stream'
import { LineBuffer } from '../../shared/net/line-buffer'
import type { StreamEnd, StreamHandle } from './target'

export interface StreamPipes {
  stdin: Writable
  stdout: Readable
  stderr: Readable
  /** Last resort when closing stdin did not end the process in time. */
  forceKill(): void
}

const STOP_GRACE_MS = 3000

export class PipeStream extends EventEmitter implements StreamHandle {
  readonly id = randomUUID()
  private done = false
  private stopping = false
  private readonly buf = new LineBuffer()
  private endWaiters: Array<() => void> = []

  constructor(
    readonly argv: string[],
    private readonly pipes: StreamPipes,
    private readonly lines: boolean,
  ) {
    super()
    pipes.stdout.setEncoding('utf8')
    pipes.stderr.setEncoding('utf8')
    pipes.stdout.on('data', (d: string) => this.onStdout(d))
    pipes.stderr.on('data', (d: string) => this.emit('stderr', d))
    // Writing to a process that has exited (EPIPE): its end is reported by 'end', not here.
    pipes.stdin.on('error', () => undefined)
  }

  get ended(): boolean {
    return this.done
  }

  /** Characters held for the stdout line not yet ended (bounded by MAX_LINE_CHARS). */
  get pendingLineChars(): number {
    return this.buf.pending
  }

  /** Called by the owner when the process or channel has exited. */
  finish(end: StreamEnd): void {
    if (this.done) return
    this.done = true
    if (this.lines) this.buf.end((l) => this.emit('line', l))
    const final: StreamEnd =
      this.stopping && end.reason === 'exit' ? { ...end, reason: 'stopped' } : end
    this.emit('end', final)
    for (const w of this.endWaiters.splice(0)) w()
  }

  write(data: string): void {
    if (!this.done) this.pipes.stdin.write(data)
  }

  /** Close stdin (the watchdog then kills the command); force after a grace period. */
  stop(): Promise<void> {
    if (this.done) return Promise.resolve()
    this.stopping = true
    const ended = new Promise<void>((resolve) => this.endWaiters.push(resolve))
    this.pipes.stdin.end()
    const t = setTimeout(() => {
      this.pipes.forceKill()
      this.finish({ reason: 'stopped', exitCode: null })
    }, STOP_GRACE_MS)
    return ended.finally(() => clearTimeout(t))
  }

  private onStdout(d: string): void {
    this.emit('stdout', d)
    if (this.lines) this.buf.push(d, (l) => this.emit('line', l))
  }
}

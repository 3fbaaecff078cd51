// One packet capture: tcpdump in a namespace writes a private pcap file in the target (0600 in a
// 0700 folder) and prints summary lines that are parsed and batched to the owner; save streams the
// file to a path on this machine (atomically, 0600); close removes its folder.

import { randomBytes } from 'node:crypto'
import type { LiveEnd } from '../../shared/ipc/domains/live'
import type { CaptureLine, CaptureRequest } from '../../shared/net/capture'
import { captureArgv, captureDir, capturePath, parseCaptureLine } from '../../shared/net/capture'
import type { StreamEnd, StreamHandle, Target } from '../target/target'
import { Batcher, LineSplitter, Ring } from './batcher'
import { logger } from '../log'
import { saveAtomically } from './save-file'

const log = logger('capture')

export interface CaptureSink {
  data(lines: CaptureLine[], total: number): void
  ended(end: LiveEnd): void
}

/** How a capture starts: its id (hex, 8–32 digits; default: a new one) and the batch window. */
export interface CaptureStartOptions {
  id?: string
  flushMs?: number
}

export class CaptureSession {
  total = 0
  private readonly tail = new Ring<CaptureLine>(5000)
  private readonly batch: Batcher<CaptureLine>
  private readonly err = new LineSplitter()
  private stderrTail: string[] = []
  private done = false
  private endWaiters: Array<() => void> = []

  private constructor(
    readonly id: string,
    readonly remotePath: string,
    /** The private folder that holds remotePath (removed on close). */
    readonly remoteDir: string,
    /** What is captured (namespace, interface, filter). */
    readonly request: CaptureRequest,
    private readonly target: Target,
    private readonly handle: StreamHandle,
    private readonly sink: CaptureSink,
    flushMs: number,
  ) {
    this.batch = new Batcher(flushMs, (lines) => this.sink.data(lines, this.total), 2000)
    handle.on('line', (l: string) => {
      const c = parseCaptureLine(l)
      if (!c) return
      this.total++
      this.tail.push(c)
      this.batch.push(c)
    })
    handle.on('stderr', (d: string) =>
      this.err.push(d, (l) => {
        this.stderrTail = [...this.stderrTail, l].slice(-5)
      }),
    )
    handle.on('end', (e: StreamEnd) => this.onEnd(e))
  }

  static async start(
    target: Target,
    req: CaptureRequest,
    sink: CaptureSink,
    opts: CaptureStartOptions = {},
  ): Promise<CaptureSession> {
    const id = opts.id ?? randomBytes(8).toString('hex')
    const argv = captureArgv(req, id)
    const handle = await target.stream(argv, { lines: true })
    const flushMs = opts.flushMs ?? 200
    return new CaptureSession(
      id,
      capturePath(id),
      captureDir(id),
      { ...req },
      target,
      handle,
      sink,
      flushMs,
    )
  }

  get ended(): boolean {
    return this.done
  }

  lines(): CaptureLine[] {
    return this.tail.toArray()
  }

  /** Stop tcpdump (the file keeps what was captured). */
  async stop(): Promise<void> {
    await this.handle.stop()
    if (!this.done) await new Promise<void>((r) => this.endWaiters.push(r))
  }

  /**
   * Copy the pcap file (as written so far) to `path` on this machine: streamed in chunks, written
   * to a temp file next to it, then renamed (0600). Resolves with the bytes saved.
   */
  save(path: string): Promise<number> {
    return saveAtomically(path, (into) => this.target.copyFile(this.remotePath, into))
  }

  /** Stop and remove the remote file with its folder. */
  async close(): Promise<void> {
    await this.stop().catch((err: unknown) => log.debug({ err }, 'stopping tcpdump failed'))
    if (this.target.connected)
      await this.target
        .run([['rm', '-rf', '--', this.remoteDir]], { timeoutMs: 10_000 })
        .catch((err: unknown) =>
          log.warn({ err, dir: this.remoteDir }, 'removing the capture folder failed'),
        )
  }

  private onEnd(e: StreamEnd): void {
    if (this.done) return
    this.done = true
    this.batch.close()
    const end: LiveEnd = { reason: e.reason }
    if (e.error) end.error = { code: e.error.code, message: e.error.message }
    else if (e.reason === 'exit' && e.exitCode !== 0 && this.total === 0)
      end.error = {
        code: 'COMMAND_FAILED',
        message:
          this.stderrTail.filter((l) => !/^listening on/.test(l)).join('\n') ||
          `tcpdump exited with ${String(e.exitCode)}.`,
      }
    this.sink.ended(end)
    for (const w of this.endWaiters.splice(0)) w()
  }
}

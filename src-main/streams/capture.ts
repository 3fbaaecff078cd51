// One packet capture: tcpdump in a namespace writes a private pcap file in the target (0600 in a
// 0700 folder) and prints summary lines that are parsed and batched to the owner; save copies the
// file here; close removes its folder.

import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { AppError } from '../../shared/errors'
import type { CaptureSaved, LiveEnd } from '../../shared/ipc/domains/live'
import type { CaptureLine, CaptureRequest } from '../../shared/net/capture'
import { captureArgv, captureDir, capturePath, parseCaptureLine } from '../../shared/net/capture'
import type { StreamEnd, StreamHandle, Target } from '../target/target'
import { Batcher, LineSplitter, Ring } from './batcher'

export interface CaptureSink {
  data(lines: CaptureLine[], total: number): void
  ended(end: LiveEnd): void
}

/** Largest capture copied back (bytes). */
export const MAX_SAVE_BYTES = 256 * 1024 * 1024

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
    flushMs = 200,
  ): Promise<CaptureSession> {
    const id = randomBytes(8).toString('hex')
    const argv = captureArgv(req, id)
    const handle = await target.stream(argv, { lines: true })
    return new CaptureSession(id, capturePath(id), captureDir(id), target, handle, sink, flushMs)
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

  /** Copy the pcap file to `path` on this machine. */
  async save(path: string): Promise<CaptureSaved> {
    const [size] = await this.target.run([['stat', '-c', '%s', this.remotePath]], {
      timeoutMs: 10_000,
    })
    if (!size || size.exitCode !== 0)
      throw new AppError('COMMAND_FAILED', 'The capture file is gone from the target.', {
        detail: size?.stderr,
      })
    const bytes = Number(size.stdout.trim())
    if (bytes > MAX_SAVE_BYTES)
      throw new AppError(
        'LIMIT_REACHED',
        `The capture is ${bytes} bytes; at most ${MAX_SAVE_BYTES} can be saved.`,
      )
    const [r] = await this.target.run([['base64', '-w', '0', this.remotePath]], {
      timeoutMs: 120_000,
    })
    if (!r || r.exitCode !== 0)
      throw new AppError('COMMAND_FAILED', 'Could not read the capture file.', {
        detail: r?.stderr,
      })
    const data = Buffer.from(r.stdout.trim(), 'base64')
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, data)
    return { path, bytes: data.length }
  }

  /** Stop and remove the remote file with its folder. */
  async close(): Promise<void> {
    await this.stop().catch(() => undefined)
    if (this.target.connected)
      await this.target
        .run([['rm', '-rf', '--', this.remoteDir]], { timeoutMs: 10_000 })
        .catch(() => undefined)
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

// One service: a socat listener on a port in a namespace, run as a stream under the watchdog (so
// stopping it, a closed window or a dropped connection kills it and its children). Start answers
// once socat listens, or fails with why (port taken, no such namespace, socat missing).

import { AppError } from '../../shared/errors'
import type { LiveEnd } from '../../shared/ipc/domains/live'
import type { ServiceEvent, ServiceProblem, ServiceRequest } from '../../shared/net/service'
import {
  SOCAT_MISSING,
  parseSocatLine,
  portInUseMessage,
  serviceArgv,
  serviceReply,
} from '../../shared/net/service'
import type { StreamEnd, StreamHandle, Target } from '../target/target'
import { Batcher, LineSplitter } from './batcher'
import { namespaceCheck, requireNamespace } from './sockets'

export interface ServiceSink {
  data(events: ServiceEvent[]): void
  ended(end: LiveEnd): void
}

export interface ServiceStartOptions {
  id?: string
  flushMs?: number
  /** How long socat may take to bind before the start fails (default 10 s). */
  listenTimeoutMs?: number
}

/** socat's exit code when `env` could not find it (the shell's "command not found"). */
const NOT_FOUND_EXIT = 127

/** The error of a listener that ended before it listened, from its log and exit code. */
function startError(
  req: ServiceRequest,
  problem: ServiceProblem | null,
  end: StreamEnd,
  stderr: string[],
): AppError {
  const detail = stderr.slice(-5).join('\n')
  if (problem?.kind === 'port-in-use')
    return new AppError('COMMAND_FAILED', portInUseMessage(req), {
      detail,
      data: { reason: 'port-in-use', ns: req.ns, protocol: req.protocol, port: req.port },
    })
  if (end.exitCode === NOT_FOUND_EXIT && /socat/.test(detail))
    return new AppError('COMMAND_FAILED', SOCAT_MISSING, { detail, data: { missing: 'socat' } })
  if (end.error)
    return new AppError(
      'NOT_CONNECTED',
      `The service stopped before it listened: ${end.error.message}`,
    )
  const why =
    problem?.kind === 'error' ? problem.message : `socat exited with ${String(end.exitCode)}`
  return new AppError('COMMAND_FAILED', `The service in ${req.ns} could not start: ${why}.`, {
    detail,
  })
}

export class ServiceSession {
  /** The address socat listens on, e.g. "0.0.0.0:8080". */
  listening = ''
  /** Connections accepted (TCP) or datagrams answered (UDP) so far. */
  served = 0
  private readonly errSplit = new LineSplitter()
  private readonly stderrTail: string[] = []
  private readonly batch: Batcher<ServiceEvent>
  /** The listener's own pid (its first log line); children's lines do not end it. */
  private mainPid: number | null = null
  private problem: ServiceProblem | null = null
  private done = false
  /** The start failed (timed out): its end concerns nobody. */
  private abandoned = false
  private onListening: ((address: string) => void) | null = null
  private onEarlyEnd: ((e: StreamEnd) => void) | null = null

  private constructor(
    readonly id: string,
    readonly request: ServiceRequest,
    private readonly handle: StreamHandle,
    private readonly sink: ServiceSink,
    flushMs: number,
  ) {
    this.batch = new Batcher(flushMs, (events) => this.sink.data(events), 1000)
    handle.on('stderr', (d: string) => this.errSplit.push(d, (l) => this.onLog(l)))
    handle.on('end', (e: StreamEnd) => this.onEnd(e))
  }

  /**
   * Check the namespace exists and socat is installed (one round trip), start the listener and
   * wait until it listens. Fails with a specific AppError otherwise, leaving nothing running.
   */
  static async start(
    target: Target,
    req: ServiceRequest,
    sink: ServiceSink,
    opts: ServiceStartOptions = {},
  ): Promise<ServiceSession> {
    const argv = serviceArgv(req)
    const pre = namespaceCheck(req.ns)
    const results = await target.run([...pre, ['sh', '-c', 'command -v socat']], {
      timeoutMs: 15_000,
    })
    if (pre.length) requireNamespace(req.ns, results[0])
    if (results[pre.length]?.exitCode !== 0)
      throw new AppError('COMMAND_FAILED', SOCAT_MISSING, { data: { missing: 'socat' } })
    const handle = await target.stream(argv)
    const s = new ServiceSession(opts.id ?? handle.id, req, handle, sink, opts.flushMs ?? 200)
    await s.untilListening(opts.listenTimeoutMs ?? 10_000)
    return s
  }

  get ended(): boolean {
    return this.done
  }

  /** The line it answers with. */
  get reply(): string {
    return serviceReply(this.request)
  }

  /** Kill the listener and its children (the watchdog); resolves once it has ended. */
  stop(): Promise<void> {
    return this.handle.stop()
  }

  close(): Promise<void> {
    return this.stop()
  }

  private untilListening(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.onListening = this.onEarlyEnd = null
        this.abandoned = true
        void this.handle.stop()
        reject(
          new AppError(
            'TIMEOUT',
            `The service in ${this.request.ns} did not listen within ${timeoutMs / 1000} s.`,
            { detail: this.stderrTail.slice(-5).join('\n') },
          ),
        )
      }, timeoutMs)
      this.onListening = () => {
        clearTimeout(timer)
        this.onListening = this.onEarlyEnd = null
        resolve()
      }
      this.onEarlyEnd = (e) => {
        clearTimeout(timer)
        this.onListening = this.onEarlyEnd = null
        reject(startError(this.request, this.problem, e, this.stderrTail))
      }
    })
  }

  private onLog(line: string): void {
    this.stderrTail.push(line)
    if (this.stderrTail.length > 20) this.stderrTail.shift()
    const p = parseSocatLine(line)
    if (!p) return
    this.mainPid ??= p.pid
    if (p.pid !== this.mainPid) return // a connection's child: its chatter is not the service's
    if (p.problem) this.problem ??= p.problem
    const ev = p.event
    if (!ev) return
    if (ev.kind === 'listening') {
      if (this.listening) return // socat says it again after every connection
      this.listening = ev.address
      this.onListening?.(ev.address)
    } else this.served++
    this.batch.push(ev)
  }

  private onEnd(e: StreamEnd): void {
    if (this.done) return
    this.done = true
    this.errSplit.end((l) => this.onLog(l))
    this.batch.close()
    if (this.onEarlyEnd) return this.onEarlyEnd(e)
    if (this.abandoned) return
    const end: LiveEnd = { reason: e.reason }
    if (e.error) end.error = { code: e.error.code, message: e.error.message }
    else if (e.reason === 'exit')
      end.error = {
        code: 'COMMAND_FAILED',
        message:
          this.problem?.kind === 'error'
            ? `The listener stopped: ${this.problem.message}`
            : `The listener exited with ${String(e.exitCode)}.`,
      }
    this.sink.ended(end)
  }
}

// The one interface through which the engine reaches a Linux kernel: a batch of commands over a
// persistent shell, long-running streams, and interactive shells. SshTarget and LocalTarget implement it.

import type { EventEmitter } from 'node:events'
import type { Writable } from 'node:stream'

/** Result of one command of a batch. */
export interface CommandResult {
  argv: string[]
  stdout: string
  stderr: string
  exitCode: number
  durationMs: number
}

export interface RunOptions {
  /** Whole-batch timeout in ms (default 30 s). On timeout the channel is reset and TIMEOUT is thrown. */
  timeoutMs?: number
  /** Text fed to each command's stdin, by index (e.g. an `ip -batch -` script). */
  stdin?: Array<string | undefined>
  /** Stop after the first command that exits non-zero (later ones are not run). Default false. */
  stopOnError?: boolean
  signal?: AbortSignal
}

/** Why a stream ended. */
export interface StreamEnd {
  /** 'exit': the command finished; 'stopped': stop() was called; 'error': the connection failed. */
  reason: 'exit' | 'stopped' | 'error'
  exitCode: number | null
  error?: { code: string; message: string }
}

/**
 * A long-running remote command. Emits 'stdout' and 'stderr' (string chunks), and 'end' (StreamEnd)
 * exactly once. stop() kills the remote process (never leaves it behind) and is idempotent.
 */
export interface StreamHandle extends EventEmitter {
  readonly id: string
  readonly argv: string[]
  stop(): Promise<void>
  readonly ended: boolean
  /** Write to the command's stdin (e.g. a persistent sampler's commands). */
  write(data: string): void
}

/** An interactive shell with a pty. Emits 'data' (string) and 'end'. */
export interface ShellHandle extends EventEmitter {
  readonly id: string
  write(data: string): void
  resize(cols: number, rows: number): void
  close(): Promise<void>
}

export interface StreamOptions {
  /** Emit stdout as complete lines ('line' events) as well as raw chunks. */
  lines?: boolean
}

export interface ShellOptions {
  cols: number
  rows: number
  /** argv to run under the pty; default: a login shell. */
  argv?: string[]
}

export type TargetEvent = 'disconnected' | 'reconnecting' | 'reconnected' | 'failed'

/** Anything that can run commands on a Linux host as root. */
export interface Target extends EventEmitter {
  /** Short label for the UI, e.g. "root@127.0.0.1:2222". */
  readonly label: string
  readonly kind: 'ssh' | 'local'
  connect(): Promise<void>
  /** Run commands in order over the persistent channel; one round trip for the whole batch. */
  run(commands: string[][], opts?: RunOptions): Promise<CommandResult[]>
  /** Start a long-running command on its own channel. */
  stream(argv: string[], opts?: StreamOptions): Promise<StreamHandle>
  /** Open an interactive shell with a pty. */
  shell(opts: ShellOptions): Promise<ShellHandle>
  /**
   * How many streams windows may hold here at once (ping, capture, terminal), after what the app
   * keeps open for itself: the command channel, the table monitor and the traffic sampler.
   */
  readonly streamCap: number
  /**
   * Copy a file of the target into `into` in chunks, with backpressure (never the whole file in
   * memory); resolves with the bytes copied once the remote read has succeeded. COMMAND_FAILED
   * when the file cannot be read, TARGET_UNREACHABLE when the connection drops meanwhile.
   */
  copyFile(path: string, into: Writable): Promise<number>
  /**
   * Run `fn` when close() begins, while commands still work, so streams stop and remove their
   * remote files first (bounded: close goes on after CLOSE_HOOK_MS). Returns the unregister function.
   */
  beforeClose(fn: () => Promise<void>): () => void
  /** Close everything: before-close hooks run, streams are stopped, the connection is closed. */
  close(): Promise<void>
  readonly connected: boolean
}

// One terminal: an interactive shell with a pty inside a namespace (`ip netns exec NS bash`,
// without rc files, its prompt naming the namespace),
// its output coalesced into a few messages per frame.

import { inNamespace } from '../../shared/net/ping'
import type { ShellHandle, Target } from '../target/target'

export interface TerminalSink {
  data(data: string): void
  ended(): void
}

export class TerminalSession {
  private pending = ''
  private timer: NodeJS.Timeout | null = null
  private done = false

  private constructor(
    readonly id: string,
    readonly ns: string,
    private readonly shell: ShellHandle,
    private readonly sink: TerminalSink,
    private readonly flushMs: number,
  ) {
    shell.on('data', (d: string) => this.onData(d))
    shell.on('end', () => this.onEnd())
  }

  /**
   * Open a login-less bash in `ns` (HOST_NS: the target's root namespace). Its id is `opts.id`
   * (the registry's), else the shell's own.
   */
  static async open(
    target: Target,
    ns: string,
    cols: number,
    rows: number,
    sink: TerminalSink,
    opts: { id?: string; flushMs?: number } = {},
  ): Promise<TerminalSession> {
    // No rc file: the prompt names the namespace (a learner always sees where a command runs),
    // and a slow or waiting ~/.bashrc on the target cannot stall the terminal. `ns` is a checked
    // namespace name (letters, digits, "_", "." and "-"), so the prompt holds nothing bash expands.
    const prompt = `PS1=(${ns}) \\u@\\h:\\w\\$ `
    const argv = inNamespace(ns, ['env', 'TERM=xterm-256color', prompt, 'bash', '--norc', '-i'])
    const shell = await target.shell({ cols, rows, argv })
    return new TerminalSession(opts.id ?? shell.id, ns, shell, sink, opts.flushMs ?? 16)
  }

  get ended(): boolean {
    return this.done
  }

  write(data: string): void {
    if (!this.done) this.shell.write(data)
  }

  resize(cols: number, rows: number): void {
    if (!this.done) this.shell.resize(cols, rows)
  }

  close(): Promise<void> {
    return this.shell.close()
  }

  private onData(d: string): void {
    this.pending += d
    if (this.timer) return
    this.timer = setTimeout(() => this.flush(), this.flushMs)
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (!this.pending) return
    const d = this.pending
    this.pending = ''
    this.sink.data(d)
  }

  private onEnd(): void {
    if (this.done) return
    this.done = true
    this.flush()
    this.sink.ended()
  }
}

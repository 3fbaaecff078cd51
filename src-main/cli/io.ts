// Where the CLI writes: data to stdout, progress and errors to stderr. Commands get a CliIo, so
// tests can run them in process and the real bin writes to the process streams.

/** The CLI's streams and environment. */
export interface CliIo {
  /** Write data (stdout). */
  out(text: string): void
  /** Write progress, warnings and errors (stderr). */
  err(text: string): void
  /** Whether stdout is a terminal (human output may use colour-free tables either way). */
  readonly stdoutIsTTY: boolean
  /** Whether stdin is a terminal; the CLI never prompts, so this only picks wording. */
  readonly stdinIsTTY: boolean
  readonly env: NodeJS.ProcessEnv
  readonly platform: NodeJS.Platform
}

/** The process's own streams. */
export function processIo(): CliIo {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    stdoutIsTTY: !!process.stdout.isTTY,
    stdinIsTTY: !!process.stdin.isTTY,
    env: process.env,
    platform: process.platform,
  }
}

/** Resolve once both process streams have handed everything written so far to the OS. */
export async function flushProcessStreams(): Promise<void> {
  await Promise.all(
    [process.stdout, process.stderr].map(
      (s) =>
        new Promise<void>((resolve) =>
          s.writableLength === 0 ? resolve() : s.write('', () => resolve()),
        ),
    ),
  )
}

/** Print `value` as JSON on stdout (two-space indent, one trailing newline). */
export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`)
}

/** A progress reporter: one line per call on stderr, nothing when quiet. */
export type Progress = (line: string) => void

export function progressTo(io: CliIo, quiet: boolean): Progress {
  return quiet ? () => undefined : (line) => io.err(`${line}\n`)
}

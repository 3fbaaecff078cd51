// Main's logs: one pino root with a child logger per scope (`logger('vm')`). Until initLogs (tests,
// the CLI) nothing is logged unless NETNS_STUDIO_LOG_LEVEL asks for stderr; after it, lines at the
// chosen level go to a private, size-rotated file in the data folder (`<userData>/logs/main.N.log`).

import { chmodSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import pino, { type DestinationStream, type Level, type Logger } from 'pino'
import pinoRoll from 'pino-roll'
import type { SonicBoom } from 'sonic-boom'

export type { Logger }

/** Levels initLogs accepts ('silent' turns logging off). */
export const LOG_LEVELS: readonly (Level | 'silent')[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
]

const stderr = pino.destination({ dest: 2, sync: true })

/** Where log lines go now: stderr before initLogs, the rotating file after it. */
class Switch implements DestinationStream {
  target: DestinationStream = stderr
  write(line: string): void {
    this.target.write(line)
  }
}

const out = new Switch()
const envLevel = process.env.NETNS_STUDIO_LOG_LEVEL
/** Before initLogs: NETNS_STUDIO_LOG_LEVEL=debug (etc.) writes to stderr; default: nothing. */
const early: Level | 'silent' = LOG_LEVELS.find((l) => l === envLevel) ?? 'silent'
const root: Logger = pino(
  {
    level: early,
    base: { pid: process.pid },
    // Nothing the app logs should carry these; if a value ever does, it is masked.
    redact: { paths: ['password', 'passphrase', 'privateKey', '*.password', '*.passphrase'] },
  },
  out,
)
/** Every scoped logger handed out, so initLogs can set their level. */
const scoped = new Map<string, Logger>()
let file: SonicBoom | null = null

/**
 * The logger for one part of main (`logger('vm')`, `logger('ipc')`): every line carries
 * `scope`. Log errors as `{ err }` (pino writes their type, message, stack and code); never log
 * values a user typed that could hold secrets.
 */
export function logger(scope: string): Logger {
  let l = scoped.get(scope)
  if (!l) {
    l = root.child({ scope })
    scoped.set(scope, l)
  }
  return l
}

export interface LogsOptions {
  /** The logs folder (the app passes `<userData>/logs`); made 0700, its files 0600. */
  dir: string
  /** Lowest level written (default 'info'). */
  level?: Level | 'silent'
  /** Size at which a file is rolled over: a number of MB, or e.g. '5m', '512k' (default '5m'). */
  maxSize?: string
  /** Files kept, the current one included (default 5). */
  maxFiles?: number
}

/**
 * Send the logs to a rotating file in `dir` from now on (`main.1.log`, `main.2.log`, …; the
 * highest number is the newest). Writes are synchronous: a crash loses no line. Returns the
 * folder. Calling it again replaces the file.
 */
export async function initLogs(o: LogsOptions): Promise<string> {
  mkdirSync(o.dir, { recursive: true, mode: 0o700 })
  // An existing folder or older files keep their mode on open: make them private too.
  chmodSync(o.dir, 0o700)
  for (const f of readdirSync(o.dir)) if (/^main\..*log$/.test(f)) chmodSync(join(o.dir, f), 0o600)
  const stream = await pinoRoll({
    file: join(o.dir, 'main.log'),
    size: o.maxSize ?? '5m',
    limit: { count: o.maxFiles ?? 5, removeOtherLogFiles: true },
    mode: 0o600,
    sync: true,
  })
  // A failed write (disk full, folder removed) must never take main down: back to stderr.
  stream.on('error', (err: unknown) => {
    if (out.target !== stream) return
    out.target = stderr
    root.error({ err, scope: 'log' }, 'writing the log file failed; logging to stderr')
  })
  const previous = file
  file = stream
  out.target = stream
  setLevel(o.level ?? 'info')
  previous?.end()
  return o.dir
}

/** Change the level of every logger. */
export function setLevel(level: Level | 'silent'): void {
  root.level = level
  for (const l of scoped.values()) l.level = level
}

/** Close the log file (tests): later lines go where they went before initLogs. */
export function closeLogs(): void {
  out.target = stderr
  setLevel(early)
  file?.end()
  file = null
}

// Copies what a remote or local `cat -- FILE` prints into a local writable: piped with
// backpressure (a few chunks in memory at most), counted, and checked against the exit status.

import { Transform, type Readable, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { AppError } from '../../shared/errors'

/** A running `cat -- FILE`: its pipes, how it ends, and how to end it early. */
export interface CatProcess {
  stdout: Readable
  stderr: Readable
  /** Resolves with the exit code once the process (or channel) is gone; null when killed or lost. */
  exited: Promise<number | null>
  kill(): void
}

/** Longest stderr tail kept for the error message. */
const ERR_TAIL = 4096

/**
 * Pipe `cat`'s output into `into`; resolves with the bytes copied. `lost()` tells a dropped
 * connection (TARGET_UNREACHABLE) from a file that cannot be read (COMMAND_FAILED).
 */
export async function copyOut(
  cat: CatProcess,
  into: Writable,
  what: { path: string; where: string; lost: () => boolean },
): Promise<number> {
  let bytes = 0
  let err = ''
  cat.stderr.setEncoding('utf8')
  cat.stderr.on('data', (d: string) => (err = (err + d).slice(-ERR_TAIL)))
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length
      done(null, chunk)
    },
  })
  try {
    await pipeline(cat.stdout, count, into)
  } catch (e) {
    cat.kill()
    if (what.lost()) throw lostError(what.where)
    throw new AppError('COMMAND_FAILED', `Could not copy ${what.path} from ${what.where}.`, {
      detail: e instanceof Error ? e.message : String(e),
    })
  }
  const code = await cat.exited
  if (code === 0) return bytes
  if (what.lost()) throw lostError(what.where)
  throw new AppError('COMMAND_FAILED', `Could not read ${what.path} on ${what.where}.`, {
    detail: err.trim() || `cat exited with ${String(code)}.`,
  })
}

const lostError = (where: string): AppError =>
  new AppError('TARGET_UNREACHABLE', `The connection to ${where} was lost during the copy.`)

// Reading an SSH private key file safely: only a regular file of at most 64 KiB. A FIFO, a device
// (/dev/zero), a socket or a folder is refused before a single byte is read, and nothing blocks.

import { constants } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { AppError } from '../../shared/errors'

/** Largest key file read (an RSA-16384 key in PEM is ~12 KiB). */
export const MAX_KEY_BYTES = 64 * 1024

const tooBig = (path: string): AppError =>
  new AppError(
    'INVALID_ARGUMENT',
    `The private key ${path} is larger than 64 KiB; it is not a key file.`,
  )

const notFile = (path: string): AppError =>
  new AppError(
    'INVALID_ARGUMENT',
    `The private key ${path} is not a regular file; choose the key file itself (e.g. ~/.ssh/id_ed25519).`,
  )

/**
 * Read a private key file. Throws INVALID_ARGUMENT for anything but a regular file of at most
 * MAX_KEY_BYTES, and SSH_AUTH when it cannot be read (missing, no permission).
 */
export async function readKeyFile(path: string): Promise<Buffer> {
  const cannot = (e: unknown): AppError =>
    new AppError('SSH_AUTH', `Cannot read the private key ${path}.`, { cause: e })
  // stat first: a device or FIFO is refused without being opened at all
  const before = await stat(path).catch((e: unknown) => {
    throw cannot(e)
  })
  if (!before.isFile()) throw notFile(path)
  if (before.size > MAX_KEY_BYTES) throw tooBig(path)
  // O_NONBLOCK: should the path have become a FIFO since, opening it does not wait for a writer
  const fh = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)).catch(
    (e: unknown) => {
      throw cannot(e)
    },
  )
  try {
    const st = await fh.stat()
    if (!st.isFile()) throw notFile(path)
    if (st.size > MAX_KEY_BYTES) throw tooBig(path)
    // read at most one byte past the limit: a file that grew meanwhile is still caught
    const buf = Buffer.alloc(MAX_KEY_BYTES + 1)
    let n = 0
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n)
      if (bytesRead === 0) break
      n += bytesRead
      if (n > MAX_KEY_BYTES) throw tooBig(path)
    }
    return buf.subarray(0, n)
  } catch (e) {
    throw e instanceof AppError ? e : cannot(e)
  } finally {
    await fh.close()
  }
}

// Pinned SSH host keys: trust on first use, refuse a changed key. A JSON file in the app's data
// folder in production (fails closed, written atomically), memory in tests.

import { createHash, randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { AppError } from '../../shared/errors'
import { legacyPinKey } from './host-id'

/**
 * Where pinned host-key fingerprints live, keyed by a host-key id (`ssh:<host>:<port>` from
 * {@link hostKeyId}, or `vm:<name>`). A store that cannot read its pins throws HOSTKEY_STORE.
 */
export interface HostKeyStore {
  get(id: string): Promise<string | undefined>
  set(id: string, fingerprint: string): Promise<void>
  forget(id: string): Promise<void>
  /**
   * Compare and set: pin `to` only while the pin is still `from` (undefined = no pin). Returns
   * whether it did.
   */
  replace(id: string, from: string | undefined, to: string): Promise<boolean>
}

/** An OpenSSH SHA256 fingerprint as {@link fingerprintOf} writes it. */
export const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/

/** OpenSSH-style fingerprint of a raw host key blob: `SHA256:` + unpadded base64. */
export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`
}

/** What {@link checkHostKey} decided: accepted (maybe pinned just now), or the pin it must match. */
export type HostKeyVerdict = { ok: true } | { ok: false; pinned: string }

/**
 * Trust on first use: pin `offered` when `id` has no pin yet, accept it when it equals the pin,
 * else report the pin. Store errors (HOSTKEY_STORE) propagate: the caller must refuse.
 */
export async function checkHostKey(
  store: HostKeyStore,
  id: string,
  offered: string,
): Promise<HostKeyVerdict> {
  for (;;) {
    const pinned = await store.get(id)
    if (pinned !== undefined) return pinned === offered ? { ok: true } : { ok: false, pinned }
    // Another connect may pin the same id between get and here: then compare with its pin.
    if (await store.replace(id, undefined, offered)) return { ok: true }
  }
}

export class MemoryHostKeyStore implements HostKeyStore {
  private readonly keys = new Map<string, string>()
  get(id: string): Promise<string | undefined> {
    return Promise.resolve(this.keys.get(id))
  }
  set(id: string, fingerprint: string): Promise<void> {
    this.keys.set(id, fingerprint)
    return Promise.resolve()
  }
  forget(id: string): Promise<void> {
    this.keys.delete(id)
    return Promise.resolve()
  }
  replace(id: string, from: string | undefined, to: string): Promise<boolean> {
    if (this.keys.get(id) !== from) return Promise.resolve(false)
    this.keys.set(id, to)
    return Promise.resolve(true)
  }
}

/** Pending writes per resolved file path: every store on one file in this process takes turns. */
const turns = new Map<string, Promise<unknown>>()

/**
 * A JSON file `{ id: fingerprint }`. Fails closed: a file it cannot read or understand raises
 * HOSTKEY_STORE and is never rewritten (a missing file is an empty store). Changes are
 * read-modify-write in turns per file, written to a fresh private temp file (random name, 0600),
 * synced, then renamed over the file.
 */
export class FileHostKeyStore implements HostKeyStore {
  private readonly path: string

  constructor(path: string) {
    this.path = resolve(path)
  }

  async get(id: string): Promise<string | undefined> {
    return (await this.load()).get(id)
  }

  set(id: string, fingerprint: string): Promise<void> {
    return this.change((all) => {
      all.set(id, fingerprint)
      return true
    })
  }

  forget(id: string): Promise<void> {
    return this.change((all) => all.delete(id))
  }

  async replace(id: string, from: string | undefined, to: string): Promise<boolean> {
    let done = false
    await this.change((all) => {
      if (all.get(id) !== from) return false
      all.set(id, to)
      return (done = true)
    })
    return done
  }

  /** Load, apply `edit` (returns whether it changed anything), save; one change at a time per file. */
  private change(edit: (all: Map<string, string>) => boolean): Promise<void> {
    const run = async (): Promise<void> => {
      const all = await this.load()
      if (edit(all)) await this.save(all)
    }
    const prev = turns.get(this.path) ?? Promise.resolve()
    const next = prev.then(run, run)
    // The caller gets the error from `next`; the tail only orders the next change after it.
    const tail = next.catch(() => undefined)
    turns.set(this.path, tail)
    void tail.then(() => {
      if (turns.get(this.path) === tail) turns.delete(this.path)
    })
    return next
  }

  private failure(problem: string, cause?: unknown): AppError {
    return new AppError(
      'HOSTKEY_STORE',
      `The pinned host keys file ${this.path} ${problem}. Nothing was changed; fix the file or move it aside, then connect again.`,
      { data: { path: this.path, problem }, ...(cause !== undefined ? { cause } : {}) },
    )
  }

  private async load(): Promise<Map<string, string>> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'ENOENT') return new Map()
      throw this.failure(`cannot be read (${code ?? String(e)})`, e)
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (e) {
      throw this.failure(`is not valid JSON (${(e as Error).message})`, e)
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw this.failure('does not hold an object of pins')
    const entries = Object.entries(parsed)
    for (const [id, fp] of entries)
      if (typeof fp !== 'string' || !FINGERPRINT.test(fp))
        throw this.failure(
          `has a pin for ${JSON.stringify(id.slice(0, 200))} that is not a SHA256 fingerprint`,
        )
    const all = new Map(entries as Array<[string, string]>)
    // Keys of older versions ("host:port") move to canonical ids; a current id wins over them.
    for (const [id, fp] of entries as Array<[string, string]>) {
      const canonical = legacyPinKey(id)
      if (canonical === null) continue
      all.delete(id)
      if (!all.has(canonical)) all.set(canonical, fp)
    }
    return all
  }

  private async save(all: Map<string, string>): Promise<void> {
    const dir = dirname(this.path)
    const tmp = join(dir, `${basename(this.path)}.${randomBytes(8).toString('hex')}.tmp`)
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 })
      const fh = await open(tmp, 'wx', 0o600)
      try {
        await fh.writeFile(`${JSON.stringify(Object.fromEntries(all), null, 2)}\n`)
        await fh.sync()
      } finally {
        await fh.close()
      }
      await rename(tmp, this.path)
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined) // best effort; the error below matters
      const code = (e as NodeJS.ErrnoException).code
      throw new AppError(
        'HOSTKEY_STORE',
        `Cannot write the pinned host keys file ${this.path} (${code ?? String(e)}).`,
        {
          data: { path: this.path, problem: `cannot be written (${code ?? String(e)})` },
          cause: e,
        },
      )
    }
    await syncDir(dir)
  }
}

/** Make a rename durable. Directories cannot be opened for sync on every platform (Windows). */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r')
    try {
      await fh.sync()
    } finally {
      await fh.close()
    }
  } catch {
    // not supported here: the rename itself is still atomic
  }
}

// Pinned SSH host keys: trust on first use, refuse a changed key. A JSON file in the app's data
// folder in production, memory in tests.

import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/** Where pinned host-key fingerprints live, keyed by a target id (e.g. "vm:default" or "host:port"). */
export interface HostKeyStore {
  get(id: string): Promise<string | undefined>
  set(id: string, fingerprint: string): Promise<void>
  forget(id: string): Promise<void>
}

/** OpenSSH-style fingerprint of a raw host key blob: `SHA256:` + unpadded base64. */
export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`
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
}

/** A JSON file `{ id: fingerprint }`, written atomically. */
export class FileHostKeyStore implements HostKeyStore {
  constructor(private readonly path: string) {}

  async get(id: string): Promise<string | undefined> {
    return (await this.load())[id]
  }

  async set(id: string, fingerprint: string): Promise<void> {
    const all = await this.load()
    all[id] = fingerprint
    await this.save(all)
  }

  async forget(id: string): Promise<void> {
    const all = await this.load()
    if (!(id in all)) return
    delete all[id]
    await this.save(all)
  }

  private async load(): Promise<Record<string, string>> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.path, 'utf8'))
      if (typeof parsed !== 'object' || parsed === null) return {}
      return Object.fromEntries(
        Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'),
      )
    } catch {
      return {}
    }
  }

  private async save(all: Record<string, string>): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true })
    const tmp = `${this.path}.tmp`
    await writeFile(tmp, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 })
    await rename(tmp, this.path)
  }
}

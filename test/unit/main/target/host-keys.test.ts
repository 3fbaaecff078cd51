// The pin store on a real disk: it fails closed on a file it cannot read or understand (and leaves
// that file alone), writes atomically through unique private temp files, serializes concurrent
// writers so no pin is lost, and moves the old "host:port" keys to canonical ids.

import { watch } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../../../shared/errors'
import {
  checkHostKey,
  FileHostKeyStore,
  MemoryHostKeyStore,
} from '../../../../src-main/target/host-keys'

/** A syntactically valid fingerprint, distinct per n. */
const fp = (n: number): string => `SHA256:${String(n).padStart(43, 'A')}`

let dir: string
let file: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nss-hostkeys-'))
  file = join(dir, 'known_hosts.json')
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The AppError a promise rejects with (fails the test if it resolves or throws something else). */
async function rejection(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(AppError)
  return e as AppError
}

describe('FileHostKeyStore fails closed', () => {
  const malformed: Array<[string, string, RegExp]> = [
    ['truncated JSON', '{"ssh:a.example:22": "SHA256:', /not valid JSON/],
    ['an array', '["SHA256:x"]', /does not hold an object/],
    ['null', 'null', /does not hold an object/],
    ['a value that is not a fingerprint', `{"ssh:a:22": "${fp(1)}", "ssh:b:22": 42}`, /"ssh:b:22"/],
  ]
  it.each(malformed)(
    'refuses %s with HOSTKEY_STORE and never rewrites it',
    async (_what, text, why) => {
      await writeFile(file, text)
      const store = new FileHostKeyStore(file)
      const ops = [
        () => store.get('ssh:a:22'),
        () => store.set('ssh:c:22', fp(3)),
        () => store.forget('ssh:a:22'),
      ]
      for (const op of ops) {
        const e = await rejection(op())
        expect(e.code).toBe('HOSTKEY_STORE')
        expect(e.message).toContain(file)
        expect(e.message).toMatch(why)
        expect(e.data).toMatchObject({ path: file })
      }
      expect(await readFile(file, 'utf8')).toBe(text)
      expect(await readdir(dir)).toEqual(['known_hosts.json'])
    },
  )

  it('refuses a path it cannot read (a directory) and leaves it as it was', async () => {
    await mkdir(file)
    await writeFile(join(file, 'inside'), 'x')
    const store = new FileHostKeyStore(file)
    const e = await rejection(store.set('ssh:a:22', fp(1)))
    expect(e.code).toBe('HOSTKEY_STORE')
    expect(e.message).toContain(file)
    expect(e.message).toMatch(/cannot be read/)
    expect(e.data).toMatchObject({ path: file, problem: expect.stringMatching(/EISDIR/) })
    expect((await stat(file)).isDirectory()).toBe(true)
    expect(await readdir(file)).toEqual(['inside'])
    await expect(store.get('ssh:a:22')).rejects.toMatchObject({ code: 'HOSTKEY_STORE' })
  })

  it('treats a missing file as no pins, and creates it private (0600) on the first pin', async () => {
    const store = new FileHostKeyStore(join(dir, 'sub', 'known_hosts.json'))
    expect(await store.get('ssh:a:22')).toBeUndefined()
    await store.set('ssh:a:22', fp(1))
    const st = await stat(join(dir, 'sub', 'known_hosts.json'))
    expect(st.mode & 0o777).toBe(0o600)
    expect(await new FileHostKeyStore(join(dir, 'sub', 'known_hosts.json')).get('ssh:a:22')).toBe(
      fp(1),
    )
  })
})

describe('FileHostKeyStore writes', () => {
  it('keeps every pin when 50 set() calls run at once (two stores on one file, too)', async () => {
    await writeFile(file, `${JSON.stringify({ 'ssh:old:22': fp(999) })}\n`, { mode: 0o644 })
    const a = new FileHostKeyStore(file)
    const b = new FileHostKeyStore(file)
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).set(`ssh:host-${i}:22`, fp(i))),
    )
    const onDisk = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>
    expect(Object.keys(onDisk)).toHaveLength(51)
    for (let i = 0; i < 50; i++) expect(onDisk[`ssh:host-${i}:22`]).toBe(fp(i))
    expect(onDisk['ssh:old:22']).toBe(fp(999))
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(await readdir(dir)).toEqual(['known_hosts.json'])
  })

  it('writes through a new, unique temp file each time (no fixed ".tmp" name)', async () => {
    // Something else holds the old fixed temp name: a unique name is not disturbed by it.
    await mkdir(`${file}.tmp`)
    const created: string[] = []
    const watcher = watch(dir, (_ev, name) => {
      if (name && name !== 'known_hosts.json' && name !== 'known_hosts.json.tmp') created.push(name)
    })
    try {
      const store = new FileHostKeyStore(file)
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.set(`ssh:h${i}:22`, fp(i))))
      await expect.poll(() => new Set(created).size).toBeGreaterThanOrEqual(20)
    } finally {
      watcher.close()
    }
    const names = [...new Set(created)]
    expect(names.every((n) => /^\.?known_hosts\.json\.[0-9a-f]{16,}\.tmp$/.test(n))).toBe(true)
    expect(names.length).toBeGreaterThanOrEqual(20)
    expect((await readdir(dir)).sort()).toEqual(['known_hosts.json', 'known_hosts.json.tmp'])
    expect(Object.keys(JSON.parse(await readFile(file, 'utf8')) as object)).toHaveLength(20)
  })

  it('reads old "host:port" keys under their canonical ids and writes them back that way', async () => {
    await writeFile(
      file,
      JSON.stringify({ '127.0.0.1:2222': fp(1), 'LAB.example:22': fp(2), 'vm:default': fp(3) }),
    )
    const store = new FileHostKeyStore(file)
    expect(await store.get('ssh:127.0.0.1:2222')).toBe(fp(1))
    expect(await store.get('ssh:lab.example:22')).toBe(fp(2))
    await store.set('ssh:new:22', fp(4))
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      'ssh:127.0.0.1:2222': fp(1),
      'ssh:lab.example:22': fp(2),
      'vm:default': fp(3),
      'ssh:new:22': fp(4),
    })
  })
})

describe('checkHostKey (trust on first use)', () => {
  it('pins an unknown host, accepts the same key, and reports the pin a different key must match', async () => {
    const store = new MemoryHostKeyStore()
    expect(await checkHostKey(store, 'ssh:a:22', fp(1))).toEqual({ ok: true })
    expect(await store.get('ssh:a:22')).toBe(fp(1))
    expect(await checkHostKey(store, 'ssh:a:22', fp(1))).toEqual({ ok: true })
    expect(await checkHostKey(store, 'ssh:a:22', fp(2))).toEqual({ ok: false, pinned: fp(1) })
    expect(await store.get('ssh:a:22')).toBe(fp(1))
  })

  it('lets only the first of two concurrent first uses pin; the other is compared with it', async () => {
    const store = new FileHostKeyStore(file)
    const [x, y] = await Promise.all([
      checkHostKey(store, 'ssh:a:22', fp(1)),
      checkHostKey(store, 'ssh:a:22', fp(2)),
    ])
    expect([x, y]).toContainEqual({ ok: true })
    expect([x, y].filter((v) => !v.ok)).toHaveLength(1)
    expect([fp(1), fp(2)]).toContain(await store.get('ssh:a:22'))
  })
})

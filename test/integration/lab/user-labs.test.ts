// The user's labs folder on a real file system (a temporary data dir): listing, loading by name
// and by path with line-and-column errors, and atomic writes.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import { BUILTIN_LABS } from '../../../shared/lab/builtin/index'
import { parseLab } from '../../../shared/lab/parse'
import {
  listUserLabs,
  loadUserLab,
  userLabsDir,
  writeLabFile,
} from '../../../src-main/lab/user-labs'

const dataDir = mkdtempSync(join(tmpdir(), 'nss-labs-'))

describe('the user labs folder', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  it('is empty before there is a folder', async () => {
    expect(await listUserLabs(dataDir)).toEqual([])
  })

  it('writes atomically, lists, and loads by file name, lab name or path', async () => {
    const r = parseLab(BUILTIN_LABS[1]!.yaml)
    if (!r.ok) throw new Error('tutorial 2 does not parse')
    const dir = userLabsDir(dataDir)
    await writeLabFile(join(dir, 'mine.yaml'), { ...r.lab, name: 'my-bridge', kind: 'lab' })
    expect(readdirSync(dir)).toEqual(['mine.yaml'])
    writeFileSync(join(dir, 'broken.yml'), 'name: broken\nnamespaces:\n  "a b": {}\n')
    writeFileSync(join(dir, 'notes.txt'), 'not a lab')
    expect(await listUserLabs(dataDir)).toEqual([
      {
        name: 'broken',
        kind: 'lab',
        title: 'broken',
        path: join(dir, 'broken.yml'),
        error: `${join(dir, 'broken.yml')}:3:3: Namespace name contains a space; use letters, digits, "_", "." or "-".`,
      },
      {
        name: 'my-bridge',
        kind: 'lab',
        title: 'A bridge joins red and green',
        path: join(dir, 'mine.yaml'),
      },
    ])
    expect((await loadUserLab(dataDir, 'mine')).lab.name).toBe('my-bridge')
    expect((await loadUserLab(dataDir, 'my-bridge')).path).toBe(join(dir, 'mine.yaml'))
    expect((await loadUserLab(dataDir, join(dir, 'mine.yaml'))).lab.bridges).toEqual([
      { name: 'bridge1' },
    ])
    expect(readFileSync(join(dir, 'mine.yaml'), 'utf8')).toMatch(/^name: my-bridge\nkind: lab\n/)
  })

  it('says which lab is missing or broken, with every problem and its line', async () => {
    const e1 = await loadUserLab(dataDir, 'nope').catch((e: unknown) => e)
    expect(e1).toBeInstanceOf(AppError)
    expect((e1 as AppError).message).toBe(`There is no lab "nope" in ${userLabsDir(dataDir)}.`)
    const e2 = (await loadUserLab(dataDir, 'broken').catch((e: unknown) => e)) as AppError
    expect(e2.code).toBe('INVALID_ARGUMENT')
    expect(e2.data).toMatchObject({ errors: [{ line: 3, col: 3, path: 'namespaces["a b"]' }] })
    const e3 = (await loadUserLab(dataDir, '../etc/passwd').catch((e: unknown) => e)) as AppError
    expect(e3.message).toMatch(/^Cannot read the lab file \.\.\/etc\/passwd/)
    mkdirSync(join(dataDir, 'dir.yaml'))
    const e4 = (await loadUserLab(dataDir, join(dataDir, 'dir.yaml')).catch(
      (e: unknown) => e,
    )) as AppError
    expect(e4.message).toMatch(/not a regular file/)
  })
})

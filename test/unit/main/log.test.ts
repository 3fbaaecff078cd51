// Main's log file, real files in a temp folder: scoped JSON lines at the chosen level, rolled over
// by size with a bounded number of files, and private (folder 0700, files 0600) even when the
// folder was there before with a looser mode.
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import { closeLogs, initLogs, logger } from '../../../src-main/log'

const base = mkdtempSync(join(tmpdir(), 'nss-logs-'))
afterAll(() => {
  closeLogs()
  rmSync(base, { recursive: true, force: true })
})

const mode = (p: string): number => statSync(p).mode & 0o777
const files = (dir: string): string[] => readdirSync(dir).filter((f) => /^main\.\d+\.log$/.test(f))
const lines = (dir: string): Array<Record<string, unknown>> =>
  files(dir)
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)

describe('initLogs and logger(scope)', () => {
  it('writes scoped lines at the chosen level to a private file, errors with their code', async () => {
    const dir = join(base, 'a', 'logs')
    const early = logger('test-early')
    expect(await initLogs({ dir, level: 'debug' })).toBe(dir)
    early.debug({ n: 1 }, 'made before initLogs, written after it')
    logger('vm').trace('below the level')
    logger('vm').warn({ err: new AppError('VM_BUSY', 'The VM is busy.') }, 'refused')
    expect(mode(dir)).toBe(0o700)
    expect(files(dir)).toEqual(['main.1.log'])
    expect(mode(join(dir, 'main.1.log'))).toBe(0o600)
    const got = lines(dir)
    expect(got).toEqual([
      expect.objectContaining({ scope: 'test-early', level: 20, n: 1 }),
      expect.objectContaining({
        scope: 'vm',
        level: 40,
        msg: 'refused',
        err: expect.objectContaining({ code: 'VM_BUSY', message: 'The VM is busy.' }) as unknown,
      }),
    ])
  })

  it('rolls over by size and keeps at most maxFiles files, all 0600', async () => {
    const dir = join(base, 'b')
    mkdirSync(dir, { mode: 0o755 })
    chmodSync(dir, 0o755)
    // a file left by an earlier run, readable by everyone
    writeFileSync(join(dir, 'main.1.log'), '{"earlier":true}\n', { mode: 0o644 })
    chmodSync(join(dir, 'main.1.log'), 0o644)
    await initLogs({ dir, level: 'info', maxSize: '4k', maxFiles: 3 })
    expect(mode(join(dir, 'main.1.log'))).toBe(0o600)
    const l = logger('roll')
    // Lines spread over event-loop turns, as a running app writes them.
    for (let i = 0; i < 300; i++) {
      l.info({ i, pad: 'x'.repeat(100) }, 'line')
      if (i % 10 === 0) await new Promise((r) => setImmediate(r))
    }
    await expect.poll(() => files(dir).length).toBe(3)
    expect(mode(dir)).toBe(0o700)
    const names = files(dir)
      .map((f) => Number(f.split('.')[1]))
      .sort((a, b) => a - b)
    expect(names[0]).toBeGreaterThan(1)
    for (const f of files(dir)) {
      expect(mode(join(dir, f))).toBe(0o600)
      expect(statSync(join(dir, f)).size).toBeLessThan(4096 + 200)
    }
    // the newest lines are kept, in the files with the highest numbers
    expect(lines(dir).some((x) => x.i === 299)).toBe(true)
    expect(lines(dir).some((x) => x.i === 0 || x.earlier === true)).toBe(false)
  })
})

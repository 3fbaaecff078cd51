// The command shell's output reader: markers found wherever the chunks split them, output that
// only looks like a marker kept as output, and reading cost linear in the size (a real `sh`).

import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { type Mark, MarkerReader } from '../../../../src-main/target/marker-reader'
import { ShellChannel } from '../../../../src-main/target/shell-channel'

const NONCE = '0123456789abcdef'
const mark = (i: number, code?: number): string =>
  code === undefined ? `\n__NSS_${NONCE}_${i}\n` : `\n__NSS_${NONCE}_${i} ${code}\n`

/** Feed `text` in chunks of the given sizes (cycled); return the marks. */
function read(text: string, sizes: number[]): Mark[] {
  const r = new MarkerReader()
  const marks: Mark[] = []
  let at = 0
  for (let k = 0; at < text.length; k++) {
    const n = sizes[k % sizes.length]!
    r.push(text.slice(at, at + n), (m) => marks.push(m))
    at += n
  }
  return marks
}

describe('marker reader', () => {
  const text =
    `first line\nsecond${mark(0, 0)}` +
    `${mark(1, 3)}` + // empty output
    `looks like \n__NSS_ but is not one\n__NSS_${NONCE}_x and more${mark(2, 127)}` +
    `tail without newline${mark(3)}`
  const want = [
    { body: 'first line\nsecond', index: 0, code: '0' },
    { body: '', index: 1, code: '3' },
    {
      body: `looks like \n__NSS_ but is not one\n__NSS_${NONCE}_x and more`,
      index: 2,
      code: '127',
    },
    { body: 'tail without newline', index: 3 },
  ].map((m) => ({ nonce: NONCE, ...m }))

  it('finds every marker whatever the chunk boundaries (1 char to all at once)', () => {
    for (const sizes of [[text.length], [1], [2], [3], [7], [5, 1, 13], [64], [65]])
      expect(read(text, sizes), `chunks of ${sizes.join(',')}`).toEqual(want)
  })

  it('holds at most a marker-length tail besides the output of the command running', () => {
    const r = new MarkerReader()
    r.push('x'.repeat(1000), () => undefined)
    r.push(`${mark(0, 0)}`, () => undefined)
    expect(r.pending).toBe(0)
    r.push('\n__NSS_0123', () => undefined) // could still become a marker: kept as a tail
    expect(r.pending).toBe(11)
  })
})

/** A real shell behind the channel, as LocalTarget runs it. */
async function withShell(fn: (ch: ShellChannel) => Promise<void>): Promise<void> {
  const child = spawn('sh', [], { stdio: 'pipe' })
  const ch = new ShellChannel(
    { stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, destroy: () => child.kill() },
    () => Promise.resolve(),
  )
  try {
    await ch.start()
    await fn(ch)
  } finally {
    ch.close()
    await new Promise((r) => child.once('close', r))
  }
}

const MB = 1024 * 1024

describe('reading command output', () => {
  it('returns exactly what the command printed, large outputs included', async () => {
    await withShell(async (ch) => {
      const [r, e] = await ch.run([
        ['sh', '-c', `head -c ${3 * MB} /dev/zero | tr '\\0' a; printf 'end'`],
        ['sh', '-c', 'echo oops >&2; exit 4'],
      ])
      expect(r!.stdout.length).toBe(3 * MB + 3)
      expect(r!.stdout.endsWith('aend')).toBe(true)
      expect(r!.exitCode).toBe(0)
      expect(e).toMatchObject({ stdout: '', stderr: 'oops\n', exitCode: 4 })
    })
  })

  it('costs per MB for 16 MB about what it costs for 4 MB (linear, not quadratic)', async () => {
    await withShell(async (ch) => {
      const once = async (mb: number): Promise<number> => {
        const t0 = performance.now()
        const [r] = await ch.run([['sh', '-c', `head -c ${mb * MB} /dev/zero | tr '\\0' b`]], {
          timeoutMs: 120_000,
        })
        const ms = performance.now() - t0
        const hash = createHash('sha256').update(r!.stdout).digest('hex')
        const want = createHash('sha256')
          .update('b'.repeat(mb * MB))
          .digest('hex')
        expect(hash).toBe(want)
        return ms
      }
      const best = async (mb: number): Promise<number> => {
        const times: number[] = []
        for (let i = 0; i < 3; i++) times.push(await once(mb))
        return Math.min(...times)
      }
      await once(4) // warm up
      const per4 = (await best(4)) / 4
      const per16 = (await best(16)) / 16
      const ratio = per16 / per4
      console.log(
        `command output: 4 MB ${(per4 * 4).toFixed(0)} ms, 16 MB ${(per16 * 16).toFixed(0)} ms; ` +
          `per-MB ratio ${ratio.toFixed(2)} (quadratic reading was ~4-5)`,
      )
      // The old reader cost ×4 per doubling (16 MB per MB ≈ 4–5× the 4 MB rate); linear stays ~1.
      expect(ratio).toBeLessThan(2)
    })
  }, 120_000)
})

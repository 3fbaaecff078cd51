// Runs the real `netns-studio` bin (node src-main/cli/bin.mjs) as a child process, with a private
// data folder, and collects stdout, stderr and the exit code separately.

import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const BIN = resolve('src-main/cli/bin.mjs')

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** A CLI with its own data folder (NETNS_STUDIO_DATA_DIR); `close()` removes the folder. */
export interface Cli {
  dataDir: string
  run(
    args: string[],
    opts?: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string },
  ): Promise<CliRun>
  /** Run with --json and parse stdout (fails the test with both streams when it is not JSON). */
  json<T = unknown>(
    args: string[],
    opts?: { env?: NodeJS.ProcessEnv },
  ): Promise<CliRun & { value: T }>
  close(): void
}

export function openCli(): Cli {
  const dataDir = mkdtempSync(join(tmpdir(), 'nss-cli-'))
  const run: Cli['run'] = (args, opts = {}) =>
    new Promise((done, fail) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        {
          cwd: opts.cwd ?? process.cwd(),
          env: { ...process.env, SSH_AUTH_SOCK: '', NETNS_STUDIO_DATA_DIR: dataDir, ...opts.env },
          timeout: opts.timeoutMs ?? 60_000,
          maxBuffer: 16 * 1024 * 1024,
        },
        (err, stdout, stderr) => {
          if (err && typeof err.code !== 'number')
            return fail(new Error(`${err.message}\n${stderr}`))
          done({ code: err ? (err.code as number) : 0, stdout, stderr })
        },
      )
    })
  return {
    dataDir,
    run,
    async json<T>(args: string[], opts = {}) {
      const r = await run([...args, '--json'], opts)
      try {
        return { ...r, value: JSON.parse(r.stdout) as T }
      } catch {
        throw new Error(
          `stdout is not JSON (exit ${r.code}):\n${r.stdout}\n--- stderr:\n${r.stderr}`,
        )
      }
    },
    close: () => rmSync(dataDir, { recursive: true, force: true }),
  }
}

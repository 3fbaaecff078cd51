// Entry of the `netns-studio` command (bin.mjs loads it through tsx): parse, run one command,
// print a failure once on stderr, and return the exit code.

import { CommanderError } from 'commander'
import type { CliContext } from './context'
import { appDataDir } from './data-dir'
import { describeFailure, EXIT, type ExitCode } from './errors'
import { flushProcessStreams, printJson, processIo, type CliIo } from './io'
import { buildProgram } from './program'

/** Run the CLI on `args` (without node and the script) and resolve with the exit code. */
export async function main(args: string[], io: CliIo = processIo()): Promise<ExitCode> {
  const ctx: CliContext = {
    io,
    dataDir: appDataDir(io.env, io.platform),
    json: false,
    exitCode: EXIT.OK,
  }
  const program = buildProgram(ctx)
  try {
    await program.parseAsync(args, { from: 'user' })
    return ctx.exitCode
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has printed the message (or the help, or the version) already
      if (e.exitCode === 0) return EXIT.OK
      if (args.includes('--json'))
        printJson(io, { error: { code: 'USAGE', message: e.message.replace(/^error: /, '') } })
      return EXIT.USAGE
    }
    const f = describeFailure(e)
    io.err(`netns-studio: ${f.text}\n`)
    if (ctx.json) printJson(io, { error: f.json })
    return f.exitCode
  }
}

/** Run the CLI for the process (bin.mjs): the exit code once stdout and stderr are flushed. */
export async function run(args: string[]): Promise<ExitCode> {
  const code = await main(args)
  await flushProcessStreams()
  return code
}

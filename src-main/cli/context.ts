// What every command shares: the streams, the data folder, the common flags (--json, --quiet),
// the target options, and the wrapper that turns a command's result into the exit code.

import type { Command } from 'commander'
import type { Target } from '../target/target'
import type { ExitCode } from './errors'
import { progressTo, type CliIo, type Progress } from './io'
import { withTarget } from './session'
import { addTargetOptions, targetChoice, type TargetFlags } from './target-options'

/** State of one CLI run. */
export interface CliContext {
  io: CliIo
  /** The app's data folder (host keys, the VM, the user's labs). */
  dataDir: string
  /** The running command asked for --json (errors are then also printed as JSON on stdout). */
  json: boolean
  /** What the command decided the exit code is. */
  exitCode: ExitCode
}

/** Flags every command takes. */
export interface CommonFlags {
  json?: boolean
  quiet?: boolean
}

/** Add --json and --quiet. */
export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print the result as JSON on stdout')
    .option('-q, --quiet', 'no progress on stderr')
}

/** Add the common options and the target options. */
export function addTargetCommandOptions(cmd: Command): Command {
  return addTargetOptions(addCommonOptions(cmd))
}

/**
 * The action for `cmd`: runs `fn` with the parsed arguments and flags, records --json for error
 * output, and keeps the exit code `fn` returns.
 */
export function action<F extends CommonFlags>(
  ctx: CliContext,
  fn: (args: unknown[], flags: F, cmd: Command) => Promise<ExitCode>,
): (...all: unknown[]) => Promise<void> {
  return async (...all: unknown[]) => {
    const cmd = all[all.length - 1] as Command
    const flags = cmd.opts<F>()
    ctx.json = flags.json === true
    ctx.exitCode = await fn(cmd.processedArgs as unknown[], flags, cmd)
  }
}

/** The progress reporter for these flags. */
export function progressOf(ctx: CliContext, flags: CommonFlags): Progress {
  return progressTo(ctx.io, flags.quiet === true)
}

/** Open the target the flags name, run `fn` on it, close it. */
export function onTarget<T>(
  ctx: CliContext,
  flags: CommonFlags & TargetFlags,
  fn: (target: Target, progress: Progress) => Promise<T>,
): Promise<T> {
  const progress = progressOf(ctx, flags)
  const choice = targetChoice(flags, ctx.io.env, ctx.io.platform)
  return withTarget({ choice, dataDir: ctx.dataDir, env: ctx.io.env, progress }, (t) =>
    fn(t, progress),
  )
}

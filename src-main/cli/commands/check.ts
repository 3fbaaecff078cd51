// `netns-studio check LAB`: run the lab's checks. Check kinds arrive with guided labs; until then
// the lab's declared checks cannot be run and the result says so: 0 checks run.

import type { Command } from 'commander'
import { action, addTargetCommandOptions, type CliContext, type CommonFlags } from '../context'
import { EXIT } from '../errors'
import { printJson } from '../io'
import { loadLabArgument } from '../lab-input'
import { targetChoice, type TargetFlags } from '../target-options'

/** The result of `check --json`. */
export interface CheckReport {
  passed: number
  failed: number
  checks: Array<{ name: string; ok: boolean; detail: string }>
}

export function registerCheck(program: Command, ctx: CliContext): void {
  addTargetCommandOptions(
    program
      .command('check')
      .argument('<LAB>', 'a lab file or a built-in lab')
      .description("run the lab's checks (exit 1 when one fails)"),
  ).action(
    action<CommonFlags & TargetFlags>(ctx, async ([arg], flags) => {
      const lab = await loadLabArgument(ctx, arg as string)
      // the target options are checked now; a target is opened once there are checks to run on it
      targetChoice(flags, ctx.io.env, ctx.io.platform)
      const declared = lab.checks?.length ?? 0
      // No check kind can run yet (guided labs bring them): nothing is run, nothing is claimed.
      const report: CheckReport = { passed: 0, failed: 0, checks: [] }
      if (declared > 0 && !flags.quiet)
        ctx.io.err(
          `Lab ${lab.name} declares ${declared} check${declared === 1 ? '' : 's'}; this version cannot run checks yet, so none was run.\n`,
        )
      if (flags.json) printJson(ctx.io, report)
      else ctx.io.out(`Lab ${lab.name}: 0 checks run.\n`)
      return report.failed > 0 ? EXIT.PENDING : EXIT.OK
    }),
  )
}

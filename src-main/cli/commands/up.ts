// `netns-studio up LAB`: make the target match the lab (the lab service's apply, through the
// engine); idempotent. A failure says which step failed and what state it left (exit 3).

import type { Command } from 'commander'
import {
  action,
  addTargetCommandOptions,
  onTarget,
  type CliContext,
  type CommonFlags,
} from '../context'
import { EXIT } from '../errors'
import { doneText } from '../format-plan'
import { printJson } from '../io'
import { loadLabArgument } from '../lab-input'
import { cutOption, labProgress, labService } from '../lab-run'
import type { TargetFlags } from '../target-options'

interface UpFlags extends CommonFlags, TargetFlags {
  cutConnection?: boolean
}

export function registerUp(program: Command, ctx: CliContext): void {
  addTargetCommandOptions(
    program
      .command('up')
      .argument('<LAB>', 'a lab file or a built-in lab')
      .description('apply the lab: create and change what differs (a second up changes nothing)')
      .option('--cut-connection', 'run operations that could cut the connection to the target'),
  ).action(
    action<UpFlags>(ctx, async ([arg], flags) => {
      const lab = await loadLabArgument(ctx, arg as string)
      const result = await onTarget(ctx, flags, (target, progress) =>
        labService(target).apply(lab, labProgress(progress), cutOption(flags)),
      )
      if (flags.json) printJson(ctx.io, result)
      else
        ctx.io.out(
          doneText(result.lab, result, 'made', 'no changes; the target already matches the lab.'),
        )
      return EXIT.OK
    }),
  )
}

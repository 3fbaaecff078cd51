// `netns-studio down LAB`: remove what the lab owns on the target (its record there), nothing
// else. LAB may also be just the name of a lab whose file is gone.

import type { Command } from 'commander'
import { checkLabName } from '../../../shared/lab/schema'
import {
  action,
  addTargetCommandOptions,
  onTarget,
  type CliContext,
  type CommonFlags,
} from '../context'
import { CliError, EXIT } from '../errors'
import { doneText } from '../format-plan'
import { printJson } from '../io'
import { loadLabArgument } from '../lab-input'
import { cutOption, labProgress, labService } from '../lab-run'
import type { TargetFlags } from '../target-options'

interface DownFlags extends CommonFlags, TargetFlags {
  cutConnection?: boolean
}

export function registerDown(program: Command, ctx: CliContext): void {
  addTargetCommandOptions(
    program
      .command('down')
      .argument('<LAB>', "a lab file, a built-in lab, or a lab's name")
      .description('remove what the lab created (recorded on the target), nothing else')
      .option('--cut-connection', 'run operations that could cut the connection to the target'),
  ).action(
    action<DownFlags>(ctx, async ([arg], flags) => {
      const name = await labName(ctx, arg as string)
      const result = await onTarget(ctx, flags, (target, progress) =>
        labService(target).destroy(name, labProgress(progress), cutOption(flags)),
      )
      if (flags.json) printJson(ctx.io, result)
      else ctx.io.out(doneText(name, result, 'undone', 'nothing to remove.'))
      return EXIT.OK
    }),
  )
}

/** The lab's name from LAB; a name no file has any more is taken as it is. */
async function labName(ctx: CliContext, arg: string): Promise<string> {
  try {
    return (await loadLabArgument(ctx, arg)).name
  } catch (e) {
    if (
      e instanceof CliError &&
      e.code === 'LAB_NOT_FOUND' &&
      !/[/\\]/.test(arg) &&
      checkLabName(arg).ok
    )
      return arg
    throw e
  }
}

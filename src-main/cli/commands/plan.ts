// `netns-studio plan LAB`: the changes that would make the target match the lab, each with its
// exact commands; nothing is changed. Exit 1 when changes are pending, 0 when none.

import type { Command } from 'commander'
import {
  action,
  addTargetCommandOptions,
  onTarget,
  type CliContext,
  type CommonFlags,
} from '../context'
import { EXIT } from '../errors'
import { planText } from '../format-plan'
import { printJson } from '../io'
import { loadLabArgument } from '../lab-input'
import { labService } from '../lab-run'
import type { TargetFlags } from '../target-options'

export function registerPlan(program: Command, ctx: CliContext): void {
  addTargetCommandOptions(
    program
      .command('plan')
      .argument('<LAB>', 'a lab file or a built-in lab')
      .description(
        'show what up would change, with the commands (exit 1 when changes are pending)',
      ),
  ).action(
    action<CommonFlags & TargetFlags>(ctx, async ([arg], flags) => {
      const lab = await loadLabArgument(ctx, arg as string)
      const plan = await onTarget(ctx, flags, (target, progress) => {
        progress(`Planning lab ${lab.name}…`)
        return labService(target).plan(lab)
      })
      if (flags.json) printJson(ctx.io, { lab: plan.lab, changes: plan.changes })
      else ctx.io.out(planText(plan.lab, plan.changes))
      return plan.changes.length ? EXIT.PENDING : EXIT.OK
    }),
  )
}

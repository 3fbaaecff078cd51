// `netns-studio check LAB`: run the lab's checks against the target (nothing is changed). One line
// per check (✓/✗ and what the kernel said), the hint of a failed check (of every check with
// --verbose); exit 0 when all pass, 1 when one fails, 3 when the target fails.

import type { Command } from 'commander'
import type { CheckReport } from '../../../shared/lab/checks'
import {
  action,
  addTargetCommandOptions,
  onTarget,
  type CliContext,
  type CommonFlags,
} from '../context'
import { EXIT } from '../errors'
import { printJson } from '../io'
import { loadLabArgument } from '../lab-input'
import { labService } from '../lab-run'
import { targetChoice, type TargetFlags } from '../target-options'

export type { CheckReport }

interface CheckFlags extends CommonFlags, TargetFlags {
  verbose?: boolean
}

/** The report as text: one line per check, hints indented under it, a count at the end. */
export function checkText(
  lab: string,
  report: CheckReport,
  hints: { all: boolean; of: Map<string, string> },
): string {
  const lines = report.checks.map((c) => {
    const hint = c.hint ?? (hints.all ? hints.of.get(c.name) : undefined)
    return `${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}${hint ? `\n    hint: ${hint}` : ''}`
  })
  const n = report.checks.length
  lines.push(
    n === 0
      ? `Lab ${lab} has no checks.`
      : `Lab ${lab}: ${report.passed} of ${n} check${n === 1 ? '' : 's'} passed${report.failed ? `, ${report.failed} failed` : ''}.`,
  )
  return `${lines.join('\n')}\n`
}

export function registerCheck(program: Command, ctx: CliContext): void {
  addTargetCommandOptions(
    program
      .command('check')
      .argument('<LAB>', 'a lab file or a built-in lab')
      .description(
        "run the lab's checks against the target (exit 1 when one fails); a command check runs the program the lab names, as root: check only labs you trust",
      )
      .option('-v, --verbose', 'show every check’s hint, not only those of failed checks'),
  ).action(
    action<CheckFlags>(ctx, async ([arg], flags) => {
      const lab = await loadLabArgument(ctx, arg as string)
      const n = lab.checks?.length ?? 0
      // the target options are checked either way; a target is opened only for checks to run
      targetChoice(flags, ctx.io.env, ctx.io.platform)
      const report: CheckReport = n
        ? await onTarget(ctx, flags, (target, progress) => {
            progress(`Running ${n} check${n === 1 ? '' : 's'} of lab ${lab.name}…`)
            return labService(target).check(lab)
          })
        : { passed: 0, failed: 0, checks: [] }
      if (flags.json) printJson(ctx.io, report)
      else {
        const of = new Map((lab.checks ?? []).flatMap((c) => (c.hint ? [[c.name, c.hint]] : [])))
        ctx.io.out(checkText(lab.name, report, { all: flags.verbose === true, of }))
      }
      return report.failed > 0 ? EXIT.PENDING : EXIT.OK
    }),
  )
}

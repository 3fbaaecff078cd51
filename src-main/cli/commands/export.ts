// `netns-studio export LAB`: the lab as a plain sh script of the commands `up` would run on a
// clean target, in the engine's order; no target needed.

import { Option, type Command } from 'commander'
import { labToScript } from '../../../shared/lab/plan'
import type { NatBackend } from '../../../shared/net/ops'
import { action, addCommonOptions, type CliContext, type CommonFlags } from '../context'
import { EXIT } from '../errors'
import { printJson } from '../io'
import { loadLabArgument } from '../lab-input'

interface ExportFlags extends CommonFlags {
  nat: NatBackend
}

export function registerExport(program: Command, ctx: CliContext): void {
  addCommonOptions(
    program
      .command('export')
      .argument('<LAB>', 'a lab file or a built-in lab')
      .description('print the lab as a shell script of ip commands (for a clean target)')
      .addOption(
        new Option('--nat <tool>', 'the firewall tool for NAT rules')
          .choices(['iptables', 'nft'])
          .default('iptables'),
      ),
  ).action(
    action<ExportFlags>(ctx, async ([arg], flags) => {
      const lab = await loadLabArgument(ctx, arg as string)
      const script = labToScript(lab, flags.nat)
      if (flags.json) printJson(ctx.io, { lab: lab.name, script })
      else ctx.io.out(script)
      return EXIT.OK
    }),
  )
}

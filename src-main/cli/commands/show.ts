// `netns-studio show [NS]`: the snapshot (every namespace, or one), as text or as the model.

import type { Command } from 'commander'
import { checkNamespaceRef } from '../../../shared/net/validate'
import { readSnapshot } from '../../netns/snapshot'
import {
  action,
  addTargetCommandOptions,
  onTarget,
  type CliContext,
  type CommonFlags,
} from '../context'
import { EXIT, usageError } from '../errors'
import { namespaceText, snapshotText } from '../format-snapshot'
import { printJson } from '../io'
import { namespaceIn } from '../resolve-address'
import type { TargetFlags } from '../target-options'

export function registerShow(program: Command, ctx: CliContext): void {
  addTargetCommandOptions(
    program
      .command('show')
      .argument('[NS]', 'one namespace ("host" is the root namespace)')
      .description('show every namespace (or one): interfaces, addresses, peers, routes'),
  ).action(
    action<CommonFlags & TargetFlags>(ctx, async ([ns], flags) => {
      const name = ns as string | undefined
      if (name !== undefined) {
        const c = checkNamespaceRef(name)
        if (!c.ok) throw usageError(c.message)
      }
      const snap = await onTarget(ctx, flags, (t) => readSnapshot(t))
      if (name === undefined) {
        if (flags.json) printJson(ctx.io, snap)
        else ctx.io.out(snapshotText(snap))
        return EXIT.OK
      }
      const one = namespaceIn(snap, name)
      if (flags.json) printJson(ctx.io, one)
      else ctx.io.out(`${namespaceText(one)}\n`)
      return EXIT.OK
    }),
  )
}

// `netns-studio labs`: the built-in labs and the user's (<data dir>/labs/*.yaml), name, kind and
// title each; a user lab that does not load is listed with its first problem on stderr.

import type { Command } from 'commander'
import { BUILTIN_LABS } from '../../../shared/lab/builtin/index'
import type { LabKind } from '../../../shared/lab/types'
import { listUserLabs } from '../../lab/user-labs'
import { action, addCommonOptions, type CliContext, type CommonFlags } from '../context'
import { EXIT } from '../errors'
import { table } from '../format-snapshot'
import { printJson } from '../io'

/** One entry of `labs --json`. */
export interface LabListEntry {
  name: string
  kind: LabKind
  title: string
  /** Shipped with the app, or a file in the user's labs folder. */
  source: 'builtin' | 'user'
  /** The file of a user lab. */
  path?: string
  /** Why a user lab does not load. */
  error?: string
}

export function registerLabs(program: Command, ctx: CliContext): void {
  addCommonOptions(
    program.command('labs').description("list the built-in labs and the user's labs"),
  ).action(
    action<CommonFlags>(ctx, async (_args, flags) => {
      const user = await listUserLabs(ctx.dataDir)
      const all: LabListEntry[] = [
        ...BUILTIN_LABS.map((l) => ({
          name: l.name,
          kind: l.kind,
          title: l.title,
          source: 'builtin' as const,
        })),
        ...user.map((l) => ({
          name: l.name,
          kind: l.kind,
          title: l.title,
          source: 'user' as const,
          path: l.path,
          ...(l.error ? { error: l.error } : {}),
        })),
      ]
      for (const l of all) if (l.error) ctx.io.err(`${l.path}: does not load: ${l.error}\n`)
      if (flags.json) printJson(ctx.io, all)
      else
        ctx.io.out(
          `${table([['NAME', 'KIND', 'TITLE'], ...all.map((l) => [l.name, l.kind, l.source === 'user' ? `${l.title} (${l.path})` : l.title])], '').join('\n')}\n`,
        )
      return EXIT.OK
    }),
  )
}

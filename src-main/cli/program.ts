// The `netns-studio` command tree: one commander program, one module per command under
// commands/, errors routed through the CLI's streams (never process.exit from inside).

import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Command } from 'commander'
import { registerCheck } from './commands/check'
import { registerDown } from './commands/down'
import { registerExport } from './commands/export'
import { registerLabs } from './commands/labs'
import { registerMatrix } from './commands/matrix'
import { registerPing } from './commands/ping'
import { registerPlan } from './commands/plan'
import { registerSave } from './commands/save'
import { registerShow } from './commands/show'
import { registerUp } from './commands/up'
import type { CliContext } from './context'

/** The version in this clone's package.json. */
function version(): string {
  const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json')
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version ?? '0.0.0'
  } catch {
    return '0.0.0'
  }
}

const EXIT_CODES = `
Exit codes:
  0  done; no changes pending; every check passed
  1  plan: changes pending; check: a check failed; ping: no reply
  2  usage error, or a lab file that does not parse or validate
  3  the target cannot be reached, or a command on it failed`

/** Build the program; commands write through `ctx.io` and leave their exit code in `ctx`. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('netns-studio')
  program
    .description(
      "Plan, apply and inspect network-namespace labs on this machine, an SSH host or the app's VM.",
    )
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.out(s),
      writeErr: (s) => ctx.io.err(s),
      outputError: (s, write) => write(s.replace(/^error: /, 'netns-studio: ')),
    })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_CODES)
  registerLabs(program, ctx)
  registerUp(program, ctx)
  registerPlan(program, ctx)
  registerDown(program, ctx)
  registerCheck(program, ctx)
  registerShow(program, ctx)
  registerPing(program, ctx)
  registerMatrix(program, ctx)
  registerExport(program, ctx)
  registerSave(program, ctx)
  return program
}

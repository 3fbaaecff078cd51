// Running operations from anywhere in the UI: confirm destructive ones (showing the exact
// commands), apply, and report the outcome as a notice.

import type { NetOp } from '@shared/net/ops'
import { OP_TITLES } from '@shared/net/ops'
import { useNetnsStore } from '../stores/netns'
import { useUiStore } from '../stores/ui'
import type { ErrorView } from './errors'
import { describeError } from './errors'
import { formOf, previewLines } from './op-forms'

/** Outcome of running an operation from the UI. */
export type RunOutcome =
  | { ok: true; commands: string[] }
  | { ok: false; cancelled: true }
  | { ok: false; error: ErrorView }

/** Options of a run. `notify: false` when the caller shows the outcome itself (a form). */
export interface RunOptions {
  notify?: boolean
}

/** Composable: `run(op)` confirms when destructive, applies, refreshes and notifies. */
export function useOps(): {
  run: (op: NetOp, confirmMessage?: string, opts?: RunOptions) => Promise<RunOutcome>
} {
  const netns = useNetnsStore()
  const ui = useUiStore()

  async function run(
    op: NetOp,
    confirmMessage?: string,
    opts: RunOptions = {},
  ): Promise<RunOutcome> {
    const notify = opts.notify !== false
    const destructive = formOf(op.op).destructive === true
    if (destructive || confirmMessage) {
      const ok = await ui.ask(
        OP_TITLES[op.op],
        confirmMessage ?? 'This cannot be undone.',
        previewLines(op),
        destructive ? 'Delete' : 'Run',
      )
      if (!ok) return { ok: false, cancelled: true }
    }
    try {
      const r = await netns.apply(op)
      // One command: show it (that is what the user learns from); several: how many.
      const what =
        r.commands.length === 1 ? `ran ${r.commands[0]}` : `ran ${r.commands.length} commands`
      if (notify) ui.notify('ok', `${OP_TITLES[op.op]}: ${what}`)
      return { ok: true, commands: r.commands }
    } catch (e) {
      const error = isErrorView(e) ? e : describeError(e)
      // Main's message may already name the operation ("Add address failed: ...").
      const text = error.message.startsWith(OP_TITLES[op.op])
        ? error.message
        : `${OP_TITLES[op.op]} failed: ${error.message}`
      if (notify) ui.notify('error', text, 8000)
      return { ok: false, error }
    }
  }

  return { run }
}

function isErrorView(e: unknown): e is ErrorView {
  return typeof e === 'object' && e !== null && 'hint' in e && 'code' in e && 'message' in e
}

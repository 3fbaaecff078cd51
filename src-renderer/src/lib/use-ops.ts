// Running operations from anywhere in the UI: confirm destructive ones (showing the exact
// commands), confirm by name what cuts the app's own connection, apply, and report the outcome.

import { AppError } from '@shared/errors'
import { CUT_CONNECTION, branchCut, mayCut, type BranchFacts } from '@shared/net/branch'
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

/** The badge on a table row that carries the app's connection (or, locally, the machine's network). */
export function branchBadge(f: BranchFacts): string {
  return f.target === 'local' ? "this machine's network" : "app's connection"
}

/** The confirmation button of an operation that cuts the app's connection. */
export const CUT_CONFIRM_LABEL = 'Run anyway'

/**
 * Composable: `run(op)` confirms when destructive, or (naming the consequence) when it would cut
 * the app's own connection, applies, refreshes and notifies.
 */
export function useOps(): {
  run: (op: NetOp, confirmMessage?: string, opts?: RunOptions) => Promise<RunOutcome>
} {
  const netns = useNetnsStore()
  const ui = useUiStore()

  const lines = (op: NetOp): string[] => previewLines(op, netns.natBackend) ?? []

  /** Ask whether to cut the connection; the message is the consequence main or branch.ts named. */
  const askCut = (op: NetOp, consequence: string): Promise<boolean> =>
    ui.ask(`${OP_TITLES[op.op]}?`, consequence, lines(op), CUT_CONFIRM_LABEL)

  async function run(
    op: NetOp,
    confirmMessage?: string,
    opts: RunOptions = {},
  ): Promise<RunOutcome> {
    const notify = opts.notify !== false
    const destructive = formOf(op.op).destructive === true
    // Only operations of a kind that can cut need the facts (one query per connection).
    if (mayCut(op) && !netns.branch) await netns.loadBranch()
    const cut = netns.branch ? branchCut(op, netns.branch) : null
    let sent: NetOp = op
    if (cut) {
      if (!(await askCut(op, cut.consequence))) return { ok: false, cancelled: true }
      sent = { ...op, confirm: CUT_CONNECTION } as NetOp
    } else if (destructive || confirmMessage) {
      const ok = await ui.ask(
        OP_TITLES[op.op],
        confirmMessage ?? 'This cannot be undone.',
        lines(op),
        destructive ? 'Delete' : 'Run',
      )
      if (!ok) return { ok: false, cancelled: true }
    }
    try {
      let r
      try {
        r = await netns.apply(sent)
      } catch (e) {
        // Main knows better than the facts we had (they were unknown, or the routes changed):
        // it names the consequence, and the user decides.
        if (!(e instanceof AppError) || e.code !== 'CONFIRM_REQUIRED' || sent !== op) throw e
        if (!(await askCut(op, e.message))) return { ok: false, cancelled: true }
        void netns.loadBranch(true)
        r = await netns.apply({ ...op, confirm: CUT_CONNECTION } as NetOp)
      }
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

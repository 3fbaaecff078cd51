// What the lab store works with that is not state: the shapes of a plan waiting for the user, a
// file's parse failure and the restart offer; an empty lab; the plain copy a lab needs to cross IPC;
// the parse errors an open carries; and running apply/destroy with the cut-connection confirmation.

import { AppError } from '@shared/errors'
import type { LabRunRequest, LabRunResult } from '@shared/ipc/domains/lab'
import type { LabPlan } from '@shared/lab/diff-types'
import type { Lab, LabError } from '@shared/lab/types'
import { CUT_CONNECTION } from '@shared/net/branch'
import { CUT_CONFIRM_LABEL } from './use-ops'

/** A plan waiting for the user: Apply (or Destroy) runs it, Cancel drops it. */
export interface PlanPrompt {
  title: string
  /** What pressing the button does, in a sentence. */
  message: string
  plan: LabPlan
  /** The button that runs it; null when there is nothing to run (only Close). */
  confirmLabel: string | null
  /** Destroy: the button is red. */
  danger: boolean
  resolve: (ok: boolean) => void
}

/** A file that did not parse: its name and every problem with its line and column. */
export interface ParseFailure {
  fileName: string
  errors: LabError[]
}

/** The open lab's target restarted: offer to apply the lab again. */
export interface RebootOffer {
  label: string
  lab: string
}

/** A lab with nothing in it, as the lab file's parser would give it. */
export function emptyLab(name: string): Lab {
  return { name, kind: 'lab', namespaces: {}, bridges: [], links: [], routes: [], nat: [] }
}

/**
 * A plain copy for IPC: what a store keeps comes back as Vue proxies, which structured clone
 * refuses; a lab is JSON data (it came from YAML), so JSON is a faithful copy.
 */
export function plain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T
}

/** The LabError[] an INVALID_ARGUMENT from lab:open carries, or null. */
export function parseErrorsOf(e: unknown): LabError[] | null {
  if (!(e instanceof AppError) || e.code !== 'INVALID_ARGUMENT') return null
  const errors = e.data?.errors
  return Array.isArray(errors) && errors.length ? (errors as LabError[]) : null
}

/**
 * Run an apply or destroy. An operation that would cut the app's own connection is refused by
 * main with the consequence; `ask` puts it to the user, and on yes it runs again confirmed.
 * Null when the user said no.
 */
export async function runConfirmingCut(
  title: string,
  call: (req: LabRunRequest) => Promise<LabRunResult>,
  ask: (title: string, consequence: string, confirmLabel: string) => Promise<boolean>,
): Promise<LabRunResult | null> {
  try {
    return await call({})
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'CONFIRM_REQUIRED') throw e
    if (!(await ask(title, e.message, CUT_CONFIRM_LABEL))) return null
    return await call({ confirm: CUT_CONNECTION })
  }
}

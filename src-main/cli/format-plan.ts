// Human-readable text of a lab's plan and of what an apply or destroy did: one line per change
// (+ create, ~ change, - delete), a plan's exact commands under each.

import type { PlanChange } from '../../shared/lab/diff'

const SIGN = { create: '+', change: '~', delete: '-' } as const

/** `+ namespace red`, `~ address red:eth0`… */
export function changeLine(c: PlanChange): string {
  return `${SIGN[c.action]} ${c.kind} ${c.name}`
}

/** A plan: each change with its commands, then a count. */
export function planText(lab: string, changes: PlanChange[]): string {
  if (changes.length === 0) return `Lab ${lab}: no changes; the target matches the lab.\n`
  const lines = changes.flatMap((c) => [changeLine(c), ...c.commands.map((cmd) => `    ${cmd}`)])
  const n = changes.length
  lines.push(`Lab ${lab}: ${n} change${n === 1 ? '' : 's'} pending.`)
  return `${lines.join('\n')}\n`
}

/** What an apply (`verb` "made") or destroy ("removed") did. */
export function doneText(
  lab: string,
  r: { changes: PlanChange[]; commands: string[]; durationMs: number },
  verb: string,
  none: string,
): string {
  if (r.changes.length === 0) return `Lab ${lab}: ${none}\n`
  const n = r.changes.length
  const secs = (r.durationMs / 1000).toFixed(2)
  return `${[...r.changes.map(changeLine), `Lab ${lab}: ${n} change${n === 1 ? '' : 's'} ${verb} in ${secs} s (${r.commands.length} commands).`].join('\n')}\n`
}

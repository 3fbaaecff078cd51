// The LAB argument: a built-in lab's name, a lab in the user's labs folder, or a lab file's path;
// loaded by the lab module, its errors reported with line and column (exit 2).

import { existsSync } from 'node:fs'
import { AppError } from '../../shared/errors'
import { BUILTIN_LABS } from '../../shared/lab/builtin/index'
import { parseLab } from '../../shared/lab/parse'
import type { Lab, LabError } from '../../shared/lab/types'
import { HOST_NS } from '../../shared/net/model'
import { loadLabFile, loadUserLab, userLabsDir } from '../lab/user-labs'
import type { CliContext } from './context'
import { CliError, EXIT } from './errors'

const looksLikePath = (arg: string): boolean => /[/\\]/.test(arg) || /\.ya?ml$/i.test(arg)

/** A lab file's errors as the CLI reports them (exit 2, each error as FILE:LINE:COL). */
function invalid(where: string, errors: LabError[], file?: string): CliError {
  const n = errors.length
  return new CliError(
    EXIT.USAGE,
    'LAB_INVALID',
    `${where} is not a valid lab (${n} ${n === 1 ? 'error' : 'errors'}):`,
    { problems: errors, ...(file ? { source: file } : {}) },
  )
}

/** The lab module's refusal of a file as a CLI error: its errors with lines, or why it cannot be read. */
function fromLoadError(e: unknown, path: string): unknown {
  if (!(e instanceof AppError) || e.code !== 'INVALID_ARGUMENT') return e
  const errors = e.data?.errors as LabError[] | undefined
  if (errors?.length) return invalid(path, errors, path)
  return new CliError(EXIT.USAGE, 'LAB_NOT_FOUND', e.message)
}

async function fromFile(path: string): Promise<Lab> {
  try {
    return await loadLabFile(path)
  } catch (e) {
    throw fromLoadError(e, path)
  }
}

/**
 * Load LAB: a path (has a "/" or ends in .yaml/.yml) is a file; else a built-in lab's name, then
 * a lab in `<data dir>/labs`, then a file of that name here. Unknown: LAB_NOT_FOUND (exit 2); a
 * lab that does not parse or validate: LAB_INVALID (exit 2) with every error's line and column.
 */
export async function loadLabArgument(ctx: CliContext, arg: string): Promise<Lab> {
  if (looksLikePath(arg)) {
    if (!existsSync(arg)) throw new CliError(EXIT.USAGE, 'LAB_NOT_FOUND', `No lab file at ${arg}.`)
    return fromFile(arg)
  }
  const builtin = BUILTIN_LABS.find((l) => l.name === arg)
  if (builtin) {
    const r = parseLab(builtin.yaml, builtin.name)
    if (!r.ok) throw invalid(`built-in lab ${builtin.name}`, r.errors)
    return r.lab
  }
  try {
    return (await loadUserLab(ctx.dataDir, arg)).lab
  } catch (e) {
    const refused = fromLoadError(e, arg)
    if (!(refused instanceof CliError) || refused.code !== 'LAB_NOT_FOUND') throw refused
  }
  if (existsSync(arg)) return fromFile(arg)
  throw new CliError(
    EXIT.USAGE,
    'LAB_NOT_FOUND',
    `No lab called "${arg.slice(0, 80)}": not a built-in lab (netns-studio labs lists them), not in ${userLabsDir(ctx.dataDir)}, not a file here.`,
  )
}

/** Each namespace's first address in the lab (IPv4 first), without its prefix length. */
export function labAddresses(lab: Lab): Map<string, string> {
  const found = new Map<string, string[]>()
  const add = (ns: string, cidrs: string[] | undefined): void => {
    if (cidrs?.length) found.set(ns, [...(found.get(ns) ?? []), ...cidrs])
  }
  for (const b of lab.bridges) add(b.ns ?? HOST_NS, b.addresses)
  for (const l of lab.links)
    for (const e of l.endpoints) {
      const bridge = e.bridge
        ? lab.bridges.find(
            (b) => b.name === e.bridge && (e.ns === undefined || (b.ns ?? HOST_NS) === e.ns),
          )
        : undefined
      add(bridge ? (bridge.ns ?? HOST_NS) : (e.ns ?? HOST_NS), e.addresses)
    }
  const out = new Map<string, string>()
  for (const [ns, cidrs] of found) {
    const pick = cidrs.find((c) => !c.includes(':')) ?? cidrs[0]
    if (pick) out.set(ns, pick.split('/')[0]!)
  }
  return out
}

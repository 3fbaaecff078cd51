// `netns-studio save FILE`: the target's current state (hand-made included) as a lab file, through
// the lab service's save (NAT, netem and sysctls read live); `--ns` keeps only some namespaces;
// `-` writes to stdout. The text is parsed again before it is written.

import { existsSync } from 'node:fs'
import { basename, extname, resolve } from 'node:path'
import type { Command } from 'commander'
import { labFromSnapshotReport } from '../../../shared/lab/from-snapshot'
import { parseLab, stringifyLab } from '../../../shared/lab/parse'
import { checkLabName } from '../../../shared/lab/schema'
import type { Lab } from '../../../shared/lab/types'
import { checkNamespaceRef } from '../../../shared/net/validate'
import { readSaveState } from '../../lab/lab-state'
import type { Target } from '../../target/target'
import {
  action,
  addTargetCommandOptions,
  onTarget,
  progressOf,
  type CliContext,
  type CommonFlags,
} from '../context'
import { CliError, EXIT, usageError } from '../errors'
import { printJson } from '../io'
import { labService } from '../lab-run'
import { namespaceIn } from '../resolve-address'
import { selectNamespaces } from '../select'
import type { TargetFlags } from '../target-options'
import { writeFileAtomic } from '../write-file'
import { listOption } from './matrix'

interface SaveFlags extends CommonFlags, TargetFlags {
  name?: string
  ns?: string[]
  force?: boolean
}

export function registerSave(program: Command, ctx: CliContext): void {
  addTargetCommandOptions(
    program
      .command('save')
      .argument('<FILE>', 'where to write the lab (YAML); - for stdout')
      .description('save the current state as a lab file')
      .option('--name <name>', "the lab's name (default: the file name without extension)")
      .option('--ns <names>', 'only these namespaces, comma-separated (default: all)', listOption)
      .option('-f, --force', 'overwrite FILE if it exists'),
  ).action(
    action<SaveFlags>(ctx, async ([file], flags) => {
      const path = file as string
      const toStdout = path === '-'
      const name = flags.name ?? (toStdout ? 'saved' : basename(path, extname(path)))
      const c = checkLabName(name)
      if (!c.ok)
        throw usageError(
          `${flags.name === undefined ? `From the file name: ${c.message} Give --name.` : `--name: ${c.message}`}`,
        )
      for (const n of flags.ns ?? []) {
        const r = checkNamespaceRef(n)
        if (!r.ok) throw usageError(`--ns: ${r.message}`)
      }
      if (!toStdout && existsSync(path) && !flags.force)
        throw usageError(`${path} exists; add --force to overwrite it.`)
      const lab = await onTarget(ctx, flags, (target, progress) => {
        progress(`Reading the state to save as lab "${name}"…`)
        return flags.ns ? saveSome(target, name, flags.ns) : labService(target).save(name)
      })
      const text = stringifyLab(lab)
      // What is written must load again: a lab that does not is a bug, never a file to keep.
      const again = parseLab(text, path)
      if (!again.ok)
        throw new CliError(
          EXIT.TARGET,
          'INTERNAL',
          'The saved lab does not load again; nothing was written.',
          {
            problems: again.errors,
          },
        )
      if (toStdout) ctx.io.out(text)
      else {
        await writeFileAtomic(resolve(path), text)
        const namespaces = Object.keys(lab.namespaces)
        if (flags.json) printJson(ctx.io, { file: resolve(path), name: lab.name, namespaces })
        else
          progressOf(ctx, flags)(`Wrote ${path}: lab ${lab.name}, ${namespaces.length} namespaces.`)
      }
      return EXIT.OK
    }),
  )
}

/**
 * Save only `names`: the snapshot cut down to them (the root only where it joins them), and the
 * live state (NAT, netem) of those namespaces alone, so the root's unrelated rules stay out.
 */
async function saveSome(target: Target, name: string, names: string[]): Promise<Lab> {
  const service = labService(target)
  const snap = await service.engineFor(name).snapshot()
  for (const n of names) namespaceIn(snap, n)
  const some = selectNamespaces(snap, names)
  // neither iptables nor nft on the target: there are no NAT rules to keep (as LabService.save)
  const nat = await service
    .engineFor(name)
    .natBackend()
    .catch(() => null)
  const liveOf = { ...some, namespaces: some.namespaces.filter((n) => names.includes(n.name)) }
  const live = await readSaveState(target, liveOf, nat)
  const { lab, skipped } = labFromSnapshotReport(some, name, live)
  if (skipped.length) lab.description = `Saved by netns-studio. Left out: ${skipped.join('; ')}.`
  return lab
}

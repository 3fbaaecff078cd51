// `netns-studio matrix [LAB]`: ping every ordered pair of namespaces in ONE remote run (the app's
// runMatrix), each aimed at the destination's first address; a grid, or the result as JSON.

import type { Command } from 'commander'
import type { MatrixPair } from '../../../shared/net/matrix'
import { checkMatrix } from '../../../shared/net/matrix'
import { HOST_NS, type Snapshot } from '../../../shared/net/model'
import { checkNamespaceRef } from '../../../shared/net/validate'
import { readSnapshot } from '../../netns/snapshot'
import { runMatrix } from '../../streams/oneshot'
import {
  action,
  addTargetCommandOptions,
  onTarget,
  type CliContext,
  type CommonFlags,
} from '../context'
import { EXIT, usageError } from '../errors'
import { matrixText } from '../format-matrix'
import { printJson } from '../io'
import { loadLabArgument, labAddresses } from '../lab-input'
import { firstAddress, namespaceIn } from '../resolve-address'
import type { TargetFlags } from '../target-options'
import { numberIn } from './ping'

interface MatrixFlags extends CommonFlags, TargetFlags {
  ns?: string[]
  count: number
  timeout: number
  concurrency: number
}

/** Split a comma-separated list option, accumulating repeats. */
export function listOption(v: string, prev: string[] | undefined): string[] {
  return [
    ...(prev ?? []),
    ...v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ]
}

/**
 * The namespaces to probe and the address each is pinged on: the lab's own addresses when given
 * (a namespace the lab gives none falls back to the snapshot), else each namespace's first global
 * address. Namespaces without one are left out (reported).
 */
export function matrixTargets(
  snap: Snapshot,
  names: string[],
  preset: Map<string, string> = new Map(),
): { targets: Array<{ ns: string; address: string }>; missing: string[] } {
  const targets: Array<{ ns: string; address: string }> = []
  const missing: string[] = []
  for (const name of names) {
    const ns = namespaceIn(snap, name)
    const address = preset.get(name) ?? (name === HOST_NS && preset.size ? null : firstAddress(ns))
    if (address) targets.push({ ns: name, address })
    else missing.push(name)
  }
  return { targets, missing }
}

/** Every ordered pair of distinct targets. */
export function allPairs(targets: Array<{ ns: string; address: string }>): MatrixPair[] {
  return targets.flatMap((s) =>
    targets.filter((d) => d.ns !== s.ns).map((d) => ({ src: s.ns, dst: d.ns, address: d.address })),
  )
}

export function registerMatrix(program: Command, ctx: CliContext): void {
  addTargetCommandOptions(
    program
      .command('matrix')
      .argument('[LAB]', "a lab file or built-in lab: probe the lab's namespaces")
      .description('reachability of every ordered pair of namespaces, in one remote run')
      .option(
        '--ns <names>',
        'namespaces to probe, comma-separated (default: all with an address)',
        listOption,
      )
      .option('-c, --count <n>', 'echoes per pair', numberIn(1, 5, true), 1)
      .option('-t, --timeout <s>', 'seconds to wait after the last echo', numberIn(1, 10, true), 1)
      .option('--concurrency <n>', 'sources probed at once', numberIn(1, 64, true), 16),
  ).action(
    action<MatrixFlags>(ctx, async ([labArg], flags) => {
      if (labArg !== undefined && flags.ns) throw usageError('Give a LAB or --ns, not both.')
      for (const n of flags.ns ?? []) {
        const c = checkNamespaceRef(n)
        if (!c.ok) throw usageError(`--ns: ${c.message}`)
      }
      const lab = labArg === undefined ? null : await loadLabArgument(ctx, labArg as string)
      const result = await onTarget(ctx, flags, async (target, progress) => {
        const snap = await readSnapshot(target)
        const preset = lab ? labAddresses(lab) : undefined
        const names = lab
          ? [
              ...new Set([
                ...Object.keys(lab.namespaces),
                ...(preset?.has(HOST_NS) ? [HOST_NS] : []),
              ]),
            ]
          : (flags.ns ?? snap.namespaces.filter((n) => firstAddress(n)).map((n) => n.name))
        const { targets, missing } = matrixTargets(snap, names, preset)
        if (missing.length) progress(`Left out (no address): ${missing.join(', ')}`)
        const pairs = allPairs(targets)
        const opts = { count: flags.count, timeoutS: flags.timeout, concurrency: flags.concurrency }
        const c = checkMatrix(pairs, opts)
        if (!c.ok) throw usageError(c.message)
        progress(`Probing ${pairs.length} pairs of ${targets.length} namespaces…`)
        return runMatrix(target, pairs, opts)
      })
      if (flags.json) printJson(ctx.io, result)
      else ctx.io.out(matrixText(result))
      return EXIT.OK
    }),
  )
}

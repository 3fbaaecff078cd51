// A lab as a plain POSIX sh script of the engine's commands, for a clean target (`export`).

import { HOST_NS, type Snapshot } from '../net/model'
import { opCommands, type NatBackend } from '../net/ops'
import { toShellLine } from '../net/shell'
import { planLab } from './diff'
import type { Lab } from './types'

/** A target with nothing on it but the root namespace. */
export function cleanSnapshot(): Snapshot {
  return {
    takenAt: 0,
    durationMs: 0,
    namespaces: [
      {
        name: HOST_NS,
        isHost: true,
        nsid: null,
        links: [],
        addresses: [],
        routes: [],
        neighbours: [],
        ipForward: null,
      },
    ],
    vanished: [],
  }
}

const oneLine = (s: string): string => s.replace(/[\r\n]+/g, ' ').trim()

/**
 * The commands that build `lab` on a clean target, in the engine's order, as a script for plain
 * sh (run as root). The same commands `apply` would run there, one per line.
 */
export function labToScript(lab: Lab, nat: NatBackend = 'iptables'): string {
  const plan = planLab(lab, cleanSnapshot(), { nat })
  const lines = plan.ops.flatMap((op) => opCommands(op, nat).map((s) => toShellLine(s.argv)))
  return [
    '#!/bin/sh',
    `# Lab ${lab.name}${lab.title ? `: ${oneLine(lab.title)}` : ''}`,
    '# The commands netns-studio runs to build it on a clean target. Run as root (set -e: stops at the first failure).',
    'set -e',
    '',
    ...lines,
    '',
  ].join('\n')
}

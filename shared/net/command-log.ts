// Command log entries and their export as a shell script that reproduces the state.

import { toShellLine } from './shell'

/** One executed command, as the log shows it. */
export interface LogEntry {
  id: number
  /** Epoch ms when the command started. */
  at: number
  durationMs: number
  /** The exact argv; `line` is its shell form. */
  argv: string[]
  line: string
  exitCode: number
  stderr: string
  /** The operation title this command belonged to (e.g. "Create veth pair"), or "snapshot"/"stream". */
  source: string
  /** True when the command changed state (operations), false for reads. */
  mutating: boolean
  /**
   * "helper": the in-target helper made this change over netlink instead of running the command;
   * `argv` is the command that makes the same change (what the export script runs).
   */
  via?: 'helper'
}

/** Export the successful mutating commands as a runnable shell script. */
export function exportScript(entries: readonly LogEntry[], title = 'netns-studio session'): string {
  const lines = [
    '#!/bin/sh',
    `# ${title.replace(/[\r\n]/g, ' ')}: the commands netns-studio ran, in order.`,
    '# Run as root on a Linux host (or inside the VM) to rebuild the same namespaces.',
    'set -e',
    '',
  ]
  for (const e of entries) {
    if (!e.mutating || e.exitCode !== 0) continue
    lines.push(toShellLine(e.argv))
  }
  return `${lines.join('\n')}\n`
}

// Reading, over the target, what carries the app's own connection (shared/net/branch.ts decides
// what cuts it): $SSH_CONNECTION and `ip route get` for an SSH target, the default routes always.

import { AppError } from '../../shared/errors'
import { parseBranchFacts, type BranchFacts } from '../../shared/net/branch'
import type { Target } from '../target/target'

/**
 * Find `$SSH_CONNECTION`: in the environment, else in the nearest ancestor's (`sudo` resets the
 * environment, the login shell above it still has it). Only kernel files and sshd's own variable
 * are read; the value is split with globbing off and only ever passed quoted.
 */
const FIND_SSH_CONNECTION = [
  'c=${SSH_CONNECTION-}',
  'p=$$',
  'while [ -z "$c" ] && [ -n "$p" ] && [ "$p" -gt 1 ]; do',
  `  c=$(tr '\\0' '\\n' < /proc/$p/environ 2>/dev/null | sed -n 's/^SSH_CONNECTION=//p' | head -n 1)`,
  `  p=$(sed -n 's/^PPid:[[:space:]]*//p' /proc/$p/status 2>/dev/null)`,
  'done',
]

/** The remote script; sections start with "@@name" lines (parsed by parseBranchFacts). */
export function branchScript(kind: 'ssh' | 'local'): string {
  return [
    'set -f',
    ...(kind === 'ssh' ? FIND_SSH_CONNECTION : ['c=']),
    'echo @@conn; echo "$c"',
    'echo @@def4; ip -j route show default 2>/dev/null',
    'echo @@def6; ip -j -6 route show default 2>/dev/null',
    'echo @@addrs; ip -j addr show 2>/dev/null',
    'set -- $c',
    'if [ $# -eq 4 ]; then',
    '  echo @@get; ip -j route get "$1" 2>/dev/null',
    '  echo @@match; ip -j route show table all match "$1" 2>/dev/null',
    'fi',
    'exit 0',
  ].join('\n')
}

/** Read the facts in one round trip. `role` says whether an SSH target is the app's VM. */
export async function readBranchFacts(
  target: Target,
  role: BranchFacts['target'],
): Promise<BranchFacts> {
  const [r] = await target.run([['sh', '-c', branchScript(target.kind)]], { timeoutMs: 10_000 })
  if (!r || r.exitCode !== 0)
    throw new AppError(
      'COMMAND_FAILED',
      "Could not find out which interface carries the app's connection.",
      { detail: r?.stderr.trim() },
    )
  return parseBranchFacts(r.stdout, { target: role, label: target.label })
}

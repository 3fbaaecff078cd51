// Read every namespace in one round trip: one remote script that runs one `ip -j -d -batch -`
// per namespace (the root first), plus one `stat` for every namespace's inode, and frames the
// outputs; parsed in shared/.

import {
  INODES_MARK,
  NS_MARK,
  SNAPSHOT_QUERIES,
  parseSnapshot,
} from '../../shared/net/snapshot-parse'
import type { Snapshot } from '../../shared/net/model'
import type { Target } from '../target/target'
import { AppError } from '../../shared/errors'

/**
 * The remote script. Names come from the kernel's /run/netns, are only ever expanded inside
 * double quotes, and never reach a command line as code. Two workers read namespaces in
 * parallel into files of a private `mktemp -d` folder (0700, removed on exit by a trap); each
 * block is written whole, so blocks never interleave.
 *
 * One `stat` (one process, whatever the count) gives every namespace's identity: the inode of
 * its file. The root's is read through /proc/self/ns/net: that is the namespace the root block
 * was read in, and unlike /proc/1/ns/net any user may stat it. A file gone by then prints no
 * line (its error is dropped), so its inode stays unknown; its empty block reports it vanished.
 */
export function snapshotScript(workers = 2): string {
  const q = SNAPSHOT_QUERIES.join('\\n')
  return [
    `snap() { out=$(printf '${q}\\n' | ip "$@" -j -d -force -batch - 2>/dev/null); }`,
    `snap; printf '${NS_MARK}\\n%s\\n' "$out"`,
    'set -- /run/netns/*',
    // No match leaves the pattern itself; a first namespace that vanished still leaves the others.
    '[ -e "$1" ] || [ "$#" -gt 1 ] || set --',
    `printf '${INODES_MARK}\\n'; stat -L -c '%i %n' -- /proc/self/ns/net "$@" 2>/dev/null`,
    '[ "$#" -gt 0 ] || exit 0',
    'umask 077; d=$(mktemp -d /tmp/nss-snap.XXXXXX) || exit 1',
    `trap 'rm -rf "$d"' EXIT`,
    `trap 'exit 1' HUP INT TERM`,
    `i=0; for f do i=$((i+1)); eval "w$(( i % ${workers} ))=\\"\\$w$(( i % ${workers} )) \\$i\\""; done`,
    `for k in $(seq 0 $(( ${workers} - 1 ))); do (`,
    '  eval "idx=\\$w$k"',
    '  for j in $idx; do eval "f=\\${$j}"; n=${f##*/}; snap -n "$n"',
    `    printf '${NS_MARK} %s\\n%s\\n' "$n" "$out"; done`,
    ') > "$d/$k" & done',
    'wait',
    `for k in $(seq 0 $(( ${workers} - 1 ))); do cat "$d/$k"; done`,
  ].join('\n')
}

/** Take a snapshot of every namespace through `target` (one command, one round trip). */
export async function readSnapshot(
  target: Target,
  opts: { timeoutMs?: number; workers?: number } = {},
): Promise<Snapshot> {
  const started = Date.now()
  const [r] = await target.run([['sh', '-c', snapshotScript(opts.workers)]], {
    timeoutMs: opts.timeoutMs ?? 30_000,
  })
  if (!r || r.exitCode !== 0)
    throw new AppError('COMMAND_FAILED', 'Reading the namespaces failed.', { detail: r?.stderr })
  return parseSnapshot(r.stdout, { takenAt: started, durationMs: Date.now() - started })
}

// The remote wrapper every stream runs under, so that no process outlives its stream: the command
// reads its stdin through a FIFO fed by a watchdog; when our side closes stdin (stop, window close,
// dropped connection), the watchdog kills the command and its children.

import { toShellLine } from '../../shared/net/shell'

/**
 * A `sh -c` script that runs `argv` with the watchdog. Exit code is the command's. Lines written to
 * the channel's stdin reach the command's stdin.
 */
export function watchdogScript(argv: string[]): string {
  const cmd = toShellLine(argv)
  return [
    'd=$(mktemp -d /tmp/nss-stream.XXXXXX) || exit 125',
    'mkfifo "$d/in" || exit 125',
    'exec 4<&0',
    `${cmd} <"$d/in" &`,
    'p=$!',
    // The watchdog: forward stdin lines; on EOF, end the command (TERM, then KILL). Its output goes to
    // /dev/null so that a lingering `sleep` cannot hold the channel open.
    '( exec 3>"$d/in"; while IFS= read -r l <&4; do printf \'%s\\n\' "$l" >&3; done; exec 3>&-;' +
      ' pkill -TERM -P $p 2>/dev/null; kill -TERM $p 2>/dev/null; sleep 1;' +
      ' pkill -KILL -P $p 2>/dev/null; kill -KILL $p 2>/dev/null ) >/dev/null 2>&1 &',
    'w=$!',
    // From here the wrapper only waits and cleans up; its own messages (e.g. "Terminated") must not
    // hit a closed stderr (SIGPIPE would kill it before it removes its FIFO folder).
    'exec 2>/dev/null',
    'wait $p',
    'rc=$?',
    'kill $w 2>/dev/null',
    'rm -rf "$d"',
    'exit $rc',
  ].join('\n')
}

// The one quoting function: every argv that becomes a shell line goes through here.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/

/** Quote one argument for a POSIX shell. */
export function shQuote(arg: string): string {
  if (arg.length > 0 && SAFE.test(arg)) return arg
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

/** Join an argv array into one POSIX shell command line. */
export function toShellLine(argv: readonly string[]): string {
  return argv.map(shQuote).join(' ')
}

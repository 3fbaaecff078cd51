// Parser for `vagrant ... --machine-readable` output: `timestamp,target,type,data...` lines, with
// commas escaped as `%!(VAGRANT_COMMA)` and newlines as a literal `\n`. Pure: used by main and tests.

/** One machine-readable line, fields unescaped. */
export interface MachineLine {
  /** Unix time in seconds, as Vagrant printed it. */
  timestamp: number
  /** Machine name (e.g. "default"); empty for global lines such as `error-exit`. */
  target: string
  /** Line type: `ui`, `action`, `state`, `provider-name`, `error-exit`, `metadata`, ... */
  type: string
  /** The remaining fields, unescaped. */
  data: string[]
}

const COMMA = '%!(VAGRANT_COMMA)'

/** Undo Vagrant's escaping of one field: `%!(VAGRANT_COMMA)` → `,`, literal `\n`/`\r` → newline/CR. */
export function unescapeField(s: string): string {
  return s.split(COMMA).join(',').replace(/\\n/g, '\n').replace(/\\r/g, '\r')
}

/** Parse one line; null when it is not machine-readable (plain stderr text, Ruby warnings, ...). */
export function parseMachineLine(line: string): MachineLine | null {
  const raw = line.endsWith('\r') ? line.slice(0, -1) : line
  const parts = raw.split(',')
  if (parts.length < 3) return null
  const [ts = '', target = '', type = ''] = parts
  if (!/^\d{9,}$/.test(ts) || !/^[a-z][a-z0-9_-]*$/i.test(type)) return null
  return {
    timestamp: Number(ts),
    target: unescapeField(target),
    type,
    data: parts.slice(3).map(unescapeField),
  }
}

/** Parse a whole captured output; non machine-readable lines are dropped. */
export function parseMachineOutput(text: string): MachineLine[] {
  const out: MachineLine[] = []
  for (const l of text.split('\n')) {
    const m = parseMachineLine(l)
    if (m) out.push(m)
  }
  return out
}

/** Remove Vagrant's `==> NAME: ` / `    NAME: ` prefixes (on every line) from a UI message of `target`. */
export function stripUiPrefix(msg: string, target: string): string {
  const one = (line: string): string => {
    const t = line.trim()
    if (target === '') return t
    for (const p of [`==> ${target}:`, `${target}:`])
      if (t.startsWith(p)) return t.slice(p.length).trim()
    return t
  }
  return msg
    .split('\n')
    .map(one)
    .filter((l) => l.length > 0)
    .join('\n')
}

/** The text a user would have seen for a line: UI messages and errors; null for state/metadata. */
export function displayText(m: MachineLine): string | null {
  if (m.type === 'ui') return m.data.slice(1).join(',')
  if (m.type === 'error-exit') return m.data[1] ?? m.data[0] ?? null
  return null
}

/** Longest line kept whole (a longer one is cut and marked; its rest up to the break is dropped). */
export const MAX_LINE_CHARS = 65_536

/** ANSI control sequences (e.g. the `ESC[K` "clear line" of plain progress output). */
// eslint-disable-next-line no-control-regex -- ESC is what these sequences start with
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g

/**
 * Splits a stream of text chunks into complete lines. A line ends at `\n`, `\r\n` or a lone `\r`
 * (plain `vagrant box add` output rewrites its `Progress: N%` line with `\r`); ANSI sequences are
 * removed; lines are capped at {@link MAX_LINE_CHARS}. `push` returns the lines completed by the
 * chunk; `flush` returns the unterminated rest (at process exit).
 */
export class LineSplitter {
  private rest = ''
  private dropping = false

  constructor(private readonly maxChars = MAX_LINE_CHARS) {}

  push(chunk: string): string[] {
    const out: string[] = []
    let text = this.rest + chunk
    // A trailing \r may be the first half of \r\n: wait for the next chunk.
    const hold = text.endsWith('\r') ? '\r' : ''
    if (hold) text = text.slice(0, -1)
    const parts = text.split(/\r\n|\r|\n/)
    let last = parts.pop() ?? ''
    for (const p of parts) {
      if (this.dropping) {
        this.dropping = false
        continue
      }
      out.push(this.clean(p))
    }
    if (this.dropping) last = ''
    else if (last.length > this.maxChars) {
      out.push(`${this.clean(last.slice(0, this.maxChars))} …[line cut]`)
      this.dropping = true
      last = ''
    }
    this.rest = last + hold
    return out
  }

  flush(): string[] {
    const r = this.rest.replace(/\r$/, '')
    this.rest = ''
    const dropped = this.dropping
    this.dropping = false
    return r.length > 0 && !dropped ? [this.clean(r)] : []
  }

  private clean(line: string): string {
    const l = line.includes('\x1b') ? line.replace(ANSI, '') : line
    return l.length > this.maxChars ? `${l.slice(0, this.maxChars)} …[line cut]` : l
  }
}

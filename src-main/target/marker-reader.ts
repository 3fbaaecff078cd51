// Splits one pipe of the command shell at the batch's end-of-command markers in linear time:
// chunks are kept in a list and joined once per command, and only each new chunk (plus a
// marker-length overlap from the one before) is searched.

/** A marker found in the stream, with the text that came before it. */
export interface Mark {
  /** Everything written since the previous marker. */
  body: string
  /** The batch's nonce (16 hex digits). */
  nonce: string
  /** Index of the command in its batch. */
  index: number
  /** The exit code as printed (stdout markers: digits, or "S" for skipped); absent on stderr. */
  code?: string
}

/** Where every marker starts (shell-channel.ts buildScript prints them). */
const PREFIX = '\n__NSS_'
/** The longest marker line: "\n__NSS_" + 16 hex + "_" + index + " " + code + "\n" < 64 chars. */
export const MAX_MARKER = 64
const MARKER = /\n__NSS_([0-9a-f]{16})_(\d{1,9})(?: (-?\d{1,11}|S))?\n/y

/** Feeds text in, calls back once per complete marker. */
export class MarkerReader {
  private parts: string[] = []
  /** A tail that may hold the beginning of a marker (at most MAX_MARKER chars). */
  private carry = ''

  /** Characters held since the last marker (tests). */
  get pending(): number {
    return this.parts.reduce((n, p) => n + p.length, 0) + this.carry.length
  }

  push(chunk: string, onMark: (m: Mark) => void): void {
    const s = this.carry + chunk
    this.carry = ''
    let keepFrom = 0 // start of the text not yet moved to `parts`
    let searchFrom = 0
    for (;;) {
      const at = s.indexOf(PREFIX, searchFrom)
      if (at < 0) {
        // a marker's prefix may straddle this chunk and the next
        const tail = Math.max(keepFrom, s.length - (PREFIX.length - 1))
        this.keep(s.slice(keepFrom, tail))
        this.carry = s.slice(tail)
        return
      }
      MARKER.lastIndex = at
      const m = MARKER.exec(s)
      if (m) {
        this.keep(s.slice(keepFrom, at))
        const body = this.parts.length === 1 ? this.parts[0]! : this.parts.join('')
        this.parts = []
        const mark: Mark = { body, nonce: m[1]!, index: Number(m[2]) }
        if (m[3] !== undefined) mark.code = m[3]
        onMark(mark)
        keepFrom = searchFrom = at + m[0].length
        continue
      }
      // Not a whole marker here: either its end has not arrived yet (no newline after the prefix
      // and fewer than MAX_MARKER chars so far), or this is ordinary output.
      const window = s.slice(at + 1, at + MAX_MARKER)
      if (s.length - at < MAX_MARKER && !window.includes('\n')) {
        this.keep(s.slice(keepFrom, at))
        this.carry = s.slice(at)
        return
      }
      searchFrom = at + 1
    }
  }

  private keep(text: string): void {
    if (text) this.parts.push(text)
  }
}

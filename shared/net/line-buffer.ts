// Splits a text stream into lines in time linear in its length, with a cap on line length: a line
// longer than the cap is cut there and marked, so a stream without newlines never grows memory.

/** Longest line kept, in characters (real `ip`, `ping` and `tcpdump` lines are far shorter). */
export const MAX_LINE_CHARS = 64 * 1024

/** Appended to a line that was cut at the cap. */
export const TRUNCATED_MARK = ' …[line cut: too long]'

/** A line splitter: push chunks, get whole lines (without "\n"); the partial tail stays bounded. */
export class LineBuffer {
  private parts: string[] = []
  private len = 0
  private cut = false

  constructor(
    private readonly max = MAX_LINE_CHARS,
    /** Drop a "\r" before the "\n". */
    private readonly stripCr = false,
  ) {}

  /** Characters held for the line not yet ended (never more than the cap). */
  get pending(): number {
    return this.len
  }

  /** Feed a chunk; `emit` is called once per line it completes. Each character is looked at once. */
  push(chunk: string, emit: (line: string) => void): void {
    let start = 0
    for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', start)) {
      this.append(chunk, start, i)
      emit(this.take())
      start = i + 1
    }
    this.append(chunk, start, chunk.length)
  }

  /** The last line, if the stream ended without a newline. */
  end(emit: (line: string) => void): void {
    if (this.len > 0 || this.cut) emit(this.take())
  }

  private append(chunk: string, from: number, to: number): void {
    if (this.cut || to <= from) return
    const room = this.max - this.len
    if (to - from > room) {
      this.parts.push(chunk.slice(from, from + room))
      this.len = this.max
      this.cut = true
      return
    }
    this.parts.push(chunk.slice(from, to))
    this.len += to - from
  }

  private take(): string {
    let line = this.parts.length === 1 ? this.parts[0]! : this.parts.join('')
    if (this.stripCr && line.endsWith('\r')) line = line.slice(0, -1)
    if (this.cut) line += TRUNCATED_MARK
    this.parts = []
    this.len = 0
    this.cut = false
    return line
  }
}

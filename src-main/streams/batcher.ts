// A small time-based batcher: collects items and flushes them at most every `ms`, so the
// renderer gets a few updates per second however fast a stream produces.

import { LineBuffer, MAX_LINE_CHARS } from '../../shared/net/line-buffer'

/** Collects items and calls `flush` with all of them at most once per `ms` (and once on close). */
export class Batcher<T> {
  private items: T[] = []
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly ms: number,
    private readonly flush: (items: T[]) => void,
    /** Oldest items are dropped beyond this many (a slow consumer never grows memory). */
    private readonly max = 10_000,
  ) {}

  push(item: T): void {
    this.items.push(item)
    if (this.items.length > this.max) this.items.splice(0, this.items.length - this.max)
    if (!this.timer) {
      this.timer = setTimeout(() => this.flushNow(), this.ms)
      this.timer.unref?.()
    }
  }

  /** Flush what is pending now. */
  flushNow(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.items.length === 0) return
    const batch = this.items
    this.items = []
    this.flush(batch)
  }

  /** Flush what is pending and stop the timer. */
  close(): void {
    this.flushNow()
  }
}

/** A bounded ring of the last `max` items. */
export class Ring<T> {
  private buf: T[] = []
  constructor(private readonly max: number) {}
  push(...items: T[]): void {
    this.buf.push(...items)
    if (this.buf.length > this.max) this.buf.splice(0, this.buf.length - this.max)
  }
  toArray(): T[] {
    return [...this.buf]
  }
  get length(): number {
    return this.buf.length
  }
}

/** Split a text stream into lines (without "\r\n"), keeping a partial tail of at most MAX_LINE_CHARS. */
export class LineSplitter {
  private readonly buf = new LineBuffer(MAX_LINE_CHARS, true)
  /** Characters held for the line not yet ended. */
  get pending(): number {
    return this.buf.pending
  }
  push(chunk: string, fn: (line: string) => void): void {
    this.buf.push(chunk, fn)
  }
  end(fn: (line: string) => void): void {
    this.buf.end(fn)
  }
}

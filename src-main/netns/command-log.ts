// The command log: every command the engine ran, with time, duration, exit code and stderr.
// Bounded; emits 'appended' with the new entries; exports a reproducing shell script.

import { EventEmitter } from 'node:events'
import { exportScript, type LogEntry } from '../../shared/net/command-log'
import { toShellLine } from '../../shared/net/shell'

export type NewEntry = Omit<LogEntry, 'id' | 'line'>

export class CommandLog extends EventEmitter {
  private items: LogEntry[] = []
  private nextId = 1

  constructor(private readonly max = 5000) {
    super()
  }

  /** Add entries; emits 'appended' once with all of them (an array), so listeners can batch. */
  append(items: NewEntry[]): LogEntry[] {
    if (items.length === 0) return []
    const added = items.map((e) => ({ ...e, id: this.nextId++, line: toShellLine(e.argv) }))
    this.items.push(...added)
    if (this.items.length > this.max) this.items.splice(0, this.items.length - this.max)
    this.emit('appended', added)
    return added
  }

  /** The entries kept (the newest `max`), oldest first. */
  get entries(): readonly LogEntry[] {
    return this.items
  }

  list(): LogEntry[] {
    return [...this.items]
  }

  clear(): void {
    this.items = []
  }

  /** The successful changes as a shell script. */
  exportScript(): string {
    return exportScript(this.items)
  }
}

// Type declaration for pino-roll 4, which ships none: build(options) resolves with the SonicBoom
// stream that writes (and rolls) the log files; SonicBoom's own options pass through.
declare module 'pino-roll' {
  import type { SonicBoom, SonicBoomOpts } from 'sonic-boom'

  export interface PinoRollOptions extends Omit<SonicBoomOpts, 'dest'> {
    /** The log file's path; a number goes before the extension (`main.1.log`, `main.2.log`, …). */
    file: string | (() => string)
    /** Roll when a file reaches this size: a number of MB, or a string with k, m or g. */
    size?: number | string
    /** Roll daily, hourly, or every N ms. */
    frequency?: number | 'daily' | 'hourly'
    extension?: string
    symlink?: boolean
    /** Files kept; with removeOtherLogFiles, also files of earlier runs count. */
    limit?: { count?: number; removeOtherLogFiles?: boolean }
    dateFormat?: string
  }

  export default function build(options: PinoRollOptions): Promise<SonicBoom>
}

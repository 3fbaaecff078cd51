// Exit codes and the CLI's errors: every failure ends as one exit code and a message on stderr
// (and, with --json, an {"error": …} object on stdout), never a stack trace.

import { CommanderError } from 'commander'
import { AppError, type AppErrorData, type ErrorCode } from '../../shared/errors'

/** The documented exit codes. */
export const EXIT = {
  /** Done; no changes pending; every check passed. */
  OK: 0,
  /** `plan`: changes are pending; `check`: a check failed; `ping`: no reply. */
  PENDING: 1,
  /** Bad usage (arguments, options) or a lab file that does not parse or validate. */
  USAGE: 2,
  /** The target could not be reached, or a command on it failed. */
  TARGET: 3,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** Codes of failures the CLI itself names, besides the engine's. */
export type CliErrorCode = ErrorCode | 'USAGE' | 'LAB_INVALID' | 'LAB_NOT_FOUND' | 'NOT_FOUND'

/** One problem in a lab file, at a line and column (1-based). */
export interface LabProblem {
  line: number
  col: number
  path: string
  message: string
}

/** A failure with its exit code; `problems` lists a lab file's errors. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    readonly code: CliErrorCode,
    message: string,
    readonly opts: { detail?: string; problems?: LabProblem[]; source?: string } = {},
  ) {
    super(message)
    this.name = 'CliError'
  }
}

/** A usage error (exit 2). */
export function usageError(message: string, detail?: string): CliError {
  return new CliError(EXIT.USAGE, 'USAGE', message, detail ? { detail } : {})
}

/** What a failure looks like in `--json` output. */
export interface JsonError {
  code: CliErrorCode
  message: string
  detail?: string
  data?: Record<string, unknown>
  /** A lab file's errors, each with line and column. */
  errors?: LabProblem[]
  cause?: AppErrorData
}

/** The exit code, the lines for stderr and the JSON form of anything thrown by a command. */
export function describeFailure(e: unknown): { exitCode: ExitCode; text: string; json: JsonError } {
  if (e instanceof CliError) {
    const where = e.opts.source ?? ''
    const lines = [e.message]
    for (const p of e.opts.problems ?? [])
      lines.push(
        `  ${where ? `${where}:` : ''}${p.line}:${p.col}: ${p.message}${p.path ? ` (at ${p.path})` : ''}`,
      )
    if (e.opts.detail) lines.push(indent(e.opts.detail))
    return {
      exitCode: e.exitCode,
      text: lines.join('\n'),
      json: {
        code: e.code,
        message: e.message,
        ...(e.opts.detail ? { detail: e.opts.detail } : {}),
        ...(e.opts.problems ? { errors: e.opts.problems } : {}),
      },
    }
  }
  if (e instanceof CommanderError)
    return {
      exitCode: EXIT.USAGE,
      text: e.message.replace(/^error: /, ''),
      json: { code: 'USAGE', message: e.message.replace(/^error: /, '') },
    }
  const data = e instanceof AppError ? e.toData() : null
  if (data) {
    // the engine's hint names the op field; on the command line it is a flag
    if (data.code === 'CONFIRM_REQUIRED') data.detail = 'Add --cut-connection to run it anyway.'
    const lines = [`${data.message}`]
    if (data.detail) lines.push(indent(data.detail))
    if (data.cause && data.cause.message !== data.message)
      lines.push(indent(`cause: ${data.cause.message}`))
    return { exitCode: EXIT.TARGET, text: lines.join('\n'), json: data }
  }
  const message = e instanceof Error ? e.message : String(e)
  return {
    exitCode: EXIT.TARGET,
    text: `internal error: ${message}`,
    json: { code: 'INTERNAL', message },
  }
}

function indent(text: string): string {
  return text
    .trim()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')
}

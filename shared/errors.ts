// The one error shape that crosses every boundary (engine → IPC → renderer): data with a code.

/** Every failure the app can name. Stores branch on these, never on message text. */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'COMMAND_FAILED'
  | 'PARTIAL_FAILURE'
  /** The operation would cut the app's own connection; resend it with `confirm: 'cut-connection'`. */
  | 'CONFIRM_REQUIRED'
  | 'SSH_AUTH'
  | 'SSH_HOSTKEY_CHANGED'
  | 'HOSTKEY_STORE'
  | 'TARGET_UNREACHABLE'
  | 'NOT_CONNECTED'
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'PERMISSION_DENIED'
  | 'VAGRANT_MISSING'
  | 'VM_NOT_RUNNING'
  | 'VM_BUSY'
  | 'VM_FAILED'
  | 'UNKNOWN_CHANNEL'
  | 'FORBIDDEN_SENDER'
  | 'LIMIT_REACHED'
  | 'INTERNAL'

/** Serializable error data: what happened, in words a user can act on, plus optional detail. */
export interface AppErrorData {
  code: ErrorCode
  message: string
  /** Longer detail: the command that failed, stderr, hints. */
  detail?: string
  /** Structured extras (e.g. which step failed, what state it left). */
  data?: Record<string, unknown>
  cause?: AppErrorData
}

/** An Error that carries {@link AppErrorData}; thrown in main and re-thrown by the renderer client. */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly detail?: string
  readonly data?: Record<string, unknown>
  readonly causeData?: AppErrorData

  constructor(
    code: ErrorCode,
    message: string,
    opts: { detail?: string; data?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message)
    this.name = 'AppError'
    this.code = code
    if (opts.detail !== undefined) this.detail = opts.detail
    if (opts.data !== undefined) this.data = opts.data
    if (opts.cause !== undefined) this.causeData = toErrorData(opts.cause)
  }

  toData(): AppErrorData {
    const out: AppErrorData = { code: this.code, message: this.message }
    if (this.detail !== undefined) out.detail = this.detail
    if (this.data !== undefined) out.data = this.data
    if (this.causeData !== undefined) out.cause = this.causeData
    return out
  }

  static fromData(d: AppErrorData): AppError {
    const e = new AppError(d.code, d.message, {
      ...(d.detail !== undefined ? { detail: d.detail } : {}),
      ...(d.data !== undefined ? { data: d.data } : {}),
    })
    if (d.cause) (e as { causeData?: AppErrorData }).causeData = d.cause
    return e
  }
}

/** Anything thrown → error data; unknown errors become INTERNAL. */
export function toErrorData(err: unknown): AppErrorData {
  if (err instanceof AppError) return err.toData()
  if (isErrorData(err)) return err
  if (err instanceof Error) return { code: 'INTERNAL', message: err.message }
  return { code: 'INTERNAL', message: String(err) }
}

/** Type guard for serialized error data. */
export function isErrorData(v: unknown): v is AppErrorData {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as AppErrorData).code === 'string' &&
    typeof (v as AppErrorData).message === 'string'
  )
}

/** Result envelope used on the IPC boundary. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: AppErrorData }

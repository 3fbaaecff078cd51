// Turns any thrown value into what the UI shows: what happened, the detail, and what to try next.

import { AppError, type ErrorCode } from '@shared/errors'

/** An error ready for display. */
export interface ErrorView {
  code: ErrorCode
  /** What happened, one sentence. */
  message: string
  /** The failing command, stderr, or other detail (monospace). */
  detail?: string
  /** What to try next. */
  hint: string
}

const HINTS: Partial<Record<ErrorCode, string>> = {
  INVALID_ARGUMENT: 'Correct the highlighted value and try again.',
  COMMAND_FAILED: 'Read the stderr below; the command log has the full output.',
  PARTIAL_FAILURE: 'Part of the operation ran. Check the tables, then fix or delete what was made.',
  SSH_AUTH:
    'Check the user name and key path, or that the key is in authorized_keys on the target.',
  SSH_HOSTKEY_CHANGED:
    'The target offered a different host key than the one pinned. Review both fingerprints and replace the pin only if you rebuilt the machine; otherwise do not connect.',
  HOSTKEY_STORE: 'Fix the pinned-keys file named above or move it aside; nothing was changed.',
  TARGET_UNREACHABLE: 'Check the host and port, that sshd runs there, and try Reconnect.',
  NOT_CONNECTED: 'Connect to a target first (the bar at the top).',
  TIMEOUT: 'The target did not answer in time. Try again, or Reconnect.',
  PERMISSION_DENIED: 'The target user needs root or password-less sudo for ip netns.',
  VAGRANT_MISSING: 'Install Vagrant and VirtualBox (or libvirt), or choose an SSH host instead.',
  VM_NOT_RUNNING: 'Boot the VM first.',
  VM_BUSY: 'Wait for the current VM step to finish.',
  VM_FAILED: 'See the last log lines below; fix the cause and Boot again.',
  LIMIT_REACHED: 'Stop something that is running, then try again.',
}

/** Describe an error for the user. */
export function describeError(err: unknown): ErrorView {
  const code: ErrorCode = err instanceof AppError ? err.code : 'INTERNAL'
  const message = err instanceof Error ? err.message : String(err)
  const view: ErrorView = {
    code,
    message,
    hint: HINTS[code] ?? 'This looks like a bug in netns-studio; the command log may say more.',
  }
  if (err instanceof AppError && err.detail) view.detail = err.detail
  return view
}

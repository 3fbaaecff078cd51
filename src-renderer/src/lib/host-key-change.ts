// A changed host key that main refused (the `data` of an SSH_HOSTKEY_CHANGED error), checked
// before the review dialog shows it: the renderer only displays it and sends back id and key.

import { AppError } from '@shared/errors'
import type { HostKeyChange } from '@shared/ipc/domains/core'

export type { HostKeyChange }

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/

/** The change a refused connect carries, or null for any other error (or malformed data). */
export function hostKeyChangeOf(err: unknown): HostKeyChange | null {
  if (!(err instanceof AppError) || err.code !== 'SSH_HOSTKEY_CHANGED' || !err.data) return null
  const d = err.data
  const ok =
    typeof d.id === 'string' &&
    typeof d.host === 'string' &&
    typeof d.port === 'number' &&
    Number.isInteger(d.port) &&
    typeof d.pinnedFingerprint === 'string' &&
    typeof d.offeredFingerprint === 'string' &&
    FINGERPRINT.test(d.pinnedFingerprint) &&
    FINGERPRINT.test(d.offeredFingerprint)
  if (!ok) return null
  return {
    id: d.id as string,
    host: d.host as string,
    port: d.port as number,
    pinnedFingerprint: d.pinnedFingerprint as string,
    offeredFingerprint: d.offeredFingerprint as string,
  }
}

/** `host:port`, with an IPv6 address in brackets (`[::1]:22`). */
export function hostPort(c: Pick<HostKeyChange, 'host' | 'port'>): string {
  return c.host.includes(':') ? `[${c.host}]:${c.port}` : `${c.host}:${c.port}`
}

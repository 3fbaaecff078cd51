// A changed host key, refused: the error that shows both fingerprints, and the one way to replace
// the pin afterwards — with exactly the key that was refused, after the user has reviewed it.

import { AppError } from '../../shared/errors'
import type { HostKeyChange } from '../../shared/ipc/domains/core'
import type { HostKeyStore } from './host-keys'

export type { HostKeyChange }

/**
 * SSH_HOSTKEY_CHANGED with {@link HostKeyChange} as data. In main it also holds the store the pin
 * lives in, so the refused key can be pinned later (that part never crosses IPC).
 */
export class HostKeyChangedError extends AppError {
  readonly change: HostKeyChange
  readonly #store: HostKeyStore

  constructor(change: HostKeyChange, where: string, store: HostKeyStore) {
    super('SSH_HOSTKEY_CHANGED', `The host key of ${where} has changed; refusing to connect.`, {
      detail:
        `Pinned: ${change.pinnedFingerprint}\nOffered: ${change.offeredFingerprint}\n` +
        'Someone may be intercepting the connection, or the machine was rebuilt. Compare the offered ' +
        'fingerprint with the one the machine itself reports (ssh-keygen -lf on its host key) before ' +
        'replacing the pinned key.',
      data: { ...change },
    })
    this.change = change
    this.#store = store
  }

  /**
   * Pin the offered key, only while the pin is still the one it was refused against. True when
   * the offered key is pinned now (also when it already was).
   */
  async accept(): Promise<boolean> {
    const { id, pinnedFingerprint, offeredFingerprint } = this.change
    if (await this.#store.replace(id, pinnedFingerprint, offeredFingerprint)) return true
    return (await this.#store.get(id)) === offeredFingerprint
  }
}

/** How many refusals are remembered (the oldest go first). */
const KEEP = 32

/**
 * The last refused host key per id, for `target:trust-host-key`: a pin is replaced only with the
 * key the last refused connection to that id saw, so the renderer cannot pin a value of its own.
 */
export class HostKeyReviews {
  private readonly refused = new Map<string, HostKeyChangedError>()

  /** Pass `connecting` through, remembering a changed-key refusal it fails with. */
  async watch<T>(connecting: Promise<T>): Promise<T> {
    try {
      return await connecting
    } catch (e) {
      if (e instanceof HostKeyChangedError) this.note(e)
      throw e
    }
  }

  /** Remember a refusal (replacing an older one for the same id). */
  note(e: HostKeyChangedError): void {
    this.refused.delete(e.change.id)
    this.refused.set(e.change.id, e)
    for (const id of this.refused.keys()) {
      if (this.refused.size <= KEEP) break
      this.refused.delete(id)
    }
  }

  /**
   * Replace the pin of `id` with `fingerprint`, which must be the key the last refused connection
   * to `id` was offered. Throws INVALID_ARGUMENT otherwise, or when the pin changed since.
   */
  async trust(id: string, fingerprint: string): Promise<void> {
    const e = this.refused.get(id)
    if (!e)
      throw new AppError(
        'INVALID_ARGUMENT',
        `No connection to ${id} was refused for a changed host key; connect, then review the key it offers.`,
      )
    if (e.change.offeredFingerprint !== fingerprint)
      throw new AppError(
        'INVALID_ARGUMENT',
        `${fingerprint} is not the key ${id} offered when it was refused; connect again and review the key it offers now.`,
      )
    if (!(await e.accept()))
      throw new AppError(
        'INVALID_ARGUMENT',
        `The pinned key of ${id} changed after the refusal; connect again and review the key it offers now.`,
      )
    this.refused.delete(id)
  }
}

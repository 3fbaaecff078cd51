// Reviewing a changed host key: the refusal's data is what crosses IPC (no store), and a pin is
// replaced only with the refused key, only while the pin is still the one it was refused against.

import { describe, expect, it } from 'vitest'
import { toErrorData } from '../../../../shared/errors'
import { HostKeyChangedError, HostKeyReviews } from '../../../../src-main/target/host-key-review'
import { MemoryHostKeyStore } from '../../../../src-main/target/host-keys'

const fp = (n: number): string => `SHA256:${String(n).padStart(43, 'A')}`

function refusal(store: MemoryHostKeyStore, id = 'ssh:lab:22'): HostKeyChangedError {
  return new HostKeyChangedError(
    { id, host: 'lab', port: 22, pinnedFingerprint: fp(1), offeredFingerprint: fp(2) },
    'root@lab:22',
    store,
  )
}

describe('HostKeyReviews', () => {
  it('sends only code, message, detail and data over IPC', () => {
    const d = toErrorData(refusal(new MemoryHostKeyStore()))
    expect(Object.keys(d).sort()).toEqual(['code', 'data', 'detail', 'message'])
    expect(d.code).toBe('SSH_HOSTKEY_CHANGED')
    expect(JSON.parse(JSON.stringify(d.data))).toEqual({
      id: 'ssh:lab:22',
      host: 'lab',
      port: 22,
      pinnedFingerprint: fp(1),
      offeredFingerprint: fp(2),
    })
  })

  it('replaces the pin with the refused key only, once', async () => {
    const store = new MemoryHostKeyStore()
    await store.set('ssh:lab:22', fp(1))
    const reviews = new HostKeyReviews()
    await expect(reviews.watch(Promise.reject(refusal(store)))).rejects.toBeInstanceOf(
      HostKeyChangedError,
    )
    await expect(reviews.trust('ssh:lab:22', fp(3))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await expect(reviews.trust('ssh:other:22', fp(2))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    expect(await store.get('ssh:lab:22')).toBe(fp(1))
    await reviews.trust('ssh:lab:22', fp(2))
    expect(await store.get('ssh:lab:22')).toBe(fp(2))
    await expect(reviews.trust('ssh:lab:22', fp(2))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
  })

  it('refuses when the pin changed after the refusal (it no longer is what the user reviewed)', async () => {
    const store = new MemoryHostKeyStore()
    await store.set('ssh:lab:22', fp(1))
    const reviews = new HostKeyReviews()
    reviews.note(refusal(store))
    await store.set('ssh:lab:22', fp(7))
    await expect(reviews.trust('ssh:lab:22', fp(2))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/changed after the refusal/),
    })
    expect(await store.get('ssh:lab:22')).toBe(fp(7))
  })

  it('remembers the last 32 refusals', async () => {
    const store = new MemoryHostKeyStore()
    const reviews = new HostKeyReviews()
    for (let i = 0; i < 40; i++) {
      await store.set(`ssh:h${i}:22`, fp(1))
      reviews.note(refusal(store, `ssh:h${i}:22`))
    }
    await expect(reviews.trust('ssh:h0:22', fp(2))).rejects.toMatchObject({
      message: expect.stringMatching(/No connection/),
    })
    await reviews.trust('ssh:h39:22', fp(2))
    await reviews.trust('ssh:h8:22', fp(2))
    expect(await store.get('ssh:h8:22')).toBe(fp(2))
  })
})

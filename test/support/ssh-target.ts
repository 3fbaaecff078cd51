// Test fixture: a real sshd (./sshd) and an SshTarget connected to it, shared by the tests of one
// describe block. Used by integration tests.

import { afterAll, beforeAll } from 'vitest'
import { MemoryHostKeyStore } from '../../src-main/target/host-keys'
import { SshTarget } from '../../src-main/target/ssh-target'
import { startSshd, type SshdFixture } from './sshd'

/**
 * A real sshd on 127.0.0.1 and an SshTarget connected to it, for the tests of one describe block:
 * both start in beforeAll and are closed in afterAll. Call it inside describe() before the block's
 * own hooks: its beforeAll then runs first and its afterAll last (vitest's default hook order,
 * `sequence.hooks: 'stack'`), so the block's own cleanup can still use the target. Read `.target`
 * and `.sshd` inside hooks and tests (they are set once beforeAll has run).
 */
export function sshTargetForSuite(): { readonly sshd: SshdFixture; readonly target: SshTarget } {
  let sshd: SshdFixture | undefined
  let target: SshTarget | undefined
  beforeAll(async () => {
    sshd = await startSshd()
    target = new SshTarget({ ...sshd, hostKeys: new MemoryHostKeyStore() })
    await target.connect()
  })
  afterAll(async () => {
    await target?.close()
    await sshd?.stop()
  })
  const notYet = (): never => {
    throw new Error('sshTargetForSuite: .sshd and .target are set once its beforeAll has run')
  }
  return {
    get sshd() {
      return sshd ?? notYet()
    },
    get target() {
      return target ?? notYet()
    },
  }
}

// Each namespace's identity in the snapshot, over SshTarget → real sshd → real namespaces: the
// inode the snapshot gives is the one `stat -L -c %i` and a process inside the namespace see,
// for the root too, and it is read in the snapshot's single round trip.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { HOST_NS, type NetNamespace, type Snapshot } from '../../shared/net/model'
import { readSnapshot } from '../../src-main/netns/snapshot'
import { cleanupPrefix, runPrefix, sh } from '../support/netns'
import { sshTargetForSuite } from '../support/ssh-target'
import { integrationSkipReason } from '../support/sshd'

const skip = integrationSkipReason()
if (skip) console.warn(`SKIP snapshot inode integration: ${skip}`)

const P = runPrefix()
const [A, B] = [`${P}ia`, `${P}ib`]

const find = (snap: Snapshot, name: string): NetNamespace => {
  const n = snap.namespaces.find((x) => x.name === name)
  if (!n) throw new Error(`namespace ${name} not in snapshot`)
  return n
}
const statInode = (path: string): number => Number(sh(['stat', '-L', '-c', '%i', '--', path]))
/** What `readlink /proc/self/ns/net` prints inside the namespace (null: the root), as a number. */
const seenInside = (ns: string | null): number => {
  const argv = ['readlink', '/proc/self/ns/net']
  const out = sh(ns ? ['ip', 'netns', 'exec', ns, ...argv] : argv).trim()
  const m = /^net:\[(\d+)\]$/.exec(out)
  if (!m) throw new Error(`unexpected readlink output: ${out}`)
  return Number(m[1])
}

describe.skipIf(!!skip)('snapshot inodes on real namespaces', () => {
  const ssh = sshTargetForSuite()

  beforeAll(() => {
    for (const n of [A, B]) sh(['ip', 'netns', 'add', n])
  })

  afterAll(() => {
    cleanupPrefix(P)
  })

  it('gives each namespace the inode of its file, as a process inside sees it; two differ', async () => {
    const run = vi.spyOn(ssh.target, 'run')
    const snap = await readSnapshot(ssh.target)
    // Still one command in one round trip.
    expect(run).toHaveBeenCalledTimes(1)
    expect(run.mock.calls[0]![0]).toHaveLength(1)
    run.mockRestore()
    for (const n of [A, B]) {
      const inode = find(snap, n).inode
      expect(inode).toBe(statInode(`/run/netns/${n}`))
      expect(inode).toBe(seenInside(n))
    }
    expect(find(snap, A).inode).not.toBe(find(snap, B).inode)
  })

  it("gives the root namespace the host's inode, different from every named one", async () => {
    const snap = await readSnapshot(ssh.target)
    const host = find(snap, HOST_NS).inode
    expect(host).toBe(seenInside(null))
    // PID 1's namespace file is the tutorial's reference; a sandbox may deny reading it.
    let pid1: number | null = null
    try {
      pid1 = statInode('/proc/1/ns/net')
    } catch (err) {
      console.warn(
        `/proc/1/ns/net not readable here, compared with /proc/self only: ${String(err)}`,
      )
    }
    if (pid1 !== null) expect(host).toBe(pid1)
    expect(snap.namespaces.filter((n) => n.inode === host).map((n) => n.name)).toEqual([HOST_NS])
  })
})

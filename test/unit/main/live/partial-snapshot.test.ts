// The monitor's partial merge on the captured lab snapshot: a re-read namespace replaces its old
// self with peers and nsid carried over; a changed link set or an unknown namespace refuses (null).

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { NetNamespace } from '../../../../shared/net/model'
import { parseSnapshot } from '../../../../shared/net/snapshot-parse'
import { mergePartial } from '../../../../src-main/streams/partial-snapshot'

const text = readFileSync('test/fixtures/ip/snapshot-lab.txt', 'utf8')
const base = parseSnapshot(text, { takenAt: 1, durationMs: 5 })
/** fx1 as a partial read sees it: parsed alone, so its veth peer is not resolved. */
const alone = (name: string): NetNamespace => {
  const block = text.split(/(?=^@@NS)/m).find((b) => b.startsWith(`@@NS ${name}\n`))!
  return parseSnapshot(block, { takenAt: 2, durationMs: 1 }).namespaces[0]!
}

describe('mergePartial', () => {
  it('replaces one namespace, keeping peers, nsid and every other namespace', () => {
    const fresh = alone('fx1')
    const veth = fresh.links.find((l) => l.kind === 'veth')!
    veth.flags = veth.flags.filter((f) => f !== 'UP') // the change the event reported
    const merged = mergePartial(base, [fresh], 10, 3)!
    expect(merged.takenAt).toBe(10)
    const old = base.namespaces.find((n) => n.name === 'fx1')!
    const now = merged.namespaces.find((n) => n.name === 'fx1')!
    expect(now.nsid).toBe(old.nsid)
    const was = old.links.find((l) => l.ifindex === veth.ifindex)!
    expect(was.peer?.namespace).toBeTruthy()
    expect(now.links.find((l) => l.ifindex === veth.ifindex)).toMatchObject({
      peer: was.peer,
      flags: veth.flags,
    })
    expect(merged.namespaces.map((n) => n.name)).toEqual(base.namespaces.map((n) => n.name))
    for (const n of merged.namespaces.filter((x) => x.name !== 'fx1'))
      expect(n).toBe(base.namespaces.find((x) => x.name === n.name))
  })

  it('refuses when links came, went or were renamed, or the namespace is unknown', () => {
    const added = alone('fx1')
    added.links = [...added.links, { ...added.links[0]!, ifindex: 999, ifname: 'new0' }]
    expect(mergePartial(base, [added], 10, 1)).toBeNull()
    const removed = alone('fx1')
    removed.links = removed.links.slice(1)
    expect(mergePartial(base, [removed], 10, 1)).toBeNull()
    const renamed = alone('fx1')
    renamed.links = renamed.links.map((l, i) => (i === 0 ? { ...l, ifname: 'other' } : l))
    expect(mergePartial(base, [renamed], 10, 1)).toBeNull()
    expect(mergePartial(base, [{ ...alone('fx1'), name: 'nope' }], 10, 1)).toBeNull()
  })
})

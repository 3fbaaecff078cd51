// Each namespace's identity (the inode of its namespace file) parsed from REAL captured output:
// test/fixtures/ip/snapshot-inodes.txt is the snapshot script run on this machine with its
// /run/netns/* glob replaced by fxi1, fxi2 (a veth between them) and fxigone (no such file, so
// `stat` and `ip -n` printed nothing for it: what a namespace deleted mid-read looks like).

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { NetNamespace } from '../../../../shared/net/model'
import { parseInodes, parseSnapshot } from '../../../../shared/net/snapshot-parse'
import { mergePartial } from '../../../../src-main/streams/partial-snapshot'

const read = (name: string): string =>
  readFileSync(new URL(`../../../fixtures/ip/${name}`, import.meta.url), 'utf8')
const text = read('snapshot-inodes.txt')
const snap = parseSnapshot(text, { takenAt: 1, durationMs: 1 })
const ns = (name: string): NetNamespace => {
  const n = snap.namespaces.find((x) => x.name === name)
  if (!n) throw new Error(`no namespace ${name}`)
  return n
}

describe('namespace inodes in the snapshot', () => {
  it('gives every namespace, the root included, the inode stat printed for its file', () => {
    // The values `stat -L -c '%i %n'` printed in the capture (the @@INODES block).
    expect(ns('host').inode).toBe(4026531833)
    expect(ns('fxi1').inode).toBe(4026532248)
    expect(ns('fxi2').inode).toBe(4026532317)
  })

  it('reports a namespace gone before it was read as vanished, with no inode and no error', () => {
    expect(snap.vanished).toEqual(['fxigone'])
    expect(snap.namespaces.map((n) => n.name)).toEqual(['host', 'fxi1', 'fxi2'])
  })

  it('keeps the rest of the snapshot as before (links and peers across the two namespaces)', () => {
    const eth0 = ns('fxi1').links.find((l) => l.ifname === 'eth0')
    expect(eth0?.peer).toMatchObject({ namespace: 'fxi2', ifname: 'eth0' })
  })

  it('leaves the inode absent when there was no stat line for it, never a guess', () => {
    const old = parseSnapshot(read('snapshot-lab.txt'), { takenAt: 1, durationMs: 1 })
    expect(old.namespaces.length).toBeGreaterThan(1)
    for (const n of old.namespaces) expect(n).not.toHaveProperty('inode')
    const noFxi2 = text.replace(/^\d+ \/run\/netns\/fxi2\n/m, '')
    expect(noFxi2).not.toBe(text)
    const s = parseSnapshot(noFxi2, { takenAt: 1, durationMs: 1 })
    expect(s.namespaces.find((n) => n.name === 'fxi2')).not.toHaveProperty('inode')
    expect(s.namespaces.find((n) => n.name === 'fxi1')?.inode).toBe(4026532248)
  })

  it('maps /run/netns/host to the netns/host alias and drops ambiguous or foreign lines', () => {
    const m = parseInodes([
      '11 /proc/self/ns/net',
      '12 /run/netns/host',
      '13 /run/netns/a',
      '14 /run/netns/a',
      '15 /etc/passwd',
      '16 /run/netns/',
      'x /run/netns/b',
      '99999999999999999999 /run/netns/c',
      '17 /run/netns/with space',
    ])
    expect([...m]).toEqual([
      ['host', 11],
      ['netns/host', 12],
      ['with space', 17],
    ])
  })

  it('keeps the inode when the monitor merges a partial re-read (which reads none)', () => {
    const block = text.split(/(?=^@@NS)/m).find((b) => b.startsWith('@@NS fxi1\n'))!
    const fresh = parseSnapshot(block, { takenAt: 2, durationMs: 1 }).namespaces[0]!
    expect(fresh).not.toHaveProperty('inode')
    const merged = mergePartial(snap, [fresh], 3, 1)
    expect(merged?.namespaces.find((n) => n.name === 'fxi1')?.inode).toBe(4026532248)
  })
})

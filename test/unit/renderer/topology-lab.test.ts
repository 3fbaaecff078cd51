// Between the drawn topology and the open lab: node ids and lab keys, which lab link an edge draws,
// the addresses shown on each link end (global only, at most two then "+N"), where a new node goes,
// and the cytoscape elements (lab membership, end addresses at the right end).

import { connect } from '@shared/lab/edit'
import type { Lab } from '@shared/lab/types'
import { deriveTopology } from '@shared/net/topology'
import { describe, expect, it } from 'vitest'
import { topologyElements } from '../../../src-renderer/src/lib/topology-graph'
import {
  endAddressText,
  freeSpot,
  keyOfNode,
  linkOfEdge,
  nodeInLab,
  nodeOfKey,
  SPACING,
  suggestName,
} from '../../../src-renderer/src/lib/topology-lab'
import { addr, link, lo, ns, snapshot, tutorial1 } from './support/snapshot'

const lab = (p: Partial<Lab> = {}): Lab => ({
  name: 'x',
  kind: 'lab',
  namespaces: { ns1: {}, ns2: {} },
  bridges: [{ name: 'br0' }],
  links: [
    {
      endpoints: [
        { ns: 'ns2', name: 'veth1', addresses: ['10.10.10.2/28'] },
        { ns: 'ns1', name: 'veth0' },
      ],
    },
  ],
  routes: [],
  nat: [],
  ...p,
})

describe('node ids and lab keys', () => {
  it('maps namespaces and bridges both ways', () => {
    expect(keyOfNode('ns:red')).toBe('red')
    expect(keyOfNode('br:host/br0')).toBe('host/br0')
    expect(keyOfNode('local:x')).toBeNull()
    expect(nodeOfKey('red')).toBe('ns:red')
    expect(nodeOfKey('red/sw')).toBe('br:red/sw')
    expect(nodeInLab(lab(), 'ns:ns1')).toBe(true)
    expect(nodeInLab(lab(), 'ns:host')).toBe(true)
    expect(nodeInLab(lab(), 'br:host/br0')).toBe(true)
    expect(nodeInLab(lab(), 'ns:blue')).toBe(false)
    expect(nodeInLab(null, 'ns:host')).toBe(false)
  })
})

describe('which lab link an edge draws', () => {
  const edge = deriveTopology(tutorial1()).edges.find((e) => e.kind === 'veth')!

  it('finds the link and which lab end is the edge’s a end, whatever the order', () => {
    const l = linkOfEdge(lab(), edge)
    expect(l?.index).toBe(0)
    const aEnd = lab().links[0]!.endpoints[l!.aEnd]
    expect(aEnd.name).toBe(edge.a!.ifname)
  })

  it('is null for a link the lab does not hold (made by hand)', () => {
    expect(linkOfEdge(lab({ links: [] }), edge)).toBeNull()
    expect(linkOfEdge(null, edge)).toBeNull()
    // Same names in other namespaces are not this link.
    const other = lab({
      links: [{ endpoints: [{ name: 'veth0' }, { ns: 'ns2', name: 'veth1' }] }],
    })
    expect(linkOfEdge(other, edge)).toBeNull()
  })
})

describe('addresses on a link end', () => {
  it('shows global addresses only, two at most and then how many more', () => {
    const s = snapshot([
      ns('host'),
      ns('red', {
        links: [lo(), link({ ifname: 'v' })],
        addresses: [
          addr('v', '10.0.0.1/24'),
          addr('v', 'fe80::1/64', 'link'),
          addr('v', 'fd00::1/64'),
          addr('v', '10.0.1.1/24'),
          addr('v', '10.0.2.1/24'),
        ],
      }),
    ])
    expect(endAddressText(s, 'red', 'v')).toBe('10.0.0.1/24\nfd00::1/64\n+2')
    expect(endAddressText(s, 'red', 'none')).toBe('')
    expect(endAddressText(null, 'red', 'v')).toBe('')
  })

  it('puts each end’s addresses at the end it belongs to', () => {
    const t = deriveTopology(tutorial1())
    const els = topologyElements(t, { label: () => 'l', snapshot: tutorial1(), lab: lab() })
    const e = els.find((x) => String(x.data.id).startsWith('veth:'))!
    const at = (node: string): unknown => (e.data.source === node ? e.data.srcAddr : e.data.tgtAddr)
    expect(at('ns:ns1')).toBe('10.10.10.1/28')
    expect(at('ns:ns2')).toBe('10.10.10.2/28')
    const node = (id: string): unknown => els.find((x) => x.data.id === id)?.data.lab
    expect([node('ns:ns1'), node('ns:host')]).toEqual(['yes', 'yes'])
    const none = topologyElements(t, { label: () => '', snapshot: tutorial1(), lab: null })
    expect(none.filter((x) => x.data.lab === 'yes')).toEqual([])
  })

  it('with addresses at the ends, names go to the ends and the middle keeps only rates and netem', () => {
    const t = deriveTopology(tutorial1())
    const els = topologyElements(t, {
      label: () => 'veth0 ↔ veth1\n2.5 MB/s',
      snapshot: tutorial1(),
      lab: null,
    })
    const e = els.find((x) => String(x.data.id).startsWith('veth:'))!
    const end = (node: string): unknown => (e.data.source === node ? e.data.srcEnd : e.data.tgtEnd)
    expect(end('ns:ns1')).toBe('veth0\n10.10.10.1/28')
    expect(end('ns:ns2')).toBe('veth1\n10.10.10.2/28')
    expect(e.data.label).toBe('2.5 MB/s')
    // without addresses anywhere the middle keeps the names and the ends say nothing
    const bare = topologyElements(t, { label: () => 'veth0 ↔ veth1', snapshot: null, lab: null })
    const b = bare.find((x) => String(x.data.id).startsWith('veth:'))!
    expect([b.data.label, b.data.srcEnd, b.data.tgtEnd]).toEqual(['veth0 ↔ veth1', '', ''])
  })
})

describe('a place for a new node', () => {
  it('is the center when free, else the nearest free spot on rings around it', () => {
    expect(freeSpot({ x: 10.4, y: 0 }, [])).toEqual({ x: 10, y: 0 })
    const taken = [{ x: 0, y: 0 }]
    const p = freeSpot({ x: 0, y: 0 }, taken)
    expect(Math.hypot(p.x, p.y)).toBeGreaterThanOrEqual(SPACING)
    // Every new spot keeps its distance from all the others.
    const placed = [{ x: 0, y: 0 }]
    for (let i = 0; i < 12; i++) placed.push(freeSpot({ x: 0, y: 0 }, placed))
    for (const a of placed)
      for (const b of placed)
        if (a !== b) expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeGreaterThanOrEqual(SPACING)
  })

  it('suggests the first free numbered name', () => {
    const taken = new Set(['ns1', 'ns2'])
    expect(suggestName('ns', (n) => taken.has(n))).toBe('ns3')
  })
})

describe('a drawn link appears as an edge of the lab', () => {
  it('connect() then the kernel’s names: the edge maps back to the new link', () => {
    const drawn = connect(lab({ links: [] }), 'ns1', 'ns2').lab
    const s = snapshot([
      ns('host'),
      ns('ns1', {
        links: [
          lo(),
          link({ ifname: 'veth-ns2', peer: { namespace: 'ns2', ifname: 'veth-ns1', ifindex: 3 } }),
        ],
      }),
      ns('ns2', {
        links: [
          lo(),
          link({ ifname: 'veth-ns1', peer: { namespace: 'ns1', ifname: 'veth-ns2', ifindex: 3 } }),
        ],
      }),
    ])
    const edge = deriveTopology(s).edges.find((e) => e.kind === 'veth')!
    expect(linkOfEdge(drawn, edge)).toEqual({ index: 0, aEnd: edge.a!.ns === 'ns1' ? 0 : 1 })
  })
})

// Topology edge labels: interface names, the live rate through the pair, and netem on either end.

import { describe, expect, it } from 'vitest'
import { edgeLabel } from '../../../src-renderer/src/lib/edge-label'

const edge = {
  a: { ns: 'ns1', ifname: 'veth0', up: true },
  b: { ns: 'ns2', ifname: 'veth1', up: true },
}

describe('edgeLabel', () => {
  it('names both ends when nothing is measured', () => {
    expect(
      edgeLabel(
        edge,
        () => undefined,
        () => null,
      ),
    ).toBe('veth0 ↔ veth1')
  })

  it("adds the busier end's rate and each end's impairment", () => {
    const rates = new Map([
      ['ns1/veth0', 1500],
      ['ns2/veth1', 2_500_000],
    ])
    const label = edgeLabel(
      edge,
      (ns, i) => rates.get(`${ns}/${i}`),
      (ns, i) =>
        ns === 'ns1' && i === 'veth0' ? { delayMs: 100, jitterMs: 10, lossPct: 1 } : null,
    )
    expect(label.split('\n')).toEqual(['veth0 ↔ veth1', '2.5 MB/s', 'veth0: 100ms ±10ms · 1% loss'])
  })

  it('says nothing for an edge with one end (a bridge inside a namespace)', () => {
    expect(
      edgeLabel(
        { a: null, b: edge.b },
        () => 5,
        () => null,
      ),
    ).toBe('')
  })
})

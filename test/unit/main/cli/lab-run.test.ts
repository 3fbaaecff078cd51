// --cut-connection: the lab's operations that could cut the connection reach the engine with
// confirm: 'cut-connection', every other operation exactly as planned; and the lab's own
// addresses pick where matrix aims.

import { describe, expect, it } from 'vitest'
import { parseLab } from '../../../../shared/lab/parse'
import { confirmCut } from '../../../../shared/net/branch'
import type { NetOp } from '../../../../shared/net/ops'
import { cutOption } from '../../../../src-main/cli/lab-run'
import { labAddresses } from '../../../../src-main/cli/lab-input'

describe('--cut-connection', () => {
  it('adds the confirmation to the root-namespace operations that may cut, and to nothing else', () => {
    // What LabService.apply/destroy do to each planned operation with cutOption's { confirm }.
    expect(cutOption({ cutConnection: true })).toEqual({ confirm: 'cut-connection' })
    expect(cutOption({})).toEqual({})
    const ops: NetOp[] = [
      { op: 'ns.add', name: 'a' },
      { op: 'link.delete', ns: 'host', ifname: 'veth0' },
      { op: 'link.delete', ns: 'a', ifname: 'eth0' },
      { op: 'route.add', ns: 'host', dst: '10.0.0.0/24', dev: 'br0' },
      { op: 'link.set-state', ns: 'host', ifname: 'br0', up: true },
      { op: 'link.set-state', ns: 'host', ifname: 'br0', up: false },
    ]
    expect(ops.map(confirmCut)).toEqual([
      { op: 'ns.add', name: 'a' },
      { op: 'link.delete', ns: 'host', ifname: 'veth0', confirm: 'cut-connection' },
      { op: 'link.delete', ns: 'a', ifname: 'eth0' },
      { op: 'route.add', ns: 'host', dst: '10.0.0.0/24', dev: 'br0', confirm: 'cut-connection' },
      { op: 'link.set-state', ns: 'host', ifname: 'br0', up: true },
      { op: 'link.set-state', ns: 'host', ifname: 'br0', up: false, confirm: 'cut-connection' },
    ])
    expect(ops[1]).not.toHaveProperty('confirm') // the plan's own objects are left as they were
  })
})

describe('labAddresses', () => {
  it("gives each namespace its first lab address, IPv4 first; a bridge port's address belongs to the bridge's namespace", () => {
    const r = parseLab(`name: l
namespaces: { a: {}, b: {}, c: {} }
bridges:
  - { name: br0, ns: c, addresses: [fd00::fe/64, 10.0.0.254/24] }
links:
  - endpoints:
      - { ns: a, name: eth0, addresses: ['fd00::1/64', 10.0.0.1/24] }
      - { bridge: br0, ns: c, name: p0 }
  - endpoints:
      - { ns: b, name: eth0, addresses: ['fd00::2/64'] }
      - { bridge: br0, ns: c, name: p1 }
`)
    if (!r.ok) throw new Error(JSON.stringify(r.errors))
    expect(Object.fromEntries(labAddresses(r.lab))).toEqual({
      a: '10.0.0.1',
      b: 'fd00::2',
      c: '10.0.0.254',
    })
  })
})

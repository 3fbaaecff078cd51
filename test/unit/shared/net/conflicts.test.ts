// Duplicate addresses: reported only where the two places can reach each other.
import { describe, expect, it } from 'vitest'
import { findAddressConflicts } from '../../../../shared/net/conflicts'
import { addr, link, ns, snapshot, tutorial1 } from '../../renderer/support/snapshot'

describe('findAddressConflicts', () => {
  it('finds nothing in tutorial 1', () => {
    expect(findAddressConflicts(tutorial1())).toEqual([])
  })

  it('reports the same address on both ends of one veth as a same-segment conflict', () => {
    const s = tutorial1()
    s.namespaces[2]!.addresses[1] = addr('veth1', '10.10.10.1/28')
    const c = findAddressConflicts(s)
    expect(c).toHaveLength(1)
    expect(c[0]!.address).toBe('10.10.10.1')
    expect(c[0]!.sameSegment).toBe(true)
    expect(c[0]!.places).toEqual([
      { ns: 'ns1', ifname: 'veth0' },
      { ns: 'ns2', ifname: 'veth1' },
    ])
    expect(c[0]!.message).toMatch(/ARP/)
  })

  it('ignores the same address in namespaces that are not connected (that is what namespaces are for)', () => {
    const s = snapshot([
      ns('host'),
      ns('a', {
        links: [link({ ifname: 'd0', kind: 'dummy' })],
        addresses: [addr('d0', '10.0.0.1/24')],
      }),
      ns('b', {
        links: [link({ ifname: 'd0', kind: 'dummy' })],
        addresses: [addr('d0', '10.0.0.1/24')],
      }),
    ])
    expect(findAddressConflicts(s)).toEqual([])
  })

  it('sees through a bridge: red and green on br0 with the same address conflict on one segment', () => {
    const s = snapshot([
      ns('host', {
        links: [
          link({ ifname: 'br0', kind: 'bridge' }),
          link({
            ifname: 'veth-r',
            master: 'br0',
            isBridgePort: true,
            peer: { namespace: 'red', ifname: 'eth0-r', ifindex: 2 },
          }),
          link({
            ifname: 'veth-g',
            master: 'br0',
            isBridgePort: true,
            peer: { namespace: 'green', ifname: 'eth0-g', ifindex: 2 },
          }),
        ],
      }),
      ns('red', {
        links: [
          link({ ifname: 'eth0-r', peer: { namespace: 'host', ifname: 'veth-r', ifindex: 3 } }),
        ],
        addresses: [addr('eth0-r', '10.0.0.1/24')],
      }),
      ns('green', {
        links: [
          link({ ifname: 'eth0-g', peer: { namespace: 'host', ifname: 'veth-g', ifindex: 4 } }),
        ],
        addresses: [addr('eth0-g', '10.0.0.1/24')],
      }),
    ])
    const [c] = findAddressConflicts(s)
    expect(c?.sameSegment).toBe(true)
    expect(c?.places.map((p) => p.ns)).toEqual(['red', 'green'])
  })

  it('reports a namespace reusing the host address it is routed to, as reachable but not same segment', () => {
    const s = tutorial1()
    // ns2 also gets the host's eth0 address; ns2 is connected to ns1 only, so no conflict yet...
    s.namespaces[2]!.addresses.push(addr('veth1', '10.0.2.15/24'))
    expect(findAddressConflicts(s)).toEqual([])
    // ...until the host is wired to ns1.
    s.namespaces[0]!.links.push(
      link({ ifname: 'vh', peer: { namespace: 'ns1', ifname: 'vn', ifindex: 9 } }),
    )
    s.namespaces[1]!.links.push(
      link({ ifname: 'vn', peer: { namespace: 'host', ifname: 'vh', ifindex: 8 } }),
    )
    // A cable without addresses carries no IP traffic yet.
    expect(findAddressConflicts(s)).toEqual([])
    s.namespaces[0]!.addresses.push(addr('vh', '10.0.3.1/24'))
    s.namespaces[1]!.addresses.push(addr('vn', '10.0.3.2/24'))
    const [c] = findAddressConflicts(s)
    expect(c?.address).toBe('10.0.2.15')
    expect(c?.sameSegment).toBe(false)
  })

  it('keeps two labs apart whose bridges both sit in the host without host addresses', () => {
    const lab = (p: string): ReturnType<typeof ns>[] => [
      ns(`${p}red`, {
        links: [link({ ifname: 'e0', peer: { namespace: 'host', ifname: `${p}v`, ifindex: 3 } })],
        addresses: [addr('e0', '10.0.0.1/24')],
      }),
      ns(`${p}green`, {
        links: [link({ ifname: 'e0', peer: { namespace: 'host', ifname: `${p}w`, ifindex: 4 } })],
        addresses: [addr('e0', '10.0.0.2/24')],
      }),
    ]
    const hostLinks = (p: string): ReturnType<typeof link>[] => [
      link({ ifname: `${p}br`, kind: 'bridge' }),
      link({
        ifname: `${p}v`,
        master: `${p}br`,
        peer: { namespace: `${p}red`, ifname: 'e0', ifindex: 2 },
      }),
      link({
        ifname: `${p}w`,
        master: `${p}br`,
        peer: { namespace: `${p}green`, ifname: 'e0', ifindex: 2 },
      }),
    ]
    const s = snapshot([
      ns('host', { links: [...hostLinks('a'), ...hostLinks('b')] }),
      ...lab('a'),
      ...lab('b'),
    ])
    expect(findAddressConflicts(s)).toEqual([])
    // Give the host an address on both bridges: now it routes between the labs.
    s.namespaces[0]!.addresses.push(addr('abr', '10.0.0.254/24'), addr('bbr', '10.0.0.253/24'))
    expect(findAddressConflicts(s).map((c) => [c.address, c.sameSegment])).toEqual([
      ['10.0.0.1', false],
      ['10.0.0.2', false],
    ])
  })

  it('ignores loopback and link-local addresses', () => {
    const s = tutorial1()
    s.namespaces[1]!.addresses.push(addr('veth0', 'fe80::1/64', 'link'))
    s.namespaces[2]!.addresses.push(addr('veth1', 'fe80::1/64', 'link'))
    expect(findAddressConflicts(s)).toEqual([])
  })
})

// Link states in plain words: each kernel state/flag combination a learner meets in tutorials 1–5.
import { describe, expect, it } from 'vitest'
import { explainFlag, explainLinkState } from '../../../../shared/net/flags'

const veth = (flags: string[], operstate: string) => ({
  ifname: 'veth0',
  kind: 'veth' as const,
  flags,
  operstate,
  peer: { namespace: 'ns1', ifname: 'veth1', ifindex: 6 },
})

describe('explainLinkState', () => {
  it('says a fresh veth is administratively down and how to bring it up', () => {
    const e = explainLinkState(veth(['BROADCAST', 'MULTICAST'], 'DOWN'))
    expect(e.health).toBe('down')
    expect(e.explanation).toContain('ip link set dev veth0 up')
  })

  it('explains LOWERLAYERDOWN as this end up, peer down, naming the peer (tutorial 5)', () => {
    const e = explainLinkState(
      veth(['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP'], 'LOWERLAYERDOWN'),
    )
    expect(e.health).toBe('partial')
    expect(e.label).toBe('peer down')
    expect(e.explanation).toMatch(/this end is up but its peer veth1 in ns1 is down/i)
    expect(e.flags.find((f) => f.flag === 'NO-CARRIER')?.meaning).toMatch(/no carrier/)
  })

  it('reports an up veth with both ends up as up', () => {
    expect(explainLinkState(veth(['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], 'UP')).health).toBe(
      'up',
    )
  })

  it('treats loopback UNKNOWN as normal', () => {
    const e = explainLinkState({
      ifname: 'lo',
      kind: 'loopback',
      flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
      operstate: 'UNKNOWN',
    })
    expect(e.health).toBe('up')
    expect(e.explanation).toMatch(/normal/)
  })

  it('explains a bridge without ports that are up', () => {
    const e = explainLinkState({
      ifname: 'br0',
      kind: 'bridge',
      flags: ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP'],
      operstate: 'DOWN',
    })
    expect(e.label).toBe('no ports up')
  })

  it('explains NO-CARRIER on other kinds', () => {
    const e = explainLinkState({
      ifname: 'eth1',
      kind: 'ether',
      flags: ['NO-CARRIER', 'UP'],
      operstate: 'DOWN',
    })
    expect(e.label).toBe('no carrier')
  })

  it('gives unknown flags a generic meaning', () => {
    expect(explainFlag('WEIRD').meaning).toBe('a kernel link flag')
    expect(explainFlag('LOWER_UP').meaning).toMatch(/peer is up/)
  })
})

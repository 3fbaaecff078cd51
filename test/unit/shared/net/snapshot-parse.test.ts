// The snapshot parser on REAL captured output (test/fixtures/ip/snapshot-lab.txt: the host with a
// bridge and two veth ports, fx1 with a default route, fx2 with IPv6 and table 100, fx3 with a
// bridge inside, fx4 empty), and the topology derived from it.

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { NetNamespace, Snapshot } from '../../../../shared/net/model'
import { parseSnapshot } from '../../../../shared/net/snapshot-parse'
import { deriveTopology } from '../../../../shared/net/topology'

const text = readFileSync(new URL('../../../fixtures/ip/snapshot-lab.txt', import.meta.url), 'utf8')
const snap: Snapshot = parseSnapshot(text, { takenAt: 1000, durationMs: 12 })
const ns = (name: string): NetNamespace => {
  const n = snap.namespaces.find((x) => x.name === name)
  if (!n) throw new Error(`no namespace ${name}`)
  return n
}
const link = (nsName: string, ifname: string) => ns(nsName).links.find((l) => l.ifname === ifname)

describe('parseSnapshot on captured output', () => {
  it('lists the host first, then every namespace in name order', () => {
    expect(snap.namespaces.map((n) => n.name)).toEqual(['host', 'fx1', 'fx2', 'fx3', 'fx4'])
    expect(ns('host').isHost).toBe(true)
    expect(snap.vanished).toEqual([])
    expect(snap.takenAt).toBe(1000)
  })

  it('resolves veth peers across namespaces, both ways', () => {
    expect(link('fx1', 'eth0')?.peer).toMatchObject({ namespace: 'host', ifname: 'fxv1' })
    expect(link('fx2', 'eth0')?.peer).toMatchObject({ namespace: 'host', ifname: 'fxv2' })
    expect(link('host', 'fxv1')?.peer).toMatchObject({ namespace: 'fx1', ifname: 'eth0' })
    expect(link('host', 'fxv2')?.peer).toMatchObject({ namespace: 'fx2', ifname: 'eth0' })
  })

  it('gives nsids as the root sees them (none for namespaces never assigned one)', () => {
    expect(ns('fx1').nsid).toBe(2)
    expect(ns('fx2').nsid).toBe(3)
    expect(ns('fx3').nsid).toBeNull()
    expect(ns('host').nsid).toBeNull()
  })

  it('knows link kinds, bridge ports with their master, flags, operstate, MAC and MTU', () => {
    expect(link('host', 'lo')).toMatchObject({ kind: 'loopback', mtu: 65536 })
    expect(link('host', 'fxbr0')).toMatchObject({
      kind: 'bridge',
      operstate: 'UP',
      isBridgePort: false,
    })
    expect(link('host', 'fxv1')).toMatchObject({
      kind: 'veth',
      master: 'fxbr0',
      isBridgePort: true,
    })
    expect(link('fx3', 'br9')).toMatchObject({ kind: 'bridge', operstate: 'DOWN' })
    expect(link('fx2', 'lo')?.flags).toEqual(['LOOPBACK'])
    expect(link('fx1', 'eth0')?.flags).toEqual(expect.arrayContaining(['UP', 'LOWER_UP']))
    expect(link('fx1', 'eth0')?.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/)
    expect(link('fx1', 'eth0')?.mtu).toBe(1500)
  })

  it('reads IPv4 and IPv6 addresses with their prefix', () => {
    expect(ns('fx1').addresses).toContainEqual(
      expect.objectContaining({
        ifname: 'eth0',
        family: 'inet',
        local: '10.77.0.2',
        prefixlen: 24,
      }),
    )
    expect(ns('fx2').addresses).toContainEqual(
      expect.objectContaining({
        ifname: 'eth0',
        family: 'inet6',
        local: 'fd00:77::3',
        prefixlen: 64,
      }),
    )
  })

  it('reads routes of every table: default via gateway, table 100, the IPv6 default, local', () => {
    expect(ns('fx1').routes).toContainEqual(
      expect.objectContaining({
        family: 'inet',
        table: 'main',
        dst: 'default',
        gateway: '10.77.0.1',
        dev: 'eth0',
      }),
    )
    expect(ns('fx2').routes).toContainEqual(
      expect.objectContaining({
        family: 'inet',
        table: '100',
        dst: '192.168.50.0/24',
        dev: 'eth0',
      }),
    )
    expect(ns('fx2').routes).toContainEqual(
      expect.objectContaining({ family: 'inet6', dst: 'default', gateway: 'fd00:77::1' }),
    )
    expect(ns('fx1').routes.some((r) => r.table === 'local')).toBe(true)
  })

  it('reads neighbours with MAC and state, including a FAILED one without MAC', () => {
    expect(ns('fx1').neighbours).toEqual([
      expect.objectContaining({
        dst: '10.77.0.3',
        dev: 'eth0',
        mac: link('fx2', 'eth0')?.mac,
        state: ['STALE'],
      }),
    ])
    expect(ns('host').neighbours).toContainEqual(
      expect.objectContaining({ dst: 'fd00::1', mac: null, state: ['FAILED'] }),
    )
  })

  it('shows an empty namespace with just its loopback, and forwarding from netconf', () => {
    expect(ns('fx4').links.map((l) => l.ifname)).toEqual(['lo'])
    expect(ns('fx4').addresses).toEqual([])
    expect(ns('fx4').routes).toEqual([])
    expect(ns('fx1').ipForward).toBe(false)
  })

  it('treats a namespace that vanished mid-snapshot as gone, not as an error', () => {
    const s = parseSnapshot(`${text}\n@@NS gone1\n`, { takenAt: 1, durationMs: 1 })
    expect(s.vanished).toEqual(['gone1'])
    expect(s.namespaces.map((n) => n.name)).not.toContain('gone1')
  })

  it('survives truncated or garbage JSON without throwing', () => {
    expect(() =>
      parseSnapshot('@@NS\n[{"ifindex":1,\n@@NS x\nnot json\n', { takenAt: 1, durationMs: 1 }),
    ).not.toThrow()
  })
})

describe('deriveTopology', () => {
  const topo = deriveTopology(snap)

  it('has the host, every namespace and every bridge as nodes', () => {
    expect(topo.nodes.map((n) => n.id).sort()).toEqual(
      ['br:fx3/br9', 'br:host/fxbr0', 'ns:fx1', 'ns:fx2', 'ns:fx3', 'ns:fx4', 'ns:host'].sort(),
    )
    expect(topo.nodes.find((n) => n.id === 'ns:host')?.kind).toBe('host')
    expect(topo.nodes.find((n) => n.id === 'br:host/fxbr0')?.kind).toBe('bridge')
  })

  it('connects each namespace to the bridge its veth peer is a port of', () => {
    const veth = topo.edges.filter((e) => e.kind === 'veth')
    expect(veth.map((e) => [e.source, e.target].sort().join(' '))).toEqual(
      expect.arrayContaining(['br:host/fxbr0 ns:fx1', 'br:host/fxbr0 ns:fx2']),
    )
    expect(veth.every((e) => e.up)).toBe(true)
  })

  it('draws a bridge inside a namespace next to it, down when the bridge is down', () => {
    const e = topo.edges.find((x) => x.target === 'br:fx3/br9' || x.source === 'br:fx3/br9')
    expect(e?.up).toBe(false)
  })
})

// The engine end to end over SshTarget → real sshd → real namespaces in this kernel: the flows of
// tutorials 1–3, the snapshot's edge cases, precise failures, and reset.

import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../shared/errors'
import { HOST_NS, type NetNamespace, type Snapshot } from '../../shared/net/model'
import type { NetOp } from '../../shared/net/ops'
import { deriveTopology } from '../../shared/net/topology'
import { NetnsEngine } from '../../src-main/netns/engine'
import {
  cleanupPrefix,
  hostLinksWithPrefix,
  macOf,
  namespacesWithPrefix,
  runPrefix,
  sh,
} from '../support/netns'
import { sshTargetForSuite } from '../support/ssh-target'
import { integrationSkipReason } from '../support/sshd'

const skip = integrationSkipReason()
if (skip) console.warn(`SKIP engine integration: ${skip}`)

const P = runPrefix()

function find(snap: Snapshot, name: string): NetNamespace {
  const n = snap.namespaces.find((x) => x.name === name)
  if (!n)
    throw new Error(
      `namespace ${name} not in snapshot (have ${snap.namespaces.map((x) => x.name).join(', ')})`,
    )
  return n
}

describe.skipIf(!!skip)('NetnsEngine over SSH on real namespaces', () => {
  const ssh = sshTargetForSuite()
  let engine: NetnsEngine
  let forwardBefore = '0'

  beforeAll(() => {
    engine = new NetnsEngine(ssh.target, undefined, {
      ownedFile: `/run/netns-studio/owned-${P}test`,
    })
    forwardBefore = sh(['sysctl', '-n', 'net.ipv4.ip_forward']).trim()
  })

  afterAll(async () => {
    await engine?.reset().catch(() => undefined)
    cleanupPrefix(P)
    sh(['sysctl', '-qw', `net.ipv4.ip_forward=${forwardBefore}`])
  })

  const ping = (from: string, to: string): number => {
    try {
      sh(['ip', 'netns', 'exec', from, 'ping', '-c', '1', '-W', '2', to])
      return 0
    } catch {
      return 1
    }
  }

  it('tutorial 1: two namespaces joined by a veth pair with /28 addresses can ping; each end shows its peer', async () => {
    const [a, b] = [`${P}ns1`, `${P}ns2`]
    const ops: NetOp[] = [
      { op: 'ns.add', name: a },
      { op: 'ns.add', name: b },
      { op: 'veth.add', name: 'veth0', peer: 'veth1', ns: a, peerNs: b },
      { op: 'addr.add', ns: a, ifname: 'veth0', cidr: '10.10.10.1/28' },
      { op: 'addr.add', ns: b, ifname: 'veth1', cidr: '10.10.10.2/28' },
      { op: 'link.set-state', ns: a, ifname: 'veth0', up: true },
      { op: 'link.set-state', ns: b, ifname: 'veth1', up: true },
    ]
    for (const op of ops) await engine.apply(op)
    expect(ping(a, '10.10.10.2')).toBe(0)

    const snap = await engine.snapshot()
    const v0 = find(snap, a).links.find((l) => l.ifname === 'veth0')!
    const v1 = find(snap, b).links.find((l) => l.ifname === 'veth1')!
    expect(v0.kind).toBe('veth')
    expect(v0.peer).toMatchObject({ namespace: b, ifname: 'veth1' })
    expect(v1.peer).toMatchObject({ namespace: a, ifname: 'veth0' })
    expect(v0.flags).toContain('LOWER_UP')
    expect(find(snap, a).addresses).toContainEqual(
      expect.objectContaining({ ifname: 'veth0', local: '10.10.10.1', prefixlen: 28 }),
    )
    expect(find(snap, a).neighbours).toContainEqual(
      expect.objectContaining({ dst: '10.10.10.2', mac: macOf(b, 'veth1') }),
    )
    // The log holds every command, and the export is a script of plain ip commands.
    const script = engine.log.exportScript()
    expect(script).toContain(`ip netns add ${a}`)
    expect(script).toContain(`ip -n ${a} addr add 10.10.10.1/28 dev veth0`)
    // Replayed by plain sh on a clean slate, the script rebuilds a lab that pings again.
    sh(['ip', 'netns', 'delete', a])
    sh(['ip', 'netns', 'delete', b])
    execFileSync('sh', ['-c', script], { stdio: 'pipe' })
    expect(ping(a, '10.10.10.2')).toBe(0)
  })

  it('tutorial 2: a bridge with two namespaces; ping across it; ports on the bridge; each ARP table holds the other MAC', async () => {
    const [red, green, br] = [`${P}red`, `${P}green`, `${P}br1`]
    await engine.apply([
      { op: 'ns.add', name: red },
      { op: 'ns.add', name: green },
      { op: 'bridge.add', ns: HOST_NS, name: br },
      { op: 'veth.add', name: 'eth0-r', peer: `${P}vr`, ns: red, up: true },
      { op: 'veth.add', name: 'eth0-g', peer: `${P}vg`, ns: green, up: true },
      { op: 'link.set-master', ns: HOST_NS, ifname: `${P}vr`, bridge: br },
      { op: 'link.set-master', ns: HOST_NS, ifname: `${P}vg`, bridge: br },
      { op: 'link.set-state', ns: red, ifname: 'lo', up: true },
      { op: 'addr.add', ns: red, ifname: 'eth0-r', cidr: '10.0.0.1/24' },
      { op: 'addr.add', ns: green, ifname: 'eth0-g', cidr: '10.0.0.2/24' },
    ])
    expect(ping(red, '10.0.0.2')).toBe(0)
    const snap = await engine.snapshot()
    const host = find(snap, HOST_NS)
    expect(host.links.find((l) => l.ifname === br)?.kind).toBe('bridge')
    for (const port of [`${P}vr`, `${P}vg`]) {
      expect(host.links.find((l) => l.ifname === port)).toMatchObject({
        master: br,
        isBridgePort: true,
      })
    }
    expect(find(snap, red).links.find((l) => l.ifname === 'eth0-r')?.peer).toMatchObject({
      namespace: HOST_NS,
      ifname: `${P}vr`,
    })
    expect(find(snap, red).neighbours).toContainEqual(
      expect.objectContaining({ dst: '10.0.0.2', mac: macOf(green, 'eth0-g') }),
    )
    expect(find(snap, green).neighbours).toContainEqual(
      expect.objectContaining({ dst: '10.0.0.1', mac: macOf(red, 'eth0-r') }),
    )
    const topo = deriveTopology(snap)
    const brNode = `br:${HOST_NS}/${br}`
    const joins = (a: string, b: string): boolean =>
      topo.edges.some(
        (e) => e.kind === 'veth' && [e.source, e.target].sort().join() === [a, b].sort().join(),
      )
    expect(joins(`ns:${red}`, brNode)).toBe(true)
    expect(joins(`ns:${green}`, brNode)).toBe(true)
  })

  it('tutorial 3: host address on the bridge, default routes via the host, forwarding on: reach the host and another bridge', async () => {
    const [red, blue, br1, br2] = [`${P}red`, `${P}blue`, `${P}br1`, `${P}br2`]
    await engine.apply([
      { op: 'addr.add', ns: HOST_NS, ifname: br1, cidr: '10.0.0.254/24' },
      { op: 'route.add', ns: red, dst: 'default', via: '10.0.0.254' },
      { op: 'ns.add', name: blue },
      { op: 'bridge.add', ns: HOST_NS, name: br2 },
      { op: 'veth.add', name: 'eth0-b', peer: `${P}vb`, ns: blue, up: true },
      { op: 'link.set-master', ns: HOST_NS, ifname: `${P}vb`, bridge: br2 },
      { op: 'addr.add', ns: blue, ifname: 'eth0-b', cidr: '10.1.0.1/24' },
      { op: 'addr.add', ns: HOST_NS, ifname: br2, cidr: '10.1.0.254/24' },
      { op: 'route.add', ns: blue, dst: 'default', via: '10.1.0.254' },
      { op: 'forwarding.set', ns: HOST_NS, enabled: true },
      { op: 'nat.masquerade', ns: HOST_NS, source: '10.0.0.0/24' },
    ])
    expect(ping(red, '10.0.0.254')).toBe(0)
    expect(ping(red, '10.1.0.1')).toBe(0)
    const snap = await engine.snapshot()
    expect(find(snap, HOST_NS).ipForward).toBe(true)
    expect(find(snap, red).routes).toContainEqual(
      expect.objectContaining({ dst: 'default', gateway: '10.0.0.254', table: 'main' }),
    )
    expect(sh(['iptables', '-t', 'nat', '-S', 'POSTROUTING'])).toContain('10.0.0.0/24')
  })

  it('shows an empty namespace, a bridge inside a namespace, IPv6 addresses and a non-main table route', async () => {
    const [empty, inner] = [`${P}empty`, `${P}inner`]
    await engine.apply([
      { op: 'ns.add', name: empty },
      { op: 'ns.add', name: inner },
      { op: 'bridge.add', ns: inner, name: 'br-in' },
      { op: 'veth.add', name: 'a0', peer: 'a1', ns: inner, peerNs: inner, up: true },
      { op: 'link.set-master', ns: inner, ifname: 'a1', bridge: 'br-in' },
      { op: 'addr.add', ns: inner, ifname: 'br-in', cidr: 'fd00:ab::1/64' },
      { op: 'route.add', ns: inner, dst: '192.168.77.0/24', dev: 'br-in', table: '100' },
    ])
    const snap = await engine.snapshot()
    const e = find(snap, empty)
    expect(e.links.map((l) => l.ifname)).toEqual(['lo'])
    expect(e.addresses).toEqual([])
    const i = find(snap, inner)
    expect(i.links.find((l) => l.ifname === 'br-in')?.kind).toBe('bridge')
    expect(i.links.find((l) => l.ifname === 'a1')).toMatchObject({
      master: 'br-in',
      peer: { namespace: inner, ifname: 'a0' },
    })
    expect(i.addresses).toContainEqual(
      expect.objectContaining({ family: 'inet6', local: 'fd00:ab::1', prefixlen: 64 }),
    )
    expect(i.routes).toContainEqual(
      expect.objectContaining({ dst: '192.168.77.0/24', table: '100', dev: 'br-in' }),
    )
    const topo = deriveTopology(snap)
    expect(topo.nodes).toContainEqual(
      expect.objectContaining({ id: `br:${inner}/br-in`, kind: 'bridge' }),
    )
  })

  it('rejects hostile input before anything runs, with a specific message', async () => {
    const before = engine.log.entries.length
    for (const name of ['$(reboot)', 'a;b', '`x`', '../x', 'x'.repeat(16), '', 'a\nb']) {
      const err = await engine.apply({ op: 'ns.add', name }).then(
        () => null,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(AppError)
      expect((err as AppError).code).toBe('INVALID_ARGUMENT')
      expect((err as AppError).message.length).toBeGreaterThan(10)
    }
    expect(engine.log.entries.length).toBe(before)
  })

  it('says which step failed and what is left in place when an operation fails midway', async () => {
    const n = `${P}part`
    const err = await engine
      .apply([
        { op: 'ns.add', name: n },
        // the peer's name is taken in the root namespace: the kernel refuses step 2
        { op: 'veth.add', name: 'p0', peer: 'lo', ns: n },
        { op: 'link.set-state', ns: n, ifname: 'p0', up: true },
      ])
      .then(
        () => null,
        (e: unknown) => e,
      )
    expect(err).toBeInstanceOf(AppError)
    const e = err as AppError
    expect(e.code).toBe('PARTIAL_FAILURE')
    expect(e.message).toMatch(/step 2 of 3/)
    expect(e.data).toMatchObject({ completed: [`ip netns add ${n}`] })
    expect(String(e.data?.command)).toContain('link add lo type veth peer name p0')
    expect((e.data?.notRun as string[])[0]).toContain('link set dev p0 up')
    expect(namespacesWithPrefix(P)).toContain(n)
    const failed = engine.log.entries.find((x) => x.exitCode !== 0)
    expect(failed?.stderr).toMatch(/File exists/i)
  })

  it('reset removes every namespace, link and NAT rule the app created, and nothing else', async () => {
    sh(['ip', 'netns', 'add', `${P}byhand`])
    const r = await engine.reset()
    expect(r.removedNamespaces).toContain(`${P}ns1`)
    expect(r.removedNatRules).toBeGreaterThanOrEqual(1)
    expect(namespacesWithPrefix(P)).toEqual([`${P}byhand`])
    expect(hostLinksWithPrefix(P)).toEqual([])
    expect(sh(['iptables', '-t', 'nat', '-S'])).not.toContain('netns-studio')
    sh(['ip', 'netns', 'delete', `${P}byhand`])
  })
})

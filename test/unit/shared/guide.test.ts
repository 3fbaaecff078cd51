// The guided tutorials as data: every operation passes the same validation the engine applies,
// the commands shown are the engine's own, tutorial 1's typos stay fixed, each step's checks are
// checks of its lab (once the labs carry checks), and reset/"already done" read the kernel's state.

import { describe, expect, it } from 'vitest'
import { GUIDES, guideFor } from '../../../shared/guide'
import {
  guideNamespaces,
  guideServices,
  natOpDone,
  opDone,
  planStep,
  resetOps,
  serviceLine,
  serviceRunning,
  tryLines,
} from '../../../shared/guide/plan'
import { BUILTIN_LABS } from '../../../shared/lab/builtin'
import { parseLab } from '../../../shared/lab/parse'
import type { NetLink, NetNamespace, Snapshot } from '../../../shared/net/model'
import { validateOp } from '../../../shared/net/ops'
import { checkServiceRequest } from '../../../shared/net/service'

function labOf(name: string) {
  const b = BUILTIN_LABS.find((l) => l.name === name)
  if (!b) throw new Error(`no built-in lab ${name}`)
  const r = parseLab(b.yaml)
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  return r.lab
}

function link(ifname: string, over: Partial<NetLink> = {}): NetLink {
  return {
    ifindex: 1,
    ifname,
    kind: 'veth',
    rawKind: 'veth',
    flags: [],
    operstate: 'DOWN',
    mtu: 1500,
    mac: null,
    master: null,
    isBridgePort: false,
    peer: null,
    linkNetnsid: null,
    linkIndex: null,
    qdisc: null,
    ...over,
  }
}

function ns(name: string, over: Partial<NetNamespace> = {}): NetNamespace {
  return {
    name,
    isHost: name === 'host',
    nsid: null,
    links: [],
    addresses: [],
    routes: [],
    neighbours: [],
    ipForward: null,
    ...over,
  }
}

const snap = (...namespaces: NetNamespace[]): Snapshot => ({
  takenAt: 0,
  durationMs: 1,
  namespaces,
  vanished: [],
})

describe('guides', () => {
  it('there is one guide per built-in tutorial lab, in order, with unique step ids', () => {
    expect(GUIDES.map((g) => g.lab)).toEqual(
      BUILTIN_LABS.filter((l) => l.kind === 'tutorial').map((l) => l.name),
    )
    for (const g of GUIDES) {
      expect(guideFor(g.lab)).toBe(g)
      const ids = g.steps.map((s) => s.id)
      expect(new Set(ids).size).toBe(ids.length)
      for (const s of g.steps) expect(s.checks.length, `${g.lab}/${s.id}`).toBeGreaterThan(0)
    }
    expect(guideFor('nope')).toBeNull()
  })

  it('every operation of every step is valid as the engine checks it', () => {
    for (const g of GUIDES)
      for (const s of g.steps)
        for (const op of s.ops) expect(validateOp(op), `${g.lab}/${s.id} ${op.op}`).toBeNull()
  })

  it("tutorial 1's commands have the typos fixed", () => {
    const g = guideFor('tutorial-1')!
    const text = g.steps
      .flatMap((s) => [...planStep(s, null).flatMap((p) => p.commands), ...tryLines(s)])
      .join('\n')
    expect(text).toContain('ip -n ns2 addr add 10.10.10.2/28 dev veth1')
    expect(text).toContain('ip netns exec ns2 ip addr add 10.10.10.2/28 dev veth1')
    expect(text).toContain('ip netns exec ns1 ping -c 3 10.10.10.2')
    expect(text).not.toMatch(/\/\/28|exect/)
  })

  it('the guided end state has what the lab file describes (namespaces, addresses)', () => {
    for (const g of GUIDES) {
      const lab = labOf(g.lab)
      const labNs = Object.keys(lab.namespaces).filter((n) => n !== 'host')
      expect(guideNamespaces(g).sort(), g.lab).toEqual(labNs.sort())
      const labAddrs = [
        ...lab.links.flatMap((l) => l.endpoints.flatMap((e) => e.addresses ?? [])),
        ...lab.bridges.flatMap((b) => b.addresses ?? []),
      ].sort()
      const guideAddrs = g.steps
        .flatMap((s) => s.ops)
        .flatMap((o) => (o.op === 'addr.add' ? [o.cidr] : []))
        .sort()
      expect(guideAddrs, g.lab).toEqual(labAddrs)
    }
  })

  it("each step's checks are checks of its lab", () => {
    for (const g of GUIDES) {
      const names = (labOf(g.lab).checks ?? []).map((c) => c.name)
      if (names.length === 0) {
        console.warn(`[guide] ${g.lab} has no checks yet: step check names not compared`)
        continue
      }
      for (const s of g.steps)
        for (const c of s.checks) expect(names, `${g.lab}/${s.id}`).toContain(c)
    }
  })
})

describe("steps' services", () => {
  it('every service of every step is a valid service request, in a namespace its guide has', () => {
    for (const g of GUIDES) {
      const known = ['host', ...guideNamespaces(g)]
      for (const s of g.steps)
        for (const svc of s.services ?? []) {
          expect(checkServiceRequest(svc), `${g.lab}/${s.id}`).toEqual({ ok: true })
          expect(known, `${g.lab}/${s.id}`).toContain(svc.ns)
        }
    }
  })

  it("tutorial 5's last step binds port 8080 in ns1 and on the host, checked by two port checks of its lab", () => {
    const g = guideFor('tutorial-5')!
    const last = g.steps.at(-1)!
    expect(last.id).toBe('same-port')
    expect(last.ops).toEqual([])
    expect(last.services).toEqual([
      { ns: 'ns1', protocol: 'tcp', port: 8080 },
      { ns: 'host', protocol: 'tcp', port: 8080 },
    ])
    expect(last.look).toMatchObject({ ns: 'ns1', tab: 'sockets' })
    const checks = labOf('tutorial-5').checks ?? []
    const ports = last.checks.map((n) => checks.find((c) => c.name === n)?.port)
    expect(ports).toEqual([
      { from: 'ns1', to: '127.0.0.1', port: 8080 },
      { from: 'host', to: '127.0.0.1', port: 8080 },
    ])
    // No earlier step starts a service, and the lab's other checks need none.
    expect(g.steps.slice(0, -1).every((s) => !s.services)).toBe(true)
    expect(
      checks
        .filter((c) => c.port)
        .map((c) => c.name)
        .sort(),
    ).toEqual([...last.checks].sort())
  })

  it('shows the exact line the services store starts, and knows which ones run', () => {
    const [ns1, host] = guideFor('tutorial-5')!.steps.at(-1)!.services!
    expect(serviceLine(ns1!)).toBe(
      "ip netns exec ns1 env 'NETNS_STUDIO_REPLY=netns-studio ns1:8080' socat -d -d -U TCP4-LISTEN:8080,reuseaddr,fork 'EXEC:printenv NETNS_STUDIO_REPLY'",
    )
    expect(serviceLine(host!)).toMatch(/^env 'NETNS_STUDIO_REPLY=netns-studio host:8080' socat /)
    const running = [
      { ns: 'ns1', protocol: 'tcp', port: 8080 },
      { ns: 'ns1', protocol: 'udp', port: 9000 },
    ]
    expect(serviceRunning(ns1!, running)).toBe(true)
    expect(serviceRunning(host!, running)).toBe(false)
    expect(serviceRunning({ ns: 'ns1', protocol: 'tcp', port: 9000 }, running)).toBe(false)
    expect(guideServices(guideFor('tutorial-5')!)).toEqual([ns1, host])
    expect(guideServices(guideFor('tutorial-2')!)).toEqual([])
  })
})

describe('opDone reads the snapshot', () => {
  it('says which operations the kernel already shows', () => {
    const s = snap(
      ns('host', {
        links: [
          link('bridge1', { kind: 'bridge' }),
          link('veth-r', { master: 'bridge1', flags: ['UP'] }),
        ],
        ipForward: false,
      }),
      ns('red', {
        links: [link('eth0-r', { peer: { namespace: 'host', ifname: 'veth-r', ifindex: 5 } })],
        addresses: [
          {
            ifname: 'eth0-r',
            family: 'inet',
            local: '10.0.0.1',
            prefixlen: 24,
            scope: 'global',
            broadcast: null,
            flags: [],
          },
        ],
      }),
    )
    expect(opDone({ op: 'ns.add', name: 'red' }, s)).toBe(true)
    expect(opDone({ op: 'ns.add', name: 'green' }, s)).toBe(false)
    expect(opDone({ op: 'bridge.add', ns: 'host', name: 'bridge1' }, s)).toBe(true)
    expect(opDone({ op: 'veth.add', name: 'eth0-r', peer: 'veth-r' }, s)).toBe(true)
    expect(opDone({ op: 'link.move', ns: 'host', ifname: 'eth0-r', toNs: 'red' }, s)).toBe(true)
    expect(
      opDone({ op: 'link.set-master', ns: 'host', ifname: 'veth-r', bridge: 'bridge1' }, s),
    ).toBe(true)
    expect(opDone({ op: 'link.set-state', ns: 'host', ifname: 'veth-r', up: true }, s)).toBe(true)
    expect(opDone({ op: 'link.set-state', ns: 'red', ifname: 'eth0-r', up: true }, s)).toBe(false)
    expect(opDone({ op: 'addr.add', ns: 'red', ifname: 'eth0-r', cidr: '10.0.0.1/24' }, s)).toBe(
      true,
    )
    expect(opDone({ op: 'addr.add', ns: 'red', ifname: 'eth0-r', cidr: '10.0.0.1/25' }, s)).toBe(
      false,
    )
    expect(opDone({ op: 'forwarding.set', ns: 'host', enabled: true }, s)).toBe(false)
    // NAT rules are not in a snapshot: never claimed done from it.
    expect(opDone({ op: 'nat.masquerade', ns: 'host', source: '10.0.0.0/24' }, s)).toBe(false)
  })

  it("takes NAT operations as done only from a passing nat check of the lab (tutorial 3's)", () => {
    const r = parseLab(BUILTIN_LABS.find((b) => b.name === 'tutorial-3')!.yaml)
    if (!r.ok) throw new Error('tutorial-3 does not parse')
    const checks = r.lab.checks ?? []
    const natOps = guideFor('tutorial-3')!.steps.flatMap((st) =>
      st.ops.filter((o) => o.op.startsWith('nat.')),
    )
    expect(natOps.map((o) => o.op)).toEqual(['nat.masquerade', 'nat.port-forward'])
    const s = snap(ns('host', {}))
    for (const op of natOps) {
      expect(
        natOpDone(op, checks, () => true),
        op.op,
      ).toBe(true)
      expect(
        natOpDone(op, checks, () => false),
        op.op,
      ).toBe(false)
      expect(
        opDone(op, s, (o) => natOpDone(o, checks, () => true)),
        op.op,
      ).toBe(true)
    }
    // another rule than the check's is not done by it
    const other = { op: 'nat.masquerade' as const, ns: 'host', source: '10.9.0.0/24' }
    expect(natOpDone(other, checks, () => true)).toBe(false)
  })
})

describe('resetOps', () => {
  const g2 = guideFor('tutorial-2')!
  it('deletes the bridge and the namespaces; veth ends go with their namespace', () => {
    const s = snap(
      ns('host', {
        links: [
          link('bridge1', { kind: 'bridge' }),
          link('veth-r', { peer: { namespace: 'red', ifname: 'eth0-r', ifindex: 2 } }),
        ],
      }),
      ns('red'),
    )
    expect(resetOps(g2, s)).toEqual([
      { op: 'link.delete', ns: 'host', ifname: 'bridge1' },
      { op: 'ns.delete', name: 'red' },
    ])
  })

  it('deletes a veth left whole in the root namespace once (not both ends)', () => {
    const s = snap(
      ns('host', {
        links: [
          link('eth0-g', { peer: { namespace: 'host', ifname: 'veth-g', ifindex: 3 } }),
          link('veth-g', { peer: { namespace: 'host', ifname: 'eth0-g', ifindex: 4 } }),
        ],
      }),
    )
    expect(resetOps(g2, s)).toEqual([{ op: 'link.delete', ns: 'host', ifname: 'eth0-g' }])
  })

  it('nothing there: nothing to do; NAT rules of tutorial 3 are always removed', () => {
    expect(resetOps(g2, snap(ns('host')))).toEqual([])
    const ops = resetOps(guideFor('tutorial-3')!, snap(ns('host')))
    expect(ops.map((o) => o.op)).toEqual(['nat.masquerade', 'nat.port-forward'])
    for (const o of ops) expect(validateOp(o)).toBeNull()
  })
})

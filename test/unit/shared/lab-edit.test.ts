// Edits of a drawn lab (shared/lab/edit.ts): every result passes validateLab, interface names are
// valid, ≤15 bytes and unique in their namespace (the lab's and the target's), the input lab is
// never changed (it is deep-frozen here), bad input gets a specific error, and what is drawn
// plans into the engine's exact commands.

import { describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import { BUILTIN_LABS } from '../../../shared/lab/builtin/index'
import {
  addBridge,
  addNamespace,
  checkNewBridge,
  checkNewNamespace,
  connect,
  endNode,
  freeIfName,
  liveNames,
  parseAddresses,
  removeLink,
  removeNode,
  setEndAddresses,
  setPosition,
  setPositions,
} from '../../../shared/lab/edit'
import { parseLab, validateLab } from '../../../shared/lab/parse'
import { planLab } from '../../../shared/lab/plan'
import type { Lab } from '../../../shared/lab/types'
import type { NetLink, NetNamespace, Snapshot } from '../../../shared/net/model'
import { checkIfName } from '../../../shared/net/validate'

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o)
    for (const v of Object.values(o)) deepFreeze(v)
  }
  return o
}

const empty = (): Lab =>
  deepFreeze({
    name: 'drawn',
    kind: 'lab',
    namespaces: {},
    bridges: [],
    links: [],
    routes: [],
    nat: [],
  })

const load = (text: string): Lab => {
  const r = parseLab(text)
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  return deepFreeze(r.lab)
}

/** The result passes the same checks as a lab file, and every interface name is valid. */
function valid(lab: Lab): Lab {
  const r = validateLab(lab)
  expect(r.ok ? [] : r.errors).toEqual([])
  for (const l of lab.links)
    for (const e of l.endpoints) {
      expect(checkIfName(e.name)).toEqual({ ok: true })
      expect(new TextEncoder().encode(e.name).length).toBeLessThanOrEqual(15)
    }
  return deepFreeze(lab)
}

/** The AppError an edit throws (fails the test when it does not throw one). */
function errorOf(f: () => unknown): AppError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(AppError)
    expect((e as AppError).code).toBe('INVALID_ARGUMENT')
    return e as AppError
  }
  throw new Error('expected the edit to be refused')
}

const link = (ifname: string, kind: NetLink['kind'] = 'veth'): NetLink => ({
  ifindex: 1,
  ifname,
  kind,
  rawKind: kind,
  flags: ['UP'],
  operstate: 'UP',
  mtu: 1500,
  mac: null,
  master: null,
  isBridgePort: false,
  peer: null,
  linkNetnsid: null,
  linkIndex: null,
  qdisc: null,
})
const nsOf = (name: string, ifnames: string[]): NetNamespace => ({
  name,
  isHost: name === 'host',
  nsid: null,
  links: [link('lo', 'loopback'), ...ifnames.map((n) => link(n))],
  addresses: [],
  routes: [],
  neighbours: [],
  ipForward: false,
})
const snap = (...namespaces: NetNamespace[]): Snapshot => ({
  takenAt: 0,
  durationMs: 0,
  namespaces,
  vanished: [],
})

describe('adding nodes', () => {
  it('adds a namespace and a bridge, with their positions, leaving the input as it was', () => {
    const lab0 = empty()
    const lab1 = valid(addNamespace(lab0, 'red', { x: 10.4, y: 20.6 }))
    expect(lab1.namespaces).toEqual({ red: {} })
    expect(lab1.layout).toEqual({ red: { x: 10, y: 21 } })
    const lab2 = valid(addBridge(lab1, 'br0', { pos: { x: 1, y: 2 } }))
    expect(lab2.bridges).toEqual([{ name: 'br0' }])
    expect(lab2.layout?.['host/br0']).toEqual({ x: 1, y: 2 })
    const lab3 = valid(addBridge(lab2, 'br0', { ns: 'red' }))
    expect(lab3.bridges).toEqual([{ name: 'br0' }, { name: 'br0', ns: 'red' }])
    expect(lab0.namespaces).toEqual({})
    expect(lab1.bridges).toEqual([])
  })

  it('refuses bad and taken names with a message that says why', () => {
    const lab = valid(addNamespace(empty(), 'red'))
    expect(errorOf(() => addNamespace(lab, 'red')).message).toBe(
      'The lab already has a namespace "red".',
    )
    expect(errorOf(() => addNamespace(lab, 'host')).message).toMatch(/reserved/)
    expect(errorOf(() => addNamespace(lab, 'a;rm -rf')).message).toMatch(/shell character ";"/)
    expect(errorOf(() => addNamespace(lab, '-x')).message).toMatch(/cannot start with "-"/)
    expect(errorOf(() => addNamespace(lab, 'a'.repeat(16))).message).toMatch(/at most 15/)
    const live = liveNames(snap(nsOf('host', ['eth0']), nsOf('blue', [])))
    expect(checkNewNamespace(lab, 'blue', live)).toEqual({
      ok: false,
      message: 'Namespace "blue" already exists on the target; choose another name.',
    })
    expect(checkNewBridge(lab, 'eth0', 'host', live)).toEqual({
      ok: false,
      message: 'The root namespace already has an interface "eth0" on the target.',
    })
    expect(checkNewBridge(lab, 'br 0').ok).toBe(false)
    expect(errorOf(() => addBridge(lab, 'br0', { ns: 'green' })).message).toBe(
      'Namespace "green" is not in this lab.',
    )
    expect(errorOf(() => addNamespace(lab, 'ok', { x: NaN, y: 0 })).message).toMatch(/finite/)
  })
})

describe('connect', () => {
  const two = (): Lab => valid(addNamespace(addNamespace(empty(), 'red'), 'green'))

  it('names each end after the node it faces: veth-green in red, veth-red in green', () => {
    const lab0 = two()
    const { lab, link, index } = connect(lab0, 'red', 'green')
    valid(lab)
    expect(index).toBe(0)
    expect(link).toEqual({
      endpoints: [
        { ns: 'red', name: 'veth-green' },
        { ns: 'green', name: 'veth-red' },
      ],
    })
    expect(lab0.links).toEqual([])
    // A second cable between the same two gets the next free names.
    const again = connect(lab, 'green', 'red').link
    expect(again.endpoints.map((e) => e.name)).toEqual(['veth-red2', 'veth-green2'])
  })

  it('connects to the host and to bridges (a bridge end is its port)', () => {
    let lab = valid(addBridge(two(), 'br0'))
    lab = valid(connect(lab, 'red', 'host').lab)
    lab = valid(connect(lab, 'host/br0', 'green').lab)
    lab = valid(connect(lab, 'host', 'host/br0').lab)
    expect(lab.links.map((l) => l.endpoints)).toEqual([
      [{ ns: 'red', name: 'veth-host' }, { name: 'veth-red' }],
      [
        { bridge: 'br0', name: 'veth-green' },
        { ns: 'green', name: 'veth-br0' },
      ],
      // Both ends in the root namespace: still two different names.
      [{ name: 'veth-br0' }, { bridge: 'br0', name: 'veth-host' }],
    ])
    expect(lab.links.map((l) => l.endpoints.map((e) => endNode(lab, e)))).toEqual([
      ['red', 'host'],
      ['host/br0', 'green'],
      ['host', 'host/br0'],
    ])
    // A bridge inside a namespace takes a port from that namespace.
    lab = valid(addBridge(lab, 'sw', { ns: 'red' }))
    const l = connect(lab, 'green', 'red/sw').link
    expect(l.endpoints[1]).toEqual({ ns: 'red', bridge: 'sw', name: 'veth-green' })
  })

  it('keeps names at 15 bytes and clear of the target’s own interfaces', () => {
    const long = ['t3f9a-ns-alpha1', 't3f9a-ns-alpha2']
    let lab = valid(addNamespace(addNamespace(empty(), long[0]!), long[1]!))
    const live = liveNames(snap(nsOf('host', ['eth0', 'veth-t3f9a-ns-a']), nsOf(long[0]!, [])))
    lab = valid(connect(lab, long[0]!, long[1]!, live).lab)
    lab = valid(connect(lab, long[0]!, long[1]!, live).lab)
    lab = valid(connect(lab, 'host', long[0]!, live).lab)
    expect(lab.links.map((l) => l.endpoints.map((e) => e.name))).toEqual([
      ['veth-t3f9a-ns-a', 'veth-t3f9a-ns-a'],
      ['veth-t3f9a-ns-2', 'veth-t3f9a-ns-2'],
      // veth-t3f9a-ns-a is taken on the target's root namespace.
      ['veth-t3f9a-ns-2', 'veth-host'],
    ])
  })

  it('takes a namespace made by hand into the lab; refuses others', () => {
    const live = liveNames(snap(nsOf('host', []), nsOf('blue', ['veth-red'])))
    const { lab } = connect(two(), 'red', 'blue', live)
    valid(lab)
    expect(Object.keys(lab.namespaces)).toEqual(['red', 'green', 'blue'])
    expect(lab.links[0]!.endpoints).toEqual([
      { ns: 'red', name: 'veth-blue' },
      { ns: 'blue', name: 'veth-red2' },
    ])
    expect(errorOf(() => connect(two(), 'red', 'nowhere')).message).toBe(
      'Namespace "nowhere" is not in this lab; add it first.',
    )
    expect(errorOf(() => connect(two(), 'red', 'host/br9')).message).toMatch(/Bridge br9/)
    expect(errorOf(() => connect(two(), 'red', 'red')).message).toMatch(/two different nodes/)
  })

  it('freeIfName cleans, cuts and numbers', () => {
    expect(freeIfName('veth-a b', new Set())).toBe('veth-ab')
    expect(freeIfName('-.x', new Set())).toBe('x')
    expect(freeIfName('lo', new Set())).toBe('lo2')
    const taken = new Set(['abcdefghijklmno', 'abcdefghijklmn2'])
    expect(freeIfName('abcdefghijklmnopq', taken)).toBe('abcdefghijklmn3')
  })
})

describe('addresses of a link end', () => {
  const linked = (): Lab =>
    valid(connect(addNamespace(addNamespace(empty(), 'red'), 'green'), 'red', 'green').lab)

  it('sets, replaces and clears the addresses of one end', () => {
    const lab0 = linked()
    const lab1 = valid(setEndAddresses(lab0, 0, 0, ['10.0.0.1/24', 'fd00::1/64']))
    expect(lab1.links[0]!.endpoints[0].addresses).toEqual(['10.0.0.1/24', 'fd00::1/64'])
    expect(lab1.links[0]!.endpoints[1].addresses).toBeUndefined()
    expect(lab0.links[0]!.endpoints[0].addresses).toBeUndefined()
    const lab2 = valid(setEndAddresses(lab1, 0, 0, []))
    expect('addresses' in lab2.links[0]!.endpoints[0]).toBe(false)
  })

  it('refuses what the address form refuses', () => {
    const lab = linked()
    expect(errorOf(() => setEndAddresses(lab, 0, 1, ['10.0.0.300/24'])).message).toBe(
      '"10.0.0.300" is not a valid IPv4 or IPv6 address.',
    )
    expect(errorOf(() => setEndAddresses(lab, 0, 1, ['10.0.0.1'])).message).toMatch(
      /needs a prefix length/,
    )
    expect(errorOf(() => setEndAddresses(lab, 0, 1, ['10.0.0.1/024'])).message).toMatch(/octal/)
    expect(errorOf(() => setEndAddresses(lab, 0, 1, ['10.0.0.1/24', '10.0.0.1/24'])).message).toBe(
      'Address 10.0.0.1/24 is listed twice.',
    )
    expect(errorOf(() => setEndAddresses(lab, 3, 0, [])).message).toMatch(/no link 3/)
    expect(errorOf(() => setEndAddresses(lab, 0, 2, [])).message).toMatch(/0 or 1/)
  })

  it('parseAddresses reads commas and white space', () => {
    expect(parseAddresses(' 10.0.0.1/24, fd00::1/64\n')).toEqual({
      ok: true,
      addresses: ['10.0.0.1/24', 'fd00::1/64'],
    })
    expect(parseAddresses('')).toEqual({ ok: true, addresses: [] })
    expect(parseAddresses('x/24').ok).toBe(false)
  })
})

describe('removing', () => {
  it('removes a namespace with its links, bridges, routes, NAT, sysctls and layout', () => {
    const lab0 = load(BUILTIN_LABS.find((b) => b.name === 'tutorial-3')!.yaml)
    const victim = Object.keys(lab0.namespaces).find((n) => n !== 'host')!
    const lab = valid(removeNode(lab0, victim))
    expect(Object.keys(lab.namespaces)).not.toContain(victim)
    // the lab's checks are left as the author wrote them (a check may be about a missing namespace)
    const json = JSON.stringify({ ...lab, checks: [], layout: lab.layout ?? {} })
    expect(json).not.toContain(`"ns":"${victim}"`)
    expect(Object.keys(lab.layout ?? {}).some((k) => k.split('/')[0] === victim)).toBe(false)
    expect(lab0.namespaces[victim]).toBeDefined()
  })

  it('removes a bridge with its ports’ links, and routes through a removed interface', () => {
    let lab = load(BUILTIN_LABS.find((b) => b.name === 'tutorial-2')!.yaml)
    lab = valid(removeNode(lab, 'host/bridge1'))
    expect(lab.bridges).toEqual([])
    expect(lab.links).toEqual([])
    expect(Object.keys(lab.layout ?? {})).toEqual(['red', 'green'])

    const withRoute = load(`name: r
namespaces:
  red: { sysctls: { net.ipv4.conf.veth-green.forwarding: 1, net.ipv4.ip_forward: 1 } }
  green: {}
links:
  - endpoints: [{ ns: red, name: veth-green }, { ns: green, name: veth-red }]
routes:
  - { ns: red, to: 10.9.0.0/24, dev: veth-green }
  - { ns: red, to: 10.8.0.0/24, via: 10.0.0.2 }
nat:
  - { ns: red, masquerade: { source: 10.0.0.0/24, out: veth-green } }
`)
    const out = valid(removeLink(withRoute, 0))
    expect(out.links).toEqual([])
    expect(out.routes).toEqual([{ ns: 'red', to: '10.8.0.0/24', via: '10.0.0.2' }])
    expect(out.nat).toEqual([])
    expect(out.namespaces.red).toEqual({ sysctls: { 'net.ipv4.ip_forward': 1 } })
  })

  it('refuses the host and unknown nodes', () => {
    const lab = empty()
    expect(errorOf(() => removeNode(lab, 'host')).message).toMatch(/cannot be removed/)
    expect(errorOf(() => removeNode(lab, 'red')).message).toBe('"red" is not a node of this lab.')
    expect(errorOf(() => removeLink(lab, 0)).message).toMatch(/no link 0/)
  })
})

describe('positions', () => {
  it('moves nodes of the lab and ignores what the lab does not hold', () => {
    const lab0 = valid(addNamespace(empty(), 'red'))
    const lab1 = valid(setPosition(lab0, 'host', { x: 5, y: 6 }))
    expect(lab1.layout).toEqual({ host: { x: 5, y: 6 } })
    const lab2 = valid(setPositions(lab1, { red: { x: 1.2, y: 2 }, 'by-hand': { x: 0, y: 0 } }))
    expect(lab2.layout).toEqual({ host: { x: 5, y: 6 }, red: { x: 1, y: 2 } })
    expect(lab0.layout).toBeUndefined()
    expect(errorOf(() => setPosition(lab0, 'blue', { x: 0, y: 0 })).message).toMatch(/not a node/)
  })
})

describe('what is drawn plans into the engine’s commands', () => {
  it('two namespaces, a veth pair and an address on each end', () => {
    let lab = addNamespace(addNamespace(empty(), 'red'), 'green')
    lab = connect(lab, 'red', 'green').lab
    lab = setEndAddresses(lab, 0, 0, ['10.0.0.1/24'])
    lab = setEndAddresses(lab, 0, 1, ['10.0.0.2/24'])
    const plan = planLab(lab, snap(nsOf('host', ['eth0'])), { nat: 'nft' })
    const commands = plan.changes.flatMap((c) => c.commands)
    expect(commands).toEqual(
      expect.arrayContaining([
        'ip netns add red',
        'ip netns add green',
        'ip -n red link add veth-green type veth peer name veth-red netns green',
        'ip -n red addr add 10.0.0.1/24 dev veth-green',
        'ip -n green addr add 10.0.0.2/24 dev veth-red',
      ]),
    )
  })
})

// Builders for Snapshot objects shaped like the engine's parsed `ip -j` output, for renderer
// tests, shared tests and the render benchmark. Field values follow a real two-namespace capture.

import type {
  NetAddress,
  NetLink,
  NetNamespace,
  NetNeighbour,
  NetRoute,
  Snapshot,
} from '@shared/net/model'

/** A link with the defaults of an up veth; override what matters. */
export function link(p: Partial<NetLink> & { ifname: string }): NetLink {
  return {
    ifindex: 2,
    kind: 'veth',
    rawKind: 'veth',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    operstate: 'UP',
    mtu: 1500,
    mac: '6e:8a:1c:22:9f:01',
    master: null,
    isBridgePort: false,
    peer: null,
    linkNetnsid: null,
    linkIndex: null,
    qdisc: 'noqueue',
    ...p,
  }
}

/** The loopback link every namespace has. */
export function lo(up = true): NetLink {
  return link({
    ifindex: 1,
    ifname: 'lo',
    kind: 'loopback',
    rawKind: 'loopback',
    flags: up ? ['LOOPBACK', 'UP', 'LOWER_UP'] : ['LOOPBACK'],
    operstate: up ? 'UNKNOWN' : 'DOWN',
    mtu: 65536,
    mac: '00:00:00:00:00:00',
    qdisc: up ? 'noqueue' : 'noop',
  })
}

export function addr(ifname: string, cidr: string, scope = 'global'): NetAddress {
  const [local = '', len = '32'] = cidr.split('/')
  return {
    ifname,
    family: local.includes(':') ? 'inet6' : 'inet',
    local,
    prefixlen: Number(len),
    scope,
    broadcast: null,
    flags: [],
  }
}

export function route(dst: string, p: Partial<NetRoute> = {}): NetRoute {
  return {
    family: 'inet',
    table: 'main',
    type: 'unicast',
    dst,
    gateway: null,
    dev: null,
    protocol: 'kernel',
    scope: 'link',
    prefsrc: null,
    metric: null,
    flags: [],
    ...p,
  }
}

export function neigh(
  dst: string,
  dev: string,
  mac: string | null,
  state = 'REACHABLE',
): NetNeighbour {
  return { family: 'inet', dst, dev, mac, state: [state], router: false }
}

export function ns(name: string, p: Partial<NetNamespace> = {}): NetNamespace {
  return {
    name,
    isHost: name === 'host',
    nsid: name === 'host' ? null : 0,
    links: [lo()],
    addresses: [addr('lo', '127.0.0.1/8', 'host')],
    routes: [],
    neighbours: [],
    ipForward: false,
    ...p,
  }
}

export function snapshot(namespaces: NetNamespace[]): Snapshot {
  return { takenAt: 1_700_000_000_000, durationMs: 12, namespaces, vanished: [] }
}

/** Tutorial 1 done: ns1 and ns2 joined by veth0/veth1 with 10.10.10.1/28 and .2/28, ARP learned. */
export function tutorial1(): Snapshot {
  const mac1 = '6e:8a:1c:22:9f:01'
  const mac2 = '9a:41:7d:03:bb:52'
  return snapshot([
    ns('host', {
      links: [
        lo(),
        link({
          ifindex: 2,
          ifname: 'eth0',
          kind: 'ether',
          rawKind: 'ether',
          mac: '08:00:27:aa:bb:cc',
          qdisc: 'fq_codel',
        }),
      ],
      addresses: [addr('lo', '127.0.0.1/8', 'host'), addr('eth0', '10.0.2.15/24')],
      routes: [
        route('default', { gateway: '10.0.2.2', dev: 'eth0', protocol: 'dhcp', scope: 'global' }),
        route('10.0.2.0/24', { dev: 'eth0' }),
      ],
      ipForward: true,
    }),
    ns('ns1', {
      nsid: 0,
      links: [
        lo(),
        link({
          ifindex: 7,
          ifname: 'veth0',
          mac: mac1,
          peer: { namespace: 'ns2', ifname: 'veth1', ifindex: 6 },
          linkNetnsid: 1,
        }),
      ],
      addresses: [addr('lo', '127.0.0.1/8', 'host'), addr('veth0', '10.10.10.1/28')],
      routes: [route('10.10.10.0/28', { dev: 'veth0', prefsrc: '10.10.10.1' })],
      neighbours: [neigh('10.10.10.2', 'veth0', mac2)],
    }),
    ns('ns2', {
      nsid: 1,
      links: [
        lo(),
        link({
          ifindex: 6,
          ifname: 'veth1',
          mac: mac2,
          peer: { namespace: 'ns1', ifname: 'veth0', ifindex: 7 },
          linkNetnsid: 0,
        }),
      ],
      addresses: [addr('lo', '127.0.0.1/8', 'host'), addr('veth1', '10.10.10.2/28')],
      routes: [route('10.10.10.0/28', { dev: 'veth1', prefsrc: '10.10.10.2' })],
      neighbours: [neigh('10.10.10.1', 'veth1', mac1, 'STALE')],
    }),
  ])
}

/**
 * A large lab for the benchmark and virtualization tests: `count` namespaces, each on bridge br0 in
 * the host through a veth pair, with an address and a few routes; namespace 0 also gets `bigRoutes`
 * routes so one table is long.
 */
export function largeLab(count: number, bigRoutes: number): Snapshot {
  const hostLinks: NetLink[] = [
    lo(),
    link({ ifindex: 2, ifname: 'br0', kind: 'bridge', rawKind: 'bridge' }),
  ]
  const spaces: NetNamespace[] = []
  for (let i = 0; i < count; i++) {
    const name = `lab${String(i).padStart(3, '0')}`
    const hostEnd = `v${i}h`
    hostLinks.push(
      link({
        ifindex: 10 + i,
        ifname: hostEnd,
        master: 'br0',
        isBridgePort: true,
        peer: { namespace: name, ifname: 'eth0', ifindex: 2 },
      }),
    )
    const routes = [
      route('10.20.0.0/16', { dev: 'eth0' }),
      route('default', { gateway: '10.20.0.1', dev: 'eth0', protocol: 'static', scope: 'global' }),
    ]
    if (i === 0)
      for (let r = 0; r < bigRoutes; r++)
        routes.push(
          route(`172.${16 + (r >> 16)}.${(r >> 8) & 255}.${r & 255}/32`, {
            gateway: '10.20.0.1',
            dev: 'eth0',
            protocol: 'static',
            scope: 'global',
          }),
        )
    spaces.push(
      ns(name, {
        nsid: i,
        links: [
          lo(),
          link({
            ifname: 'eth0',
            mac: `02:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
            peer: { namespace: 'host', ifname: hostEnd, ifindex: 10 + i },
          }),
        ],
        addresses: [
          addr('lo', '127.0.0.1/8', 'host'),
          addr('eth0', `10.20.${i >> 8}.${(i & 255) + 2}/16`),
        ],
        routes,
        neighbours: [neigh('10.20.0.1', 'eth0', '02:00:00:00:ff:01')],
      }),
    )
  }
  return snapshot([
    ns('host', {
      links: hostLinks,
      addresses: [addr('lo', '127.0.0.1/8', 'host'), addr('br0', '10.20.0.1/16')],
      ipForward: true,
    }),
    ...spaces,
  ])
}

// Guided tutorial 5: veth states across namespaces (lab tutorial-5's end state: veth0 up in the
// root namespace, its peer veth1 moved into ns1 and still down), then the same port bound in ns1
// and in the root namespace at once (services the lab file cannot hold: the last step starts them).

import type { Guide } from './types'

/** Tutorial 5 as steps. */
export const guide5: Guide = {
  lab: 'tutorial-5',
  number: 5,
  title: 'veth states across namespaces',
  intro:
    'Watch what the kernel reports about a veth pair when its ends live in different namespaces and only one end is up: LOWERLAYERDOWN, link-netns and link-netnsid. Then bind one port twice, once in ns1 and once on the host.',
  steps: [
    {
      id: 'namespace',
      title: 'Create the namespace ns1',
      why: 'Namespaces are how containers get networks of their own. Each has an identity: the inode of its network namespace file, which differs from the host’s.',
      ops: [
        { op: 'ns.add', name: 'ns1' },
        { op: 'link.set-state', ns: 'ns1', ifname: 'lo', up: true },
      ],
      tryIt: [
        ['readlink', '/proc/self/ns/net'],
        ['ip', 'netns', 'exec', 'ns1', 'readlink', '/proc/self/ns/net'],
      ],
      checks: ['ns1 exists'],
    },
    {
      id: 'pair',
      title: 'Create a veth pair and switch one end on',
      why: 'Both ends start in the root namespace. Only veth0 is set up; since its peer is down, veth0 has no carrier yet.',
      ops: [
        { op: 'veth.add', name: 'veth0', peer: 'veth1' },
        { op: 'link.set-state', ns: 'host', ifname: 'veth0', up: true },
      ],
      tryIt: [['ip', '-br', 'link']],
      checks: ['veth0 is up in the root but has no carrier'],
    },
    {
      id: 'move',
      title: 'Move veth1 into ns1',
      why: 'Now the ends are in different namespaces. The root namespace shows veth0 with `link-netns ns1`: its peer lives there. Inside ns1, veth1 shows `link-netnsid 0`: a number for the namespace its peer is in, since ns1 has no name for the root namespace. veth0 stays without carrier (LOWERLAYERDOWN on many kernels) while veth1 is down.',
      ops: [{ op: 'link.move', ns: 'host', ifname: 'veth1', toNs: 'ns1' }],
      tryIt: [
        ['ip', 'link', 'show', 'veth0'],
        ['ip', 'netns', 'exec', 'ns1', 'ip', 'link'],
      ],
      look: {
        ns: 'host',
        tab: 'interfaces',
        note: 'veth0 is UP but without carrier; its peer is veth1 in ns1.',
      },
      checks: ['veth1 is in ns1', 'veth1 is down in ns1'],
    },
    {
      id: 'addresses',
      title: 'Address both ends',
      why: 'veth0 gets 10.0.5.1/24 and veth1 10.0.5.2/24. They still cannot reach each other while veth1 is down: bring it up yourself (`ip -n ns1 link set veth1 up`) to see both ends carry, then down again to return to this lab’s state.',
      ops: [
        { op: 'addr.add', ns: 'host', ifname: 'veth0', cidr: '10.0.5.1/24' },
        { op: 'addr.add', ns: 'ns1', ifname: 'veth1', cidr: '10.0.5.2/24' },
      ],
      tryIt: [
        ['ip', '-n', 'ns1', 'link', 'set', 'veth1', 'up'],
        ['ping', '-c', '1', '10.0.5.2'],
        ['ip', '-n', 'ns1', 'link', 'set', 'veth1', 'down'],
      ],
      checks: ['veth0 has 10.0.5.1/24', 'veth1 has 10.0.5.2/24', 'ns1 cannot reach the root yet'],
    },
    {
      id: 'same-port',
      title: 'The same port in two namespaces',
      why: 'Ports belong to a namespace, not to the machine: ns1 has its own port space, apart from the host’s. So a service in ns1 and one on the host can both bind `0.0.0.0:8080` and neither gets "Address already in use". Each answers only clients in its own namespace: `127.0.0.1:8080` in ns1 reaches the one in ns1, on the host the host’s. (This is how two containers both serve port 80.)',
      ops: [],
      services: [
        { ns: 'ns1', protocol: 'tcp', port: 8080 },
        { ns: 'host', protocol: 'tcp', port: 8080 },
      ],
      tryIt: [
        ['ip', 'netns', 'exec', 'ns1', 'ss', '-ltn', 'sport = :8080'],
        ['ss', '-ltn', 'sport = :8080'],
        ['ip', 'netns', 'exec', 'ns1', 'socat', '-', 'TCP:127.0.0.1:8080'],
      ],
      look: {
        ns: 'ns1',
        tab: 'sockets',
        note: 'socat listens on 0.0.0.0:8080 in ns1; the host’s Sockets tab shows its own socat on 0.0.0.0:8080.',
      },
      question: {
        ask: 'Start a second service on port 8080 in ns1 itself: what happens, and why not when the host has one?',
        answer:
          'It fails with "Address already in use": within one namespace a TCP port is bound once. The host’s listener is in another port space, so it never collides with ns1’s.',
      },
      checks: ['ns1 answers on port 8080', 'the host answers on port 8080'],
    },
  ],
}

// Guided tutorial 1: two namespaces joined by a veth cable (the lab tutorial-1 is its end state).
// The original's typos are not carried over: the address is 10.10.10.2/28, the verb is "exec".

import type { Guide } from './types'

/** Tutorial 1 as steps. */
export const guide1: Guide = {
  lab: 'tutorial-1',
  number: 1,
  title: 'Two namespaces joined by a veth cable',
  intro:
    'Build two separate network stacks on one Linux machine and wire them together with a virtual cable, then send a ping from one to the other.',
  steps: [
    {
      id: 'namespaces',
      title: 'Create two namespaces',
      why: 'A network namespace is a private copy of the kernel network stack: its own interfaces, addresses, routes and neighbour table. ns1 and ns2 start empty except for a loopback that is down, and neither can see the other or the host.',
      ops: [
        { op: 'ns.add', name: 'ns1' },
        { op: 'ns.add', name: 'ns2' },
      ],
      tryIt: [
        ['ip', 'netns', 'list'],
        ['ip', 'netns', 'exec', 'ns1', 'ip', 'link', 'list'],
      ],
      look: { ns: 'ns1', tab: 'interfaces', note: 'Only lo is there, and it is DOWN.' },
      checks: ['ns1 exists', 'ns2 exists'],
    },
    {
      id: 'cable',
      title: 'Lay a veth cable between them',
      why: 'A veth pair is two interfaces joined back to back: a frame sent into one comes out of the other. It is created with both ends in the root namespace; moving one end into each namespace turns it into a cable between them.',
      ops: [
        { op: 'veth.add', name: 'veth0', peer: 'veth1' },
        { op: 'link.move', ns: 'host', ifname: 'veth0', toNs: 'ns1' },
        { op: 'link.move', ns: 'host', ifname: 'veth1', toNs: 'ns2' },
      ],
      look: {
        ns: 'ns1',
        tab: 'interfaces',
        note: 'veth0 is now in ns1, and the root namespace no longer lists it.',
      },
      checks: ['veth0 is in ns1', 'veth1 is in ns2'],
    },
    {
      id: 'addresses',
      title: 'Give each end an address',
      why: 'Both ends get an address in the same small /28 network (16 addresses), so each side knows the other is directly reachable over its veth end. `ip -n ns2 …` is the short form of `ip netns exec ns2 ip …`.',
      ops: [
        { op: 'addr.add', ns: 'ns1', ifname: 'veth0', cidr: '10.10.10.1/28' },
        { op: 'addr.add', ns: 'ns2', ifname: 'veth1', cidr: '10.10.10.2/28' },
      ],
      tryIt: [['ip', 'netns', 'exec', 'ns2', 'ip', 'addr', 'add', '10.10.10.2/28', 'dev', 'veth1']],
      checks: ['ns1 has 10.10.10.1/28', 'ns2 has 10.10.10.2/28'],
    },
    {
      id: 'up',
      title: 'Switch the ends on',
      why: 'New interfaces are administratively down and carry nothing. Both ends of the cable must be up before a frame can cross it; loopback goes up too, as in any working stack.',
      ops: [
        { op: 'link.set-state', ns: 'ns1', ifname: 'lo', up: true },
        { op: 'link.set-state', ns: 'ns1', ifname: 'veth0', up: true },
        { op: 'link.set-state', ns: 'ns2', ifname: 'lo', up: true },
        { op: 'link.set-state', ns: 'ns2', ifname: 'veth1', up: true },
      ],
      tryIt: [['ip', 'netns', 'exec', 'ns2', 'ip', 'link', 'set', 'dev', 'veth1', 'up']],
      checks: ['veth0 is up in ns1', 'veth1 is up in ns2'],
    },
    {
      id: 'ping',
      title: 'Ping across the cable',
      why: 'Nothing to build here: with addresses on both ends and both ends up, ns1 reaches ns2. The check sends the ping itself; try it in a terminal too.',
      ops: [],
      tryIt: [['ip', 'netns', 'exec', 'ns1', 'ping', '-c', '3', '10.10.10.2']],
      look: {
        ns: 'ns1',
        tab: 'neighbours',
        note: "After a ping, ns1's neighbour table holds 10.10.10.2 with veth1's MAC address.",
      },
      checks: ['ns1 reaches ns2', 'ns2 reaches ns1'],
    },
  ],
}

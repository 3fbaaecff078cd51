// Guided tutorial 4: red and blue joined by a pipe, each with its own ARP and routing tables, put
// side by side with the host's (lab tutorial-4's end state).

import type { Guide } from './types'

/** Tutorial 4 as steps. */
export const guide4: Guide = {
  lab: 'tutorial-4',
  number: 4,
  title: 'ARP and routing tables of two namespaces',
  intro:
    'A host needs a network card with an address, a routing table and an ARP table; so does every namespace, each its own. Build red and blue, join them with a pipe, and compare their tables with the host’s.',
  steps: [
    {
      id: 'namespaces',
      title: 'Create red and blue',
      why: 'A fresh namespace has no routes and nothing in its ARP (neighbour) table: it cannot see the host’s, and the host does not show its.',
      ops: [
        { op: 'ns.add', name: 'red' },
        { op: 'ns.add', name: 'blue' },
      ],
      tryIt: [
        ['ip', '-n', 'red', 'link'],
        ['ip', 'netns', 'exec', 'red', 'ip', 'route'],
      ],
      look: {
        ns: 'red',
        tab: 'routes',
        note: 'red’s routing table is empty; compare it with the host’s (Ctrl-click host in the list).',
      },
      checks: ['red exists', 'blue exists'],
    },
    {
      id: 'pipe',
      title: 'Join them with a pipe',
      why: 'A veth pair is the pipe: veth-red goes into red, veth-blue into blue, with nothing in between.',
      ops: [
        { op: 'veth.add', name: 'veth-red', peer: 'veth-blue' },
        { op: 'link.move', ns: 'host', ifname: 'veth-red', toNs: 'red' },
        { op: 'link.move', ns: 'host', ifname: 'veth-blue', toNs: 'blue' },
      ],
      checks: ['veth-red is in red', 'veth-blue is in blue'],
    },
    {
      id: 'addresses',
      title: 'Give both ends an address',
      why: 'red gets 192.168.15.1/24 and blue 192.168.15.2/24: one subnet, one address each.',
      ops: [
        { op: 'addr.add', ns: 'red', ifname: 'veth-red', cidr: '192.168.15.1/24' },
        { op: 'addr.add', ns: 'blue', ifname: 'veth-blue', cidr: '192.168.15.2/24' },
      ],
      checks: ['red has 192.168.15.1/24', 'blue has 192.168.15.2/24'],
    },
    {
      id: 'up',
      title: 'Bring the interfaces up',
      why: 'Once an interface with an address is up, the kernel adds a route to its subnet by itself: each namespace now has its own routing table, with one line the host does not have.',
      ops: [
        { op: 'link.set-state', ns: 'red', ifname: 'lo', up: true },
        { op: 'link.set-state', ns: 'red', ifname: 'veth-red', up: true },
        { op: 'link.set-state', ns: 'blue', ifname: 'lo', up: true },
        { op: 'link.set-state', ns: 'blue', ifname: 'veth-blue', up: true },
      ],
      look: {
        ns: 'red',
        tab: 'routes',
        note: 'red routes 192.168.15.0/24 via veth-red; the host’s table has no such line.',
      },
      checks: ['veth-red is up', 'veth-blue is up', "red's table has the connected route"],
    },
    {
      id: 'arp',
      title: 'Ping, then compare the ARP tables',
      why: 'The check pings blue from red. To send the first packet red must learn blue’s MAC address by ARP; it keeps the answer in its own neighbour table. Put red and the host side by side: the host learned nothing.',
      ops: [],
      tryIt: [
        ['ip', 'netns', 'exec', 'red', 'ping', '-c', '1', '192.168.15.2'],
        ['ip', '-n', 'red', 'neigh'],
        ['ip', 'neigh'],
      ],
      look: {
        ns: 'red',
        tab: 'neighbours',
        note: 'red lists 192.168.15.2 with blue’s MAC; the host’s neighbour table does not.',
      },
      question: {
        ask: 'What if a namespace is given an address that a real machine on your network already uses?',
        answer:
          'Inside the namespace nothing breaks: its tables are its own, and the pipe to blue never reaches the real network. A conflict appears only when the namespace is joined to that network (through a bridge with a physical port, or routed and not NATed by the host): then two machines answer ARP for one address and traffic goes to whichever answered last. The app warns about duplicate addresses it can see across namespaces.',
      },
      checks: ['red reaches blue', "red has learned blue's MAC"],
    },
  ],
}

// Guided tutorial 2: red and green on a bridge in the root namespace (lab tutorial-2's end state).

import type { Guide } from './types'

/** Tutorial 2 as steps. */
export const guide2: Guide = {
  lab: 'tutorial-2',
  number: 2,
  title: 'A bridge joins red and green',
  intro:
    'Put two namespaces on one virtual switch: a Linux bridge in the root namespace with a veth cable from each namespace plugged into it, then ping from red to green through it.',
  steps: [
    {
      id: 'namespaces',
      title: 'Create red and green',
      why: 'Each namespace is an isolated network stack. Right after creation each holds a single loopback interface, switched off.',
      ops: [
        { op: 'ns.add', name: 'red' },
        { op: 'ns.add', name: 'green' },
      ],
      tryIt: [['ip', 'netns', 'exec', 'red', 'ip', 'link']],
      look: { ns: 'red', tab: 'interfaces', note: 'red has only lo, and it is DOWN.' },
      checks: ['red exists', 'green exists'],
    },
    {
      id: 'bridge',
      title: 'Add a switch: the bridge bridge1',
      why: 'A bridge forwards Ethernet frames between the interfaces plugged into it, like a hardware switch. It lives in the root namespace; `ip link add … type bridge` does what the older `brctl addbr` did.',
      ops: [{ op: 'bridge.add', ns: 'host', name: 'bridge1' }],
      look: { ns: 'host', tab: 'interfaces', note: 'bridge1 is listed with kind bridge.' },
      checks: ['bridge1 is up'],
    },
    {
      id: 'cable-red',
      title: "Plug red's cable into the switch",
      why: 'A veth pair is a cable with two ends. eth0-r goes into red and becomes its network card; veth-r stays in the root namespace, becomes a port of bridge1 and is switched on, like plugging a cable into a switch.',
      ops: [
        { op: 'veth.add', name: 'eth0-r', peer: 'veth-r' },
        { op: 'link.move', ns: 'host', ifname: 'eth0-r', toNs: 'red' },
        { op: 'link.set-master', ns: 'host', ifname: 'veth-r', bridge: 'bridge1' },
        { op: 'link.set-state', ns: 'host', ifname: 'veth-r', up: true },
      ],
      checks: ['eth0-r is in red', 'veth-r is a port of bridge1'],
    },
    {
      id: 'cable-green',
      title: "Plug green's cable into the switch",
      why: 'The same for green: eth0-g inside green, veth-g as the second port of bridge1, switched on. Now both namespaces hang off one switch.',
      ops: [
        { op: 'veth.add', name: 'eth0-g', peer: 'veth-g' },
        { op: 'link.move', ns: 'host', ifname: 'eth0-g', toNs: 'green' },
        { op: 'link.set-master', ns: 'host', ifname: 'veth-g', bridge: 'bridge1' },
        { op: 'link.set-state', ns: 'host', ifname: 'veth-g', up: true },
      ],
      checks: ['eth0-g is in green', 'veth-g is a port of bridge1'],
    },
    {
      id: 'red-up',
      title: 'Bring red up and give it 10.0.0.1',
      why: 'Inside red everything is still off: its loopback and its card. With both up and an address in 10.0.0.0/24, red is ready to talk on that subnet.',
      ops: [
        { op: 'link.set-state', ns: 'red', ifname: 'lo', up: true },
        { op: 'link.set-state', ns: 'red', ifname: 'eth0-r', up: true },
        { op: 'addr.add', ns: 'red', ifname: 'eth0-r', cidr: '10.0.0.1/24' },
      ],
      look: {
        ns: 'red',
        tab: 'addresses',
        note: 'eth0-r has 10.0.0.1/24; the routes tab gained 10.0.0.0/24 via eth0-r.',
      },
      checks: ["red's end is up", 'red has 10.0.0.1/24'],
    },
    {
      id: 'green-up',
      title: 'Bring green up and give it 10.0.0.2',
      why: 'The same on the green side, with the next address of the same subnet, so red and green are neighbours on one segment.',
      ops: [
        { op: 'link.set-state', ns: 'green', ifname: 'lo', up: true },
        { op: 'link.set-state', ns: 'green', ifname: 'eth0-g', up: true },
        { op: 'addr.add', ns: 'green', ifname: 'eth0-g', cidr: '10.0.0.2/24' },
      ],
      checks: ["green's end is up", 'green has 10.0.0.2/24'],
    },
    {
      id: 'ping',
      title: 'Ping green from red',
      why: "Nothing to build: the check pings 10.0.0.2 from red. The frames go out of eth0-r, through bridge1, and into eth0-g. Along the way red asks by ARP who has 10.0.0.2, and keeps green's MAC address in its neighbour table.",
      ops: [],
      tryIt: [['ip', 'netns', 'exec', 'red', 'ping', '-c', '1', '10.0.0.2']],
      look: {
        ns: 'red',
        tab: 'neighbours',
        note: "red's neighbour table has 10.0.0.2 with the MAC address of green's eth0-g.",
      },
      checks: ['red reaches green across the bridge', 'green reaches red'],
    },
  ],
}

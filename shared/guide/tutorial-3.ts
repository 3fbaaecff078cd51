// Guided tutorial 3: the host routes and NATs for namespaces on its bridge v-net-0 (lab
// tutorial-3's end state), with a port forward into blue.

import type { Guide } from './types'

/** Tutorial 3 as steps. */
export const guide3: Guide = {
  lab: 'tutorial-3',
  number: 3,
  title: 'The host routes and NATs for its namespaces',
  intro:
    'Connect red and blue through a bridge that the host also has an address on, let the host route and masquerade their traffic to the outside, and forward a port on the host into blue.',
  steps: [
    {
      id: 'namespaces',
      title: 'Create red and blue',
      why: 'Two isolated network stacks, the "rooms" of the house: each sees only its own interfaces and tables.',
      ops: [
        { op: 'ns.add', name: 'red' },
        { op: 'ns.add', name: 'blue' },
      ],
      checks: ['red exists', 'blue exists'],
    },
    {
      id: 'switch',
      title: 'Add the switch v-net-0',
      why: 'A bridge in the root namespace acts as the switch both namespaces plug into. Later it also becomes the host’s door into their network.',
      ops: [{ op: 'bridge.add', ns: 'host', name: 'v-net-0' }],
      checks: ['v-net-0 is up'],
    },
    {
      id: 'cables',
      title: 'Plug both namespaces into the switch',
      why: 'One veth cable per namespace: the inner end (veth-red, veth-blue) moves into the namespace, the outer end (…-br) stays in the root namespace as a bridge port.',
      ops: [
        { op: 'veth.add', name: 'veth-red', peer: 'veth-red-br' },
        { op: 'link.move', ns: 'host', ifname: 'veth-red', toNs: 'red' },
        { op: 'link.set-master', ns: 'host', ifname: 'veth-red-br', bridge: 'v-net-0' },
        { op: 'veth.add', name: 'veth-blue', peer: 'veth-blue-br' },
        { op: 'link.move', ns: 'host', ifname: 'veth-blue', toNs: 'blue' },
        { op: 'link.set-master', ns: 'host', ifname: 'veth-blue-br', bridge: 'v-net-0' },
      ],
      checks: ['veth-red is in red', 'veth-blue is in blue'],
    },
    {
      id: 'addresses',
      title: 'Addresses on, everything up',
      why: 'Each namespace gets an address in 192.168.15.0/24 and every piece is switched on, so red and blue can already talk to each other through the switch.',
      ops: [
        { op: 'link.set-state', ns: 'host', ifname: 'veth-red-br', up: true },
        { op: 'link.set-state', ns: 'host', ifname: 'veth-blue-br', up: true },
        { op: 'link.set-state', ns: 'red', ifname: 'lo', up: true },
        { op: 'link.set-state', ns: 'red', ifname: 'veth-red', up: true },
        { op: 'addr.add', ns: 'red', ifname: 'veth-red', cidr: '192.168.15.1/24' },
        { op: 'link.set-state', ns: 'blue', ifname: 'lo', up: true },
        { op: 'link.set-state', ns: 'blue', ifname: 'veth-blue', up: true },
        { op: 'addr.add', ns: 'blue', ifname: 'veth-blue', cidr: '192.168.15.2/24' },
      ],
      checks: ['red has 192.168.15.1/24', 'blue has 192.168.15.2/24', 'red reaches blue'],
    },
    {
      id: 'host-joins',
      title: 'Give the host an address on the switch',
      why: 'The root namespace cannot reach red or blue yet: it has no address on their network. Putting 192.168.15.5/24 on the bridge itself plugs the host into the switch.',
      ops: [{ op: 'addr.add', ns: 'host', ifname: 'v-net-0', cidr: '192.168.15.5/24' }],
      tryIt: [['ping', '-c', '1', '192.168.15.1']],
      checks: ["the bridge has the host's address", 'red reaches the host'],
    },
    {
      id: 'gateway',
      title: 'Send everything else via the host',
      why: 'A namespace only knows its own subnet. A default route via 192.168.15.5 tells red and blue to hand any other destination to the host, which acts as their gateway.',
      ops: [
        { op: 'route.add', ns: 'red', dst: 'default', via: '192.168.15.5' },
        { op: 'route.add', ns: 'blue', dst: 'default', via: '192.168.15.5' },
      ],
      look: { ns: 'red', tab: 'routes', note: 'red now has "default via 192.168.15.5".' },
      checks: ["red's default route goes via the host", "blue's default route goes via the host"],
    },
    {
      id: 'nat',
      title: 'Let the host forward and masquerade',
      why: 'A gateway must forward packets that are not for itself (ip_forward), and the outside world has no route back to 192.168.15.0/24. Masquerading rewrites their source to the host’s own address on the way out, so replies come back to the host, which hands them on.',
      ops: [
        { op: 'forwarding.set', ns: 'host', enabled: true },
        { op: 'nat.masquerade', ns: 'host', source: '192.168.15.0/24' },
      ],
      checks: ['the host forwards IPv4', 'the host masquerades 192.168.15.0/24'],
    },
    {
      id: 'port-forward',
      title: "Forward the host's port 8080 to blue",
      why: 'The other direction: a connection to port 8080 on the host is rewritten (DNAT) to port 80 in blue. For the check to answer, something must listen on port 80 in blue: start a listener on port 80 in blue from the app, or run the command below in a terminal.',
      ops: [
        {
          op: 'nat.port-forward',
          ns: 'host',
          protocol: 'tcp',
          port: 8080,
          toAddr: '192.168.15.2',
          toPort: 80,
        },
      ],
      tryIt: [
        [
          'ip',
          'netns',
          'exec',
          'blue',
          'socat',
          'TCP-LISTEN:80,fork,reuseaddr',
          'EXEC:/bin/hostname',
        ],
      ],
      checks: ['the host forwards port 8080 to blue', 'port 8080 on the host reaches blue'],
    },
  ],
}

// Tutorial 2's end state: red and green, each with a veth into bridge1 on the host, one subnet.

/** Lab file text of tutorial 2. */
export const tutorial2 = `name: tutorial-2
kind: tutorial
title: A bridge joins red and green
description: |
  Two namespaces, red and green, each connected by a veth pair to the bridge bridge1 in the root
  namespace (a virtual switch). Loopback and both ends are up; red is 10.0.0.1/24 and green is
  10.0.0.2/24, so red can ping green across the bridge, and each ARP table learns the other's MAC.
namespaces:
  red: {}
  green: {}
bridges:
  - name: bridge1
links:
  - endpoints:
      - { ns: red, name: eth0-r, addresses: [10.0.0.1/24] }
      - { bridge: bridge1, name: veth-r }
  - endpoints:
      - { ns: green, name: eth0-g, addresses: [10.0.0.2/24] }
      - { bridge: bridge1, name: veth-g }
layout:
  host/bridge1: { x: 270, y: 80 }
  red: { x: 120, y: 240 }
  green: { x: 420, y: 240 }
`

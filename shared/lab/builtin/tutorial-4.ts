// Tutorial 4's end state: red and blue joined by a pipe (a veth pair), each with its own ARP and
// routing table.

/** Lab file text of tutorial 4. */
export const tutorial4 = `name: tutorial-4
kind: tutorial
title: ARP and routing tables of two namespaces
description: |
  A namespace has its own interfaces, routing table and ARP table, as a host does. red and blue
  are joined by a virtual cable (veth-red to veth-blue) on 192.168.15.0/24. After
  "ip netns exec red ping 192.168.15.2", compare "ip -n red neigh" and "ip -n red route" with the
  root namespace's: the host's tables do not show what the namespaces learned.
namespaces:
  red: {}
  blue: {}
links:
  - endpoints:
      - { ns: red, name: veth-red, addresses: [192.168.15.1/24] }
      - { ns: blue, name: veth-blue, addresses: [192.168.15.2/24] }
layout:
  red: { x: 120, y: 160 }
  blue: { x: 420, y: 160 }
`

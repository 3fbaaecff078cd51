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
checks:
  - name: red exists
    namespace: { ns: red }
  - name: blue exists
    namespace: { ns: blue }
  - name: veth-red is in red
    interface: { ns: red, dev: veth-red, state: present }
  - name: veth-blue is in blue
    interface: { ns: blue, dev: veth-blue, state: present }
  - name: red has 192.168.15.1/24
    address: { ns: red, dev: veth-red, address: 192.168.15.1/24 }
  - name: blue has 192.168.15.2/24
    address: { ns: blue, dev: veth-blue, address: 192.168.15.2/24 }
  - name: veth-red is up
    interface: { ns: red, dev: veth-red, state: carrier }
    hint: ip -n red link set veth-red up (and veth-blue in blue)
  - name: veth-blue is up
    interface: { ns: blue, dev: veth-blue, state: carrier }
    hint: ip -n blue link set veth-blue up
  - name: red's table has the connected route
    route: { ns: red, to: 192.168.15.0/24, dev: veth-red }
    hint: The kernel adds this route with the address, once veth-red is up.
  - name: red reaches blue
    reach: { from: red, to: 192.168.15.2 }
  - name: red has learned blue's MAC
    neighbour: { ns: red, address: 192.168.15.2, dev: veth-red }
    hint: Neighbours are read after the pings; ping 192.168.15.2 from red, then ip -n red neigh.
layout:
  red: { x: 120, y: 160 }
  blue: { x: 420, y: 160 }
`

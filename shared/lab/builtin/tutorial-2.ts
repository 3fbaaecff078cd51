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
checks:
  - name: red exists
    namespace: { ns: red }
  - name: green exists
    namespace: { ns: green }
  - name: bridge1 is up
    interface: { ns: host, dev: bridge1, state: up }
    hint: ip link add bridge1 type bridge, then ip link set dev bridge1 up
  - name: eth0-r is in red
    interface: { ns: red, dev: eth0-r, state: present }
  - name: veth-r is a port of bridge1
    interface: { ns: host, dev: veth-r, master: bridge1 }
    hint: ip link set veth-r master bridge1 and ip link set veth-r up
  - name: eth0-g is in green
    interface: { ns: green, dev: eth0-g, state: present }
  - name: veth-g is a port of bridge1
    interface: { ns: host, dev: veth-g, master: bridge1 }
    hint: ip link set veth-g master bridge1 and ip link set veth-g up
  - name: red's end is up
    interface: { ns: red, dev: eth0-r, state: carrier }
    hint: "Both ends must be up: ip -n red link set eth0-r up and ip link set veth-r up"
  - name: red has 10.0.0.1/24
    address: { ns: red, dev: eth0-r, address: 10.0.0.1/24 }
  - name: green's end is up
    interface: { ns: green, dev: eth0-g, state: carrier }
    hint: "Both ends must be up: ip -n green link set eth0-g up and ip link set veth-g up"
  - name: green has 10.0.0.2/24
    address: { ns: green, dev: eth0-g, address: 10.0.0.2/24 }
  - name: red reaches green across the bridge
    reach: { from: red, to: 10.0.0.2 }
    hint: Are veth-r and veth-g ports of bridge1, and is every end up?
  - name: green reaches red
    reach: { from: green, toNs: red }
layout:
  host/bridge1: { x: 270, y: 80 }
  red: { x: 120, y: 240 }
  green: { x: 420, y: 240 }
`

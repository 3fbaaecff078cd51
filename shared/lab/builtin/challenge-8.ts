// Challenge 8: tutorial 2's switch, with green plugged into another bridge.

/** Lab file text of challenge 8 (the fault: green's cable is a port of bridge2, not bridge1). */
export const challenge8 = `name: challenge-8
kind: challenge
title: "Challenge: plugged into the wrong switch"
description: |
  Goal: red reaches green (10.0.0.2). Both are on 10.0.0.0/24, every end is up, and both cables
  end on a bridge in the root namespace, yet ARP for green gets no answer. Which bridge is each
  cable a port of? Move green's cable to red's bridge.
namespaces:
  red: {}
  green: {}
bridges:
  - name: bridge1
  - name: bridge2
links:
  - endpoints:
      - { ns: red, name: eth0-r, addresses: [10.0.0.1/24] }
      - { bridge: bridge1, name: veth-r }
  - endpoints:
      - { ns: green, name: eth0-g, addresses: [10.0.0.2/24] }
      - { bridge: bridge2, name: veth-g }
checks:
  - name: red reaches green
    reach: { from: red, to: 10.0.0.2 }
    pass: Solved
    hint: Compare ip link show master bridge1 with ip link show master bridge2.
  - name: veth-r is a port of bridge1
    interface: { ns: host, dev: veth-r, master: bridge1 }
  - name: veth-g is a port of bridge1
    interface: { ns: host, dev: veth-g, master: bridge1 }
    hint: ip link set veth-g master bridge1
layout:
  host/bridge1: { x: 170, y: 80 }
  host/bridge2: { x: 370, y: 80 }
  red: { x: 120, y: 240 }
  green: { x: 420, y: 240 }
`

// Tutorial 1's end state: two namespaces joined by a veth cable, a /28 address on each end.

/** Lab file text of tutorial 1 (the tutorial's typos fixed: "10.10.10.2/28", "ip netns exec"). */
export const tutorial1 = `name: tutorial-1
kind: tutorial
title: Two namespaces joined by a veth cable
description: |
  Create two isolated network namespaces in a virtual machine and connect them with a virtual
  Ethernet cable (a veth pair), one end in each namespace:
    ip netns add ns1
    ip netns add ns2
    ip link add veth0 type veth peer name veth1
    ip link set veth0 netns ns1
    ip link set veth1 netns ns2
    ip netns exec ns1 ip addr add 10.10.10.1/28 dev veth0
    ip netns exec ns2 ip addr add 10.10.10.2/28 dev veth1
    ip netns exec ns1 ip link set dev veth0 up
    ip netns exec ns2 ip link set dev veth1 up
  Then ns1 can ping 10.10.10.2.
namespaces:
  ns1: {}
  ns2: {}
links:
  - endpoints:
      - { ns: ns1, name: veth0, addresses: [10.10.10.1/28] }
      - { ns: ns2, name: veth1, addresses: [10.10.10.2/28] }
layout:
  ns1: { x: 120, y: 160 }
  ns2: { x: 420, y: 160 }
`

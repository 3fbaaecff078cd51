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
checks:
  - name: ns1 exists
    namespace: { ns: ns1 }
    hint: ip netns add ns1
  - name: ns2 exists
    namespace: { ns: ns2 }
    hint: ip netns add ns2
  - name: veth0 is in ns1
    interface: { ns: ns1, dev: veth0, state: present }
    hint: ip link add veth0 type veth peer name veth1, then ip link set veth0 netns ns1
  - name: veth1 is in ns2
    interface: { ns: ns2, dev: veth1, state: present }
    hint: ip link set veth1 netns ns2
  - name: ns1 has 10.10.10.1/28
    address: { ns: ns1, dev: veth0, address: 10.10.10.1/28 }
    hint: ip -n ns1 addr add 10.10.10.1/28 dev veth0
  - name: ns2 has 10.10.10.2/28
    address: { ns: ns2, dev: veth1, address: 10.10.10.2/28 }
    hint: ip -n ns2 addr add 10.10.10.2/28 dev veth1 (one slash, not two)
  - name: veth0 is up in ns1
    interface: { ns: ns1, dev: veth0, state: carrier }
    hint: ip -n ns1 link set dev veth0 up; it carries only once veth1 is up too
  - name: veth1 is up in ns2
    interface: { ns: ns2, dev: veth1, state: carrier }
    hint: ip -n ns2 link set dev veth1 up
  - name: ns1 reaches ns2
    reach: { from: ns1, to: 10.10.10.2 }
    hint: Both ends need an address in the same /28 and must be up; see the checks above.
  - name: ns2 reaches ns1
    reach: { from: ns2, toNs: ns1 }
layout:
  ns1: { x: 120, y: 160 }
  ns2: { x: 420, y: 160 }
`

// Challenge 2: two ends of one cable whose prefixes disagree.

/** Lab file text of challenge 2 (the fault: ns1's address is a /30 that does not hold ns2's). */
export const challenge2 = `name: challenge-2
kind: challenge
title: "Challenge: one cable, two networks"
description: |
  Goal: ns1 reaches ns2 (10.10.10.6). Both ends are up and have addresses, but ns1 says
  "Network is unreachable". Look at the prefix lengths: which network does each end think it is
  on? Fix the address in ns1 so that both ends are on 10.10.10.0/24.
namespaces:
  ns1: {}
  ns2: {}
links:
  - endpoints:
      - { ns: ns1, name: veth0, addresses: [10.10.10.1/30] }
      - { ns: ns2, name: veth1, addresses: [10.10.10.6/24] }
checks:
  - name: ns1 reaches ns2
    reach: { from: ns1, to: 10.10.10.6 }
    pass: Solved
    hint: ns1 has no route to 10.10.10.6; ip -n ns1 route shows which network veth0 covers.
  - name: ns1 is on 10.10.10.0/24
    address: { ns: ns1, dev: veth0, address: 10.10.10.1/24 }
    hint: ip -n ns1 addr del 10.10.10.1/30 dev veth0, then ip -n ns1 addr add 10.10.10.1/24 dev veth0
  - name: ns1 has a route to ns2's network
    route: { ns: ns1, to: 10.10.10.0/24, dev: veth0 }
    hint: The kernel adds the connected route with the address.
layout:
  ns1: { x: 120, y: 160 }
  ns2: { x: 420, y: 160 }
`

// Challenge 5: the outside network has no route back, and the router does not masquerade.

/** Lab file text of challenge 5 (the fault: no NAT masquerade on the router). */
export const challenge5 = `name: challenge-5
kind: challenge
title: "Challenge: no way back from outside"
description: |
  Goal: red reaches outside (10.2.0.2) through the router, as a home network reaches the
  internet. The router forwards, red routes via it, but outside knows nothing of 10.1.0.0/24 and
  must not be told: the router has to masquerade red's network behind its own address on eth1.
namespaces:
  red: {}
  router: { sysctls: { net.ipv4.ip_forward: 1 } }
  outside: {}
links:
  - endpoints:
      - { ns: red, name: eth0, addresses: [10.1.0.2/24] }
      - { ns: router, name: eth0, addresses: [10.1.0.1/24] }
  - endpoints:
      - { ns: router, name: eth1, addresses: [10.2.0.1/24] }
      - { ns: outside, name: eth0, addresses: [10.2.0.2/24] }
routes:
  - { ns: red, to: default, via: 10.1.0.1 }
checks:
  - name: red reaches outside
    reach: { from: red, to: 10.2.0.2 }
    pass: Solved
    hint: The echo requests arrive at outside; where do its replies to 10.1.0.2 go?
  - name: the router masquerades red's network
    nat: { ns: router, masquerade: { source: 10.1.0.0/24, out: eth1 } }
    hint: ip netns exec router iptables -t nat -A POSTROUTING -s 10.1.0.0/24 -o eth1 -j MASQUERADE
  - name: the router forwards IPv4
    sysctl: { ns: router, key: net.ipv4.ip_forward, value: 1 }
layout:
  red: { x: 80, y: 160 }
  router: { x: 280, y: 160 }
  outside: { x: 480, y: 160 }
`

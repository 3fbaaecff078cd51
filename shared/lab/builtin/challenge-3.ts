// Challenge 3: red sits behind a router but has no default route.

/** Lab file text of challenge 3 (the fault: red has no default route). */
export const challenge3 = `name: challenge-3
kind: challenge
title: "Challenge: red has no way out"
description: |
  Goal: red reaches blue (10.2.0.2) through the router namespace. The router forwards IPv4 and
  blue knows its way back, but red only knows its own network, 10.1.0.0/24. Tell red where to
  send everything else.
namespaces:
  red: {}
  router: { sysctls: { net.ipv4.ip_forward: 1 } }
  blue: {}
links:
  - endpoints:
      - { ns: red, name: eth0, addresses: [10.1.0.2/24] }
      - { ns: router, name: eth0, addresses: [10.1.0.1/24] }
  - endpoints:
      - { ns: router, name: eth1, addresses: [10.2.0.1/24] }
      - { ns: blue, name: eth0, addresses: [10.2.0.2/24] }
routes:
  - { ns: blue, to: default, via: 10.2.0.1 }
checks:
  - name: red reaches blue
    reach: { from: red, to: 10.2.0.2 }
    pass: Solved
    hint: red needs a route for addresses outside 10.1.0.0/24; look at ip -n red route.
  - name: red's default route goes via the router
    route: { ns: red, to: default, via: 10.1.0.1 }
    hint: ip -n red route add default via 10.1.0.1
  - name: the router forwards IPv4
    sysctl: { ns: router, key: net.ipv4.ip_forward, value: 1 }
layout:
  red: { x: 80, y: 160 }
  router: { x: 280, y: 160 }
  blue: { x: 480, y: 160 }
`

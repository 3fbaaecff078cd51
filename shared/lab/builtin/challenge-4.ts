// Challenge 4: every route is right, but the router does not forward.

/** Lab file text of challenge 4 (the fault: forwarding is off in the router namespace). */
export const challenge4 = `name: challenge-4
kind: challenge
title: "Challenge: the router that does not route"
description: |
  Goal: red reaches blue (10.2.0.2). red and blue both route via the router namespace, and the
  router can ping each of them, yet nothing gets through. A Linux host drops packets that are
  not for itself unless it is told to forward them.
namespaces:
  red: {}
  router: { sysctls: { net.ipv4.ip_forward: 0 } }
  blue: {}
links:
  - endpoints:
      - { ns: red, name: eth0, addresses: [10.1.0.2/24] }
      - { ns: router, name: eth0, addresses: [10.1.0.1/24] }
  - endpoints:
      - { ns: router, name: eth1, addresses: [10.2.0.1/24] }
      - { ns: blue, name: eth0, addresses: [10.2.0.2/24] }
routes:
  - { ns: red, to: default, via: 10.1.0.1 }
  - { ns: blue, to: default, via: 10.2.0.1 }
checks:
  - name: red reaches blue
    reach: { from: red, to: 10.2.0.2 }
    pass: Solved
    hint: The routes are right; does the router pass packets on? Look at its sysctls.
  - name: the router forwards IPv4
    sysctl: { ns: router, key: net.ipv4.ip_forward, value: 1 }
    hint: ip netns exec router sysctl -w net.ipv4.ip_forward=1
  - name: the router reaches red
    reach: { from: router, to: 10.1.0.2 }
  - name: the router reaches blue
    reach: { from: router, to: 10.2.0.2 }
layout:
  red: { x: 80, y: 160 }
  router: { x: 280, y: 160 }
  blue: { x: 480, y: 160 }
`

// Challenge 7: red can send to blue, but blue has no route back.

/** Lab file text of challenge 7 (the fault: blue has no route to red's network). */
export const challenge7 = `name: challenge-7
kind: challenge
title: "Challenge: a one-way road"
description: |
  Goal: red reaches blue (10.2.0.2) through the router. red routes via the router and the
  router forwards, so the echo requests do arrive at blue; the replies never come back. A route
  is needed in both directions.
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
  - { ns: red, to: default, via: 10.1.0.1 }
checks:
  - name: red reaches blue
    reach: { from: red, to: 10.2.0.2 }
    pass: Solved
    hint: Where does blue send its reply to 10.1.0.2? Look at ip -n blue route.
  - name: blue routes back via the router
    route: { ns: blue, to: default, via: 10.2.0.1 }
    hint: ip -n blue route add default via 10.2.0.1 (or a route to 10.1.0.0/24 via 10.2.0.1)
  - name: red's default route goes via the router
    route: { ns: red, to: default, via: 10.1.0.1 }
layout:
  red: { x: 80, y: 160 }
  router: { x: 280, y: 160 }
  blue: { x: 480, y: 160 }
`

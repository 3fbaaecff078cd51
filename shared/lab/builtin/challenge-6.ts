// Challenge 6: a default route through a gateway that is not there.

/** Lab file text of challenge 6 (the fault: red's default route points at 10.1.0.9). */
export const challenge6 = `name: challenge-6
kind: challenge
title: "Challenge: the wrong gateway"
description: |
  Goal: red reaches blue (10.2.0.2) through the router (10.1.0.1). red has a default route,
  but its pings go nowhere: look at the gateway it names, and at red's neighbour table after a
  ping (FAILED or INCOMPLETE means nobody answered ARP for that address).
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
  - { ns: red, to: default, via: 10.1.0.9 }
  - { ns: blue, to: default, via: 10.2.0.1 }
checks:
  - name: red reaches blue
    reach: { from: red, to: 10.2.0.2 }
    pass: Solved
    hint: Which address does red's default route send to, and does anything answer there?
  - name: red's default route goes via the router
    route: { ns: red, to: default, via: 10.1.0.1 }
    hint: ip -n red route replace default via 10.1.0.1
layout:
  red: { x: 80, y: 160 }
  router: { x: 280, y: 160 }
  blue: { x: 480, y: 160 }
`

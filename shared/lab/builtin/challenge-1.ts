// Challenge 1: tutorial 1's cable with one end left down.

/** Lab file text of challenge 1 (the fault: veth1 in ns2 is down). */
export const challenge1 = `name: challenge-1
kind: challenge
title: "Challenge: ns1 cannot reach ns2"
description: |
  Goal: ns1 reaches ns2 (10.10.10.2). Two namespaces are joined by a veth cable with an address
  in the same /28 on each end, as in tutorial 1, yet ping gets no answer. Find out why and fix it
  (in the terminal or the forms); the checks turn green once the kernel shows it works.
namespaces:
  ns1: {}
  ns2: {}
links:
  - endpoints:
      - { ns: ns1, name: veth0, addresses: [10.10.10.1/28] }
      - { ns: ns2, name: veth1, addresses: [10.10.10.2/28], up: false }
checks:
  - name: ns1 reaches ns2
    reach: { from: ns1, to: 10.10.10.2 }
    pass: Solved
    hint: Is every end of the cable up? Compare ip -n ns1 link with ip -n ns2 link.
  - name: veth0 carries
    interface: { ns: ns1, dev: veth0, state: carrier }
    hint: A veth end carries only when both ends are up (NO-CARRIER means the other end is down).
  - name: veth1 is up
    interface: { ns: ns2, dev: veth1, state: up }
    hint: ip -n ns2 link set dev veth1 up
layout:
  ns1: { x: 120, y: 160 }
  ns2: { x: 420, y: 160 }
`

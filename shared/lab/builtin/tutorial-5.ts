// Tutorial 5's end state: a veth pair from the root namespace into ns1, the host end up and the
// ns1 end down, so the host end reads LOWERLAYERDOWN.

/** Lab file text of tutorial 5. */
export const tutorial5 = `name: tutorial-5
kind: tutorial
title: veth states across namespaces
description: |
  veth0 stays in the root namespace and is up; its peer veth1 was moved into ns1 and is still
  down. The root namespace shows veth0 UP but with NO-CARRIER (its state reads DOWN, or
  LOWERLAYERDOWN on some kernels: the peer is down), with "link-netns ns1"; ns1 shows veth1 DOWN
  with "link-netnsid 0". Bring veth1 up (ip -n ns1 link set veth1 up) and both ends carry:
  10.0.5.1 and 10.0.5.2 reach each other.
namespaces:
  ns1: {}
links:
  - endpoints:
      - { name: veth0, addresses: [10.0.5.1/24] }
      - { ns: ns1, name: veth1, addresses: [10.0.5.2/24], up: false }
layout:
  host: { x: 120, y: 160 }
  ns1: { x: 420, y: 160 }
`

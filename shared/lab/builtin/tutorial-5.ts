// Tutorial 5's end state: a veth pair from the root namespace into ns1, the host end up and the
// ns1 end down, so the host end reads LOWERLAYERDOWN. Its last two checks need services on port
// 8080 in ns1 and in the root namespace, which a lab file cannot start: the guide's last step
// starts them (the services of the Sockets tab), or socat by hand as their hints say.

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
  Ports belong to a namespace: a service on port 8080 in ns1 and one on port 8080 in the root
  namespace both listen at once. The lab does not start them (the guide's last step does), so its
  last two checks pass only while they run.
namespaces:
  ns1: {}
links:
  - endpoints:
      - { name: veth0, addresses: [10.0.5.1/24] }
      - { ns: ns1, name: veth1, addresses: [10.0.5.2/24], up: false }
checks:
  - name: ns1 exists
    namespace: { ns: ns1 }
  - name: veth1 is in ns1
    interface: { ns: ns1, dev: veth1, state: present }
    hint: ip link set veth1 netns ns1
  - name: veth1 is down in ns1
    interface: { ns: ns1, dev: veth1, state: down }
    hint: This lab keeps veth1 down to show the states; ip -n ns1 link set veth1 down
  - name: veth0 is up in the root but has no carrier
    interface: { ns: host, dev: veth0, state: no-carrier }
    hint: ip link set veth0 up; its peer veth1 is down, so veth0 reads NO-CARRIER (LOWERLAYERDOWN).
  - name: veth0 has 10.0.5.1/24
    address: { ns: host, dev: veth0, address: 10.0.5.1/24 }
  - name: veth1 has 10.0.5.2/24
    address: { ns: ns1, dev: veth1, address: 10.0.5.2/24 }
  - name: ns1 cannot reach the root yet
    reach: { from: ns1, to: 10.0.5.1, expect: unreachable }
    hint: With veth1 down, ns1 has no route to 10.0.5.0/24.
  - name: ns1 answers on port 8080
    port: { from: ns1, to: 127.0.0.1, port: 8080 }
    hint: Start a TCP service on port 8080 in ns1 (its Sockets tab), or ip netns exec ns1 socat TCP4-LISTEN:8080,reuseaddr,fork EXEC:hostname
  - name: the host answers on port 8080
    port: { from: host, to: 127.0.0.1, port: 8080 }
    hint: Start a TCP service on port 8080 in the root namespace (host's Sockets tab), or socat TCP4-LISTEN:8080,reuseaddr,fork EXEC:hostname
layout:
  host: { x: 120, y: 160 }
  ns1: { x: 420, y: 160 }
`

// Tutorial 3's end state: namespaces on a host bridge that has an address, default routes via the
// host, forwarding on, masquerade for the subnet and a port forward into one namespace.

/** Lab file text of tutorial 3. */
export const tutorial3 = `name: tutorial-3
kind: tutorial
title: The host routes and NATs for its namespaces
description: |
  red and blue sit on the bridge v-net-0, which has an address in the root namespace
  (192.168.15.5), so the host can reach them. Each namespace's default route goes via the host;
  the host forwards IPv4 and masquerades the subnet, so the namespaces reach outside networks.
  A port forward takes TCP port 8080 on the host to port 80 in blue.
namespaces:
  host:
    sysctls: { net.ipv4.ip_forward: 1 }
  red: {}
  blue: {}
bridges:
  - name: v-net-0
    addresses: [192.168.15.5/24]
links:
  - endpoints:
      - { ns: red, name: veth-red, addresses: [192.168.15.1/24] }
      - { bridge: v-net-0, name: veth-red-br }
  - endpoints:
      - { ns: blue, name: veth-blue, addresses: [192.168.15.2/24] }
      - { bridge: v-net-0, name: veth-blue-br }
routes:
  - { ns: red, to: default, via: 192.168.15.5 }
  - { ns: blue, to: default, via: 192.168.15.5 }
nat:
  - ns: host
    masquerade: { source: 192.168.15.0/24 }
  - ns: host
    forward: { protocol: tcp, port: 8080, to: 192.168.15.2:80 }
layout:
  host: { x: 270, y: 40 }
  host/v-net-0: { x: 270, y: 160 }
  red: { x: 120, y: 300 }
  blue: { x: 420, y: 300 }
`

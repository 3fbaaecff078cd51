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
checks:
  - name: red exists
    namespace: { ns: red }
  - name: blue exists
    namespace: { ns: blue }
  - name: v-net-0 is up
    interface: { ns: host, dev: v-net-0, state: up }
    hint: ip link add v-net-0 type bridge, then ip link set dev v-net-0 up
  - name: veth-red is in red
    interface: { ns: red, dev: veth-red, state: present }
  - name: veth-blue is in blue
    interface: { ns: blue, dev: veth-blue, state: present }
  - name: red has 192.168.15.1/24
    address: { ns: red, dev: veth-red, address: 192.168.15.1/24 }
  - name: blue has 192.168.15.2/24
    address: { ns: blue, dev: veth-blue, address: 192.168.15.2/24 }
  - name: red reaches blue
    reach: { from: red, toNs: blue }
    hint: Are both cables ports of v-net-0 (ip link set veth-red-br master v-net-0) and is every end up?
  - name: the bridge has the host's address
    address: { ns: host, dev: v-net-0, address: 192.168.15.5/24 }
    hint: ip addr add 192.168.15.5/24 dev v-net-0
  - name: red reaches the host
    reach: { from: red, to: 192.168.15.5 }
    hint: The root namespace needs an address on the bridge (192.168.15.5/24 on v-net-0).
  - name: red's default route goes via the host
    route: { ns: red, to: default, via: 192.168.15.5 }
    hint: ip -n red route add default via 192.168.15.5
  - name: blue's default route goes via the host
    route: { ns: blue, to: default, via: 192.168.15.5 }
    hint: ip -n blue route add default via 192.168.15.5
  - name: the host forwards IPv4
    sysctl: { ns: host, key: net.ipv4.ip_forward, value: 1 }
    hint: sysctl -w net.ipv4.ip_forward=1
  - name: the host masquerades 192.168.15.0/24
    nat: { ns: host, masquerade: { source: 192.168.15.0/24 } }
    hint: iptables -t nat -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE
  - name: the host forwards port 8080 to blue
    nat: { ns: host, forward: { protocol: tcp, port: 8080, to: 192.168.15.2:80 } }
    hint: iptables -t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 192.168.15.2:80
  - name: port 8080 on the host reaches blue
    port: { from: host, to: 192.168.15.5, port: 8080, local: true }
    fail: The forward does not answer
    hint: >-
      The DNAT rule sends port 8080 to 192.168.15.2:80, so something must listen on port 80 in
      blue: ip netns exec blue socat TCP-LISTEN:80,fork,reuseaddr EXEC:/bin/hostname
layout:
  host: { x: 270, y: 40 }
  host/v-net-0: { x: 270, y: 160 }
  red: { x: 120, y: 300 }
  blue: { x: 420, y: 300 }
`

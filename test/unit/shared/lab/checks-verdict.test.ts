// Verdicts of checks from what the kernel said: a captured snapshot (test/fixtures/checks/
// snapshot.txt: tutorials 1, 3 and 5 applied with prefix "fx-", then ns2's veth1 set down and
// readdressed /24, red pinged blue, blue's default route moved to 192.168.15.1), captured NAT
// listings, and ping/socat/timeout output as those tools print it.

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { LabCheck } from '../../../../shared/lab/checks'
import { judgeNat } from '../../../../shared/lab/checks-nat'
import {
  finish,
  judgeCommand,
  judgeFromSnapshot,
  judgePort,
  judgeReach,
  judgeSysctl,
  type ProbeOutcome,
} from '../../../../shared/lab/checks-verdict'
import { parseSnapshot } from '../../../../shared/net/snapshot-parse'

const snap = parseSnapshot(readFileSync('test/fixtures/checks/snapshot.txt', 'utf8'), {
  takenAt: 0,
  durationMs: 0,
})
const judge = (c: Omit<LabCheck, 'name'>) => judgeFromSnapshot({ name: 'c', ...c }, snap)
const out = (exitCode: number | null, stdout = '', stderr = ''): ProbeOutcome => ({
  exitCode,
  stdout,
  stderr,
})

describe('checks the snapshot decides', () => {
  it('interface: present, up, down, carrier, no carrier, port of a bridge', () => {
    expect(judge({ interface: { ns: 'fx-red', dev: 'veth-red' } })).toEqual({
      ok: true,
      detail:
        'veth-red in fx-red is up with a carrier (state UP, flags BROADCAST,MULTICAST,UP,LOWER_UP)',
    })
    expect(judge({ interface: { ns: 'fx-ns2', dev: 'veth1' } })).toEqual({
      ok: false,
      detail: 'veth1 in fx-ns2 is administratively down (state DOWN, flags BROADCAST,MULTICAST)',
    })
    expect(judge({ interface: { ns: 'fx-ns2', dev: 'veth1', state: 'down' } })?.ok).toBe(true)
    expect(judge({ interface: { ns: 'fx-ns2', dev: 'veth1', state: 'present' } })?.ok).toBe(true)
    // ns1's veth0 is up, but its peer (veth1 in ns2) is down: no carrier
    expect(judge({ interface: { ns: 'fx-ns1', dev: 'veth0', state: 'carrier' } })).toMatchObject({
      ok: false,
      detail: expect.stringContaining('veth0 in fx-ns1 is up with no carrier'),
    })
    expect(judge({ interface: { ns: 'host', dev: 'fx-veth0', state: 'no-carrier' } })).toEqual({
      ok: true,
      detail:
        'fx-veth0 in the root namespace (host) is up with no carrier (its other end is down or missing) (state DOWN, flags NO-CARRIER,BROADCAST,MULTICAST,UP)',
    })
    expect(
      judge({ interface: { ns: 'host', dev: 'fx-veth-red-br', master: 'fx-v-net-0' } }),
    ).toMatchObject({ ok: true, detail: expect.stringContaining('is a port of fx-v-net-0, up') })
    expect(judge({ interface: { ns: 'host', dev: 'fx-veth0', master: 'fx-v-net-0' } })).toEqual({
      ok: false,
      detail: 'fx-veth0 in the root namespace (host) is a port of no bridge, not of fx-v-net-0',
    })
    expect(judge({ interface: { ns: 'fx-ns2', dev: 'eth9' } })).toEqual({
      ok: false,
      detail: 'fx-ns2 has no interface eth9 (it has: lo, veth1)',
    })
    expect(judge({ interface: { ns: 'fx-gone', dev: 'eth0' } })).toEqual({
      ok: false,
      detail: 'namespace fx-gone does not exist',
    })
  })

  it('address: exact prefix, wrong prefix, wrong device, absent', () => {
    expect(judge({ address: { ns: 'fx-ns1', dev: 'veth0', address: '10.10.10.1/28' } })).toEqual({
      ok: true,
      detail: '10.10.10.1/28 is on veth0 in fx-ns1',
    })
    expect(judge({ address: { ns: 'fx-ns2', address: '10.10.10.2/28' } })).toEqual({
      ok: false,
      detail: '10.10.10.2 is on veth1 in fx-ns2 with prefix /24, not /28',
    })
    expect(judge({ address: { ns: 'fx-ns1', dev: 'veth1', address: '10.10.10.1/28' } })).toEqual({
      ok: false,
      detail: '10.10.10.1/28 is on veth0 in fx-ns1, not on veth1',
    })
    expect(judge({ address: { ns: 'fx-red', address: '192.168.15.9/24' } })).toEqual({
      ok: false,
      detail:
        '192.168.15.9/24 is not in fx-red; its interfaces have: 192.168.15.1/24, fe80::4c9f:6eff:fe98:22d7/64',
    })
  })

  it('route: destination, gateway and device compared; other tables and families apart', () => {
    expect(judge({ route: { ns: 'fx-red', to: 'default', via: '192.168.15.5' } })).toEqual({
      ok: true,
      detail: 'fx-red routes default via 192.168.15.5 dev veth-red',
    })
    expect(judge({ route: { ns: 'fx-blue', to: 'default', via: '192.168.15.5' } })).toEqual({
      ok: false,
      detail: 'fx-blue routes default via 192.168.15.1 dev veth-blue, not via 192.168.15.5',
    })
    expect(judge({ route: { ns: 'fx-red', to: '192.168.15.0/24', dev: 'veth-red' } })?.ok).toBe(
      true,
    )
    expect(judge({ route: { ns: 'fx-ns2', to: 'default' } })).toEqual({
      ok: false,
      detail: 'fx-ns2 has no route to default; its routes: none',
    })
    expect(judge({ route: { ns: 'fx-red', to: 'default', table: 100 } })).toEqual({
      ok: false,
      detail: 'fx-red has no route to default (table 100); its routes: none',
    })
  })

  it('neighbour: a resolved entry, a given state or link-layer address', () => {
    expect(judge({ neighbour: { ns: 'fx-red', address: '192.168.15.2' } })).toEqual({
      ok: true,
      detail: 'fx-red has 192.168.15.2 dev veth-red lladdr 32:39:3f:ff:1e:ad REACHABLE',
    })
    expect(
      judge({ neighbour: { ns: 'fx-red', address: '192.168.15.5', state: 'reachable' } }),
    ).toEqual({
      ok: false,
      detail: 'fx-red has 192.168.15.5 dev veth-red lladdr 72:7f:e5:f6:ee:23 STALE, not reachable',
    })
    expect(
      judge({ neighbour: { ns: 'fx-red', address: '192.168.15.2', lladdr: '02:00:00:00:00:01' } })
        ?.ok,
    ).toBe(false)
    expect(judge({ neighbour: { ns: 'fx-ns1', address: '10.10.10.2' } })).toEqual({
      ok: false,
      detail: 'fx-ns1 has no neighbour entry for 10.10.10.2',
    })
  })

  it('namespace: exists, or must not', () => {
    expect(judge({ namespace: { ns: 'fx-red' } })).toEqual({
      ok: true,
      detail: 'namespace fx-red exists',
    })
    expect(judge({ namespace: { ns: 'fx-red', exists: false } })?.ok).toBe(false)
    expect(judge({ namespace: { ns: 'fx-none', exists: false } })).toEqual({
      ok: true,
      detail: 'namespace fx-none does not exist',
    })
    expect(judge({ sysctl: { ns: 'host', key: 'net.ipv4.ip_forward', value: 1 } })).toBeNull()
  })
})

describe('checks the probes decide', () => {
  const reach = { from: 'a', to: '10.0.0.2' }
  it('reach: a reply, none, a kernel refusal; expect unreachable inverts', () => {
    const replied = out(
      0,
      '--- 10.0.0.2 ping statistics ---\n2 packets transmitted, 1 received, 50% packet loss, time 201ms\n',
    )
    expect(judgeReach(reach, '10.0.0.2', replied)).toEqual({
      ok: true,
      detail: 'a reaches 10.0.0.2: 1 of 2 echo requests answered',
    })
    const none = out(1, '1 packets transmitted, 0 received, 100% packet loss, time 0ms\n')
    expect(judgeReach(reach, '10.0.0.2', none).ok).toBe(false)
    expect(judgeReach({ ...reach, expect: 'unreachable' }, '10.0.0.2', none)).toEqual({
      ok: true,
      detail: 'a does not reach 10.0.0.2: 0 of 1 echo requests answered',
    })
    expect(
      judgeReach(reach, '10.0.0.2', out(2, '', 'ping: connect: Network is unreachable\n')),
    ).toEqual({
      ok: false,
      detail:
        'a does not reach 10.0.0.2: the kernel refused to send: connect: Network is unreachable',
    })
    expect(
      judgeReach(reach, '10.0.0.2', out(2, '', 'ping: socket: Operation not permitted\n')),
    ).toEqual({
      ok: false,
      detail: 'ping from a to 10.0.0.2 gave no verdict (exit 2: socket: Operation not permitted)',
    })
    expect(
      judgeReach(
        { ...reach, expect: 'unreachable' },
        '10.0.0.2',
        out(127, '', 'timeout: failed to run command ‘ping’: No such file or directory\n'),
      ),
    ).toEqual({
      ok: false,
      detail:
        'ping from a to 10.0.0.2 could not be run: timeout: failed to run command ‘ping’: No such file or directory',
    })
    expect(judgeReach(reach, '10.0.0.2', undefined).detail).toBe(
      'ping from a to 10.0.0.2 did not report back, so nothing is known',
    )
  })

  it('port: TCP accepted, refused, unreachable; UDP reply, ICMP refusal, silence', () => {
    const tcp = { from: 'a', to: '10.0.0.2', port: 80 }
    expect(judgePort(tcp, out(0))).toEqual({
      ok: true,
      detail: 'TCP 10.0.0.2:80 from a: the connection was accepted',
    })
    const refused = out(
      1,
      '',
      '2026/12/01 05:38:05 socat[31482] E connect(6, AF=2 10.0.0.2:80, 16): Connection refused\n',
    )
    expect(judgePort(tcp, refused).ok).toBe(false)
    expect(judgePort({ ...tcp, expect: 'closed' }, refused)).toEqual({
      ok: true,
      detail:
        'TCP 10.0.0.2:80 from a: connection refused: the kernel answered with a reset (nothing listens on the port the connection reached)',
    })
    expect(
      judgePort(
        tcp,
        out(
          1,
          '',
          '2026/12/01 05:38:05 socat[1] E connect(6, AF=2 10.0.0.2:80, 16): Network is unreachable\n',
        ),
      ).detail,
    ).toBe('TCP 10.0.0.2:80 from a: Network is unreachable')
    const udp = { from: 'a', to: 'fd00::2', port: 53, protocol: 'udp' as const, timeoutS: 2 }
    expect(judgePort(udp, out(0, 'pong\n'))).toEqual({
      ok: true,
      detail: 'UDP [fd00::2]:53 from a: a reply arrived',
    })
    expect(
      judgePort(
        udp,
        out(1, '', '2026/12/01 05:38:06 socat[5] E read(5, 0x55eb, 8192): Connection refused\n'),
      ),
    ).toEqual({
      ok: false,
      detail:
        'UDP [fd00::2]:53 from a: port unreachable: the kernel answered that nothing listens there',
    })
    expect(judgePort(udp, out(0))).toEqual({
      ok: false,
      detail:
        'UDP [fd00::2]:53 from a: no answer within 2 s: nothing listens, a firewall drops it, or the service does not reply to this probe',
    })
    expect(
      judgePort(
        { ...udp, expect: 'closed' },
        out(124, '', 'timeout: sending signal TERM to command ‘socat’\n'),
      ),
    ).toEqual({
      ok: false,
      detail:
        'the UDP probe of [fd00::2]:53 did not finish in time and was stopped, so nothing is known',
    })
  })

  it('command: exit code, output text and pattern; could not run; namespace not entered', () => {
    const cmd = { ns: 'a', argv: ['ip', '-br', 'link'] }
    expect(judgeCommand(cmd, out(0, 'eth0 UP\n'))).toEqual({
      ok: true,
      detail: 'ip in a exited 0',
    })
    expect(
      judgeCommand({ ...cmd, output: 'eth0', match: '^eth0\\s+UP' }, out(0, 'eth0 UP\n')),
    ).toEqual({ ok: true, detail: 'ip in a exited 0 and its output matched' })
    expect(judgeCommand({ ...cmd, match: 'DOWN' }, out(0, 'eth0 UP\n'))).toEqual({
      ok: false,
      detail: 'ip in a its output does not match /DOWN/; output: eth0 UP',
    })
    expect(judgeCommand(cmd, out(1, '', 'Device "nosuch0" does not exist.\n')).detail).toBe(
      'ip in a exited 1, not 0 (Device "nosuch0" does not exist.)',
    )
    expect(judgeCommand({ ...cmd, exit: 1 }, out(1)).ok).toBe(true)
    expect(
      judgeCommand(
        cmd,
        out(255, '', 'Cannot open network namespace "a": No such file or directory\n'),
      ).detail,
    ).toBe('ip in a could not be run: Cannot open network namespace "a": No such file or directory')
  })

  it('sysctl: the value read, or why it could not be', () => {
    const s = { ns: 'b', key: 'net.ipv4.conf.eth0.forwarding', value: 1 }
    expect(judgeSysctl(s, '1', '')).toEqual({
      ok: true,
      detail: 'net.ipv4.conf.eth0.forwarding is 1 in b',
    })
    expect(judgeSysctl(s, '0', '').detail).toBe('net.ipv4.conf.eth0.forwarding is 0 in b, not 1')
    expect(
      judgeSysctl(
        s,
        undefined,
        'sysctl: cannot stat /proc/sys/net/ipv4/conf/eth0/forwarding: No such file or directory\n',
      ).detail,
    ).toBe(
      'net.ipv4.conf.eth0.forwarding could not be read in b: sysctl: cannot stat /proc/sys/net/ipv4/conf/eth0/forwarding: No such file or directory',
    )
  })

  it('nat: found in iptables or nft listings (the app’s or any), missing, or unreadable', () => {
    const ipt = out(0, readFileSync('test/fixtures/labs/nat-iptables-S.txt', 'utf8'))
    const nft = out(0, readFileSync('test/fixtures/labs/nat-nft-list.txt', 'utf8'))
    const none = out(127, '', 'sh: 1: nft: not found\n')
    const masq = { ns: 'host', masquerade: { source: '192.168.15.0/24' } }
    expect(judgeNat(masq, ipt, none)).toEqual({
      ok: true,
      detail: 'the root namespace (host) has a masquerade of 192.168.15.0/24 (iptables)',
    })
    expect(judgeNat(masq, none, nft).detail).toContain('(nft)')
    expect(
      judgeNat({ ns: 'host', masquerade: { source: '10.9.0.0/16', out: 'eth0' } }, none, nft).ok,
    ).toBe(true)
    expect(
      judgeNat({ ns: 'host', masquerade: { source: '10.9.0.0/16', out: 'eth1' } }, ipt, nft),
    ).toEqual({
      ok: false,
      detail:
        'the root namespace (host) has no masquerade of 10.9.0.0/16 out of eth1 (read with iptables and nft)',
    })
    const fwd = {
      ns: 'r',
      forward: { protocol: 'tcp' as const, port: 8080, to: '192.168.15.2:80' },
    }
    expect(judgeNat(fwd, ipt, nft).detail).toBe(
      'r has a forward of tcp port 8080 to 192.168.15.2:80 (iptables and nft)',
    )
    expect(judgeNat({ ...fwd, forward: { ...fwd.forward, port: 8081 } }, none, nft).ok).toBe(false)
    // a hand-made rule with no comment counts as much as the app's
    expect(
      judgeNat(masq, out(0, '-A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE\n'), none).ok,
    ).toBe(true)
    expect(judgeNat(masq, none, none)).toEqual({
      ok: false,
      detail:
        'the NAT rules of the root namespace (host) could not be read (neither iptables nor nft answered: sh: 1: nft: not found; sh: 1: nft: not found)',
    })
  })

  it('adds the pass or fail text before the kernel’s words, and the hint to a failure only', () => {
    const c: LabCheck = {
      name: 'n',
      namespace: { ns: 'x' },
      pass: 'There it is',
      fail: 'Not yet',
      hint: 'ip netns add x',
    }
    expect(finish(c, { ok: false, detail: 'namespace x does not exist' })).toEqual({
      name: 'n',
      ok: false,
      detail: 'Not yet (namespace x does not exist)',
      hint: 'ip netns add x',
    })
    expect(finish(c, { ok: true, detail: 'namespace x exists' })).toEqual({
      name: 'n',
      ok: true,
      detail: 'There it is (namespace x exists)',
    })
  })
})

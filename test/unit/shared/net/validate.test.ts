// Validation of names, addresses, MACs, ports and tables: every hostile input is rejected with a
// message that says what is wrong, and ordinary tutorial values pass.

import { describe, expect, it } from 'vitest'
import {
  checkCidr,
  checkIfName,
  checkIp,
  checkMac,
  checkName,
  checkNamespaceName,
  checkNamespaceRef,
  checkPort,
  checkRouteDst,
  checkTable,
  type Check,
} from '../../../../shared/net/validate'

const message = (c: Check): string => (c.ok ? '' : c.message)

/** [input, what the message must say] for a namespace or interface name. */
const HOSTILE_NAMES: Array<[unknown, RegExp]> = [
  ['$(reboot)', /shell character "\$"/],
  ['a;b', /shell character ";"/],
  ['`x`', /shell character "`"/],
  ['../x', /contains "\/"/],
  ['a/b', /contains "\/"/],
  ['/', /contains "\/"/],
  ['..', /cannot be ".."/],
  ['.', /cannot be "\."/],
  ['', /is empty/],
  ['abcdefghijklmnop', /16 bytes long; Linux allows at most 15/],
  ['a'.repeat(64), /64 bytes long; Linux allows at most 15/],
  ['ns\n1', /contains a newline/],
  ['ns\r1', /contains a carriage return/],
  ['ns\t1', /contains a tab/],
  ['ns 1', /contains a space/],
  [' ns1', /contains a space/],
  ['ns1 ', /contains a space/],
  ['ns\u00001', /contains a NUL byte/],
  ['ns\u00071', /control character \(U\+0007\)/],
  ['ns\u007f', /control character \(U\+007f\)/],
  ['näme', /non-ASCII character "ä"/],
  ['ns\u200b', /contains|non-ASCII/],
  ['😀', /non-ASCII|bytes long/],
  ['имя', /non-ASCII|bytes long/],
  ['-n', /cannot start with "-"/],
  ['--help', /cannot start with "-"/],
  ['.hidden', /must start with a letter, digit or "_"/],
  ['a|b', /shell character "\|"/],
  ['a&b', /shell character "&"/],
  ['a&&b', /shell character "&"/],
  ['a>b', /shell character ">"/],
  ['a<b', /shell character "<"/],
  ['a(b', /shell character "\("/],
  ['a)b', /shell character "\)"/],
  ['a{b}', /shell character "\{"/],
  ['a[0]', /shell character "\["/],
  ['a*', /shell character "\*"/],
  ['a?', /shell character "\?"/],
  ['!a', /shell character "!"/],
  ['~root', /shell character "~"/],
  ['#x', /shell character "#"/],
  ['a\\b', /shell character "\\"/],
  ["a'b", /shell character "'"/],
  ['a"b', /shell character """/],
  ['a^b', /shell character "\^"/],
  ['${IFS}', /shell character "\$"/],
  ['$HOME', /shell character "\$"/],
  ['eth0:1', /contains ":"/],
  ['a:b', /contains ":"/],
  [42, /must be text/],
  [null, /must be text/],
  [undefined, /must be text/],
  [{ toString: () => 'ns1' }, /must be text/],
  [['ns1'], /must be text/],
]

describe('names (namespaces and interfaces)', () => {
  it(`rejects ${HOSTILE_NAMES.length} hostile names, each with a specific message`, () => {
    expect(HOSTILE_NAMES.length).toBeGreaterThanOrEqual(50)
    for (const [input, expected] of HOSTILE_NAMES) {
      const c = checkName(input, 'Namespace name')
      expect(c.ok, JSON.stringify(input)).toBe(false)
      expect(message(c), JSON.stringify(input)).toMatch(expected)
      expect(message(c)).toMatch(/^Namespace name /)
    }
  })

  it('accepts the names the tutorials use, and 15 bytes exactly', () => {
    for (const n of [
      'ns1',
      'ns2',
      'red',
      'blue',
      'veth0',
      'veth-ns1',
      'br0',
      'v-eth1',
      'br_0',
      'a.b',
      '0',
      'abcdefghijklmno',
    ])
      expect(checkName(n), n).toEqual({ ok: true })
  })

  it('names the field: interface, namespace reference, and the reserved "host"', () => {
    expect(message(checkIfName('a;b'))).toMatch(/^Interface name contains the shell character ";"/)
    expect(checkNamespaceRef('host')).toEqual({ ok: true })
    expect(message(checkNamespaceRef('$(id)'))).toMatch(
      /^Namespace contains the shell character "\$"/,
    )
    expect(message(checkNamespaceName('host'))).toMatch(
      /"host" is reserved for the target's root namespace/,
    )
  })
})

describe('addresses and CIDRs', () => {
  const HOSTILE_CIDRS: Array<[unknown, RegExp]> = [
    ['', /Address is empty/],
    [' ', /Address is empty/],
    [undefined, /^Address must be text\.$/],
    ['10.0.0.1', /needs a prefix length, like 10\.0\.0\.1\/24/],
    ['10.0.0.1/33', /\/33 is too long for IPv4 \(max 32\)/],
    ['fd00::1/129', /\/129 is too long for IPv6 \(max 128\)/],
    ['10.0.0.256/24', /"10\.0\.0\.256" is not a valid IPv4 or IPv6 address/],
    ['10.0.0/24', /"10\.0\.0" is not a valid/],
    ['10.0.0.1/24/8', /more than one "\/"/],
    ['10.0.0.1//24', /double slash/],
    ['10.0.0.1/x', /Prefix length "x" must be a whole number/],
    ['10.0.0.1/-1', /Prefix length "-1" must be a whole number/],
    ['10.0.0.1/24;reboot', /Prefix length "24;reboot" must be a whole number/],
    ['$(id)/24', /"\$\(id\)" is not a valid/],
    ['10.0.0.1 /24', /contains white space/],
    ['10.0.0.1/24\n', /contains white space/],
    ['fd00:::1/64', /not a valid IPv4 or IPv6 address/],
    ['01.2.3.4/8', /not a valid/],
  ]

  it('rejects bad CIDRs with what is wrong and what is expected', () => {
    for (const [input, expected] of HOSTILE_CIDRS) {
      const c = checkCidr(input)
      expect(c.ok, JSON.stringify(input)).toBe(false)
      expect(message(c), JSON.stringify(input)).toMatch(expected)
    }
  })

  it("accepts the tutorials' addresses: /28, /24, IPv6, host routes", () => {
    for (const v of [
      '10.0.0.1/28',
      '10.0.0.2/28',
      '192.168.15.1/24',
      '0.0.0.0/0',
      'fd00::1/64',
      '2001:db8::/32',
      '::1/128',
      '10.0.0.1/32',
    ])
      expect(checkCidr(v), v).toEqual({ ok: true })
    expect(checkRouteDst('default')).toEqual({ ok: true })
    expect(message(checkRouteDst('defaults'))).toMatch(
      /^Destination "defaults" needs a prefix length/,
    )
    expect(checkIp('10.0.0.1')).toEqual({ ok: true })
    expect(checkIp('10.0.0.1/24').ok).toBe(false)
  })
})

describe('MACs, ports and tables', () => {
  it('rejects bad MACs', () => {
    expect(message(checkMac(''))).toBe('MAC address is empty.')
    expect(message(checkMac('02:00:00:00:00'))).toMatch(/must look like 02:00:00:aa:bb:cc/)
    expect(message(checkMac('02:00:00:00:00:0g'))).toMatch(/must look like/)
    expect(message(checkMac('02-00-00-00-00-01'))).toMatch(/must look like/)
    expect(message(checkMac('01:00:5e:00:00:01'))).toMatch(
      /multicast address; the first byte must be even/,
    )
    expect(checkMac('02:42:ac:11:00:02')).toEqual({ ok: true })
  })

  it('rejects bad ports', () => {
    expect(message(checkPort(0))).toBe('Port 0 is out of range (1–65535).')
    expect(message(checkPort(65536))).toBe('Port 65536 is out of range (1–65535).')
    expect(message(checkPort(80.5))).toBe('Port must be a whole number.')
    expect(message(checkPort('80'))).toBe('Port must be a whole number.')
    expect(checkPort(8080)).toEqual({ ok: true })
  })

  it('rejects bad routing tables', () => {
    for (const t of ['0', '4294967296', 'mainx', '100;id', '', '-1'])
      expect(message(checkTable(t)), t).toMatch(
        /must be main, local, default or a number from 1 to 4294967295/,
      )
    for (const t of ['main', 'local', 'default', '100', '4294967295'])
      expect(checkTable(t), t).toEqual({ ok: true })
  })
})

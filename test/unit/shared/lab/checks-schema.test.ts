// The checks of a lab file: every kind is accepted as written; a malformed check gets a specific
// error at its line and column (unknown keys, no kind or two, values the shared checks refuse,
// argv that may not run, duplicate names); the published JSON Schema describes them.

import { describe, expect, it } from 'vitest'
import { BUILTIN_LABS } from '../../../../shared/lab/builtin/index'
import { CHECK_KINDS, checkKind, describeCheck } from '../../../../shared/lab/checks'
import { parseLab } from '../../../../shared/lab/parse'
import { prefixLab } from '../../../../shared/lab/prefix'
import { labJsonSchema } from '../../../../shared/lab/schema'

const head = `name: checked
namespaces:
  a: {}
  b: {}
checks:
`

function errorsOf(checks: string): string[] {
  const r = parseLab(head + checks)
  if (r.ok) throw new Error('expected the lab to be refused')
  return r.errors.map((e) => `${e.line}:${e.col} ${e.path}: ${e.message}`)
}

describe('lab checks in the schema', () => {
  it('accepts every kind as written, with pass, fail and hint texts', () => {
    const r = parseLab(`${head}  - name: eth0 up
    interface: { ns: a, dev: eth0, state: carrier, master: br0 }
    pass: eth0 carries
    fail: eth0 does not carry
    hint: ip -n a link set eth0 up
  - { name: addr, address: { ns: a, dev: eth0, address: 10.0.0.1/24 } }
  - { name: route, route: { ns: a, to: default, via: 10.0.0.254, dev: eth0, table: 100 } }
  - { name: neigh, neighbour: { ns: a, address: 'fd00::2', lladdr: '02:00:00:00:00:01', state: reachable } }
  - { name: fwd, sysctl: { ns: host, key: net.ipv4.ip_forward, value: 1 } }
  - { name: masq, nat: { ns: host, masquerade: { source: 10.0.0.0/24, out: eth0 } } }
  - { name: dnat, nat: { ns: host, forward: { protocol: tcp, port: 8080, to: '10.0.0.2:80' } } }
  - { name: ping, reach: { from: a, toNs: b, count: 3, expect: unreachable } }
  - { name: port, port: { from: a, to: 'fd00::2', port: 53, protocol: udp, expect: closed, timeoutS: 2 } }
  - { name: gone, namespace: { ns: b, exists: false } }
  - { name: cmd, command: { ns: a, argv: [ip, -br, link], exit: 0, output: eth0, match: '^eth0\\s+UP' } }
  - { name: abs, command: { ns: host, argv: [/usr/sbin/bridge, link] } }
`)
    if (!r.ok) throw new Error(JSON.stringify(r.errors))
    const checks = r.lab.checks!
    expect(checks.map((c) => checkKind(c))).toEqual([
      'interface',
      'address',
      'route',
      'neighbour',
      'sysctl',
      'nat',
      'nat',
      'reach',
      'port',
      'namespace',
      'command',
      'command',
    ])
    expect(checks[0]).toEqual({
      name: 'eth0 up',
      interface: { ns: 'a', dev: 'eth0', state: 'carrier', master: 'br0' },
      pass: 'eth0 carries',
      fail: 'eth0 does not carry',
      hint: 'ip -n a link set eth0 up',
    })
    expect(describeCheck(checks[7]!)).toBe('ping from a to b')
    expect(checks[10]!.command!.match).toBe('^eth0\\s+UP')
  })

  it('refuses a malformed check with a specific error at its line and column', () => {
    expect(
      errorsOf(`  - name: one
    interface: { ns: a, dev: eth0, colour: red }
  - name: none
  - name: two
    namespace: { ns: a }
    address: { ns: a, address: 10.0.0.1 }
  - name: one
    reach: { from: a, to: 10.0.0.2, toNs: b }
`),
    ).toEqual([
      '7:36 checks[0].interface.colour: Unknown key "colour": an interface check has only these keys: ns, dev, state, master.',
      '8:5 checks[1]: A check has one kind: one of interface, address, route, neighbour, sysctl, nat, reach, port, namespace, command.',
      '9:5 checks[2]: A check has one kind; this one has address and namespace.',
      '11:32 checks[2].address.address: Address "10.0.0.1" needs a prefix length, like 10.0.0.1/24.',
      '12:11 checks[3].name: checks[0] is already called "one"; check names are unique.',
      '13:12 checks[3].reach: A reach check has exactly one of to (an address) or toNs (a namespace).',
    ])
  })

  it('refuses values the shared checks refuse', () => {
    expect(
      errorsOf(`  - { name: s, sysctl: { ns: a, key: kernel.panic, value: 1 } }
  - { name: v, sysctl: { ns: a, key: net.ipv4.ip_forward, value: 2 } }
  - { name: r, route: { ns: a, to: 10.0.0.1/24 } }
  - { name: n, neighbour: { ns: a, address: 10.0.0.2, lladdr: nope } }
  - { name: p, port: { from: a, to: 10.0.0.2, port: 0 } }
  - { name: c, reach: { from: a, to: 10.0.0.2, count: 50 } }
  - { name: i, interface: { ns: '-x', dev: eth0 } }
  - { name: t, interface: { ns: a, dev: eth0, state: sideways } }
`).map((e) => e.replace(/: .*$/, '')),
    ).toEqual([
      '6:38 checks[0].sysctl.key',
      '7:66 checks[1].sysctl.value',
      '8:36 checks[2].route.to',
      '9:63 checks[3].neighbour.lladdr',
      '10:53 checks[4].port.port',
      '11:55 checks[5].reach.count',
      '12:33 checks[6].interface.ns',
      '13:54 checks[7].interface.state',
    ])
  })

  it('lets a command check run only bounded argv of an allowed program or an absolute path', () => {
    const errs = errorsOf(`  - { name: shell, command: { ns: a, argv: [sh, -c, 'rm -rf /'] } }
  - { name: empty, command: { ns: a, argv: [] } }
  - { name: relative, command: { ns: a, argv: [./probe] } }
  - { name: nul, command: { ns: a, argv: [ip, "a\\0b"] } }
  - { name: long, command: { ns: a, argv: [ip, ${'x'.repeat(1100)}] } }
  - { name: regex, command: { ns: a, argv: [ip], match: '(' } }
  - { name: text, command: { ns: a, argv: "ip link" } }
`)
    expect(errs.map((e) => e.replace(/^(\S+ \S+) (.{0,60}).*$/, '$1 $2'))).toEqual([
      '6:44 checks[0].command.argv: Program "sh" is neither one of arping, bridge, cat, curl, di',
      '7:44 checks[1].command.argv: argv is empty; give the program and its arguments.',
      '8:47 checks[2].command.argv: Program "./probe" is neither one of arping, bridge, cat, cur',
      '9:42 checks[3].command.argv: argv[1] contains a NUL character.',
      '10:43 checks[4].command.argv: argv[1] is 1100 characters long; at most 1024.',
      '11:57 checks[5].command.match: Not a regular expression: Invalid regular expression: /(/: U',
      '12:43 checks[6].command.argv: Expected a list (program and arguments), got "ip link".',
    ])
  })

  it('publishes the checks in the JSON Schema: one mapping per kind, no other keys', () => {
    const s = labJsonSchema() as {
      properties: { checks: { items: { properties: object; additionalProperties: boolean } } }
    }
    const item = s.properties.checks.items
    expect(item.additionalProperties).toBe(false)
    expect(Object.keys(item.properties)).toEqual(['name', 'pass', 'fail', 'hint', ...CHECK_KINDS])
  })

  it("renames a prefixed lab's names inside its checks (namespaces, root interfaces), not the rest", () => {
    const r = parseLab(BUILTIN_LABS.find((b) => b.name === 'tutorial-2')!.yaml)
    if (!r.ok) throw new Error('tutorial-2 does not parse')
    const p = prefixLab(r.lab, 'x1-')
    const by = (n: string) => p.checks!.find((c) => c.name === n)!
    expect(by('veth-r is a port of bridge1').interface).toEqual({
      ns: 'host',
      dev: 'x1-veth-r',
      master: 'x1-bridge1',
    })
    expect(by("red's end is up").interface).toEqual({
      ns: 'x1-red',
      dev: 'eth0-r',
      state: 'carrier',
    })
    expect(by('green reaches red').reach).toEqual({ from: 'x1-green', toNs: 'x1-red' })
    expect(by('red reaches green across the bridge').reach).toEqual({
      from: 'x1-red',
      to: '10.0.0.2',
    })
  })
})

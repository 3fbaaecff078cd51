// Malformed lab files (test/fixtures/labs/bad-*.yaml): each is refused with one specific problem
// at the line and column of the offending key or value, saying what is expected.

import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseLab } from '../../../../shared/lab/parse'

const DIR = new URL('../../../fixtures/labs/', import.meta.url)

/** file → the one error expected: line, column, path, and what the message must say. */
const EXPECTED: Record<string, { line: number; col: number; path: string; message: RegExp }> = {
  'bad-unknown-key.yaml': {
    line: 8,
    col: 9,
    path: 'links[0].endpoints[0].adresses',
    message:
      /^Unknown key "adresses": an endpoint has only these keys: ns, bridge, name, addresses, netem, up\.$/,
  },
  'bad-cidr.yaml': {
    line: 6,
    col: 44,
    path: 'links[0].endpoints[0].addresses[0]',
    message: /^"10\.0\.0\.300" is not a valid IPv4 or IPv6 address\.$/,
  },
  'bad-hostile-name.yaml': {
    line: 4,
    col: 3,
    path: 'namespaces["a;rm -rf /"]',
    message: /^Namespace name contains the shell character ";", which is not allowed\.$/,
  },
  'bad-option-name.yaml': {
    line: 3,
    col: 3,
    path: 'namespaces["-n"]',
    message: /^Namespace name cannot start with "-" \(it would read as an option\)\.$/,
  },
  'bad-prefix-leading-zero.yaml': {
    line: 4,
    col: 17,
    path: 'bridges[0].addresses[0]',
    message:
      /^Prefix length \/024 has a leading zero, which ip reads as an octal number; write \/24\.$/,
  },
  'bad-missing-namespace.yaml': {
    line: 7,
    col: 15,
    path: 'links[0].endpoints[1].ns',
    message: /^Namespace "blue" is not in this lab; declare it under namespaces/,
  },
  'bad-duplicate-namespace.yaml': {
    line: 5,
    col: 3,
    path: '',
    message: /^Duplicate key "red": each key may appear once in a mapping\.$/,
  },
  'bad-duplicate-bridge.yaml': {
    line: 5,
    col: 11,
    path: 'bridges[2].name',
    message: /^Namespace host already has an interface "br0" \(bridges\[0\]\); names are unique/,
  },
  'bad-yaml-syntax.yaml': {
    line: 7,
    col: 1,
    path: '',
    message: /^YAML syntax error: Flow sequence .* end with a \]$/,
  },
  'bad-wrong-type.yaml': {
    line: 6,
    col: 36,
    path: 'links[0].endpoints[0].up',
    message: /^Expected true or false \(administratively up; default true\), got "yes"\.$/,
  },
  'bad-ipv6.yaml': {
    line: 10,
    col: 13,
    path: 'links[0].endpoints[0].addresses[1]',
    message: /^"fd00::1::2" is not a valid IPv4 or IPv6 address\.$/,
  },
  'bad-table-octal.yaml': {
    line: 9,
    col: 54,
    path: 'routes[0].table',
    message: /^Table "0377" has a leading zero, which ip reads as an octal number/,
  },
  'bad-hex-table.yaml': {
    line: 9,
    col: 53,
    path: 'routes[0].table',
    message: /^Table "0x10" must be main, local, default or a number from 1 to 4294967295\.$/,
  },
  'bad-missing-name.yaml': {
    line: 6,
    col: 9,
    path: 'links[0].endpoints[0].name',
    message: /^Missing required key "name": an interface name is required\.$/,
  },
  'bad-netem-range.yaml': {
    line: 6,
    col: 63,
    path: 'links[0].endpoints[0].netem.lossPct',
    message: /^Loss must be 0–100 %; got 150\.$/,
  },
  'bad-jitter-no-delay.yaml': {
    line: 8,
    col: 28,
    path: 'links[0].endpoints[0].netem.jitterMs',
    message: /^Jitter needs a delay \(delayMs\)\.$/,
  },
  'bad-forward-port.yaml': {
    line: 8,
    col: 13,
    path: 'nat[0].forward.port',
    message: /^Port 70000 is out of range \(1–65535\)\.$/,
  },
  'bad-forward-target.yaml': {
    line: 4,
    col: 45,
    path: 'nat[0].forward.to',
    message: /^Forward target "10\.0\.0\.2" must be an IPv4 address and a port 1–65535/,
  },
  'bad-nat-both.yaml': {
    line: 3,
    col: 5,
    path: 'nat[0]',
    message: /^A NAT entry has exactly one of masquerade or forward\.$/,
  },
  'bad-masquerade-ipv6.yaml': {
    line: 4,
    col: 27,
    path: 'nat[0].masquerade.source',
    message: /^NAT masquerade supports IPv4 source networks only\.$/,
  },
  'bad-lab-name.yaml': {
    line: 1,
    col: 7,
    path: 'name',
    message: /^Lab name "my lab" may hold only letters, digits/,
  },
  'bad-ifname-long.yaml': {
    line: 7,
    col: 17,
    path: 'links[0].endpoints[1].name',
    message: /^Interface name is 21 bytes long; Linux allows at most 15\.$/,
  },
  'bad-lo-name.yaml': {
    line: 6,
    col: 26,
    path: 'links[0].endpoints[0].name',
    message: /^Interface name "lo" is the loopback every namespace has/,
  },
  'bad-route-host-bits.yaml': {
    line: 10,
    col: 9,
    path: 'routes[0].to',
    message: /^Destination 10\.1\.0\.5\/24 has host bits set/,
  },
  'bad-route-family.yaml': {
    line: 9,
    col: 40,
    path: 'routes[0].via',
    message: /^Gateway and destination are of different IP families\.$/,
  },
  'bad-sysctl-key.yaml': {
    line: 6,
    col: 7,
    path: 'namespaces.red.sysctls["kernel.core_pattern"]',
    message:
      /^Sysctl "kernel\.core_pattern" is not one a lab may set; allowed: net\.ipv4\.ip_forward,/,
  },
  'bad-sysctl-value.yaml': {
    line: 4,
    col: 37,
    path: 'namespaces.host.sysctls["net.ipv4.ip_forward"]',
    message: /^net\.ipv4\.ip_forward \(IPv4 forwarding\) must be 0 or 1; got 2\.$/,
  },
  'bad-bridge-missing.yaml': {
    line: 9,
    col: 19,
    path: 'links[0].endpoints[1].bridge',
    message: /^There is no bridge "br9" in this lab \(bridges: br0\)\.$/,
  },
  'bad-bridge-loop.yaml': {
    line: 7,
    col: 19,
    path: 'links[0].endpoints[1].bridge',
    message: /^Both ends are ports of bridge br0: that is a loop/,
  },
  'bad-one-endpoint.yaml': {
    line: 6,
    col: 7,
    path: 'links[0].endpoints',
    message: /^A link has exactly two endpoints; this one has 1\.$/,
  },
  'bad-layout-node.yaml': {
    line: 6,
    col: 3,
    path: 'layout.ghost',
    message: /^Layout names "ghost", which is not a node of this lab/,
  },
  'bad-kind.yaml': {
    line: 2,
    col: 7,
    path: 'kind',
    message: /^Expected lab, tutorial or challenge, got "exercise"\.$/,
  },
  'bad-not-mapping.yaml': {
    line: 1,
    col: 1,
    path: '',
    message: /^A lab file is a mapping with name, namespaces, .*; got a list\.$/,
  },
  'bad-list-not-map.yaml': {
    line: 2,
    col: 13,
    path: 'namespaces',
    message: /^Expected a mapping of namespace names, got a list\.$/,
  },
}

const files = readdirSync(DIR)
  .filter((f) => /^bad-.*\.yaml$/.test(f))
  .sort()

describe('malformed lab files', () => {
  it('has at least 20 fixtures, each with an expected error here', () => {
    expect(files.length).toBeGreaterThanOrEqual(20)
    expect(files).toEqual(Object.keys(EXPECTED).sort())
  })

  it.each(files)('%s: one specific error at its line and column', (file) => {
    const text = readFileSync(new URL(file, DIR), 'utf8')
    const r = parseLab(text, file)
    expect(r.ok).toBe(false)
    if (r.ok) return
    const want = EXPECTED[file]!
    expect(r.errors).toHaveLength(1)
    const [e] = r.errors
    expect({ line: e!.line, col: e!.col, path: e!.path }).toEqual({
      line: want.line,
      col: want.col,
      path: want.path,
    })
    expect(e!.message).toMatch(want.message)
  })

  it('points at the offending text: the line and column hold the key or value named', () => {
    // A cross-check that the positions are real: the text at line:col starts with what is wrong.
    const starts: Record<string, string> = {
      'bad-unknown-key.yaml': 'adresses',
      'bad-cidr.yaml': '10.0.0.300/24',
      'bad-hostile-name.yaml': '"a;rm -rf /"',
      'bad-option-name.yaml': '-n',
      'bad-table-octal.yaml': '0377',
      'bad-forward-port.yaml': '70000',
      'bad-ipv6.yaml': 'fd00::1::2/64',
      'bad-missing-namespace.yaml': 'blue',
      'bad-duplicate-namespace.yaml': 'red',
    }
    for (const [file, token] of Object.entries(starts)) {
      const lines = readFileSync(new URL(file, DIR), 'utf8').split('\n')
      const want = EXPECTED[file]!
      expect(lines[want.line - 1]!.slice(want.col - 1), file).toMatch(
        new RegExp(`^${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
      )
    }
  })

  it('reports every problem of a file, in order, not only the first', () => {
    const r = parseLab(
      [
        'name: several',
        'namespaces:',
        '  "x y": {}',
        'bridges:',
        '  - { name: br0, addresses: [10.0.0.1/33] }',
        '  - { name: -br, colour: red }',
      ].join('\n'),
    )
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.errors.map((e) => [e.line, e.col])).toEqual([
      [3, 3],
      [5, 30],
      [6, 13],
      [6, 18],
    ])
    expect(r.errors.map((e) => e.message)).toEqual([
      'Namespace name contains a space; use letters, digits, "_", "." or "-".',
      'Prefix length /33 is too long for IPv4 (max 32).',
      'Interface name cannot start with "-" (it would read as an option).',
      'Unknown key "colour": a bridge has only these keys: name, ns, addresses, up.',
    ])
  })
})

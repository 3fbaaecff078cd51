// The validation gaps a security review found in shared/net, one test per finding: capture filters
// that smuggle tcpdump options, numbers `ip` reads as octal, operation shapes that slip past the
// check, a kernel namespace called "host", and parsers that go quadratic on a hostile line.

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { coreInvokeArgs } from '../../../../shared/ipc/domains/core'
import { captureArgv, checkCapture, parseCaptureLine } from '../../../../shared/net/capture'
import { checkMatrix, matrixCommand } from '../../../../shared/net/matrix'
import { HOST_NETNS_ALIAS, HOST_NS } from '../../../../shared/net/model'
import { parseMonitorLine } from '../../../../shared/net/monitor'
import { checkNetem, netemSetArgv } from '../../../../shared/net/netem'
import {
  opCommands,
  validateOp,
  validateOps,
  MAX_OPS,
  type NetOp,
} from '../../../../shared/net/ops'
import { checkPingRequest, inNamespace, parsePingLine, pingArgv } from '../../../../shared/net/ping'
import { parseSnapshot } from '../../../../shared/net/snapshot-parse'
import {
  checkCidr,
  checkNamespaceName,
  checkNamespaceRef,
  checkRouteDst,
  checkTable,
  type Check,
} from '../../../../shared/net/validate'

const message = (c: Check): string => (c.ok ? '' : c.message)
const problem = (op: unknown): string => validateOp(op)?.message ?? ''

describe('capture filter: no word can become a tcpdump option', () => {
  const base = { ns: 'red', ifname: 'eth0' }
  it.each([
    '-W 1 -G 1 -z /bin/sh -Z root icmp',
    '-c 1',
    '-C 1',
    '-w /tmp/x',
    '-r /tmp/x',
    'icmp -w /tmp/x',
    'icmp and -Z root',
    '--',
    '-',
  ])('refuses %j with a message naming the option word', (filter) => {
    const c = checkCapture({ ...base, filter })
    expect(c.ok).toBe(false)
    expect(message(c)).toMatch(/begins with "-".*option/)
    expect(() => captureArgv({ ...base, filter }, 'abcdef12')).toThrow(/begins with "-"/)
  })

  it('still takes ordinary BPF filters, including negative-looking words inside ("port 53", "tcp-syn")', () => {
    for (const filter of [
      'icmp or arp',
      'host 10.0.0.1 and port 53',
      'ip6 and net fd00::/64',
      'not port 22 and tcp-syn',
    ])
      expect(checkCapture({ ...base, filter }).ok).toBe(true)
  })

  it("ends tcpdump's options with -- so the filter words are only ever the expression", () => {
    const argv = captureArgv({ ...base, filter: 'icmp or arp' }, 'abcdef12')
    const dd = argv.lastIndexOf('--')
    expect(dd).toBeGreaterThan(argv.indexOf('tcpdump'))
    expect(argv.slice(dd + 1)).toEqual(['icmp', 'or', 'arp'])
    // every tcpdump option sits before the --
    expect(argv.slice(argv.indexOf('tcpdump'), dd)).toEqual(
      expect.arrayContaining(['-i', 'eth0', '-c', '100000', '-w', '--print']),
    )
    expect(captureArgv(base, 'abcdef12').at(-1)).toBe('--')
  })
})

describe('numbers that ip would read as octal are refused', () => {
  it('table 0377 (ip reads it as 255 = local) is refused with a specific message', () => {
    const c = checkTable('0377')
    expect(c.ok).toBe(false)
    expect(message(c)).toMatch(/leading zero/)
    expect(
      problem({ op: 'route.add', ns: HOST_NS, dst: '10.9.0.0/24', dev: 'lo', table: '0377' }),
    ).toMatch(/leading zero/)
    expect(checkTable('00').ok).toBe(false)
  })

  it('prefix /024 (ip reads it as /20) is refused with a specific message', () => {
    for (const v of ['10.0.0.1/024', 'fd00::1/064', '10.0.0.0/00', '10.0.0.0/08']) {
      const c = checkCidr(v)
      expect(c.ok, v).toBe(false)
      expect(message(c)).toMatch(/leading zero/)
    }
    expect(message(checkRouteDst('10.1.0.0/024'))).toMatch(/leading zero/)
    expect(problem({ op: 'addr.add', ns: HOST_NS, ifname: 'lo', cidr: '10.0.0.1/024' })).toMatch(
      /leading zero/,
    )
  })

  it('zero itself and ordinary numbers stay valid where they were valid', () => {
    expect(checkCidr('0.0.0.0/0').ok).toBe(true)
    expect(checkCidr('10.0.0.1/24').ok).toBe(true)
    expect(checkCidr('fd00::1/128').ok).toBe(true)
    expect(checkTable('100').ok).toBe(true)
    expect(checkTable('4294967295').ok).toBe(true)
    expect(checkTable('0').ok).toBe(false) // never valid: ip has no table 0 to add to
  })

  it('every number that reaches an argv is written in plain decimal', () => {
    const argvs = [
      pingArgv({ ns: 'a', address: '10.0.0.1', intervalS: 0.2, count: 10, deadlineS: 60, size: 0 }),
      netemSetArgv({
        ns: 'a',
        ifname: 'v0',
        delayMs: 0.5,
        jitterMs: 1e-9,
        lossPct: 1e-7,
        rateKbit: 8,
      }),
      ...opCommands({
        op: 'nat.port-forward',
        ns: 'a',
        protocol: 'tcp',
        port: 8,
        toAddr: '10.0.0.2',
        toPort: 80,
      }).map((s) => s.argv),
    ]
    for (const argv of argvs)
      for (const a of argv) expect(a, argv.join(' ')).not.toMatch(/(^|[^\d.])0\d|e[+-]?\d/)
  })
})

describe('operation shapes are checked strictly', () => {
  const ok: NetOp = { op: 'ns.add', name: 'a' }

  it('an array where one operation is expected is refused, even one dressed up with an "op" field', () => {
    expect(problem([ok])).toMatch(/one operation, not a list/)
    expect(problem(Object.assign([ok], { op: 'ns.add', name: 'b' }))).toMatch(
      /one operation, not a list/,
    )
    expect(message(coreInvokeArgs['netns:apply']([[ok]]))).toMatch(/one operation, not a list/)
    expect(message(checkPingRequest([{ ns: HOST_NS, address: '10.0.0.1' }]))).toMatch(/not a list/)
    expect(message(checkCapture([{ ns: HOST_NS, ifname: 'lo' }]))).toMatch(/not a list/)
    expect(message(checkNetem([{ ns: HOST_NS, ifname: 'lo', delayMs: 1 }]))).toMatch(/not a list/)
  })

  it('extra keys, __proto__ and constructor keys are refused by name', () => {
    expect(problem({ ...ok, extra: 1 })).toMatch(/unknown field "extra"/)
    expect(problem(JSON.parse('{"op":"ns.add","name":"a","__proto__":{"polluted":true}}'))).toMatch(
      /unknown field "__proto__"/,
    )
    expect(problem({ ...ok, constructor: 'x' })).toMatch(/unknown field "constructor"/)
    expect(problem(Object.assign(Object.create({ inherited: 1 }) as object, ok))).toMatch(
      /plain object/,
    )
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined()
  })

  it('a string where a boolean is expected is refused (today "false" is truthy and sets the link UP)', () => {
    expect(problem({ op: 'link.set-state', ns: HOST_NS, ifname: 'lo', up: 'false' })).toMatch(
      /up must be true or false/,
    )
    expect(problem({ op: 'veth.add', name: 'a', peer: 'b', up: 'no' })).toMatch(
      /up must be true or false/,
    )
    expect(problem({ op: 'bridge.add', ns: HOST_NS, name: 'br0', up: 0 })).toMatch(
      /up must be true or false/,
    )
    expect(
      problem({ op: 'nat.masquerade', ns: HOST_NS, source: '10.0.0.0/24', remove: 'yes' }),
    ).toMatch(/remove must be true or false/)
  })

  it('a string where a number is expected is refused', () => {
    expect(
      problem({
        op: 'nat.port-forward',
        ns: HOST_NS,
        protocol: 'tcp',
        port: '80',
        toAddr: '10.0.0.2',
        toPort: 80,
      }),
    ).toMatch(/Port must be a whole number/)
  })

  it('NUL bytes and huge strings are refused with messages that say so', () => {
    expect(problem({ op: 'addr.add', ns: HOST_NS, ifname: 'lo', cidr: '10.0.0.1/24\0' })).toMatch(
      /cidr contains a NUL byte/,
    )
    expect(
      problem({ op: 'route.add', ns: HOST_NS, dst: 'default', via: '1'.repeat(1_000_000) }),
    ).toMatch(/via is 1000000 characters long; at most 256/)
    expect(problem({ op: 'x'.repeat(100_000) })).toMatch(/op is 100000 characters long/)
  })

  it(`a list of operations is capped at ${MAX_OPS} and each one is checked`, () => {
    expect(validateOps(new Array<NetOp>(MAX_OPS + 1).fill(ok))?.message).toMatch(
      /At most \d+ operations/,
    )
    expect(validateOps([ok, { op: 'ns.add', name: 'a;b' }])).toMatchObject({
      index: 1,
      field: 'name',
    })
    expect(validateOps('nope')?.message).toMatch(/list/)
    expect(validateOps([ok, ok])).toBeNull()
  })
})

describe('a kernel namespace actually called "host" is never the root namespace', () => {
  const text = readFileSync(
    new URL('../../../fixtures/ip/snapshot-lab.txt', import.meta.url),
    'utf8',
  )
    .replaceAll('"name":"fx1"', '"name":"host"')
    .replace('@@NS fx1\n', '@@NS host\n')
  const snap = parseSnapshot(text, { takenAt: 0, durationMs: 0 })

  it(`the snapshot shows it once, under "${HOST_NETNS_ALIAS}", beside the one root namespace`, () => {
    expect(snap.namespaces.filter((n) => n.isHost).map((n) => n.name)).toEqual([HOST_NS])
    const named = snap.namespaces.find((n) => n.name === HOST_NETNS_ALIAS)
    expect(named?.isHost).toBe(false)
    expect(named?.nsid).toBe(2)
    // its veth's peer is in the root, and the root's port points back at it (not at the root)
    expect(named?.links.find((l) => l.ifname === 'eth0')?.peer).toMatchObject({
      namespace: HOST_NS,
      ifname: 'fxv1',
    })
    const root = snap.namespaces.find((n) => n.isHost)
    expect(root?.links.find((l) => l.ifname === 'fxv1')?.peer).toMatchObject({
      namespace: HOST_NETNS_ALIAS,
    })
  })

  it('the app cannot create one; the alias addresses the real one and "host" addresses the root', () => {
    expect(message(checkNamespaceName('host'))).toMatch(/reserved for the target's root namespace/)
    expect(checkNamespaceRef(HOST_NETNS_ALIAS).ok).toBe(true)
    expect(inNamespace(HOST_NETNS_ALIAS, ['ping'])).toEqual(['ip', 'netns', 'exec', 'host', 'ping'])
    expect(inNamespace(HOST_NS, ['ping'])).toEqual(['ping'])
    const move = opCommands({
      op: 'link.move',
      ns: HOST_NS,
      ifname: 'v0',
      toNs: HOST_NETNS_ALIAS,
    })[0]!
    expect(move.argv).toEqual(['ip', 'link', 'set', 'dev', 'v0', 'netns', 'host'])
    const back = opCommands({
      op: 'link.move',
      ns: HOST_NETNS_ALIAS,
      ifname: 'v0',
      toNs: HOST_NS,
    })[0]!
    expect(back.argv).toEqual(['ip', '-n', 'host', 'link', 'set', 'dev', 'v0', 'netns', '1'])
    expect(opCommands({ op: 'ns.delete', name: HOST_NETNS_ALIAS })[0]!.argv).toEqual([
      'ip',
      'netns',
      'delete',
      'host',
    ])
    expect(problem({ op: 'ns.delete', name: HOST_NS })).toMatch(/root namespace cannot be deleted/)
    const veth = opCommands({
      op: 'veth.add',
      name: 'a',
      peer: 'b',
      ns: HOST_NETNS_ALIAS,
      peerNs: HOST_NS,
    })[0]!
    // The root's end is made first, where ip runs; "a" goes into the namespace called "host".
    expect(veth.argv).toEqual([
      'ip',
      'link',
      'add',
      'b',
      'type',
      'veth',
      'peer',
      'name',
      'a',
      'netns',
      'host',
    ])
  })

  it('the table monitor and the matrix keep the two apart', () => {
    expect(parseMonitorLine('I 7 host')).toEqual({ kind: 'nsid', nsid: 7, name: HOST_NETNS_ALIAS })
    expect(parseMonitorLine('N+ host')).toEqual({ kind: 'ns-added', name: HOST_NETNS_ALIAS })
    expect(parseMonitorLine('N- host')).toEqual({ kind: 'ns-removed', name: HOST_NETNS_ALIAS })
    expect(checkMatrix([{ src: HOST_NETNS_ALIAS, dst: HOST_NS, address: '10.0.0.1' }]).ok).toBe(
      true,
    )
    expect(
      matrixCommand([{ src: HOST_NETNS_ALIAS, dst: HOST_NS, address: '10.0.0.1' }]).stdin,
    ).toContain(HOST_NETNS_ALIAS)
  })
})

/** Median time of `fn` over `runs` runs (ms). */
function timeOf(fn: () => unknown, runs = 5): number {
  const t: number[] = []
  for (let i = 0; i < runs; i++) {
    const s = performance.now()
    fn()
    t.push(performance.now() - s)
  }
  return t.sort((a, b) => a - b)[Math.floor(runs / 2)]!
}

describe('line parsers take time linear in the line', () => {
  const shapes: Array<[string, (n: number) => string, (l: string) => unknown]> = [
    [
      'ICMP error with a run of spaces',
      (n) => `From 10.0.0.1 icmp_seq=1 ${' '.repeat(n)}x`,
      parsePingLine,
    ],
    ['ping header with a run of "("', (n) => `PING ${'('.repeat(n)}`, parsePingLine],
    ['reply with a long address', (n) => `64 bytes from ${'a:'.repeat(n / 2)}`, parsePingLine],
    [
      'capture line with a run of spaces',
      (n) => `20:55:16.1 a ${' '.repeat(n)}x`,
      parseCaptureLine,
    ],
    [
      'monitor line with continuations',
      (n) => `M [nsid 1]${' \\ '.repeat(n / 3)}`,
      parseMonitorLine,
    ],
  ]
  it.each(shapes)('%s: 200,000 chars cost at most ~10x what 20,000 do', (_name, make, parse) => {
    const small = make(20_000)
    const big = make(200_000)
    parse(small) // warm up
    const a = timeOf(() => parse(small))
    const b = timeOf(() => parse(big), 1) // once: a quadratic parser would take a minute here
    // linear: ~10x; quadratic: ~100x. Allow for timer noise on tiny times.
    expect(b).toBeLessThan(Math.max(a, 2) * 30)
  })

  it('the ICMP error line still parses', () => {
    expect(parsePingLine('From 10.0.0.254 icmp_seq=3 Destination Host Unreachable  ')).toEqual({
      kind: 'icmp-error',
      from: '10.0.0.254',
      seq: 3,
      message: 'Destination Host Unreachable',
    })
    expect(
      parsePingLine('From fd00::1 icmp_seq=1 Destination unreachable: Address unreachable'),
    ).toMatchObject({
      from: 'fd00::1',
      message: 'Destination unreachable: Address unreachable',
    })
    expect(parsePingLine('PING fd00::2(fd00::2) 56 data bytes')).toEqual({
      kind: 'header',
      target: 'fd00::2',
      address: 'fd00::2',
    })
  })
})

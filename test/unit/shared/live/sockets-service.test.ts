// Listening-sockets parser on real `ss -H -l -t -u -n -p` output, and the service's request check,
// argv and socat log parser on real `socat -d -d` logs (test/fixtures/ss, test/fixtures/socat).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  REPLY_ENV,
  checkServiceRequest,
  parseSocatLine,
  serviceArgv,
} from '../../../../shared/net/service'
import {
  describeSocketProcesses,
  netnsListNames,
  parseSocketLine,
  parseSocketUsers,
  parseSockets,
  socketsArgv,
} from '../../../../shared/net/sockets'

const fixture = (p: string): string => readFileSync(`test/fixtures/${p}`, 'utf8')

describe('listening sockets (ss)', () => {
  it('reads every row of a namespace with TCP, UDP, IPv4, IPv6, scoped and odd process names', () => {
    const { rows, truncated } = parseSockets(fixture('ss/listeners-ns.txt'))
    expect(truncated).toBe(false)
    expect(rows).toHaveLength(11)
    expect(rows[0]).toEqual({
      proto: 'udp',
      state: 'UNCONN',
      address: '0.0.0.0',
      iface: null,
      port: 5353,
      processes: [{ name: 'socat', pid: 18508, fd: 5 }],
    })
    const at = (port: number) => rows.find((r) => r.port === port)
    expect(at(5001)).toMatchObject({ proto: 'udp', address: 'fd00::1', iface: null })
    expect(at(6000)).toMatchObject({ proto: 'udp', address: '*' })
    expect(at(7200)?.processes).toEqual([
      { name: 'python3', pid: 19176, fd: 3 },
      { name: 'python3', pid: 19089, fd: 3 },
    ])
    // ss prints a process name raw: spaces and quotes stay in it
    expect(at(7000)?.processes).toEqual([{ name: 'we ird"n', pid: 18757, fd: 5 }])
    expect(at(9000)).toMatchObject({ proto: 'tcp', state: 'LISTEN', address: '127.0.0.1' })
    expect(at(9001)).toMatchObject({ address: '0.0.0.0', iface: 'lo' })
    expect(at(6002)).toMatchObject({ address: '*', iface: 'd0' })
    expect(at(8444)).toMatchObject({ address: '::1' })
  })

  it('a socket whose process ss cannot see has no processes, shown as "—"', () => {
    const { rows } = parseSockets(fixture('ss/listeners-host.txt'))
    expect(rows.map((r) => r.port)).toEqual([42222, 2024, 39881])
    expect(rows[1]?.processes).toEqual([])
    expect(describeSocketProcesses(rows[1]!.processes)).toBe('—')
    expect(describeSocketProcesses(rows[0]!.processes)).toBe('sshd (pid 7538)')
    expect(
      describeSocketProcesses([
        { name: 'python3', pid: 2, fd: 3 },
        { name: 'python3', pid: 1, fd: 3 },
      ]),
    ).toBe('python3 (pid 2, 1)')
  })

  it('skips lines that are not rows, caps the row count and stays linear on hostile input', () => {
    expect(parseSocketLine('')).toBeNull()
    expect(parseSocketLine('Netid State Recv-Q Send-Q Local Address:Port')).toBeNull()
    expect(parseSocketLine('tcp LISTEN 0 5 nonsense 0.0.0.0:*')).toBeNull()
    expect(parseSocketLine('tcp LISTEN 0 5 0.0.0.0:99999999 0.0.0.0:*')).toBeNull()
    const line = 'tcp LISTEN 0 5 0.0.0.0:80 0.0.0.0:*\n'
    const many = parseSockets(line.repeat(12), 10)
    expect(many.rows).toHaveLength(10)
    expect(many.truncated).toBe(true)
    const started = Date.now()
    parseSocketUsers(`users:((${'"a",pid=1,fd=2),('.repeat(20000)}`)
    parseSocketLine(`tcp LISTEN 0 5 0.0.0.0:80 0.0.0.0:* ${' '.repeat(100000)}x`)
    parseSocketLine(`tcp ${' a'.repeat(50000)}`)
    expect(Date.now() - started).toBeLessThan(500)
  })

  it('runs ss inside the namespace (argv only), the root namespace without ip netns exec', () => {
    expect(socketsArgv('lab1')).toEqual([
      'ip',
      'netns',
      'exec',
      'lab1',
      'ss',
      '-H',
      '-l',
      '-t',
      '-u',
      '-n',
      '-p',
    ])
    expect(socketsArgv('host')).toEqual(['ss', '-H', '-l', '-t', '-u', '-n', '-p'])
    expect(socketsArgv('netns/host').slice(0, 4)).toEqual(['ip', 'netns', 'exec', 'host'])
    expect(() => socketsArgv('-n')).toThrow(/option/)
    expect(() => socketsArgv('a;b')).toThrow(/shell character/)
  })

  it('names of `ip -j netns list` (a kernel "host" is the model\'s netns/host)', () => {
    expect(netnsListNames('[{"name":"b","id":1},{"name":"host"}]')).toEqual(['b', 'netns/host'])
    expect(netnsListNames('')).toEqual([])
    expect(netnsListNames('not json')).toBeNull()
  })
})

describe('service (socat listener)', () => {
  it('checks every field with a specific message', () => {
    const ok = { ns: 'lab1', protocol: 'tcp', port: 8080 }
    expect(checkServiceRequest(ok)).toEqual({ ok: true })
    expect(checkServiceRequest({ ...ok, protocol: 'sctp' })).toMatchObject({
      message: 'Protocol must be "tcp" or "udp".',
    })
    expect(checkServiceRequest({ ...ok, port: 0 })).toMatchObject({ message: /out of range/ })
    expect(checkServiceRequest({ ...ok, port: 80.5 })).toMatchObject({ message: /whole number/ })
    expect(checkServiceRequest({ ...ok, ns: '$(reboot)' })).toMatchObject({ ok: false })
    expect(checkServiceRequest({ ...ok, reply: 'a\nb' })).toMatchObject({
      message: /control character \(U\+000a\)/,
    })
    expect(checkServiceRequest({ ...ok, reply: 'x'.repeat(201) })).toMatchObject({
      message: /at most 200/,
    })
    expect(checkServiceRequest([ok])).toMatchObject({ ok: false })
  })

  it('the reply travels as an environment value: shell text stays text, nothing becomes an option', () => {
    const argv = serviceArgv({ ns: 'lab1', protocol: 'tcp', port: 8080, reply: '$(id) `x` -d ;' })
    expect(argv).toEqual([
      'ip',
      'netns',
      'exec',
      'lab1',
      'env',
      `${REPLY_ENV}=$(id) \`x\` -d ;`,
      'socat',
      '-d',
      '-d',
      '-U',
      'TCP4-LISTEN:8080,reuseaddr,fork',
      `EXEC:printenv ${REPLY_ENV}`,
    ])
    const udp = serviceArgv({ ns: 'host', protocol: 'udp', port: 5353 })
    expect(udp[0]).toBe('env')
    expect(udp[1]).toBe(`${REPLY_ENV}=netns-studio host:5353`)
    expect(udp).toContain('UDP4-RECVFROM:5353,fork')
    expect(() => serviceArgv({ ns: 'lab1', protocol: 'tcp', port: 70000 })).toThrow()
  })

  it('reads listening, accepted connections and its own errors from a real TCP log', () => {
    const lines = fixture('socat/tcp.txt').split('\n').filter(Boolean)
    const parsed = lines.map((l) => parseSocatLine(l, 1))
    expect(parsed.every((p) => p !== null)).toBe(true)
    const main = parsed[0]!.pid
    const mine = parsed.filter((p) => p!.pid === main && p!.event).map((p) => p!.event)
    expect(mine[0]).toEqual({ kind: 'listening', address: '0.0.0.0:8080', at: 1 })
    expect(mine.filter((e) => e?.kind === 'connection')).toHaveLength(3)
    expect(mine[1]).toEqual({ kind: 'connection', from: '127.0.0.1:40852', at: 1 })
  })

  it('a taken port is its own problem; UDP listens with "receiving on" and counts packets', () => {
    const [bind] = fixture('socat/port-in-use.txt').split('\n')
    expect(parseSocatLine(bind!)?.problem).toEqual({ kind: 'port-in-use' })
    const udp = fixture('socat/udp.txt')
      .split('\n')
      .filter(Boolean)
      .map((l) => parseSocatLine(l, 1)?.event)
      .filter(Boolean)
    expect(udp[0]).toEqual({ kind: 'listening', address: '0.0.0.0:5353', at: 1 })
    expect(udp.filter((e) => e?.kind === 'packet')).toHaveLength(2)
    // env's own message (socat missing) is not a socat log line
    expect(parseSocatLine(fixture('socat/missing.txt').trim())).toBeNull()
  })
})

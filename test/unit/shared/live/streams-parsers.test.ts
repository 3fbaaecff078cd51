// Monitor, traffic, capture and netem parsers/builders, on real captured output where the kernel
// allows (the reachability matrix: matrix.test.ts).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  captureArgv,
  checkCapture,
  matchesFilter,
  parseCaptureLine,
} from '../../../../shared/net/capture'
import { NsidMap, affectsModel, parseMonitorLine } from '../../../../shared/net/monitor'
import {
  checkNetem,
  describeNetem,
  netemClearArgv,
  netemSetArgv,
  parseNetemShow,
} from '../../../../shared/net/netem'
import {
  SamplerParser,
  computeRates,
  intervalCommand,
  samplerArgv,
} from '../../../../shared/net/traffic'

describe('monitor lines', () => {
  const lines = readFileSync('test/fixtures/monitor/all-nsid-oneline.txt', 'utf8')
    .split('\n')
    .filter(Boolean)
  it('tells which namespace and table changed', () => {
    const ev = lines.map(parseMonitorLine)
    expect(ev.every((e) => e !== null)).toBe(true)
    expect(ev[1]).toMatchObject({ kind: 'change', nsid: 0, table: 'link', deleted: false })
    expect(ev[2]).toMatchObject({
      kind: 'change',
      nsid: 0,
      table: 'neigh',
      deleted: true,
      text: '10.77.0.9 dev tfx0-va FAILED',
    })
    const root = ev.filter((e) => e?.kind === 'change' && e.nsid === null)
    expect(root.length).toBeGreaterThan(0)
    expect(root.some((e) => e?.kind === 'change' && e.table === 'netconf')).toBe(true)
  })
  it('reads the watcher protocol and maps nsids to names', () => {
    const map = new NsidMap()
    for (const l of ['I 0 red', 'I 4 green']) map.observe(parseMonitorLine(l)!)
    expect(map.nameOf(4)).toBe('green')
    expect(map.nameOf(null)).toBe('host')
    expect(map.nameOf(9)).toBeNull()
    expect(parseMonitorLine('N+ blue')).toEqual({ kind: 'ns-added', name: 'blue' })
    expect(affectsModel(parseMonitorLine('N- blue')!)).toBe(true)
    expect(
      affectsModel(parseMonitorLine('M [nsid current][NETCONF]inet if14 forwarding off')!),
    ).toBe(false)
    expect(parseMonitorLine('READY')).toEqual({ kind: 'ready' })
  })
})

describe('traffic sampler output', () => {
  it('assembles ticks and computes per-interface rates', () => {
    const p = new SamplerParser()
    const feed = (ls: string[]) => ls.map((l) => p.push(l)).find((s) => s !== null) ?? null
    const a = feed(['T 1000', 'host lo 100 1 100 1', 'red veth0 1000 10 2000 20', 'E'])!
    const b = feed([
      'T 1500',
      'host lo 100 1 100 1',
      'red veth0 6000 15 2000 20',
      'blue eth0 5 5 5 5',
      'E',
    ])!
    const r = computeRates(a, b)
    expect(r.dt).toBe(0.5)
    expect(r.rates.find((x) => x.ns === 'red')).toEqual({
      ns: 'red',
      ifname: 'veth0',
      rxBps: 10000,
      txBps: 0,
      rxPps: 10,
      txPps: 0,
    })
    expect(r.rates.find((x) => x.ns === 'blue')).toBeUndefined()
  })
  it('drops interfaces whose counters went backwards (recreated)', () => {
    const r = computeRates(
      {
        t: 0,
        counters: [{ ns: 'a', ifname: 'x', rxBytes: 9, rxPackets: 9, txBytes: 9, txPackets: 9 }],
      },
      {
        t: 1000,
        counters: [{ ns: 'a', ifname: 'x', rxBytes: 1, rxPackets: 1, txBytes: 1, txPackets: 1 }],
      },
    )
    expect(r.rates).toEqual([])
  })
  it('validates the interval', () => {
    expect(intervalCommand(0.5)).toBe('i 0.5\n')
    expect(() => intervalCommand(0.05)).toThrow()
    expect(() => samplerArgv(11)).toThrow()
  })
})

describe('capture', () => {
  it('parses real tcpdump summary lines', () => {
    const lines = readFileSync('test/fixtures/capture/print.txt', 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(parseCaptureLine)
    expect(lines[0]).toMatchObject({
      time: '20:55:16.196051',
      proto: 'IP',
      src: '10.77.0.1',
      dst: '10.77.0.2',
      info: 'ICMP echo request, id 12554, seq 1, length 64',
    })
    expect(lines[6]).toMatchObject({
      proto: 'ARP',
      src: null,
      info: 'Request who-has 10.77.0.2 tell 10.77.0.1, length 28',
    })
    expect(lines.filter((l) => l && matchesFilter(l, 'echo reply'))).toHaveLength(5)
  })
  it('builds a bounded tcpdump writing a pcap file and rejects hostile filters', () => {
    expect(captureArgv({ ns: 'red', ifname: 'eth0', filter: 'icmp or arp' }, 'abcdef12')).toEqual([
      'ip',
      'netns',
      'exec',
      'red',
      // tcpdump runs in a private folder made just for this capture (0700, file 0600)
      'sh',
      '-c',
      'umask 077 && mkdir -m 700 -- "$1" || exit 125; shift; exec "$@"',
      'sh',
      '/tmp/netns-studio-cap-abcdef12',
      'tcpdump',
      '-l',
      '-n',
      '-U',
      '-i',
      'eth0',
      '-c',
      '100000',
      '-w',
      '/tmp/netns-studio-cap-abcdef12/capture.pcap',
      '--print',
      // the filter can never be read as tcpdump options
      '--',
      'icmp',
      'or',
      'arp',
    ])
    expect(checkCapture({ ns: 'red', ifname: 'eth0', filter: 'icmp; reboot' }).ok).toBe(false)
    expect(checkCapture({ ns: 'red', ifname: 'eth0', filter: '$(id)' }).ok).toBe(false)
  })
})

describe('netem', () => {
  it('builds tc argv and reads settings back', () => {
    expect(
      netemSetArgv({
        ns: 'red',
        ifname: 'veth0',
        delayMs: 100,
        jitterMs: 10,
        lossPct: 1,
        rateKbit: 1000,
      }),
    ).toEqual([
      'ip',
      'netns',
      'exec',
      'red',
      'tc',
      'qdisc',
      'replace',
      'dev',
      'veth0',
      'root',
      'netem',
      'delay',
      '100ms',
      '10ms',
      'loss',
      '1%',
      'rate',
      '1000kbit',
    ])
    expect(netemClearArgv('host', 'veth0')).toEqual(['tc', 'qdisc', 'del', 'dev', 'veth0', 'root'])
    // Text form as iproute2 6.1 prints it (this kernel has no sch_netem, so it is not captured here).
    const s = parseNetemShow(
      'qdisc netem 8001: root refcnt 2 limit 1000 delay 100ms  10ms loss 1% rate 1Mbit\n',
    )
    expect(s).toEqual({ delayMs: 100, jitterMs: 10, lossPct: 1, rateKbit: 1000 })
    expect(describeNetem(s!)).toBe('100ms ±10ms · 1% loss · 1 Mbit/s')
    expect(parseNetemShow('qdisc noqueue 0: root refcnt 2 \n')).toBeNull()
  })
  it('rejects bad values', () => {
    expect(checkNetem({ ns: 'red', ifname: 'veth0' }).ok).toBe(false)
    expect(checkNetem({ ns: 'red', ifname: 'veth0', lossPct: 101 }).ok).toBe(false)
    expect(checkNetem({ ns: 'red', ifname: 'veth0', jitterMs: 5 }).ok).toBe(false)
    expect(checkNetem({ ns: 'red', ifname: 've th', delayMs: 5 }).ok).toBe(false)
  })
})

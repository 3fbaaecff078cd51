// Reachability matrix: the pinger command, and its output read into reachable / unreachable /
// unknown. The overflow lines are real: a 48-namespace bridge run on a kernel whose ARP table
// (gc_thresh3 = 1024, shared by all namespaces) overflowed, then its paced retry.
import { describe, expect, it } from 'vitest'
import {
  checkMatrix,
  matrixAdvice,
  matrixCommand,
  MISSING_REASON,
  neighbourEntriesNeeded,
  parseMatrixLine,
  parseMatrixOutput,
  parseMatrixRun,
  SKIPPED_REASON,
} from '../../../../shared/net/matrix'

const pairs = [
  { src: 'red', dst: 'green', address: '10.0.0.2' },
  { src: 'green', dst: 'red', address: '10.0.0.1' },
  { src: 'red', dst: 'blue', address: 'fd00::3' },
]

describe('matrix command', () => {
  it('groups pairs by source for ONE pinger process (host label, concurrency, retry flag as arguments)', () => {
    const c = matrixCommand(pairs, { concurrency: 4 })
    expect(c.argv[0]).toBe('perl')
    expect(c.argv[1]).toBe('-e')
    expect(c.argv.slice(3)).toEqual(['host', '4', '0'])
    expect(c.argv[2]).toContain('SOCK_RAW')
    expect(c.stdin).toBe('red 1 1 green=10.0.0.2 blue=fd00::3\ngreen 1 1 red=10.0.0.1\n')
    expect(matrixCommand(pairs, {}, true).argv.slice(3)).toEqual(['host', '16', '1'])
  })
  it('the pinger reads the kernel drop counters and reports send errors', () => {
    const script = matrixCommand(pairs).argv[2]!
    for (const s of ['/proc/net/stat/arp_cache', '/proc/net/stat/ndisc_cache', 'table_fulls'])
      expect(script).toContain(s)
    expect(script).toContain('setsockopt($s,0,11,1)') // IP_RECVERR: else raw sockets hide ENOBUFS
  })
  it('rejects hostile input', () => {
    expect(checkMatrix([{ src: 'a b', dst: 'x', address: '1.2.3.4' }]).ok).toBe(false)
    expect(checkMatrix([{ src: 'a', dst: 'x', address: '1.2.3.4;id' }]).ok).toBe(false)
    expect(checkMatrix([], { concurrency: 0 }).ok).toBe(false)
  })
})

describe('matrix verdicts', () => {
  it('a reply is reachable and a plain "no reply" unreachable, as before', () => {
    const cells = parseMatrixOutput('R red green ok 0.042\nR green red fail -\n', pairs.slice(0, 2))
    expect(cells).toEqual([
      {
        src: 'red',
        dst: 'green',
        address: '10.0.0.2',
        ok: true,
        verdict: 'reachable',
        rttMs: 0.042,
      },
      {
        src: 'green',
        dst: 'red',
        address: '10.0.0.1',
        ok: false,
        verdict: 'unreachable',
        rttMs: null,
        reason: 'No echo reply within the timeout.',
      },
    ])
  })

  it('a send refused with ENOBUFS (the table was full) is unknown, with the reason', () => {
    const c = parseMatrixLine('R zmxeem-n8 zmxeem-n33 fail - err=ENOBUFS arp_full=370')!
    expect(c).toMatchObject({ ok: false, verdict: 'unknown', rttMs: null })
    expect(c.reason).toMatch(/ENOBUFS, "No buffer space available"/)
    expect(c.reason).toMatch(/neighbour table is full/)
    expect(c.reason).toMatch(/ARP table overflowed 370×/)
  })

  it('EINVAL, EAGAIN and ENOMEM from sendto are unknown too', () => {
    for (const e of ['EINVAL', 'EAGAIN', 'ENOMEM']) {
      const c = parseMatrixLine(`R a b fail - err=${e}`)!
      expect(c.verdict, e).toBe('unknown')
      expect(c.reason).toContain(`(${e}`)
    }
  })

  it('no reply while the ARP table overflowed (a drop on the reply side) is unknown', () => {
    const c = parseMatrixLine('R zmxeem-n15 zmxeem-n32 fail - arp_full=370')!
    expect(c.verdict).toBe('unknown')
    expect(c.reason).toMatch(/table_fulls of \/proc\/net\/stat\/arp_cache/)
    const v6 = parseMatrixLine('R a b fail - ndisc_full=2')!
    expect(v6.verdict).toBe('unknown')
    expect(v6.reason).toMatch(/NDP\) table overflowed 2×/)
    expect(parseMatrixLine('R a b fail - backlog=3')!.reason).toMatch(/receive backlog/)
    expect(parseMatrixLine('R a b fail - arp_queue=1')!.reason).toMatch(/unresolved_discards/)
  })

  it('zero counters, a missing source or a path error stay unreachable even during an overflow', () => {
    expect(parseMatrixLine('R a b fail - arp_full=0')!.verdict).toBe('unreachable')
    const noRoute = parseMatrixLine('R a b fail - err=ENETUNREACH arp_full=12')!
    expect(noRoute).toMatchObject({ verdict: 'unreachable' })
    expect(noRoute.reason).toMatch(/network is unreachable/)
    const gone = parseMatrixLine('R gone b fail - arp_full=3 why=nosrc')!
    expect(gone).toMatchObject({ verdict: 'unreachable' })
    expect(gone.reason).toMatch(/source namespace does not exist/)
  })

  it('a pair the paced retry did not start, or one without a line, is unknown', () => {
    expect(parseMatrixLine('R zmxeem-n9 zmxeem-n1 skip -')).toMatchObject({
      verdict: 'unknown',
      reason: SKIPPED_REASON,
    })
    const [cell] = parseMatrixOutput('', pairs.slice(0, 1))
    expect(cell).toMatchObject({ verdict: 'unknown', reason: MISSING_REASON })
  })

  it('reads the run totals and the neighbour table limits', () => {
    const out = [
      'R red green ok 0.1',
      'R green red fail - err=ENOBUFS arp_full=61',
      'R red blue fail - ndisc_full=1',
      'K arp_full=1236 arp_queue=0 backlog=0 ndisc_full=0 ndisc_queue=0',
      'G arp 128 512 1024',
      'G ndisc 128 512 1024',
    ].join('\n')
    const run = parseMatrixRun(out, pairs)
    expect(run.cells.map((c) => c.verdict)).toEqual(['reachable', 'unknown', 'unknown'])
    expect(run.drops).toEqual({
      arpTableFull: 1236,
      ndiscTableFull: 0,
      arpQueue: 0,
      ndiscQueue: 0,
      backlog: 0,
    })
    expect(run.limits).toEqual({ arp: [128, 512, 1024], ndisc: [128, 512, 1024] })
    expect(run.sendErrors).toEqual(['ENOBUFS'])
    // a target where the counters cannot be read (not the initial namespace) says so
    expect(parseMatrixRun('R red green ok 0.1\n', pairs).drops).toBeNull()
    expect(parseMatrixRun('R red green ok 0.1\nK\n', pairs).drops).toBeNull()
  })

  it('reads long lines in linear time', () => {
    const line = 'R a b fail -' + ' x=1'.repeat(200_000)
    const t = performance.now()
    expect(parseMatrixLine(line)?.verdict).toBe('unreachable')
    expect(performance.now() - t).toBeLessThan(500)
  })
})

describe('matrix advice', () => {
  const mesh = (n: number): typeof pairs =>
    [...Array(n).keys()].flatMap((s) =>
      [...Array(n).keys()]
        .filter((d) => d !== s)
        .map((d) => ({ src: `n${s}`, dst: `n${d}`, address: `10.99.0.${d + 1}` })),
    )

  it('counts the neighbour entries a set of pairs needs (both directions, once)', () => {
    expect(neighbourEntriesNeeded(mesh(100))).toEqual({ v4: 9900, v6: 0 })
    expect(neighbourEntriesNeeded([pairs[0]!, pairs[2]!])).toEqual({ v4: 2, v6: 2 })
  })

  it('names the table, its limit, and the sysctl values that fit the run', () => {
    const p = mesh(100)
    const cells = p.map((x, i) => ({
      ...x,
      ok: i < 1022,
      verdict: i < 1022 ? ('reachable' as const) : ('unknown' as const),
      rttMs: null,
    }))
    const drops = { arpTableFull: 8900, ndiscTableFull: 0, arpQueue: 0, ndiscQueue: 0, backlog: 0 }
    const a = matrixAdvice(cells, p, drops, { arp: [128, 512, 1024] }, ['ENOBUFS'], 3)!
    expect(a).toMatch(/^8878 of 9900 pairs are unknown \(probed up to 3 times, the retries paced\)/)
    expect(a).toMatch(/gc_thresh3 = 1024 entries and these pairs need about 9900/)
    expect(a).toContain(
      'sysctl -w net.ipv4.neigh.default.gc_thresh1=8192 net.ipv4.neigh.default.gc_thresh2=16384 net.ipv4.neigh.default.gc_thresh3=32768',
    )
    expect(a).toMatch(/Check fewer namespaces at once/)
    expect(a).not.toMatch(/ipv6/)
  })

  it('says to pace for backlog and buffer drops, and nothing when every pair has an answer', () => {
    const p = mesh(2)
    const unknown = p.map((x) => ({ ...x, ok: false, verdict: 'unknown' as const, rttMs: null }))
    const drops = { arpTableFull: 0, ndiscTableFull: 0, arpQueue: 0, ndiscQueue: 0, backlog: 4 }
    expect(matrixAdvice(unknown, p, drops, {}, ['EAGAIN'], 1)).toMatch(
      /receive backlog overflowed \(4 drops\).*netdev_max_backlog.*Sends failed with EAGAIN/,
    )
    const known = p.map((x) => ({ ...x, ok: true, verdict: 'reachable' as const, rttMs: 1 }))
    expect(matrixAdvice(known, p, drops, {}, [], 1)).toBeNull()
  })
})

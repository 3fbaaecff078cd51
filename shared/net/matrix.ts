// Reachability matrix: ONE remote script per run. Pairs are grouped by source namespace; each
// source runs one small pinger (Perl raw ICMP for IPv4, `ping -6` for IPv6) for all its
// destinations, sources in parallel with a bound (xargs -P). Output: one `R src dst ok|fail rtt` line per pair.

import { HOST_NS } from './model'
import { toShellLine } from './shell'
import type { Check } from './validate'
import { checkIp, checkNamespaceRef, ipFamily } from './validate'

/** One ordered pair to test: from namespace `src`, echo `address` (which belongs to `dst`). */
export interface MatrixPair {
  src: string
  dst: string
  address: string
}

export interface MatrixOptions {
  /** Echoes per pair, 1–5 (default 1). */
  count?: number
  /** Seconds to wait for replies after the last echo, 1–10 (default 1). */
  timeoutS?: number
  /** Sources probed at the same time, 1–64 (default 16). */
  concurrency?: number
}

/** The result for one pair. */
export interface MatrixCell {
  src: string
  dst: string
  address: string
  ok: boolean
  /** Best round-trip time in ms, null when unreachable or not measurable. */
  rttMs: number | null
}

/** Limits of one run. */
export const MATRIX_MAX_PAIRS = 20_000

/** Validate pairs and options before they reach the script. */
export function checkMatrix(pairs: unknown, opts: unknown = {}): Check {
  if (!Array.isArray(pairs)) return { ok: false, message: 'Pairs must be a list.' }
  if (pairs.length > MATRIX_MAX_PAIRS)
    return { ok: false, message: `At most ${MATRIX_MAX_PAIRS} pairs per run.` }
  for (const p of pairs as unknown[]) {
    if (typeof p !== 'object' || p === null)
      return { ok: false, message: 'Each pair must be an object.' }
    const r = p as Record<string, unknown>
    for (const c of [
      checkNamespaceRef(r.src),
      checkNamespaceRef(r.dst),
      checkIp(r.address, 'Pair address'),
    ])
      if (!c.ok) return c
  }
  if (typeof opts !== 'object' || opts === null)
    return { ok: false, message: 'Options must be an object.' }
  const o = opts as Record<string, unknown>
  const int = (v: unknown, lo: number, hi: number): boolean =>
    v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi)
  if (!int(o.count, 1, 5)) return { ok: false, message: 'Echoes per pair must be 1–5.' }
  if (!int(o.timeoutS, 1, 10)) return { ok: false, message: 'Timeout must be 1–10 seconds.' }
  if (!int(o.concurrency, 1, 64)) return { ok: false, message: 'Concurrency must be 1–64.' }
  return { ok: true }
}

// The per-source pinger. Args: SRC COUNT TIMEOUT DST=ADDR... Prints "R SRC DST ok RTT" or "R SRC DST fail -".
const PINGER = String.raw`use Socket;my($src,$c,$t,@d)=@ARGV;my $hr=eval{require Time::HiRes;1};
sub now{$hr?Time::HiRes::time():time()}
my(@n,@a,@six,%best,%seqmap);for(@d){my($n,$a)=split /=/,$_,2;if($a=~/:/){push @six,[$n,$a]}else{push @n,$n;push @a,$a}}
for my $p(@six){my $o=qx{ping -6 -n -q -c $c -W $t $p->[1] 2>/dev/null};
if($o=~/ (\d+) received/ && $1>0){my $r=($o=~m{= [\d.]+/([\d.]+)/}) ? $1 : '-';print "R $src $p->[0] ok $r\n"}else{print "R $src $p->[0] fail -\n"}}
exit 0 unless @n;
socket(my $s,PF_INET,SOCK_RAW,1) or do{print "R $src $_ fail -\n" for @n;exit 0};
my $id=$$&0xffff;my %sent;
sub ck{my $d=shift;$d.="\0" if length($d)%2;my $x=unpack("%32n*",$d);$x=($x>>16)+($x&0xffff);$x+=$x>>16;return ~$x&0xffff}
my $left=scalar(@n);my %got;
sub rx{my $w=shift;my $rin='';vec($rin,fileno($s),1)=1;while($w>0 && $left>0){my $t0=now();my $nf=select(my $r=$rin,undef,undef,$w);
if($nf>0){my $buf;recv($s,$buf,1500,0);my $hl=(unpack('C',$buf)&15)*4;my($ty,$co,$cs,$pid,$sq)=unpack('CCnnn',substr($buf,$hl,8));
if($ty==0&&$pid==$id&&exists $sent{$sq}){my $i=$seqmap{$sq};my $rtt=(now()-$sent{$sq})*1000;$best{$i}=$rtt if !defined $best{$i}||$rtt<$best{$i};if(!$got{$i}++){$left--}}}
$w-=now()-$t0}}
for my $k(0..$c-1){for my $i(0..$#n){my $sq=($k*scalar(@n)+$i)&0xffff;$seqmap{$sq}=$i;
my $pl=pack('CCnnn',8,0,0,$id,$sq).('x' x 24);my $ck=ck($pl);substr($pl,2,2)=pack('n',$ck);
my $ad=inet_aton($a[$i]);$sent{$sq}=now();send($s,$pl,0,sockaddr_in(0,$ad)) or 1}
rx(0.05)}
rx($t);
for my $i(0..$#n){if(defined $best{$i}){printf "R %s %s ok %s\n",$src,$n[$i],$hr?sprintf('%.3f',$best{$i}):'-'}else{print "R $src $n[$i] fail -\n"}}`

/**
 * The remote command for a matrix run: argv for `target.run` plus the stdin it reads (one line per source).
 * Every name and address is validated; stdin lines hold only validated tokens.
 */
export function matrixCommand(
  pairs: MatrixPair[],
  opts: MatrixOptions = {},
): { argv: string[]; stdin: string } {
  const c = checkMatrix(pairs, opts)
  if (!c.ok) throw new Error(c.message)
  const count = opts.count ?? 1
  const timeoutS = opts.timeoutS ?? 1
  const conc = opts.concurrency ?? 16
  const bySrc = new Map<string, string[]>()
  for (const p of pairs) {
    const list = bySrc.get(p.src) ?? []
    list.push(`${p.dst}=${p.address}`)
    bySrc.set(p.src, list)
  }
  const lines = [...bySrc.entries()].map(
    ([src, dsts]) => `${src} ${count} ${timeoutS} ${dsts.join(' ')}`,
  )
  const runOne = `s=$1; shift; if [ "$s" = ${HOST_NS} ]; then exec perl -e "$NSS_PINGER" "$s" "$@"; else exec ip netns exec "$s" perl -e "$NSS_PINGER" "$s" "$@"; fi`
  const script = [
    `NSS_PINGER=${toShellLine([PINGER])}`,
    'export NSS_PINGER',
    `xargs -r -P ${conc} -L 1 sh -c ${toShellLine([runOne])} sh`,
  ].join('\n')
  return { argv: ['sh', '-c', script], stdin: lines.join('\n') + '\n' }
}

/** Parse one output line of the matrix script, or null for anything else. */
export function parseMatrixLine(
  line: string,
  addrOf?: (src: string, dst: string) => string,
): MatrixCell | null {
  const m = /^R (\S+) (\S+) (ok|fail) (\S+)\s*$/.exec(line)
  if (!m) return null
  const src = m[1] ?? ''
  const dst = m[2] ?? ''
  const rtt = m[4] === '-' ? null : Number(m[4])
  return {
    src,
    dst,
    address: addrOf?.(src, dst) ?? '',
    ok: m[3] === 'ok',
    rttMs: rtt !== null && Number.isFinite(rtt) ? rtt : null,
  }
}

/** Parse the whole output; pairs without a line are reported as failed (e.g. the source namespace vanished). */
export function parseMatrixOutput(stdout: string, pairs: MatrixPair[]): MatrixCell[] {
  const key = (s: string, d: string): string => `${s}\u0000${d}`
  const found = new Map<string, MatrixCell>()
  for (const line of stdout.split('\n')) {
    const cell = parseMatrixLine(line)
    if (cell) found.set(key(cell.src, cell.dst), cell)
  }
  return pairs.map((p) => {
    const f = found.get(key(p.src, p.dst))
    return f
      ? { ...f, address: p.address }
      : { src: p.src, dst: p.dst, address: p.address, ok: false, rttMs: null }
  })
}

/** True when the address is IPv6 (the script pings those with `ping -6`). */
export function isV6(address: string): boolean {
  return ipFamily(address) === 'inet6'
}

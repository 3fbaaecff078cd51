// Reachability matrix: ONE remote process per run. Pairs are grouped by source namespace; one Perl
// pinger opens a raw ICMP socket in each source namespace (setns) and probes every destination,
// with at most `concurrency` sources in flight. Output: one `R src dst ok|fail rtt` line per pair.

import { HOST_NS } from './model'
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

// The pinger: ONE Perl process for the whole run. It enters each source namespace with setns(2) just
// long enough to open a raw ICMP socket there (no `ip netns exec`, no process per source), keeps
// at most CONC sources in flight, and waits for replies with one select over their sockets.
// Args: HOST_LABEL CONC. Stdin: "SRC COUNT TIMEOUT DST=ADDR..." per source. IPv6 pairs use ping -6.
// Prints "R SRC DST ok RTT" or "R SRC DST fail -" per pair.
const PINGER = String.raw`use Socket;use Config;my($host,$conc)=@ARGV;$|=1;
my $hr=eval{require Time::HiRes;1};sub now{$hr?Time::HiRes::time():time()}
my %nr=(x86_64=>308,aarch64=>268,i386=>346,i686=>346,arm=>375,ppc64le=>350,s390x=>339,riscv64=>268);
my($arch)=$Config{archname}=~/^([^-]+)/;my $nr=$nr{$arch};$nr=268 if !$nr&&$arch=~/^(aarch64|arm64)/;
open(my $home,'<','/proc/self/ns/net') or die "open ns: $!\n";
sub enter{my $n=shift;return 1 if $n eq $host;return 0 unless $nr;open(my $f,'<',"/run/netns/$n") or return 0;
my $ok=syscall($nr,fileno($f),0x40000000)==0;close $f;$ok}
sub back{syscall($nr,fileno($home),0x40000000) if $nr}
sub ck{my $d=shift;$d.="\0" if length($d)%2;my $x=unpack("%32n*",$d);$x=($x>>16)+($x&0xffff);$x+=$x>>16;return ~$x&0xffff}
my $id=$$&0xffff;my(@todo,@six);
while(<STDIN>){chomp;my($src,$c,$t,@d)=split / /;my(@n,@a);
for(@d){my($n,$a)=split /=/,$_,2;if($a=~/:/){push @six,[$src,$c,$t,$n,$a]}else{push @n,$n;push @a,$a}}
push @todo,{src=>$src,c=>$c,t=>$t,n=>\@n,a=>\@a} if @n}
sub fin{my $j=shift;for my $i(0..$#{$j->{n}}){my $b=$j->{best}{$i};
if(defined $b){printf "R %s %s ok %s\n",$j->{src},$j->{n}[$i],$hr?sprintf('%.3f',$b):'-'}else{print "R $j->{src} $j->{n}[$i] fail -\n"}}
close $j->{s} if $j->{s}}
sub start{my $j=shift;my $s;
if(enter($j->{src})){socket($s,PF_INET,SOCK_RAW,1) or undef $s}back();
if(!$s){fin($j);return}$j->{s}=$s;$j->{left}=scalar(@{$j->{n}});$j->{nx}=0;$j->{end}=now()+$j->{t};push @::live,$j}
sub send1{my $j=shift;my $n=scalar(@{$j->{n}});my $x=$j->{nx}++;my $i=$x%$n;my $sq=$x&0xffff;$j->{map}{$sq}=$i;
my $pl=pack('CCnnn',8,0,0,$id,$sq).('x' x 24);substr($pl,2,2)=pack('n',ck($pl));
$j->{sent}{$sq}=now();send($j->{s},$pl,0,sockaddr_in(0,inet_aton($j->{a}[$i]))) or 1;$j->{end}=now()+$j->{t}}
our @live;my $BURST=8;
while(@todo||@live){while(@todo&&@live<$conc){start(shift @todo)}last unless @live;
my @tx=grep{$_->{nx}<$_->{c}*@{$_->{n}}}@live;my $b=$BURST;
while($b>0&&@tx){for my $j(@tx){last if $b--<=0;send1($j)}@tx=grep{$_->{nx}<$_->{c}*@{$_->{n}}}@tx}
my $rin='';my %by;for my $j(@live){vec($rin,fileno($j->{s}),1)=1;$by{fileno($j->{s})}=$j}
my $w=0.05;for my $j(@live){my $d=$j->{end}-now();$w=$d if $d<$w}$w=0.001 if @tx&&$w>0.001;$w=0 if $w<0;
if(select(my $r=$rin,undef,undef,$w)>0){for my $fd(keys %by){next unless vec($r,$fd,1);my $j=$by{$fd};my $buf;
recv($j->{s},$buf,1500,0);my $hl=(unpack('C',$buf)&15)*4;my($ty,$co,$cs,$pid,$sq)=unpack('CCnnn',substr($buf,$hl,8));
if($ty==0&&$pid==$id&&exists $j->{sent}{$sq}){my $i=$j->{map}{$sq};my $rtt=(now()-$j->{sent}{$sq})*1000;
$j->{best}{$i}=$rtt if !defined $j->{best}{$i}||$rtt<$j->{best}{$i};$j->{left}-- unless $j->{got}{$i}++}}}
my $now=now();@live=grep{if($_->{left}<=0||($now>=$_->{end}&&$_->{nx}>=$_->{c}*@{$_->{n}})){fin($_);0}else{1}}@live}
for my $p(@six){my($src,$c,$t,$n,$a)=@$p;my $o='';if(enter($src)){$o=qx{ping -6 -n -q -c $c -W $t $a 2>/dev/null}}back();
if($o=~/ (\d+) received/&&$1>0){my $r=($o=~m{= [\d.]+/([\d.]+)/})?$1:'-';print "R $src $n ok $r\n"}else{print "R $src $n fail -\n"}}`

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
  return { argv: ['perl', '-e', PINGER, HOST_NS, String(conc)], stdin: lines.join('\n') + '\n' }
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

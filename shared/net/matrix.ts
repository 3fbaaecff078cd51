// Reachability matrix: ONE remote process per run. Pairs are grouped by source namespace; one Perl
// pinger opens a raw ICMP socket in each source namespace (setns) and probes every destination,
// with at most `concurrency` sources in flight. Each pair is reachable, unreachable, or unknown when
// the kernel dropped probes for its own limits (full neighbour table, send errors, backlog drops).

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

/**
 * What a pair's probe showed. `unknown`: no reply, but the kernel dropped packets for its own limits
 * while the pair was probed (or refused to send), so the pair is neither confirmed nor ruled out.
 */
export type MatrixVerdict = 'reachable' | 'unreachable' | 'unknown'

/** The result for one pair. */
export interface MatrixCell {
  src: string
  dst: string
  address: string
  /** Same as `verdict === 'reachable'`. */
  ok: boolean
  verdict: MatrixVerdict
  /** Best round-trip time in ms, null when no reply or not measurable. */
  rttMs: number | null
  /** Why the pair is unknown (always set then), or what made it unreachable when that is known. */
  reason?: string
}

/**
 * Packets the kernel dropped for its own limits during a run, from its own counters. These
 * counters and the neighbour tables belong to the kernel, not to a namespace: every namespace's
 * entries count against the same `gc_thresh3`, and any traffic on the machine moves the counters.
 */
export interface KernelDrops {
  /** ARP table full: `table_fulls` of /proc/net/stat/arp_cache (summed over CPUs). */
  arpTableFull: number
  /** NDP (IPv6) table full: `table_fulls` of /proc/net/stat/ndisc_cache. */
  ndiscTableFull: number
  /** Packets discarded while waiting for ARP resolution (`unresolved_discards`). */
  arpQueue: number
  ndiscQueue: number
  /** Receive backlog overflows (`dropped` of /proc/net/softnet_stat; net.core.netdev_max_backlog). */
  backlog: number
}

/** The neighbour table limits of the target's kernel (gc_thresh1..3), when readable. */
export interface NeighLimits {
  arp?: [number, number, number]
  ndisc?: [number, number, number]
}

/** One run of the pinger, parsed. */
export interface MatrixRun {
  cells: MatrixCell[]
  /** Counter increases over the whole run; null when the target's counters are not readable. */
  drops: KernelDrops | null
  limits: NeighLimits
  /** Send errors met, by errno name (e.g. EINVAL when no neighbour entry could be created). */
  sendErrors: string[]
}

/** Limits of one run. */
export const MATRIX_MAX_PAIRS = 20_000

/** Errnos of a send the kernel refused for its own limits (not an answer about the path). */
export const LIMIT_ERRNOS: readonly string[] = [
  'EINVAL',
  'ENOBUFS',
  'EAGAIN',
  'EWOULDBLOCK',
  'ENOMEM',
]

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
// Args: HOST_LABEL CONC STOP. Stdin: "SRC COUNT TIMEOUT DST=ADDR..." per source. IPv6 pairs use ping -6.
// The kernel's drop counters (neighbour table full, unresolved discards, backlog drops) are read in
// the pinger's own namespace (the files exist only in the initial one; they count for all) when a
// source starts and when it ends; the increases are printed with the pairs that got no reply.
// Prints per pair "R SRC DST ok RTT", "R SRC DST fail - [err=ERRNO] [KEY=INCREASE]... [why=WHY]",
// or with STOP=1 (a paced retry) "R SRC DST skip -" for pairs not started once the kernel dropped
// anything; then "K KEY=INCREASE..." for the whole run and "G arp|ndisc T1 T2 T3" (gc_thresh1..3).
const PINGER = String.raw`use Socket;use Config;use Errno;my($host,$conc,$stop)=@ARGV;$|=1;our $halt=0;
my $hr=eval{require Time::HiRes;1};sub now{$hr?Time::HiRes::time():time()}
my %nr=(x86_64=>308,aarch64=>268,i386=>346,i686=>346,arm=>375,ppc64le=>350,s390x=>339,riscv64=>268);
my($arch)=$Config{archname}=~/^([^-]+)/;my $nr=$nr{$arch};$nr=268 if !$nr&&$arch=~/^(aarch64|arm64)/;
open(my $home,'<','/proc/self/ns/net') or die "open ns: $!\n";
sub enter{my $n=shift;return 1 if $n eq $host;$n=~s{^netns/}{};return 0 unless $nr;open(my $f,'<',"/run/netns/$n") or return 0;
my $ok=syscall($nr,fileno($f),0x40000000)==0;close $f;$ok}
sub back{syscall($nr,fileno($home),0x40000000) if $nr}
sub ck{my $d=shift;$d.="\0" if length($d)%2;my $x=unpack("%32n*",$d);$x=($x>>16)+($x&0xffff);$x+=$x>>16;return ~$x&0xffff}
my %kf;for(['arp','/proc/net/stat/arp_cache'],['ndisc','/proc/net/stat/ndisc_cache'],['soft','/proc/net/softnet_stat']){my $f;open($f,'<',$_->[1]) and $kf{$_->[0]}=$f}
sub slurp{my $f=shift;my($b,$s)=('','');sysseek($f,0,0) or return '';while(sysread($f,$s,65536)){$b.=$s}$b}
sub cnt{my %c;for my $t('arp','ndisc'){my $f=$kf{$t} or next;my @l=split /\n/,slurp($f);my @h=split ' ',(shift(@l)//'');my %x;@x{@h}=(0..$#h);
for(@l){my @v=split ' ';$c{$t.'_full'}+=hex($v[$x{table_fulls}]) if defined $x{table_fulls};$c{$t.'_queue'}+=hex($v[$x{unresolved_discards}]) if defined $x{unresolved_discards}}}
if($kf{soft}){for(split /\n/,slurp($kf{soft})){my @v=split ' ';$c{backlog}+=hex($v[1]) if @v>1}}\%c}
sub moved{my($a,$b,$fam)=@_;my @o;for my $k(sort keys %$b){next unless $k eq 'backlog'||index($k,$fam)==0;my $d=$b->{$k}-($a->{$k}//0);push @o,"$k=$d" if $d>0}@o}
my %lim=map{$_=>1}qw(EINVAL ENOBUFS EAGAIN EWOULDBLOCK ENOMEM);sub ename{my($n)=grep{$!{$_}}keys %!;$n//('E'.($!+0))}
my %emsg;for(qw(EINVAL ENOBUFS EAGAIN ENOMEM ENETUNREACH EHOSTUNREACH EPERM EACCES EADDRNOTAVAIL EMSGSIZE)){my $f=Errno->can($_) or next;local $!=$f->();$emsg{"$!"}=$_}
my $c00=cnt();sub halted{$halt=1 if $stop&&!$halt&&moved($c00,cnt(),'');$halt}
my $id=$$&0xffff;my(@todo,@six);
while(<STDIN>){chomp;my($src,$c,$t,@d)=split / /;my(@n,@a);
for(@d){my($n,$a)=split /=/,$_,2;if($a=~/:/){push @six,[$src,$c,$t,$n,$a]}else{push @n,$n;push @a,$a}}
push @todo,{src=>$src,c=>$c,t=>$t,n=>\@n,a=>\@a} if @n}
sub fin{my $j=shift;my @f=$j->{c0}?moved($j->{c0},cnt(),'arp'):();push @f,"why=$j->{why}" if $j->{why};
for my $i(0..$#{$j->{n}}){my $b=$j->{best}{$i};
if(defined $b){printf "R %s %s ok %s\n",$j->{src},$j->{n}[$i],$hr?sprintf('%.3f',$b):'-'}
else{my @t=@f;unshift @t,"err=$j->{err}{$i}" if $j->{err}{$i};print join(' ','R',$j->{src},$j->{n}[$i],'fail','-',@t),"\n"}}
close $j->{s} if $j->{s}}
sub start{my $j=shift;my $s;if(halted()){print "R $j->{src} $_ skip -\n" for @{$j->{n}};return}$j->{c0}=cnt();
if(enter($j->{src})){if(socket($s,PF_INET,SOCK_RAW,1)){setsockopt($s,0,11,1)}else{$j->{why}='nosock'}}else{$j->{why}='nosrc'}back();
if(!$s){fin($j);return}$j->{s}=$s;$j->{left}=scalar(@{$j->{n}});$j->{nx}=0;$j->{end}=now()+$j->{t};push @::live,$j}
sub send1{my $j=shift;my $n=scalar(@{$j->{n}});my $x=$j->{nx}++;my $i=$x%$n;my $sq=$x&0xffff;$j->{map}{$sq}=$i;
my $pl=pack('CCnnn',8,0,0,$id,$sq).('x' x 24);substr($pl,2,2)=pack('n',ck($pl));$j->{sent}{$sq}=now();
send($j->{s},$pl,0,sockaddr_in(0,inet_aton($j->{a}[$i]))) or do{my $e=ename();$j->{err}{$i}//=$e;$halt=1 if $stop&&$lim{$e}};$j->{end}=now()+$j->{t}}
our @live;my $BURST=8;
while(@todo||@live){while(@todo&&@live<$conc){start(shift @todo)}last unless @live;
my @tx=grep{$_->{nx}<$_->{c}*@{$_->{n}}}@live;my $b=$BURST;
while($b>0&&@tx){for my $j(@tx){last if $b--<=0;send1($j)}@tx=grep{$_->{nx}<$_->{c}*@{$_->{n}}}@tx}
my $rin='';my %by;for my $j(@live){vec($rin,fileno($j->{s}),1)=1;$by{fileno($j->{s})}=$j}
my $w=0.05;for my $j(@live){my $d=$j->{end}-now();$w=$d if $d<$w}$w=0.001 if @tx&&$w>0.001;$w=0 if $w<0;
if(select(my $r=$rin,undef,undef,$w)>0){for my $fd(keys %by){next unless vec($r,$fd,1);my $j=$by{$fd};my($buf,$e)=('','');
if(defined recv($j->{s},$buf,1500,64)&&length($buf)>=28){my $hl=(unpack('C',$buf)&15)*4;my($ty,$co,$cs,$pid,$sq)=unpack('CCnnn',substr($buf,$hl,8));
if(defined $sq&&$ty==0&&$pid==$id&&exists $j->{sent}{$sq}){my $i=$j->{map}{$sq};my $rtt=(now()-$j->{sent}{$sq})*1000;
$j->{best}{$i}=$rtt if !defined $j->{best}{$i}||$rtt<$j->{best}{$i};$j->{left}-- unless $j->{got}{$i}++}}
1 while defined recv($j->{s},$e,1500,8256)}}
my $now=now();@live=grep{if($_->{left}<=0||($now>=$_->{end}&&$_->{nx}>=$_->{c}*@{$_->{n}})){fin($_);0}else{1}}@live}
for my $p(@six){my($src,$c,$t,$n,$a)=@$p;if(halted()){print "R $src $n skip -\n";next}my $c0=cnt();my($o,$why)=('','');
if(enter($src)){my $pid=open(my $ph,'-|');if(defined $pid&&!$pid){open(STDERR,'>&',\*STDOUT);exec('ping','-6','-n','-q','-c',$c,'-W',$t,$a);exit 127}
if($pid){local $/;$o=<$ph>//'';close $ph}else{$why='nofork'}}else{$why='nosrc'}back();
if($o=~/ (\d+) received/&&$1>0){my $r=($o=~m{= [\d.]+/([\d.]+)/})?$1:'-';print "R $src $n ok $r\n";next}
my @t=moved($c0,cnt(),'ndisc');push @t,"why=$why" if $why;if($o=~/^ping: \w+: (.+?)\s*$/m){my $e=$emsg{$1}//'EOTHER';unshift @t,"err=$e";$halt=1 if $stop&&$lim{$e}}
print join(' ','R',$src,$n,'fail','-',@t),"\n"}
my $c1=cnt();print join(' ','K',map{"$_=".($c1->{$_}-($c00->{$_}//0))}sort keys %$c1),"\n";
for my $g(['arp',4],['ndisc',6]){my @v;for my $k(1..3){open(my $f,'<',"/proc/sys/net/ipv$g->[1]/neigh/default/gc_thresh$k") or last;my $x=<$f>;chomp $x;push @v,$x}print "G $g->[0] @v\n" if @v==3}`

/**
 * The remote command for a matrix run: argv for `target.run` plus the stdin it reads (one line per source).
 * Every name and address is validated; stdin lines hold only validated tokens. `retry`: a paced
 * retry, which stops starting sources (their pairs come back as `skip`) once the kernel drops anything.
 */
export function matrixCommand(
  pairs: MatrixPair[],
  opts: MatrixOptions = {},
  retry = false,
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
  return {
    argv: ['perl', '-e', PINGER, HOST_NS, String(conc), retry ? '1' : '0'],
    stdin: lines.join('\n') + '\n',
  }
}

const DROP_KEYS: Record<string, keyof KernelDrops> = {
  arp_full: 'arpTableFull',
  ndisc_full: 'ndiscTableFull',
  arp_queue: 'arpQueue',
  ndisc_queue: 'ndiscQueue',
  backlog: 'backlog',
}

/** No drops (a starting point for sums). */
export function noDrops(): KernelDrops {
  return { arpTableFull: 0, ndiscTableFull: 0, arpQueue: 0, ndiscQueue: 0, backlog: 0 }
}

/** Sum of two drop counts (null when neither was readable). */
export function addDrops(a: KernelDrops | null, b: KernelDrops | null): KernelDrops | null {
  if (!a || !b) return a ?? b
  const s = noDrops()
  for (const k of Object.keys(s) as Array<keyof KernelDrops>) s[k] = a[k] + b[k]
  return s
}

const SEND_ERRORS: Record<string, string> = {
  EINVAL:
    'the kernel refused to send the echo (EINVAL): older kernels say so when they cannot create a neighbour (ARP/NDP) entry, i.e. when the neighbour table is full',
  ENOBUFS:
    'the kernel refused to send the echo (ENOBUFS, "No buffer space available"): it could not create a neighbour (ARP/NDP) entry because the neighbour table is full, or ran out of buffers',
  EAGAIN: 'the kernel refused to send the echo (EAGAIN: the send buffer was full)',
  EWOULDBLOCK: 'the kernel refused to send the echo (EWOULDBLOCK: the send buffer was full)',
  ENOMEM: 'the kernel refused to send the echo (ENOMEM: out of memory)',
  ENETUNREACH: 'no route to the address (sending failed: network is unreachable)',
  EHOSTUNREACH: 'no route to the host (sending failed: host is unreachable)',
  EPERM: 'sending was refused (EPERM), e.g. by a firewall rule in the source namespace',
  EACCES: 'sending was refused (EACCES), e.g. to a broadcast address',
  EADDRNOTAVAIL: 'the source namespace has no address to send from (EADDRNOTAVAIL)',
}

const WHY: Record<string, string> = {
  nosrc: 'The source namespace does not exist (or could not be entered).',
  nosock: 'No ICMP socket could be opened in the source namespace.',
  nofork: 'ping -6 could not be started in the source namespace.',
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

/** Why a pair without a reply is unknown, from the flags of its line; null when nothing was dropped. */
function limitReason(flags: Map<string, string>): string | null {
  const parts: string[] = []
  const err = flags.get('err')
  if (err && LIMIT_ERRNOS.includes(err)) parts.push(SEND_ERRORS[err] ?? err)
  const n = (k: string): number => Number(flags.get(k) ?? 0)
  if (n('arp_full') > 0)
    parts.push(
      `the kernel's ARP table overflowed ${n('arp_full')}× while this pair was probed ("neighbor table overflow", table_fulls of /proc/net/stat/arp_cache), so the echo or its reply may have been dropped`,
    )
  if (n('ndisc_full') > 0)
    parts.push(
      `the kernel's IPv6 neighbour (NDP) table overflowed ${n('ndisc_full')}× while this pair was probed (table_fulls of /proc/net/stat/ndisc_cache), so the echo or its reply may have been dropped`,
    )
  const q = n('arp_queue') + n('ndisc_queue')
  if (q > 0)
    parts.push(
      `the kernel discarded ${q} packet(s) waiting for address resolution (unresolved_discards)`,
    )
  if (n('backlog') > 0)
    parts.push(
      `the kernel dropped ${n('backlog')} packet(s) because a CPU's receive backlog was full (/proc/net/softnet_stat, net.core.netdev_max_backlog)`,
    )
  return parts.length ? cap(parts.join('; ')) + '.' : null
}

/** Reason a pair without a reply is unreachable, when the line tells more than "no reply". */
function failReason(flags: Map<string, string>): string {
  const why = flags.get('why')
  if (why) return WHY[why] ?? `Not probed (${why}).`
  const err = flags.get('err')
  if (err) return cap(SEND_ERRORS[err] ?? `sending failed (${err})`) + '.'
  return 'No echo reply within the timeout.'
}

/** Reason of a pair the paced retry did not start. */
export const SKIPPED_REASON =
  'Not probed again: the kernel was still dropping packets for its own limits when this pair’s turn came.'

/** Reason of a pair the pinger printed nothing for (it stopped early). */
export const MISSING_REASON = 'The pinger stopped before it answered for this pair.'

/** Parse one `R` line of the matrix script, or null for anything else. Linear: it splits on spaces. */
export function parseMatrixLine(
  line: string,
  addrOf?: (src: string, dst: string) => string,
): MatrixCell | null {
  const t = line.trimEnd().split(' ')
  if (t.length < 5 || t[0] !== 'R') return null
  const [, src = '', dst = '', status, rttText] = t
  if (status !== 'ok' && status !== 'fail' && status !== 'skip') return null
  const flags = new Map<string, string>()
  for (const tok of t.slice(5)) {
    const eq = tok.indexOf('=')
    if (eq > 0) flags.set(tok.slice(0, eq), tok.slice(eq + 1))
  }
  const rtt = rttText === '-' ? null : Number(rttText)
  const base = { src, dst, address: addrOf?.(src, dst) ?? '' }
  if (status === 'ok')
    return {
      ...base,
      ok: true,
      verdict: 'reachable',
      rttMs: rtt !== null && Number.isFinite(rtt) ? rtt : null,
    }
  if (status === 'skip')
    return { ...base, ok: false, verdict: 'unknown', rttMs: null, reason: SKIPPED_REASON }
  // A missing source or a send refused for a reason about the path (no route, a firewall) is an
  // answer whatever the kernel dropped meanwhile; otherwise any drop during the probe makes it unknown.
  const err = flags.get('err')
  const definite = flags.has('why') || (err !== undefined && !LIMIT_ERRNOS.includes(err))
  const limit = definite ? null : limitReason(flags)
  return limit
    ? { ...base, ok: false, verdict: 'unknown', rttMs: null, reason: limit }
    : { ...base, ok: false, verdict: 'unreachable', rttMs: null, reason: failReason(flags) }
}

/** Parse the whole output of one run; pairs without a line are unknown (the pinger stopped early). */
export function parseMatrixRun(stdout: string, pairs: MatrixPair[]): MatrixRun {
  const key = (s: string, d: string): string => `${s}\u0000${d}`
  const found = new Map<string, MatrixCell>()
  let drops: KernelDrops | null = null
  const limits: NeighLimits = {}
  const sendErrors = new Set<string>()
  for (const line of stdout.split('\n')) {
    if (line.startsWith('R ')) {
      const cell = parseMatrixLine(line)
      if (cell) found.set(key(cell.src, cell.dst), cell)
      const err = / err=([A-Z0-9]+)/.exec(line)?.[1]
      if (err) sendErrors.add(err)
    } else if (line.startsWith('K')) {
      // "K" alone: the pinger could read no counter (a target that is not the initial namespace)
      const d = noDrops()
      let read = false
      for (const tok of line.split(' ').slice(1)) {
        const [k = '', v = ''] = tok.split('=')
        const field = DROP_KEYS[k]
        if (field && /^\d+$/.test(v)) {
          d[field] = Number(v)
          read = true
        }
      }
      drops = read ? d : null
    } else if (line.startsWith('G ')) {
      const [, table, ...v] = line.trim().split(' ')
      const nums = v.map(Number)
      if (
        (table === 'arp' || table === 'ndisc') &&
        nums.length === 3 &&
        nums.every(Number.isFinite)
      )
        limits[table] = [nums[0]!, nums[1]!, nums[2]!]
    }
  }
  const cells = pairs.map((p): MatrixCell => {
    const f = found.get(key(p.src, p.dst))
    return f
      ? { ...f, address: p.address }
      : {
          src: p.src,
          dst: p.dst,
          address: p.address,
          ok: false,
          verdict: 'unknown',
          rttMs: null,
          reason: MISSING_REASON,
        }
  })
  return { cells, drops, limits, sendErrors: [...sendErrors].sort() }
}

/** Parse the whole output into cells (see parseMatrixRun). */
export function parseMatrixOutput(stdout: string, pairs: MatrixPair[]): MatrixCell[] {
  return parseMatrixRun(stdout, pairs).cells
}

/** Neighbour entries a set of pairs needs at once: src's entry for dst and dst's entry for src. */
export function neighbourEntriesNeeded(pairs: MatrixPair[]): { v4: number; v6: number } {
  const v4 = new Set<string>()
  const v6 = new Set<string>()
  for (const p of pairs) {
    const s = isV6(p.address) ? v6 : v4
    s.add(`${p.src}\u0000${p.dst}`)
    s.add(`${p.dst}\u0000${p.src}`)
  }
  return { v4: v4.size, v6: v6.size }
}

const pow2AtLeast = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(n, 1)))

/**
 * gc_thresh1..3 that hold `need` entries with room to spare (twice the need, and at least twice the
 * current gc_thresh3, as a power of two; gc_thresh2 and gc_thresh1 at a half and a quarter of it).
 */
export function neighLimitsFor(need: number, currentThresh3 = 1024): [number, number, number] {
  const size = Math.max(pow2AtLeast(need * 2), pow2AtLeast(currentThresh3 * 2))
  return [size / 4, size / 2, size]
}

function sysctlAdvice(family: 'ipv4' | 'ipv6', current: number | undefined, need: number): string {
  const [t1, t2, t3] = neighLimitsFor(need, current)
  const k = `net.${family}.neigh.default`
  return `sysctl -w ${k}.gc_thresh1=${t1} ${k}.gc_thresh2=${t2} ${k}.gc_thresh3=${t3}`
}

/**
 * What to do about the pairs that stayed unknown, from what the kernel counted over all runs; null
 * when every pair got an answer.
 */
export function matrixAdvice(
  cells: MatrixCell[],
  pairs: MatrixPair[],
  drops: KernelDrops | null,
  limits: NeighLimits,
  sendErrors: string[],
  runs: number,
): string | null {
  const unknown = cells.filter((c) => c.verdict === 'unknown').length
  if (unknown === 0) return null
  const d = drops ?? noDrops()
  const need = neighbourEntriesNeeded(pairs)
  const tries = runs > 1 ? ` (probed up to ${runs} times, the retries paced)` : ''
  const out = [
    `${unknown} of ${cells.length} pairs are unknown${tries}: the kernel dropped probes for its own limits, so they were neither confirmed nor ruled out.`,
  ]
  const tableFull = d.arpTableFull + d.ndiscTableFull > 0
  if (tableFull) {
    const fam: string[] = []
    if (d.arpTableFull > 0)
      fam.push(
        `IPv4 (ARP) holds at most gc_thresh3 = ${limits.arp?.[2] ?? '?'} entries and these pairs need about ${need.v4}: ${sysctlAdvice('ipv4', limits.arp?.[2], need.v4)}`,
      )
    if (d.ndiscTableFull > 0)
      fam.push(
        `IPv6 (NDP) holds at most gc_thresh3 = ${limits.ndisc?.[2] ?? '?'} entries and these pairs need about ${need.v6}: ${sysctlAdvice('ipv6', limits.ndisc?.[2], need.v6)}`,
      )
    out.push(
      `The kernel's neighbour table was full (ARP overflows: ${d.arpTableFull}, NDP overflows: ${d.ndiscTableFull}). It is shared by all namespaces, and an entry in use cannot be reclaimed for 15–45 s (base_reachable_time). Check fewer namespaces at once, or raise the limits on the target — ${fam.join('; ')}.`,
    )
  }
  if (d.arpQueue + d.ndiscQueue > 0)
    out.push(
      `Packets waiting for address resolution were discarded (${d.arpQueue + d.ndiscQueue}): send fewer echoes per pair, or check fewer namespaces at once.`,
    )
  if (d.backlog > 0)
    out.push(
      `A CPU's receive backlog overflowed (${d.backlog} drops): check fewer namespaces at once, lower the concurrency, or raise net.core.netdev_max_backlog.`,
    )
  const buffers = sendErrors.filter((e) => LIMIT_ERRNOS.includes(e))
  if (buffers.length && !tableFull)
    out.push(
      `Sends failed with ${buffers.join(', ')}: check fewer namespaces at once or lower the concurrency.`,
    )
  if (out.length === 1) out.push('Run the check again, or check fewer namespaces at once.')
  return out.join(' ')
}

/** True when the address is IPv6 (the script pings those with `ping -6`). */
export function isV6(address: string): boolean {
  return ipFamily(address) === 'inet6'
}

// Traffic: ONE long-lived remote sampler per target and the rates computed from its output.
// The sampler (Perl) enters each namespace with setns(2) and reads /proc/self/net/dev, so a
// tick costs no process at all; it reads "i SECONDS" lines on stdin and exits when stdin closes.
// A kernel namespace called like the root's label ("host") is reported as "netns/host".

/** Counters of one interface at one instant. */
export interface IfCounters {
  ns: string
  ifname: string
  rxBytes: number
  rxPackets: number
  txBytes: number
  txPackets: number
}

/** One sampler tick: every interface of every namespace at time `t` (ms since epoch, target clock). */
export interface TrafficSample {
  t: number
  counters: IfCounters[]
}

/** Rates of one interface between two ticks. */
export interface IfRate {
  ns: string
  ifname: string
  rxBps: number
  txBps: number
  rxPps: number
  txPps: number
}

/** Rates of one tick, keyed by `ns/ifname` (see {@link ifKey}). */
export interface TrafficRates {
  t: number
  /** Seconds since the previous tick. */
  dt: number
  rates: IfRate[]
}

export const MIN_INTERVAL_S = 0.1
export const MAX_INTERVAL_S = 10

/** Key of an interface in rate maps and in the store. */
export function ifKey(ns: string, ifname: string): string {
  return `${ns}/${ifname}`
}

/** True when an interval (seconds) is allowed. */
export function validInterval(s: unknown): s is number {
  return typeof s === 'number' && Number.isFinite(s) && s >= MIN_INTERVAL_S && s <= MAX_INTERVAL_S
}

/** The line that changes the running sampler's interval. */
export function intervalCommand(seconds: number): string {
  if (!validInterval(seconds))
    throw new Error(`Interval must be ${MIN_INTERVAL_S}–${MAX_INTERVAL_S} s.`)
  return `i ${seconds}\n`
}

const SAMPLER = String.raw`use Config;$|=1;my $iv=$ARGV[1]||1;my $hl=$ARGV[0]||'host';
my %nr=(x86_64=>308,aarch64=>268,i386=>346,i686=>346,arm=>375,ppc64le=>350,s390x=>339,riscv64=>268);
my($arch)=$Config{archname}=~/^([^-]+)/;my $nr=$nr{$arch}; $nr=268 if !$nr && $arch=~/^(aarch64|arm64)/;
die "setns: unknown arch $arch\n" unless $nr;
open(my $home,'<','/proc/self/ns/net') or die "open ns: $!\n";
sub dev{my($ns)=@_;open(my $f,'<','/proc/self/net/dev') or return;<$f>;<$f>;
while(<$f>){if(/^\s*([^:\s]+):\s*(\d+)\s+(\d+)\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+(\d+)\s+(\d+)/){print "$ns $1 $2 $3 $4 $5\n"}}close $f}
my $in='';my $rin='';vec($rin,fileno(STDIN),1)=1;my $hr=eval{require Time::HiRes;1};
sub now{$hr?Time::HiRes::time():time()}
my $next=now();
while(1){my $t=now();printf "T %.0f\n",$t*1000;dev($hl);
for my $p(glob('/run/netns/*')){my($n)=$p=~m{([^/]+)$};$n="netns/$n" if $n eq $hl;open(my $fh,'<',$p) or next;
if(syscall($nr,fileno($fh),0x40000000)==0){dev($n)}close $fh;syscall($nr,fileno($home),0x40000000)}
print "E\n";$next+=$iv;$next=now() if $next<now();
while(1){my $w=$next-now();last if $w<=0;my $r;if(select($r=$rin,undef,undef,$w)>0){my $b;my $k=sysread(STDIN,$b,256);exit 0 if !$k;$in.=$b;
while($in=~s/^(.*)\n//){my $l=$1;if($l=~/^i ([\d.]+)$/ && $1>=0.1 && $1<=10){$iv=$1;$next=now()+$iv}}}}}`

/** The argv of the sampler; `hostLabel` is the name used for the root namespace. */
export function samplerArgv(intervalS = 1, hostLabel = 'host'): string[] {
  if (!validInterval(intervalS))
    throw new Error(`Interval must be ${MIN_INTERVAL_S}–${MAX_INTERVAL_S} s.`)
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(hostLabel)) throw new Error('Bad host label.')
  return ['perl', '-e', SAMPLER, hostLabel, String(intervalS)]
}

/** Most interfaces one tick may carry; a tick that never ends stops growing here. */
export const MAX_TICK_COUNTERS = 100_000

/**
 * Incremental parser of sampler output lines: feed lines, get a {@link TrafficSample} at each "E".
 */
export class SamplerParser {
  private cur: TrafficSample | null = null

  /** Feed one line; returns a complete sample when the line ends a tick. */
  push(line: string): TrafficSample | null {
    if (line.startsWith('T ')) {
      this.cur = { t: Number(line.slice(2)), counters: [] }
      return null
    }
    if (line === 'E') {
      const done = this.cur
      this.cur = null
      return done
    }
    if (!this.cur || this.cur.counters.length >= MAX_TICK_COUNTERS) return null
    const f = line.split(' ')
    if (f.length !== 6) return null
    const [ns = '', ifname = '', rb, rp, tb, tp] = f
    this.cur.counters.push({
      ns,
      ifname,
      rxBytes: Number(rb),
      rxPackets: Number(rp),
      txBytes: Number(tb),
      txPackets: Number(tp),
    })
    return null
  }
}

/** Rates between two samples; interfaces new in `cur` or whose counters went backwards are left out. */
export function computeRates(prev: TrafficSample, cur: TrafficSample): TrafficRates {
  const dt = (cur.t - prev.t) / 1000
  const before = new Map(prev.counters.map((c) => [ifKey(c.ns, c.ifname), c]))
  const rates: IfRate[] = []
  if (dt <= 0) return { t: cur.t, dt, rates }
  for (const c of cur.counters) {
    const p = before.get(ifKey(c.ns, c.ifname))
    if (!p) continue
    const d = [
      c.rxBytes - p.rxBytes,
      c.txBytes - p.txBytes,
      c.rxPackets - p.rxPackets,
      c.txPackets - p.txPackets,
    ]
    if (d.some((x) => x < 0)) continue
    rates.push({
      ns: c.ns,
      ifname: c.ifname,
      rxBps: d[0]! / dt,
      txBps: d[1]! / dt,
      rxPps: d[2]! / dt,
      txPps: d[3]! / dt,
    })
  }
  return { t: cur.t, dt, rates }
}

/** Human-readable rate, e.g. "12.3 kB/s". */
export function formatRate(bytesPerS: number): string {
  if (bytesPerS < 1000) return `${bytesPerS.toFixed(0)} B/s`
  if (bytesPerS < 1e6) return `${(bytesPerS / 1e3).toFixed(1)} kB/s`
  if (bytesPerS < 1e9) return `${(bytesPerS / 1e6).toFixed(1)} MB/s`
  return `${(bytesPerS / 1e9).toFixed(2)} GB/s`
}

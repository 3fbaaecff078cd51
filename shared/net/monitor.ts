// Event-driven tables: ONE remote watcher per target. It runs `ip -o monitor all-nsid all` in the
// root namespace, watches /run/netns for namespaces coming and going (readdir every 50 ms, no
// process per tick), gives new namespaces an nsid so their events are seen, and exits on stdin EOF.

import { nsFromKernel } from './model'

/** A table the kernel reported a change in. */
export type MonitorTable =
  'link' | 'address' | 'route' | 'neigh' | 'rule' | 'netconf' | 'nsid' | 'other'

/** One parsed line of the watcher's output. */
export type MonitorEvent =
  | { kind: 'ready' }
  | { kind: 'change'; nsid: number | null; table: MonitorTable; deleted: boolean; text: string }
  | { kind: 'ns-added'; name: string }
  | { kind: 'ns-removed'; name: string }
  | { kind: 'nsid'; nsid: number; name: string }
  | { kind: 'ended'; message: string }

/** Longest `ip monitor` line the watcher keeps (a longer one is cut; real ones are < 1 KiB). */
const MAX_MONITOR_LINE = 65536

const WATCHER = String.raw`$|=1;my %known;my $MAXL=${MAX_MONITOR_LINE};
my $pid=open(my $mon,'-|','ip','-o','monitor','all-nsid','all') or die "ip monitor: $!\n";
sub quiet{open(my $o,'>&',\*STDERR);open(STDERR,'>','/dev/null');system(@_);open(STDERR,'>&',$o)}
sub ids{for(qx{ip netns list-id 2>/dev/null}){print "I $1 $2\n" if /^nsid (\d+) \(iproute2 netns name: ([^)\s]+)\)/}}
sub scan{my $first=shift;opendir(my $d,'/run/netns') or return;my %now=map{$_=>1}grep{!/^\./}readdir $d;closedir $d;my $ch=0;
for(sort keys %now){next if $known{$_};quiet('ip','netns','set',$_,'auto');print "N+ $_\n" unless $first;$ch=1}
for(sort keys %known){next if $now{$_};print "N- $_\n";$ch=1}%known=%now;ids() if $ch||$first}
scan(1);print "READY\n";
my $rin='';vec($rin,fileno($mon),1)=1;vec($rin,fileno(STDIN),1)=1;my $buf='';
while(1){my $r;if(select($r=$rin,undef,undef,0.05)>0){
if(vec($r,fileno(STDIN),1)){my $b;if(!sysread(STDIN,$b,256)){kill 'TERM',$pid;exit 0}}
if(vec($r,fileno($mon),1)){my $b;my $k=sysread($mon,$b,65536);if(!$k){print "X ip monitor ended\n";exit 1}$buf.=$b;
my $at=0;while((my $i=index($buf,"\n",$at))>=0){print "M ".substr($buf,$at,$i-$at)."\n";$at=$i+1}$buf=substr($buf,$at);
$buf=substr($buf,0,$MAXL) if length($buf)>$MAXL}}
scan(0)}`

/** The argv of the watcher. */
export function watcherArgv(): string[] {
  return ['perl', '-e', WATCHER]
}

const TABLES: Record<string, MonitorTable> = {
  LINK: 'link',
  ADDR: 'address',
  ROUTE: 'route',
  NEIGH: 'neigh',
  RULE: 'rule',
  NETCONF: 'netconf',
  NSID: 'nsid',
}

/** Parse one line of the watcher's output (or one `ip -o monitor all-nsid all` line after "M "). */
export function parseMonitorLine(line: string): MonitorEvent | null {
  if (line === 'READY') return { kind: 'ready' }
  // Names are the kernel's: one called "host" is HOST_NETNS_ALIAS here, never the root.
  if (line.startsWith('N+ ')) return { kind: 'ns-added', name: nsFromKernel(line.slice(3).trim()) }
  if (line.startsWith('N- '))
    return { kind: 'ns-removed', name: nsFromKernel(line.slice(3).trim()) }
  if (line.startsWith('X ')) return { kind: 'ended', message: line.slice(2).trim() }
  let m = /^I (\d+) (\S+)$/.exec(line)
  if (m) return { kind: 'nsid', nsid: Number(m[1]), name: nsFromKernel(m[2] ?? '') }
  const body = line.startsWith('M ') ? line.slice(2) : line
  m = /^\[nsid (current|\d+)\](?:\[([A-Z]+)\])?(Deleted )?(.*)$/.exec(body)
  if (!m) return null
  const tag = m[2] ?? ''
  return {
    kind: 'change',
    nsid: m[1] === 'current' ? null : Number(m[1]),
    table: TABLES[tag] ?? 'other',
    deleted: m[3] !== undefined,
    text: (m[4] ?? '').replace(/\s*\\\s+/g, ' ').trim(),
  }
}

/** True when a change matters to the model the panels show (link, address, route, neighbour, namespace). */
export function affectsModel(e: MonitorEvent): boolean {
  if (e.kind === 'ns-added' || e.kind === 'ns-removed') return true
  if (e.kind !== 'change') return false
  return (
    e.table === 'link' ||
    e.table === 'address' ||
    e.table === 'route' ||
    e.table === 'neigh' ||
    e.table === 'rule'
  )
}

/** Keeps the nsid → name map the watcher reports; resolves an event's namespace name. */
export class NsidMap {
  private readonly byId = new Map<number, string>()

  /** Feed a parsed event; nsid lines update the map. */
  observe(e: MonitorEvent): void {
    if (e.kind === 'nsid') this.byId.set(e.nsid, e.name)
  }

  /** The namespace name of a change (hostName for the root namespace), or null if unknown. */
  nameOf(nsid: number | null, hostName = 'host'): string | null {
    return nsid === null ? hostName : (this.byId.get(nsid) ?? null)
  }
}

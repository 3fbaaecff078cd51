// The in-target helper: one Perl process that enters each namespace of a lab apply in turn
// (setns) and makes its changes over rtnetlink, instead of one `ip -n NS -batch` process per
// namespace (~2-3 ms each, most of a 100-namespace apply). Perl, because perl-base is on every
// Debian and Ubuntu (the app's VM included) and needs nothing installed; where perl is missing or
// the CPU's setns number is unknown, the engine keeps using ip (lanes.ts). It loads no module
// (Socket alone costs ~14 ms of start-up here): numbers are Linux's, addresses come as bytes.
//
// `perl -e PROGRAM probe` prints "ok ARCH SETNS" (exit 0) when it can run here (setns tried on
// its own namespace), else exits 3.
// `perl -e PROGRAM NONCE SETNS` reads, one instruction per line, every token a value the engine
// validated (lines.ts):
//   N NAME                 enter namespace /run/netns/NAME (its sockets are opened there)
//   S I VERB ARGS...       step I: do it, print its error text (if any), then "\n@@R<nonce> I CODE\n"
// Verbs: up DEV | down DEV | master DEV BRIDGE | nomaster DEV | linkdel DEV
//        addradd DEV FAMILY HEXADDR PLEN | addrdel ...                 (FAMILY 4 or 6)
//        routeadd FAMILY HEXDST PLEN HEXVIA DEV TABLE | routedel ...    (-: none)
//        sysctl KEY VALUE | exec HEXARG...                             (exec: run that argv)
// The first failing step ends the run (exit 1). The messages are the ones ip and sysctl print for
// the same kernel answers ("RTNETLINK answers: File exists", the kernel's extended ack as
// "Error: ...", `Cannot find device "x"`), so a failure reads the same whichever way a step ran.
// One process, namespace after namespace: several side by side were no faster here, as the
// kernel serialises this work under its rtnl lock.

/** The program, for `perl -e`. Free of backticks and dollar-brace, so the template keeps it as is. */
export const HELPER_PROGRAM = String.raw`$| = 1;
my ($nonce, $SETNS) = @ARGV;
$nonce //= '';
if ($nonce eq 'probe') {
  require Config;
  Config->import;
  our %Config;
  my %nr = (x86_64 => 308, i386 => 346, aarch64 => 268, riscv64 => 268, loongarch64 => 268,
    arm => 375, powerpc => 350, powerpc64 => 350, s390x => 339);
  my $name = $Config{archname};
  my ($arch) = $name =~ /^([a-z0-9_]+)-linux/;
  $arch = '' if !defined($arch) || $name =~ /gnux32/;
  $arch = 'i386' if $arch =~ /^i[3-6]86$/;
  $arch = 'powerpc64' if $arch eq 'powerpc64le';
  $arch = 'arm' if $arch =~ /^arm/;
  # The number is tried for real: entering our own namespace changes nothing.
  my $self;
  my $ok = $nr{$arch} && open($self, '<', '/proc/self/ns/net')
    && syscall($nr{$arch}, fileno($self), 0x40000000) == 0;
  if ($ok) { print "ok $arch $nr{$arch}\n"; exit 0 }
  print "unsupported $name: $!\n";
  exit 3;
}
exit 3 unless defined($SETNS) && $SETNS =~ /^[0-9]+$/;
my ($nl, $io, $seq) = (undef, undef, 0);
my $entered = 'netns-studio helper: no namespace entered';

sub attr { my ($t, $d) = @_; my $l = 4 + length $d; pack('S S', $l, $t) . $d . ("\0" x ((4 - $l % 4) % 4)) }

sub enter {
  my ($name) = @_;
  open(my $fh, '<', "/run/netns/$name") or return "Cannot open network namespace \"$name\": $!";
  syscall($SETNS, fileno($fh), 0x40000000) == 0
    or return "setting the network namespace \"$name\" failed: $!";
  close $fh;
  socket($nl, 16, 3, 0) or return "Cannot open netlink socket: $!";
  bind($nl, pack('S S L L', 16, 0, 0, 0)) or return "Cannot bind netlink socket: $!";
  setsockopt($nl, 270, 11, pack('i', 1));
  socket($io, 2, 2, 0) or return "Cannot open a socket: $!";
  return '';
}

sub talk {
  my ($type, $flags, $body) = @_;
  $seq++;
  my $msg = pack('L S S L L', 16 + length($body), $type, 1 | 4 | $flags, $seq, 0) . $body;
  defined(send($nl, $msg, 0)) or return "Cannot talk to rtnetlink: $!";
  while (1) {
    my $buf = '';
    defined(recv($nl, $buf, 65536, 0)) or return "Cannot talk to rtnetlink: $!";
    my $off = 0;
    while ($off + 16 <= length $buf) {
      my ($len, $t, $fl, $s) = unpack('L S S L', substr($buf, $off, 16));
      last if $len < 16;
      if ($s == $seq && $t == 2) {
        my $err = unpack('l', substr($buf, $off + 16, 4));
        return '' if $err == 0;
        local $! = -$err;
        my $text = "$!";
        my $ext;
        if ($fl & 0x200) {
          my $olen = unpack('L', substr($buf, $off + 20, 4));
          my $p = $off + 20 + (($fl & 0x100) ? 16 : $olen);
          while ($p + 4 <= $off + $len) {
            my ($al, $at) = unpack('S S', substr($buf, $p, 4));
            last if $al < 4;
            ($ext) = unpack('Z*', substr($buf, $p + 4, $al - 4)) if $at == 1;
            $p += ($al + 3) & ~3;
          }
        }
        return "Error: $ext" . ($ext =~ /\.\z/ ? '' : '.') if defined($ext) && length($ext);
        return "RTNETLINK answers: $text";
      }
      $off += ($len + 3) & ~3;
    }
  }
}

sub ifindex {
  my ($name) = @_;
  my $ifr = pack('a16 x24', $name);
  return (undef, "Cannot find device \"$name\"") unless ioctl($io, 0x8933, $ifr);
  return (unpack('x16 i', $ifr), '');
}

sub ifinfo { my ($i, $flags, $change) = @_; pack('C C S i L L', 0, 0, 0, $i, $flags, $change) }

sub setstate {
  my ($dev, $up) = @_;
  my ($i, $e) = ifindex($dev);
  return $e if $e;
  return talk(16, 0, ifinfo($i, $up ? 1 : 0, 1));
}

sub master {
  my ($dev, $br) = @_;
  my ($i, $e) = ifindex($dev);
  return $e if $e;
  my $b = 0;
  if (defined $br) { ($b, $e) = ifindex($br); return $e if $e }
  return talk(16, 0, ifinfo($i, 0, 0) . attr(10, pack('L', $b)));
}

sub linkdel {
  my ($dev) = @_;
  my ($i, $e) = ifindex($dev);
  return $e if $e;
  return talk(17, 0, ifinfo($i, 0, 0));
}

sub bin { my ($hex) = @_; $hex =~ /^(?:[0-9a-f]{8}|[0-9a-f]{32})$/ ? pack('H*', $hex) : undef }

sub addr {
  my ($add, $dev, $fam, $a, $plen) = @_;
  my ($i, $e) = ifindex($dev);
  return $e if $e;
  my $b = bin($a);
  return "netns-studio helper: not an address: $a" unless defined $b;
  my $scope = ($add && length($b) == 4 && substr($b, 0, 1) eq "\x7f") ? 254 : 0;
  my $body = pack('C C C C L', length($b) == 16 ? 10 : 2, $plen, 0, $scope, $i) . attr(2, $b);
  $body .= attr(1, $b) if $add;
  return talk($add ? 20 : 21, $add ? 0x600 : 0, $body);
}

sub route {
  my ($add, $fam, $dst, $plen, $via, $dev, $table) = @_;
  my $attrs = '';
  if ($dst ne '-') {
    my $b = bin($dst);
    return "netns-studio helper: not a prefix: $dst" unless defined $b;
    $attrs .= attr(1, $b);
  }
  if ($via ne '-') {
    my $b = bin($via);
    return "netns-studio helper: not an address: $via" unless defined $b;
    $attrs .= attr(5, $b);
  }
  if ($dev ne '-') {
    my ($i, $e) = ifindex($dev);
    return $e if $e;
    $attrs .= attr(4, pack('L', $i));
  }
  $attrs .= attr(15, pack('L', $table)) if $table > 255;
  my $rt = $table > 255 ? 0 : $table;
  my ($proto, $scope, $type) =
    $add ? (3, ($via ne '-' || $fam == 6) ? 0 : 253, 1) : (0, 255, 0);
  my $body = pack('C C C C C C C C L', $fam == 6 ? 10 : 2, $plen, 0, 0, $rt,
    $proto, $scope, $type, 0);
  return talk($add ? 24 : 25, $add ? 0x600 : 0, $body . $attrs);
}

sub sysctl {
  my ($key, $value) = @_;
  (my $path = $key) =~ tr{.}{/};
  open(my $f, '>', "/proc/sys/$path") or return "sysctl: cannot stat /proc/sys/$path: $!";
  print $f "$value\n";
  close($f) or return "sysctl: setting key \"$key\": $!";
  return '';
}

sub run_exec {
  my @argv = map { pack('H*', $_) } @_;
  pipe(my $r, my $w) or return (1, "pipe: $!");
  my $pid = fork;
  return (1, "fork: $!") unless defined $pid;
  if ($pid == 0) {
    close $r;
    open(STDIN, '<', '/dev/null');
    open(STDOUT, '>', '/dev/null');
    open(STDERR, '>&', $w);
    exec { $argv[0] } @argv or do { my $why = "$!"; $! = 127; die "$argv[0]: $why\n" };
  }
  close $w;
  my $err = do { local $/; <$r> } // '';
  close $r;
  waitpid($pid, 0);
  return (($? & 127) ? 128 + ($? & 127) : $? >> 8, $err);
}

my %VERB = (
  up => sub { setstate($_[0], 1) }, down => sub { setstate($_[0], 0) },
  master => sub { master($_[0], $_[1]) }, nomaster => sub { master($_[0], undef) },
  linkdel => sub { linkdel($_[0]) },
  addradd => sub { addr(1, @_) }, addrdel => sub { addr(0, @_) },
  routeadd => sub { route(1, @_) }, routedel => sub { route(0, @_) },
  sysctl => sub { sysctl(@_) },
);

# One step: its error text (if any) and its mark; false when it failed.
sub step {
  my ($line) = @_;
  my (undef, $i, $verb, @a) = split / /, $line;
  my ($code, $err) = (0, '');
  if ($entered ne '') { ($code, $err) = (1, $entered) }
  elsif ($verb eq 'exec') { ($code, $err) = run_exec(@a) }
  elsif ($VERB{$verb}) { $err = $VERB{$verb}->(@a); $code = $err eq '' ? 0 : 2 }
  else { ($code, $err) = (1, "netns-studio helper: unknown step \"$verb\"") }
  $err .= "\n" if $err ne '' && $err !~ /\n\z/;
  print $err, "\n\@\@R$nonce $i $code\n";
  return !$code;
}

while (my $line = <STDIN>) {
  chomp $line;
  if ($line =~ /^N (.*)/) { $entered = enter($1) }
  elsif ($line =~ /^S /) { step($line) or exit 1 }
}
exit 0;
`

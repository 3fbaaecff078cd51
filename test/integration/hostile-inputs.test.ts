// Black-box hostile-input suite: over 300 inputs sent as the app window sends them, through the
// REAL router (createServices + the real sender check, arguments structured-cloned as Electron
// does) to the REAL target (a private sshd on 127.0.0.1). Each input must be refused with a typed
// error and a specific message, add nothing to the command log, start no process under the sshd,
// and change nothing in the kernel.
//
// How "no process" is proven: strace follows the sshd from before the app connects (-f, execve
// only), so every command any session runs (the app's command shell, its streams, a new login)
// is an execve line in the trace. Around each input the test runs a canary (/bin/echo with a
// unique marker) through the app's own command channel and waits for it in the trace: the window
// between two canaries must hold no execve at all. A window with one (the table monitor refreshing
// after another test changed the kernel) is retried; an input that really starts a command
// starts it every time, and fails after five windows.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ErrorCode, IpcResult } from '../../shared/errors'
import { cleanupPrefix, runPrefix, sh } from '../support/netns'
import { integrationSkipReason, startSshd, type SshdFixture } from '../support/sshd'
import { openAppRouter, type AppRouter } from './app-router'

const skip =
  integrationSkipReason() ??
  (existsSync('/usr/bin/strace') ? null : 'the hostile-input suite needs strace (/usr/bin/strace)')
if (skip) console.warn(`SKIP hostile-input suite: ${skip}`)

const P = runPrefix()
const NS = `${P}hi` // a real namespace: inputs that are valid but for one field name it
const ROOT_END = `${P}e` // the root end of its veth (the other end is eth0 in NS)
const OWNED = `/run/netns-studio/owned-${P}hostile`

/** One hostile input: what is sent, and the refusal it must get. */
interface Input {
  label: string
  channel: unknown
  args: unknown
  /** Default INVALID_ARGUMENT. */
  code?: ErrorCode
  message: RegExp
  /** Sent to an app that is not connected (inputs whose shape is valid for target:connect). */
  probe?: boolean
}

/** A family of inputs and the phrase every one of its messages carries. */
interface Family {
  name: string
  phrase: RegExp
  inputs: Input[]
}

const big = (n: number): string => 'x'.repeat(n)
const apply = (o: unknown): unknown[] => [o]

// ---- the inputs: one line each ----

/** Input rows as [label, value, message]: the value goes into `make`. */
type Line = [label: string, value: unknown, message: RegExp]
const rows = (channel: string, make: (v: unknown) => unknown[], lines: Line[]): Input[] =>
  lines.map(([label, v, message]) => ({ label, channel, args: make(v), message }))

const namespaceNames: Family = {
  name: 'namespace names (ns.add)',
  phrase: /(Namespace name|^name |"host" is reserved)/,
  inputs: rows('netns:apply', (name) => apply({ op: 'ns.add', name }), [
    ['empty', '', /^Namespace name is empty\.$/],
    ['a space', 'a b', /contains a space/],
    ['a tab', 'a\tb', /contains a tab/],
    ['a newline', 'a\nb', /contains a newline/],
    ['a carriage return', 'a\rb', /contains a carriage return/],
    ['a NUL byte', 'a\0b', /^name contains a NUL byte\.$/],
    ['only NUL', '\0', /^name contains a NUL byte\.$/],
    ['an escape', 'a\x1bb', /control character \(U\+001b\)/],
    ['DEL', 'a\x7f', /control character \(U\+007f\)/],
    ['an option', '-n', /cannot start with "-"/],
    ['a long option', '--all', /cannot start with "-"/],
    ['dot', '.', /cannot be "\."/],
    ['dot dot', '..', /cannot be "\.\."/],
    ['a hidden name', '.ns', /must start with a letter, digit or "_"/],
    ['a slash', 'a/b', /contains "\/"; names cannot contain a slash/],
    ['a path', '../etc', /contains "\/"/],
    ['an absolute path', '/run/netns', /contains "\/"/],
    ['16 bytes', big(16), /is 16 bytes long; Linux allows at most 15/],
    ['257 characters', big(257), /^name is 257 characters long; at most 256\.$/],
    ['100,000 characters', big(100_000), /^name is 100000 characters long/],
    ['10 MB', big(10_000_000), /^name is 10000000 characters long/],
    ['multi-byte over 15 bytes', 'ééééééééé', /is 18 bytes long/],
    ['a semicolon', 'ns;reboot', /shell character ";"/],
    ['an ampersand', 'a&&id', /shell character "&"/],
    ['a pipe', 'a|id', /shell character "\|"/],
    ['command substitution', '$(id)', /shell character "\$"/],
    ['backticks', '`id`', /shell character "`"/],
    ['a single quote', "a'b", /shell character "'"/],
    ['a double quote', 'a"b', /shell character """/],
    ['a backslash', 'a\\b', /shell character "\\"/],
    ['a star', 'a*', /shell character "\*"/],
    ['a question mark', 'a?', /shell character "\?"/],
    ['brackets', 'a[1]', /shell character "\["/],
    ['braces', 'a{1}', /shell character "\{"/],
    ['a tilde', '~root', /shell character "~"/],
    ['a hash', 'a#b', /shell character "#"/],
    ['redirection', 'a>b', /shell character ">"/],
    ['a colon', 'a:b', /contains ":"/],
    ['non-ASCII', 'ä', /non-ASCII character "ä"/],
    ['an emoji', 'ns😀', /non-ASCII character/],
    ['a zero-width space', 'a\u200bb', /non-ASCII character/],
    [
      'a no-break space',
      'a\u00a0b',
      /^Namespace name contains a white-space character \(U\+00a0\)/,
    ],
    ['the reserved root name', 'host', /^"host" is reserved for the target's root namespace\.$/],
    ['a number', 1234, /^name must be text\.$/],
    ['null', null, /^name must be text\.$/],
    ['true', true, /^name must be text\.$/],
    ['a list', ['ns1'], /^name must be text\.$/],
    ['an object', { toString: 'ns1' }, /^name must be text\.$/],
    ['missing', undefined, /^Namespace name must be text\.$/],
  ]),
}

const interfaceNames: Family = {
  name: 'interface names (link.set-state, veth.add, link.move)',
  phrase: /(Interface name|ifname |peer |Namespace|toNs |The two ends|up must be)/,
  inputs: [
    ...rows('netns:apply', (ifname) => apply({ op: 'link.set-state', ns: NS, ifname, up: true }), [
      ['empty', '', /^Interface name is empty\.$/],
      ['an option', '-f', /^Interface name cannot start with "-"/],
      ['"dev" keyword trick', 'eth0 up', /^Interface name contains a space/],
      ['a slash', 'eth0/1', /^Interface name contains "\/"/],
      ['a colon (alias)', 'eth0:1', /^Interface name contains ":"/],
      ['16 bytes', big(16), /^Interface name is 16 bytes long/],
      ['NUL', 'eth0\0', /^ifname contains a NUL byte\.$/],
      ['a newline', 'eth0\nreboot', /^Interface name contains a newline/],
      ['command substitution', '$(reboot)', /^Interface name contains the shell character "\$"/],
      ['a semicolon', 'lo;id', /^Interface name contains the shell character ";"/],
      ['dot', '.', /^Interface name cannot be "\."/],
      ['a Greek letter', 'ethα', /^Interface name contains the non-ASCII character "α"/],
      ['a number', 0, /^ifname must be text\.$/],
      ['a list', ['lo'], /^ifname must be text\.$/],
      ['an object', { name: 'lo' }, /^ifname must be text\.$/],
      ['300 characters', big(300), /^ifname is 300 characters long; at most 256\.$/],
      ['missing', undefined, /^Interface name must be text\.$/],
    ]),
    ...rows('netns:apply', (up) => apply({ op: 'link.set-state', ns: NS, ifname: 'eth0', up }), [
      ['state as text', 'down', /^up must be true or false\.$/],
      ['state as 0', 0, /^up must be true or false\.$/],
      ['state as null', null, /^up must be true or false\.$/],
    ]),
    ...rows('netns:apply', (peer) => apply({ op: 'veth.add', name: `${P}v`, peer }), [
      ['peer with a space', 'v 1', /^Interface name contains a space/],
      ['peer as an option', '--help', /^Interface name cannot start with "-"/],
      [
        'peer equal to the name',
        `${P}v`,
        /^The two ends need different names in the same namespace\.$/,
      ],
      ['peer NUL', '\0', /^peer contains a NUL byte\.$/],
      ['peer too long', 'veth-peer-is-too-long', /^Interface name is 21 bytes long/],
    ]),
    ...rows('netns:apply', (toNs) => apply({ op: 'link.move', ns: NS, ifname: 'eth0', toNs }), [
      ['target namespace empty', '', /^Namespace is empty\.$/],
      ['target namespace a path', '/proc/1/ns/net', /^Namespace contains "\/"/],
      ['target namespace an option', '-1', /^Namespace cannot start with "-"/],
      ['target namespace with a space', '1 2', /^Namespace contains a space/],
      ['target namespace a number', 1, /^toNs must be text\.$/],
    ]),
  ],
}

const cidrs: Family = {
  name: 'addresses and CIDRs (addr.add)',
  phrase: /(Address|Prefix length|address|cidr)/,
  inputs: rows('netns:apply', (cidr) => apply({ op: 'addr.add', ns: NS, ifname: 'eth0', cidr }), [
    [
      'no prefix',
      '10.0.0.1',
      /^Address "10\.0\.0\.1" needs a prefix length, like 10\.0\.0\.1\/24\.$/,
    ],
    ['an empty prefix', '10.0.0.1/', /^Prefix length "" must be a whole number\.$/],
    ['prefix /33', '10.0.0.1/33', /^Prefix length \/33 is too long for IPv4 \(max 32\)\.$/],
    [
      'prefix /024 (octal to ip)',
      '10.0.0.1/024',
      /^Prefix length \/024 has a leading zero, which ip reads as an octal number; write \/24\.$/,
    ],
    ['prefix /08', '10.0.0.1/08', /has a leading zero.*write \/8\./],
    ['prefix /00', '10.0.0.1/00', /has a leading zero.*write \/0\./],
    ['prefix -1', '10.0.0.1/-1', /^Prefix length "-1" must be a whole number\.$/],
    ['prefix +8', '10.0.0.1/+8', /^Prefix length "\+8" must be a whole number\.$/],
    ['prefix 1e1', '10.0.0.1/1e1', /^Prefix length "1e1" must be a whole number\.$/],
    ['prefix 0x10', '10.0.0.1/0x10', /^Prefix length "0x10" must be a whole number\.$/],
    ['prefix 1000', '10.0.0.1/1000', /^Prefix length "1000" must be a whole number\.$/],
    [
      'an octet with a leading zero',
      '010.0.0.1/24',
      /^"010\.0\.0\.1" is not a valid IPv4 or IPv6 address\.$/,
    ],
    ['octet 256', '10.0.0.256/24', /is not a valid IPv4 or IPv6 address/],
    ['three octets', '10.0.0/24', /is not a valid IPv4 or IPv6 address/],
    ['five octets', '10.0.0.1.5/24', /is not a valid IPv4 or IPv6 address/],
    ['hex octet', '0x0a.0.0.1/24', /is not a valid IPv4 or IPv6 address/],
    ['a zone', '10.0.0.1%eth0/24', /is not a valid IPv4 or IPv6 address/],
    ['a name', 'localhost/8', /^"localhost" is not a valid IPv4 or IPv6 address\.$/],
    ['Arabic digits', '١٠.0.0.1/24', /is not a valid IPv4 or IPv6 address/],
    ['a double slash', '10.0.0.1//24', /^Address "10\.0\.0\.1\/\/24" has a double slash/],
    ['two prefixes', '10.0.0.1/24/24', /^Address "10\.0\.0\.1\/24\/24" has more than one "\/"\.$/],
    ['a space', '10.0.0.1 /24', /^Address contains white space\.$/],
    ['a leading space', ' 10.0.0.1/24', /^Address contains white space\.$/],
    ['a newline', '10.0.0.1/24\nreboot', /^Address contains white space\.$/],
    ['a NUL byte', '10.0.0.1/24\0', /^cidr contains a NUL byte\.$/],
    ['a semicolon', '10.0.0.1/24;reboot', /^Prefix length "24;reboot" must be a whole number\.$/],
    ['command substitution', '$(id)/24', /^"\$\(id\)" is not a valid IPv4 or IPv6 address\.$/],
    ['an option', '-4/24', /^"-4" is not a valid IPv4 or IPv6 address\.$/],
    ['IPv6 /129', 'fd00::1/129', /^Prefix length \/129 is too long for IPv6 \(max 128\)\.$/],
    ['IPv6 /064', 'fd00::1/064', /has a leading zero.*write \/64\./],
    ['IPv6 triple colon', 'fd00:::1/64', /is not a valid IPv4 or IPv6 address/],
    ['IPv6 two ::', 'fd00::1::2/64', /is not a valid IPv4 or IPv6 address/],
    ['IPv6 bad group', 'gggg::1/64', /is not a valid IPv4 or IPv6 address/],
    ['IPv6 brackets', '[fd00::1]/64', /is not a valid IPv4 or IPv6 address/],
    ['IPv6 mapped, octet 256', '::ffff:1.2.3.256/96', /is not a valid IPv4 or IPv6 address/],
    ['empty', '', /^Address is empty\.$/],
    ['only spaces', '   ', /^Address is empty\.$/],
    ['257 characters', big(257), /^cidr is 257 characters long; at most 256\.$/],
    ['a number', 24, /^cidr must be text\.$/],
    ['a list', ['10.0.0.1/24'], /^cidr must be text\.$/],
    ['null', null, /^cidr must be text\.$/],
  ]),
}

const routes: Family = {
  name: 'routes and tables (route.add)',
  phrase: /(Table|table |Gateway|Destination|Prefix length|Give a gateway|via |Interface name)/,
  inputs: [
    ...rows(
      'netns:apply',
      (table) => apply({ op: 'route.add', ns: NS, dst: '10.9.0.0/16', dev: 'eth0', table }),
      [
        [
          'table 0377 (octal: local)',
          '0377',
          /^Table "0377" has a leading zero, which ip reads as an octal number; write 377\.$/,
        ],
        ['table 010', '010', /^Table "010" has a leading zero.*write 10\.$/],
        [
          'table 0',
          '0',
          /^Table "0" must be main, local, default or a number from 1 to 4294967295\.$/,
        ],
        ['table 00', '00', /must be main, local, default or a number/],
        ['table 2^32', '4294967296', /^Table "4294967296" must be/],
        ['table -1', '-1', /^Table "-1" must be/],
        ['table with a space', 'main ', /^Table "main " must be/],
        ['table MAIN', 'MAIN', /^Table "MAIN" must be/],
        ['table 1e3', '1e3', /^Table "1e3" must be/],
        ['table 0x10', '0x10', /^Table "0x10" must be/],
        ['table with a semicolon', '100;reboot', /^Table "100;reboot" must be/],
        ['table empty', '', /^Table "" must be/],
        ['table as a number', 100, /^table must be text\.$/],
        ['table 300 characters', big(300), /^table is 300 characters long/],
      ],
    ),
    ...rows('netns:apply', (via) => apply({ op: 'route.add', ns: NS, dst: '10.9.0.0/16', via }), [
      [
        'gateway with a prefix',
        '10.0.0.1/24',
        /^Gateway "10\.0\.0\.1\/24" has a prefix length; give the address alone\.$/,
      ],
      [
        'gateway of the other family',
        'fd00::1',
        /^Gateway and destination are of different IP families\.$/,
      ],
      ['gateway a name', 'router', /^Gateway "router" is not a valid IPv4 or IPv6 address\.$/],
      ['gateway an option', '-6', /^Gateway "-6" is not a valid/],
      ['gateway empty', '', /^Gateway is empty\.$/],
      ['gateway NUL', '10.0.0.1\0', /^via contains a NUL byte\.$/],
      ['gateway a number', 167772161, /^via must be text\.$/],
    ]),
    ...rows('netns:apply', (dst) => apply({ op: 'route.add', ns: NS, dst, dev: 'eth0' }), [
      ['destination Default', 'Default', /^Destination "Default" needs a prefix length/],
      ['destination "default "', 'default ', /^Destination contains white space\.$/],
      [
        'destination without prefix',
        '10.9.0.0',
        /^Destination "10\.9\.0\.0" needs a prefix length/,
      ],
      ['destination /032', '10.9.0.0/032', /has a leading zero/],
      ['destination "all"', 'all', /^Destination "all" needs a prefix length/],
    ]),
    ...rows('netns:apply', (o) => apply(o), [
      [
        'neither gateway nor device',
        { op: 'route.add', ns: NS, dst: '10.9.0.0/16' },
        /^Give a gateway \("via"\), a device, or both\.$/,
      ],
      [
        'device an option',
        { op: 'route.add', ns: NS, dst: '10.9.0.0/16', dev: '-dev' },
        /^Interface name cannot start with "-"/,
      ],
      [
        'delete without gateway or device',
        { op: 'route.delete', ns: NS, dst: 'default' },
        /^Give a gateway/,
      ],
    ]),
  ],
}

const captureFilters: Family = {
  name: 'capture filters (live:capture-start)',
  phrase: /(Filter|Packet limit|Interface name|Capture|capture request)/,
  inputs: [
    ...rows('live:capture-start', (filter) => [{ ns: NS, ifname: 'eth0', filter }], [
      [
        'rotation runs a program as root',
        '-W 1 -G 1 -z /bin/sh -Z root icmp',
        /^Filter word "-W" begins with "-", which tcpdump would take as an option/,
      ],
      ['a count option', '-c 1 icmp', /^Filter word "-c" begins with "-"/],
      ['a file size option', '-C 1 icmp', /^Filter word "-C" begins with "-"/],
      ['a write option', '-w /tmp/x icmp', /^Filter word "-w" begins with "-"/],
      ['a read option', '-r /etc/shadow', /^Filter word "-r" begins with "-"/],
      ['an option after the expression', 'icmp -w /tmp/x', /^Filter word "-w" begins with "-"/],
      ['end of options', '-- icmp', /^Filter word "--" begins with "-"/],
      ['a lone dash', 'icmp - arp', /^Filter word "-" begins with "-"/],
      ['a long option', '--version', /^Filter word "--version" begins with "-"/],
      [
        'a semicolon',
        'icmp;reboot',
        /^Filter may hold only letters, digits, spaces and \. : \/ - _/,
      ],
      ['an ampersand', 'icmp && id', /^Filter may hold only/],
      ['a pipe', 'icmp | sh', /^Filter may hold only/],
      ['command substitution', '$(id)', /^Filter may hold only/],
      ['backticks', '`id`', /^Filter may hold only/],
      ['quotes', "'icmp'", /^Filter may hold only/],
      ['a newline', 'icmp\nreboot', /^Filter may hold only/],
      ['a tab', 'icmp\tarp', /^Filter may hold only/],
      ['a NUL byte', 'icmp\0', /^Filter may hold only/],
      ['a redirection', 'port 22 > /tmp/x', /^Filter may hold only/],
      ['parentheses', '(icmp)', /^Filter may hold only/],
      ['a byte offset', 'icmp[0] == 8', /^Filter may hold only/],
      ['non-ASCII', 'hôte', /^Filter may hold only/],
      ['201 characters', big(201), /^Filter may hold only/],
      ['100,000 characters', big(100_000), /^Filter may hold only/],
      ['a number', 22, /^Filter may hold only/],
      ['a list', ['icmp'], /^Filter may hold only/],
      ['null', null, /^Filter may hold only/],
    ]),
    ...rows('live:capture-start', (maxPackets) => [{ ns: NS, ifname: 'eth0', maxPackets }], [
      ['no packets', 0, /^Packet limit must be 1–1000000\.$/],
      ['negative packets', -1, /^Packet limit must be 1–1000000\./],
      ['a fraction of a packet', 1.5, /^Packet limit must be 1–1000000\./],
      ['too many packets', 1_000_001, /^Packet limit must be 1–1000000\./],
      ['packets as text', '10', /^Packet limit must be 1–1000000\./],
    ]),
    ...rows('live:capture-start', (ifname) => [{ ns: NS, ifname, filter: 'icmp' }], [
      ['an interface option', '-i', /^Interface name cannot start with "-"/],
      ['any interface with a space', 'any eth0', /^Interface name contains a space/],
    ]),
    ...rows('live:capture-start', (a) => a as unknown[], [
      [
        'a list of requests',
        [[{ ns: NS, ifname: 'eth0' }]],
        /^Capture must be one object, not a list\.$/,
      ],
      ['no request', [], /^Expected one capture request\.$/],
      ['text', ['tcpdump -i eth0'], /^Capture must be an object\.$/],
    ]),
  ],
}

const netemValues: Family = {
  name: 'impairments (live:netem-set, live:netem-clear)',
  phrase: /(Delay|Jitter|Loss|Rate|Set at least|Impairment|Interface name|Namespace|Expected)/,
  inputs: [
    ...rows('live:netem-set', (v) => [{ ns: NS, ifname: 'eth0', ...(v as object) }], [
      ['negative delay', { delayMs: -1 }, /^Delay must be 0–60000 ms\.$/],
      ['delay over a minute', { delayMs: 60_001 }, /^Delay must be 0–60000 ms\.$/],
      ['delay NaN', { delayMs: NaN }, /^Delay must be 0–60000 ms\.$/],
      ['delay Infinity', { delayMs: Infinity }, /^Delay must be 0–60000 ms\.$/],
      ['delay as text', { delayMs: '100' }, /^Delay must be 0–60000 ms\.$/],
      ['delay with a leading zero', { delayMs: '0100' }, /^Delay must be 0–60000 ms\.$/],
      ['delay with a unit', { delayMs: '100ms' }, /^Delay must be 0–60000 ms\.$/],
      ['delay null', { delayMs: null }, /^Delay must be 0–60000 ms\.$/],
      ['delay a list', { delayMs: [100] }, /^Delay must be 0–60000 ms\.$/],
      ['jitter without delay', { jitterMs: 10 }, /^Jitter needs a delay\.$/],
      ['negative jitter', { delayMs: 10, jitterMs: -5 }, /^Jitter must be 0–60000 ms\.$/],
      ['loss over 100 %', { lossPct: 101 }, /^Loss must be 0–100 %\.$/],
      ['negative loss', { lossPct: -0.1 }, /^Loss must be 0–100 %\.$/],
      ['loss with a percent sign', { lossPct: '5%' }, /^Loss must be 0–100 %\.$/],
      ['loss true', { lossPct: true }, /^Loss must be 0–100 %\.$/],
      ['rate under 8 kbit/s', { rateKbit: 7 }, /^Rate must be 8–100000000 kbit\/s\.$/],
      ['rate zero', { rateKbit: 0 }, /^Rate must be 8–100000000 kbit\/s\.$/],
      ['rate over 100 Gbit/s', { rateKbit: 100_000_001 }, /^Rate must be 8–100000000 kbit\/s\.$/],
      ['rate as text', { rateKbit: '1mbit' }, /^Rate must be 8–100000000 kbit\/s\.$/],
      ['nothing to set', {}, /^Set at least a delay, a loss or a rate\.$/],
      [
        'an interface option',
        { ifname: '-dev', delayMs: 10 },
        /^Interface name cannot start with "-"/,
      ],
      ['a namespace path', { ns: '/proc/1/ns/net', delayMs: 10 }, /^Namespace contains "\/"/],
    ]),
    ...rows('live:netem-set', (a) => a as unknown[], [
      [
        'a list of impairments',
        [[{ ns: NS, ifname: 'eth0', delayMs: 10 }]],
        /^Impairment must be one object, not a list\.$/,
      ],
      ['text', ['delay 100ms'], /^Impairment must be an object\.$/],
      ['two requests', [{ ns: NS, ifname: 'eth0', delayMs: 1 }, {}], /^Expected one impairment\.$/],
    ]),
    ...rows('live:netem-clear', (a) => a as unknown[], [
      ['clear one argument', [NS], /^Expected a namespace and an interface\.$/],
      ['clear an interface option', [NS, '-a'], /^Interface name cannot start with "-"/],
      ['clear a namespace option', ['-all', 'eth0'], /^Namespace cannot start with "-"/],
      ['clear an object', [{ ns: NS, ifname: 'eth0' }, 'x'], /^Namespace must be text\.$/],
    ]),
  ],
}

const pingOptions: Family = {
  name: 'ping options (live:ping-start)',
  phrase: /(Count|Interval|Deadline|Size|Destination address|Namespace|Ping request|Expected)/,
  inputs: [
    ...rows('live:ping-start', (v) => [{ ns: NS, address: '10.99.0.2', ...(v as object) }], [
      ['count 0', { count: 0 }, /^Count must be a whole number from 1 to 100000\.$/],
      ['count -1', { count: -1 }, /^Count must be a whole number/],
      ['count 1.5', { count: 1.5 }, /^Count must be a whole number/],
      ['count 100001', { count: 100_001 }, /^Count must be a whole number/],
      ['count as text', { count: '3' }, /^Count must be a whole number/],
      ['count with a leading zero', { count: '03' }, /^Count must be a whole number/],
      ['count null', { count: null }, /^Count must be a whole number/],
      [
        'interval 0.01 (a flood)',
        { intervalS: 0.01 },
        /^Interval must be between 0\.1 and 10 seconds\.$/,
      ],
      ['interval 0', { intervalS: 0 }, /^Interval must be between 0\.1 and 10 seconds\.$/],
      ['interval 11', { intervalS: 11 }, /^Interval must be between/],
      ['interval as text', { intervalS: '0.2' }, /^Interval must be between/],
      ['interval NaN', { intervalS: NaN }, /^Interval must be between/],
      [
        'deadline 0',
        { deadlineS: 0 },
        /^Deadline must be a whole number of seconds from 1 to 86400\.$/,
      ],
      ['deadline 86401', { deadlineS: 86_401 }, /^Deadline must be a whole number/],
      ['deadline 1.5', { deadlineS: 1.5 }, /^Deadline must be a whole number/],
      ['size -1', { size: -1 }, /^Size must be a whole number of bytes from 0 to 65000\.$/],
      ['size 65001', { size: 65_001 }, /^Size must be a whole number/],
      ['size as text', { size: '56' }, /^Size must be a whole number/],
      [
        'address an option',
        { address: '-f' },
        /^Destination address "-f" is not a valid IPv4 or IPv6 address\.$/,
      ],
      [
        'address a flood option',
        { address: '--flood' },
        /^Destination address "--flood" is not a valid/,
      ],
      [
        'address with a prefix',
        { address: '10.99.0.2/24' },
        /^Destination address "10\.99\.0\.2\/24" has a prefix length/,
      ],
      [
        'address a name',
        { address: 'localhost' },
        /^Destination address "localhost" is not a valid/,
      ],
      [
        'address with a command',
        { address: '10.99.0.2; reboot' },
        /^Destination address "10\.99\.0\.2; reboot" is not a valid/,
      ],
      [
        'address a broadcast list',
        { address: '10.99.0.2 10.99.0.255' },
        /is not a valid IPv4 or IPv6 address/,
      ],
      ['address empty', { address: '' }, /^Destination address is empty\.$/],
      ['address a number', { address: 167772161 }, /^Destination address must be text\.$/],
      ['address a list', { address: ['10.99.0.2'] }, /^Destination address must be text\.$/],
      [
        'address with a 1,000-character prefix',
        { address: `10.99.0.2/${big(1000)}` },
        /^Destination address "10\.99\.0\.2\/x{30}…" has a prefix length/,
      ],
      [
        'address 1,000 characters',
        { address: big(1000) },
        /^Destination address "x{40}…" is not a valid/,
      ],
      ['namespace an option', { ns: '-a' }, /^Namespace cannot start with "-"/],
      ['namespace NUL', { ns: 'a\0' }, /^Namespace contains a NUL byte/],
    ]),
    ...rows('live:ping-start', (a) => a as unknown[], [
      [
        'a list of requests',
        [[{ ns: NS, address: '10.99.0.2' }]],
        /^Ping request must be one object, not a list\.$/,
      ],
      ['text', ['ping 10.99.0.2'], /^Ping request must be an object\.$/],
      ['no request', [], /^Expected one ping request\.$/],
    ]),
  ],
}

const sshHosts: Family = {
  name: 'SSH targets (target:connect)',
  phrase: /(Host|port|Port|User name|Target|target|Key path|useAgent|Expected)/,
  inputs: rows('target:connect', (v) => v as unknown[], [
    [
      'host empty',
      [{ kind: 'ssh', host: '', port: 22, username: 'root' }],
      /^Host must be a host name or IP address\.$/,
    ],
    [
      'host an ssh option',
      [{ kind: 'ssh', host: '-oProxyCommand=touch /tmp/x', port: 22, username: 'root' }],
      /^Host must be a host name/,
    ],
    [
      'host starting with "-"',
      [{ kind: 'ssh', host: '-oFoo', port: 22, username: 'root' }],
      /^Host must be a host name/,
    ],
    [
      'host starting with "."',
      [{ kind: 'ssh', host: '.example', port: 22, username: 'root' }],
      /^Host must be a host name/,
    ],
    [
      'host with a semicolon',
      [{ kind: 'ssh', host: '127.0.0.1;id', port: 22, username: 'root' }],
      /^Host must be a host name/,
    ],
    [
      'host with a space',
      [{ kind: 'ssh', host: 'a b', port: 22, username: 'root' }],
      /^Host must be a host name/,
    ],
    [
      'host user@host',
      [{ kind: 'ssh', host: 'root@127.0.0.1', port: 22, username: 'root' }],
      /^Host must be a host name/,
    ],
    [
      'host a URL',
      [{ kind: 'ssh', host: 'ssh://127.0.0.1', port: 22, username: 'root' }],
      /^Host must be a host name/,
    ],
    [
      'host command substitution',
      [{ kind: 'ssh', host: '$(id)', port: 22, username: 'root' }],
      /^Host must be a host name/,
    ],
    [
      'host NUL',
      [{ kind: 'ssh', host: '127.0.0.1\0', port: 22, username: 'root' }],
      /^Host must be a host name/,
    ],
    [
      'host newline',
      [{ kind: 'ssh', host: '127.0.0.1\nx', port: 22, username: 'root' }],
      /^Host must be a host name/,
    ],
    [
      'host 254 characters',
      [{ kind: 'ssh', host: big(254), port: 22, username: 'root' }],
      /^Host must be a host name/,
    ],
    [
      'host non-ASCII',
      [{ kind: 'ssh', host: 'hôte', port: 22, username: 'root' }],
      /^Host must be a host name/,
    ],
    [
      'host a number',
      [{ kind: 'ssh', host: 2130706433, port: 22, username: 'root' }],
      /^Host must be a host name/,
    ],
    [
      'port 0',
      [{ kind: 'ssh', host: 'h', port: 0, username: 'root' }],
      /^Port 0 is out of range \(1–65535\)\.$/,
    ],
    [
      'port 65536',
      [{ kind: 'ssh', host: 'h', port: 65_536, username: 'root' }],
      /^Port 65536 is out of range/,
    ],
    [
      'port as text',
      [{ kind: 'ssh', host: 'h', port: '22', username: 'root' }],
      /^Port must be a whole number\.$/,
    ],
    [
      'port with a leading zero',
      [{ kind: 'ssh', host: 'h', port: '022', username: 'root' }],
      /^Port must be a whole number\.$/,
    ],
    [
      'port 22.5',
      [{ kind: 'ssh', host: 'h', port: 22.5, username: 'root' }],
      /^Port must be a whole number\.$/,
    ],
    [
      'port NaN',
      [{ kind: 'ssh', host: 'h', port: NaN, username: 'root' }],
      /^Port must be a whole number\.$/,
    ],
    [
      'port missing',
      [{ kind: 'ssh', host: 'h', username: 'root' }],
      /^Port must be a whole number\.$/,
    ],
    [
      'user Root',
      [{ kind: 'ssh', host: 'h', port: 22, username: 'Root' }],
      /^User name must be a valid Linux user name\.$/,
    ],
    [
      'user an option',
      [{ kind: 'ssh', host: 'h', port: 22, username: '-oX' }],
      /^User name must be a valid/,
    ],
    [
      'user with a command',
      [{ kind: 'ssh', host: 'h', port: 22, username: 'root;id' }],
      /^User name must be a valid/,
    ],
    [
      'user empty',
      [{ kind: 'ssh', host: 'h', port: 22, username: '' }],
      /^User name must be a valid/,
    ],
    [
      'user 33 characters',
      [{ kind: 'ssh', host: 'h', port: 22, username: 'a'.repeat(33) }],
      /^User name must be a valid/,
    ],
    [
      'key path NUL',
      [{ kind: 'ssh', host: 'h', port: 22, username: 'root', privateKeyPath: '/tmp/k\0' }],
      /^Key path must be a file path \(at most 4096 characters, no control characters\)\.$/,
    ],
    [
      'key path newline',
      [{ kind: 'ssh', host: 'h', port: 22, username: 'root', privateKeyPath: '/tmp/k\n' }],
      /^Key path must be a file path/,
    ],
    [
      'key path 4097 characters',
      [{ kind: 'ssh', host: 'h', port: 22, username: 'root', privateKeyPath: `/${big(4096)}` }],
      /^Key path must be a file path/,
    ],
    [
      'key path a number',
      [{ kind: 'ssh', host: 'h', port: 22, username: 'root', privateKeyPath: 5 }],
      /^Key path must be a file path/,
    ],
    [
      'agent as text',
      [{ kind: 'ssh', host: 'h', port: 22, username: 'root', useAgent: 'yes' }],
      /^useAgent must be true or false\.$/,
    ],
    [
      'an extra field',
      [{ kind: 'ssh', host: 'h', port: 22, username: 'root', password: 'x' }],
      /^A target of kind ssh has no field "password"\.$/,
    ],
    [
      'an own __proto__',
      [JSON.parse('{"kind":"ssh","host":"h","port":22,"username":"root","__proto__":{"x":1}}')],
      /^A target of kind ssh has no field "__proto__"\.$/,
    ],
    [
      'local with a host',
      [{ kind: 'local', host: '127.0.0.1' }],
      /^A target of kind local has no field "host"\.$/,
    ],
    [
      'vm with a command',
      [{ kind: 'vm', command: 'vagrant destroy' }],
      /^A target of kind vm has no field "command"\.$/,
    ],
    ['kind unknown', [{ kind: 'telnet', host: 'h' }], /^Target kind must be vm, ssh or local\.$/],
    [
      'kind missing',
      [{ host: 'h', port: 22, username: 'root' }],
      /^Target kind must be vm, ssh or local\.$/,
    ],
    ['kind __proto__', [{ kind: '__proto__' }], /^Target kind must be vm, ssh or local\.$/],
    ['a list of targets', [[{ kind: 'local' }]], /^Target must be one object, not a list\.$/],
    ['text', ['root@127.0.0.1'], /^Target must be an object\.$/],
    ['null', [null], /^Target must be an object\.$/],
    ['two targets', [{ kind: 'local' }, { kind: 'vm' }], /^Expected one target\.$/],
  ]),
}

/** Files the key-path inputs point at, made in beforeAll. */
let keys: Record<'fifo' | 'dir' | 'big' | 'sparse' | 'zeroLink' | 'missing', string>

const keyPaths = (port: number): Family => ({
  name: 'key paths (target:connect, to an app that is not connected)',
  phrase: /(private key|Choose a private key)/,
  // The real sshd's address: should a key ever be read and a login tried, the trace shows it.
  inputs: rows(
    'target:connect',
    (privateKeyPath) => [
      { kind: 'ssh', host: '127.0.0.1', port, username: 'root', privateKeyPath },
    ],
    [
      [
        '/dev/zero',
        '/dev/zero',
        /^The private key \/dev\/zero is not a regular file; choose the key file itself/,
      ],
      ['/dev/urandom', '/dev/urandom', /^The private key \/dev\/urandom is not a regular file/],
      ['/dev/null', '/dev/null', /^The private key \/dev\/null is not a regular file/],
      ['/dev/stdin', '/dev/stdin', /^The private key \/dev\/stdin is not a regular file/],
      ['a FIFO', keys.fifo, /^The private key .*\/fifo is not a regular file/],
      ['a folder', keys.dir, /^The private key .* is not a regular file/],
      ['the root folder', '/', /^The private key \/ is not a regular file/],
      [
        'a symlink to /dev/zero',
        keys.zeroLink,
        /^The private key .*\/zero-link is not a regular file/,
      ],
      [
        '65 KiB',
        keys.big,
        /^The private key .*\/big is larger than 64 KiB; it is not a key file\.$/,
      ],
      ['a 1 GiB sparse file', keys.sparse, /^The private key .*\/sparse is larger than 64 KiB/],
      ['a missing file', keys.missing, /^Cannot read the private key .*\/missing\.$/],
      [
        'a relative path',
        'relative/id_ed25519',
        /^Cannot read the private key relative\/id_ed25519\.$/,
      ],
      [
        'a tilde path (expanded to the home folder, where there is no such key)',
        '~/.ssh/nss-no-such-key',
        /^Cannot read the private key \/.+\/\.ssh\/nss-no-such-key\.$/,
      ],
      [
        'a path through a file',
        '/etc/hostname/key',
        /^Cannot read the private key \/etc\/hostname\/key\.$/,
      ],
      [
        'a name too long for the kernel',
        `/tmp/${big(300)}`,
        /^Cannot read the private key \/tmp\/x+\.$/,
      ],
      ['empty', '', /^Choose a private key file or use the SSH agent\.$/],
    ],
  ).map((i) => ({
    ...i,
    probe: true,
    code: /Cannot read/.test(i.message.source) ? 'SSH_AUTH' : 'INVALID_ARGUMENT',
  })),
})

const tables: Family = {
  name: 'host keys, matrix, terminal and traffic arguments',
  phrase:
    /(Expected|Host-key id|Fingerprint|Pairs|pair|Pair address|Echoes|Timeout|Concurrency|Options|Namespace|Terminal|Interval|Unknown stream id)/,
  inputs: [
    ...rows('target:trust-host-key', (v) => v as unknown[], [
      ['trust: empty', [{}], /^Expected exactly \{ id, fingerprint \}\.$/],
      [
        'trust: an extra field',
        [{ id: 'ssh:h:22', fingerprint: `SHA256:${'A'.repeat(43)}`, force: true }],
        /^Expected exactly \{ id, fingerprint \}\.$/,
      ],
      [
        'trust: a file id',
        [{ id: 'file:/etc/passwd', fingerprint: `SHA256:${'A'.repeat(43)}` }],
        /^Host-key id must look like ssh:<host>:<port> or vm:<name>\.$/,
      ],
      [
        'trust: an id with NUL',
        [{ id: 'ssh:h\0:22', fingerprint: `SHA256:${'A'.repeat(43)}` }],
        /^Host-key id must look like/,
      ],
      [
        'trust: an MD5 fingerprint',
        [{ id: 'ssh:h:22', fingerprint: 'MD5:aa:bb' }],
        /^Fingerprint must be an OpenSSH SHA256 fingerprint/,
      ],
      [
        'trust: a short fingerprint',
        [{ id: 'ssh:h:22', fingerprint: 'SHA256:abc' }],
        /^Fingerprint must be an OpenSSH SHA256/,
      ],
      [
        'trust: a list',
        [[{ id: 'ssh:h:22', fingerprint: 'x' }]],
        /^Expected \{ id, fingerprint \}\.$/,
      ],
      ['trust: nothing', [], /^Expected one request\.$/],
    ]),
    ...rows('live:matrix-run', (v) => v as unknown[], [
      ['matrix: pairs not a list', [{ src: NS }], /^Pairs must be a list\.$/],
      ['matrix: a pair that is text', [['ns1 ns2']], /^Each pair must be an object\.$/],
      [
        'matrix: a pair source option',
        [[{ src: '-a', dst: NS, address: '10.99.0.2' }]],
        /^Namespace cannot start with "-"/,
      ],
      [
        'matrix: a pair address name',
        [[{ src: NS, dst: NS, address: 'localhost' }]],
        /^Pair address "localhost" is not a valid/,
      ],
      [
        'matrix: a pair address number',
        [[{ src: NS, dst: NS, address: 1 }]],
        /^Pair address must be text\.$/,
      ],
      ['matrix: 6 echoes', [[], { count: 6 }], /^Echoes per pair must be 1–5\.$/],
      ['matrix: timeout 0', [[], { timeoutS: 0 }], /^Timeout must be 1–10 seconds\.$/],
      ['matrix: concurrency 65', [[], { concurrency: 65 }], /^Concurrency must be 1–64\.$/],
      ['matrix: options text', [[], 'fast'], /^Options must be an object\.$/],
    ]),
    ...rows('live:terminal-open', (v) => [v], [
      [
        'terminal: a namespace option',
        { ns: '-a', cols: 80, rows: 24 },
        /^Namespace cannot start with "-"/,
      ],
      [
        'terminal: 0 columns',
        { ns: NS, cols: 0, rows: 24 },
        /^Terminal size must be 1–1000 columns and rows\.$/,
      ],
      ['terminal: 1001 rows', { ns: NS, cols: 80, rows: 1001 }, /^Terminal size must be 1–1000/],
      [
        'terminal: size as text',
        { ns: NS, cols: '80', rows: '24' },
        /^Terminal size must be 1–1000/,
      ],
      ['terminal: null', null, /^Expected one terminal request\.$/],
    ]),
    ...rows('live:terminal-write', (v) => v as unknown[], [
      ['terminal write: a made-up id', ['../../x', 'id\n'], /^Unknown stream id\.$/],
      [
        'terminal write: 64 KiB + 1',
        ['t1', big(65_537)],
        /^Terminal input must be text up to 64 KiB\.$/,
      ],
    ]),
    ...rows('live:traffic-interval', (v) => [v], [
      ['traffic: 0.05 s', 0.05, /^Interval must be 0\.1–10 seconds\.$/],
      ['traffic: 11 s', 11, /^Interval must be 0\.1–10 seconds\.$/],
      ['traffic: as text', '1', /^Interval must be 0\.1–10 seconds\.$/],
    ]),
  ],
}

const opShapes: Family = {
  name: 'operation shapes (netns:apply)',
  phrase:
    /(Expected one operation|Operation|operation|^op |must be text|must be true or false|confirm|Port|Protocol|Destination address|Source network|Interface name|root namespace)/,
  inputs: [
    ...rows('netns:apply', (v) => v as unknown[], [
      ['an empty list', [[]], /^Expected one operation, not a list of them\.$/],
      [
        'a list of one',
        [[{ op: 'ns.add', name: `${P}a` }]],
        /^Expected one operation, not a list of them\.$/,
      ],
      [
        'a list of 2,001',
        [Array.from({ length: 2001 }, () => ({ op: 'ns.add', name: `${P}a` }))],
        /^Expected one operation, not a list of them\.$/,
      ],
      [
        'two operations',
        [
          { op: 'ns.add', name: `${P}a` },
          { op: 'ns.add', name: `${P}b` },
        ],
        /^Expected one operation\.$/,
      ],
      ['none', [], /^Expected one operation\.$/],
      ['text', ['ip netns add x'], /^Operation must be an object with an "op" field\.$/],
      ['a number', [42], /^Operation must be an object with an "op" field\.$/],
      ['null', [null], /^Operation must be an object with an "op" field\.$/],
      ['true', [true], /^Operation must be an object with an "op" field\.$/],
      ['no op', [{ name: 'x' }], /^Operation must be an object with an "op" field\.$/],
      ['op a number', [{ op: 1 }], /^Operation must be an object with an "op" field\.$/],
      ['op a list', [{ op: ['ns.add'] }], /^Operation must be an object with an "op" field\.$/],
      ['op NUL', [{ op: 'ns.add\0', name: 'x' }], /^op contains a NUL byte\.$/],
      ['op huge', [{ op: big(100_000) }], /^op is 100000 characters long; at most 256\.$/],
      ['unknown op', [{ op: 'rm -rf /' }], /^Unknown operation "rm -rf \/"\.$/],
      ['op __proto__', [{ op: '__proto__' }], /^Unknown operation "__proto__"\.$/],
      ['op constructor', [{ op: 'constructor' }], /^Unknown operation "constructor"\.$/],
      ['op toString', [{ op: 'toString' }], /^Unknown operation "toString"\.$/],
      ['op hasOwnProperty', [{ op: 'hasOwnProperty' }], /^Unknown operation "hasOwnProperty"\.$/],
      ['op with a space', [{ op: 'ns.add ' }], /^Unknown operation "ns\.add "\.$/],
      ['op upper case', [{ op: 'NS.ADD', name: 'x' }], /^Unknown operation "NS\.ADD"\.$/],
      [
        'an extra field',
        [{ op: 'ns.add', name: `${P}a`, extra: 1 }],
        /^Operation ns\.add has an unknown field "extra"\.$/,
      ],
      [
        'an own __proto__',
        [JSON.parse(`{"op":"ns.add","name":"${P}a","__proto__":{"x":1}}`)],
        /^Operation ns\.add has an unknown field "__proto__"\.$/,
      ],
      [
        'an own constructor',
        [{ op: 'ns.add', name: `${P}a`, constructor: 'x' }],
        /^Operation ns\.add has an unknown field "constructor"\.$/,
      ],
      [
        'an own prototype',
        [{ op: 'ns.add', name: `${P}a`, prototype: {} }],
        /^Operation ns\.add has an unknown field "prototype"\.$/,
      ],
      [
        'an own toString',
        [{ op: 'ns.add', name: `${P}a`, toString: 'x' }],
        /^Operation ns\.add has an unknown field "toString"\.$/,
      ],
      [
        'a field of another op',
        [{ op: 'ns.add', name: `${P}a`, ns: NS }],
        /^Operation ns\.add has an unknown field "ns"\.$/,
      ],
      [
        'a 300-character field name',
        [{ op: 'ns.add', name: `${P}a`, [big(300)]: 1 }],
        /^Operation ns\.add has an unknown field "x{40}…"\.$/,
      ],
      [
        'the confirmation where nothing can cut',
        [{ op: 'ns.add', name: `${P}a`, confirm: 'cut-connection' }],
        /^Operation ns\.add has an unknown field "confirm"\.$/,
      ],
      [
        'the confirmation misspelt',
        [{ op: 'link.delete', ns: NS, ifname: 'eth0', confirm: 'yes' }],
        /^confirm must be "cut-connection" \(it lets this operation cut the app's own connection\)\.$/,
      ],
      [
        'the confirmation as true',
        [{ op: 'link.delete', ns: NS, ifname: 'eth0', confirm: true }],
        /^confirm must be "cut-connection"/,
      ],
      [
        'a flag as text',
        [{ op: 'bridge.add', ns: NS, name: `${P}br`, up: 'yes' }],
        /^up must be true or false\.$/,
      ],
      [
        'forwarding as 1',
        [{ op: 'forwarding.set', ns: NS, enabled: 1 }],
        /^enabled must be true or false\.$/,
      ],
      [
        'remove as "false"',
        [{ op: 'nat.masquerade', ns: NS, source: '10.0.0.0/24', remove: 'false' }],
        /^remove must be true or false\.$/,
      ],
      [
        'bridge as a number',
        [{ op: 'link.set-master', ns: NS, ifname: 'eth0', bridge: 0 }],
        /^bridge must be text\.$/,
      ],
      [
        'port as text',
        [
          {
            op: 'nat.port-forward',
            ns: NS,
            protocol: 'tcp',
            port: '80',
            toAddr: '10.0.0.2',
            toPort: 80,
          },
        ],
        /^Port must be a whole number\.$/,
      ],
      [
        'port with a leading zero',
        [
          {
            op: 'nat.port-forward',
            ns: NS,
            protocol: 'tcp',
            port: '080',
            toAddr: '10.0.0.2',
            toPort: 80,
          },
        ],
        /^Port must be a whole number\.$/,
      ],
      [
        'port 0',
        [
          {
            op: 'nat.port-forward',
            ns: NS,
            protocol: 'tcp',
            port: 0,
            toAddr: '10.0.0.2',
            toPort: 80,
          },
        ],
        /^Port 0 is out of range \(1–65535\)\.$/,
      ],
      [
        'port 65536',
        [
          {
            op: 'nat.port-forward',
            ns: NS,
            protocol: 'tcp',
            port: 65_536,
            toAddr: '10.0.0.2',
            toPort: 80,
          },
        ],
        /^Port 65536 is out of range/,
      ],
      [
        'port 80.5',
        [
          {
            op: 'nat.port-forward',
            ns: NS,
            protocol: 'tcp',
            port: 80.5,
            toAddr: '10.0.0.2',
            toPort: 80,
          },
        ],
        /^Port must be a whole number\.$/,
      ],
      [
        'to-port NaN',
        [
          {
            op: 'nat.port-forward',
            ns: NS,
            protocol: 'tcp',
            port: 80,
            toAddr: '10.0.0.2',
            toPort: NaN,
          },
        ],
        /^Port must be a whole number\.$/,
      ],
      [
        'protocol icmp',
        [
          {
            op: 'nat.port-forward',
            ns: NS,
            protocol: 'icmp',
            port: 80,
            toAddr: '10.0.0.2',
            toPort: 80,
          },
        ],
        /^Protocol must be tcp or udp\.$/,
      ],
      [
        'protocol TCP',
        [
          {
            op: 'nat.port-forward',
            ns: NS,
            protocol: 'TCP',
            port: 80,
            toAddr: '10.0.0.2',
            toPort: 80,
          },
        ],
        /^Protocol must be tcp or udp\.$/,
      ],
      [
        'forward to IPv6',
        [
          {
            op: 'nat.port-forward',
            ns: NS,
            protocol: 'tcp',
            port: 80,
            toAddr: 'fd00::2',
            toPort: 80,
          },
        ],
        /^Port forwarding supports IPv4 destinations only\.$/,
      ],
      [
        'forward to a CIDR',
        [
          {
            op: 'nat.port-forward',
            ns: NS,
            protocol: 'tcp',
            port: 80,
            toAddr: '10.0.0.0/24',
            toPort: 80,
          },
        ],
        /^Destination address "10\.0\.0\.0\/24" has a prefix length/,
      ],
      [
        'masquerade without prefix',
        [{ op: 'nat.masquerade', ns: NS, source: '10.0.0.0' }],
        /^Source network "10\.0\.0\.0" needs a prefix length/,
      ],
      [
        'masquerade out interface an option',
        [{ op: 'nat.masquerade', ns: NS, source: '10.0.0.0/24', outIf: '-j' }],
        /^Interface name cannot start with "-"/,
      ],
      [
        'delete the root namespace',
        [{ op: 'ns.delete', name: 'host' }],
        /^The root namespace cannot be deleted\.$/,
      ],
      [
        'a nested object for a name',
        [{ op: 'ns.add', name: { a: { b: { c: 'x' } } } }],
        /^name must be text\.$/,
      ],
      [
        'a sparse list for a name',
        [{ op: 'ns.add', name: Object.assign(new Array(2), { 1: 'x' }) }],
        /^name must be text\.$/,
      ],
    ]),
  ],
}

const channels: Family = {
  name: 'channels and argument lists',
  phrase: /(Unknown call|Arguments must be a list|This call takes no arguments|Expected one)/,
  inputs: [
    {
      label: 'an unknown channel',
      channel: 'netns:exec',
      args: [['id']],
      code: 'UNKNOWN_CHANNEL',
      message: /^Unknown call "netns:exec"\.$/,
    },
    {
      label: 'channel __proto__',
      channel: '__proto__',
      args: [],
      code: 'UNKNOWN_CHANNEL',
      message: /^Unknown call "__proto__"\.$/,
    },
    {
      label: 'channel constructor',
      channel: 'constructor',
      args: [],
      code: 'UNKNOWN_CHANNEL',
      message: /^Unknown call "constructor"\.$/,
    },
    {
      label: 'channel toString',
      channel: 'toString',
      args: [],
      code: 'UNKNOWN_CHANNEL',
      message: /^Unknown call "toString"\.$/,
    },
    {
      label: 'channel hasOwnProperty',
      channel: 'hasOwnProperty',
      args: [],
      code: 'UNKNOWN_CHANNEL',
      message: /^Unknown call "hasOwnProperty"\.$/,
    },
    {
      label: 'a channel with NUL',
      channel: 'netns:apply\0',
      args: [{ op: 'ns.add', name: 'x' }],
      code: 'UNKNOWN_CHANNEL',
      message: /^Unknown call "netns:apply\?"\.$/,
    },
    {
      label: 'a channel in upper case',
      channel: 'NETNS:APPLY',
      args: [],
      code: 'UNKNOWN_CHANNEL',
      message: /^Unknown call "NETNS:APPLY"\.$/,
    },
    {
      label: 'a 100,000-character channel',
      channel: big(100_000),
      args: [],
      code: 'UNKNOWN_CHANNEL',
      message: /^Unknown call "x{60}"\.$/,
    },
    {
      label: 'a channel that is a number',
      channel: 42,
      args: [],
      code: 'UNKNOWN_CHANNEL',
      message: /^Unknown call "number"\.$/,
    },
    {
      label: 'a channel that is a list',
      channel: ['netns:apply'],
      args: [],
      code: 'UNKNOWN_CHANNEL',
      message: /^Unknown call "object"\.$/,
    },
    {
      label: 'arguments as an object',
      channel: 'netns:apply',
      args: { 0: { op: 'ns.add', name: 'x' } },
      message: /^Arguments must be a list\.$/,
    },
    {
      label: 'arguments as text',
      channel: 'netns:apply',
      args: 'ns.add',
      message: /^Arguments must be a list\.$/,
    },
    {
      label: 'arguments null',
      channel: 'netns:snapshot',
      args: null,
      message: /^Arguments must be a list\.$/,
    },
    {
      label: 'snapshot with an argument',
      channel: 'netns:snapshot',
      args: [{ all: true }],
      message: /^This call takes no arguments\.$/,
    },
    {
      label: 'reset with an argument',
      channel: 'netns:reset',
      args: ['everything'],
      message: /^This call takes no arguments\.$/,
    },
    {
      label: 'log:clear with an argument',
      channel: 'log:clear',
      args: [1],
      message: /^This call takes no arguments\.$/,
    },
    {
      label: 'branch with an argument',
      channel: 'netns:branch',
      args: ['lo'],
      message: /^This call takes no arguments\.$/,
    },
    {
      label: 'nat-backend with an argument',
      channel: 'netns:nat-backend',
      args: ['nft'],
      message: /^This call takes no arguments\.$/,
    },
    {
      label: 'disconnect with an argument',
      channel: 'target:disconnect',
      args: [true],
      message: /^This call takes no arguments\.$/,
    },
    {
      label: 'apply with nothing',
      channel: 'netns:apply',
      args: [],
      message: /^Expected one operation\.$/,
    },
  ],
}

// ---- the proof: the trace of every command started under the sshd ----

/** strace on the sshd: every execve of the server and all its sessions, into a file. */
class ExecTrace {
  private proc: ChildProcess | null = null
  private n = 0
  constructor(readonly file: string) {}

  /** Attach to the listening sshd (pid) and everything it forks from now on. */
  async attach(pid: number): Promise<void> {
    this.proc = spawn(
      'strace',
      [
        '-f',
        '-qq',
        '-s',
        '256',
        '-e',
        'trace=execve',
        '-e',
        'signal=none',
        '-o',
        this.file,
        '-p',
        String(pid),
      ],
      { stdio: 'ignore' },
    )
    await vi.waitFor(
      () => {
        if (!/^TracerPid:\s+[1-9]/m.test(readFileSync(`/proc/${pid}/status`, 'utf8')))
          throw new Error(`strace has not attached to sshd (${pid}) yet`)
      },
      { timeout: 10_000, interval: 20 },
    )
  }

  lines(): string[] {
    return existsSync(this.file) ? readFileSync(this.file, 'utf8').split('\n').filter(Boolean) : []
  }

  /** A canary through `run`; resolves with the index of its line once strace has written it. */
  async canary(run: (argv: string[]) => Promise<unknown>): Promise<number> {
    const mark = `nss-canary-${process.pid}-${++this.n}`
    await run(['/bin/echo', mark])
    return vi.waitFor(
      () => {
        const at = this.lines().findIndex((l) => l.includes(`"${mark}"`))
        if (at < 0) throw new Error(`the canary ${mark} is not in the trace yet`)
        return at
      },
      { timeout: 10_000, interval: 5 },
    )
  }

  /** The execve lines strictly between two canary lines. */
  between(a: number, b: number): string[] {
    return this.lines()
      .slice(a + 1, b)
      .filter((l) => l.includes('execve('))
  }

  stop(): void {
    if (this.proc?.pid) {
      try {
        process.kill(this.proc.pid, 'SIGINT') // strace detaches and leaves sshd running
      } catch {
        // already gone
      }
    }
    rmSync(this.file, { force: true })
  }
}

/** The kernel objects the inputs name: this suite's namespaces, lo and eth0, the root veth end. */
function kernelState(): Record<string, unknown> {
  const json = (argv: string[]): unknown => {
    const out = sh(argv).trim()
    return out ? (JSON.parse(out) as unknown) : []
  }
  const nsNames = (json(['ip', '-j', 'netns', 'list']) as Array<{ name: string }>).map(
    (n) => n.name,
  )
  // promiscuity and allmulti count other programs' captures on lo and eth0 (other test runs'
  // tcpdump): the kernel's bookkeeping of readers, not a setting of the link.
  const rootLinks = (
    json(['ip', '-j', '-d', 'link', 'show']) as Array<{ ifname: string } & Record<string, unknown>>
  )
    .filter((l) => ['lo', 'eth0', ROOT_END].includes(l.ifname))
    .map(({ promiscuity: _p, allmulti: _a, ...l }) => l)
  const inNs = (argv: string[]): string => sh(['ip', 'netns', 'exec', NS, ...argv])
  return {
    // Other runs use their own t????- prefix; anything else that appears is ours to explain.
    namespaces: nsNames.filter((n) => n.startsWith(P) || !/^t[0-9a-f]{4}-/.test(n)).sort(),
    rootLinks,
    rootAddrs: json(['ip', '-j', 'addr', 'show', 'dev', 'lo']),
    rootRoutes: json(['ip', '-j', 'route', 'show', 'table', 'local', 'dev', 'lo']),
    nsLinks: json(['ip', '-n', NS, '-j', '-d', 'link', 'show']),
    nsAddrs: json(['ip', '-n', NS, '-j', 'addr', 'show']),
    nsRoutes: json(['ip', '-n', NS, '-j', 'route', 'show', 'table', 'all']),
    nsQdiscs: inNs(['tc', 'qdisc', 'show']),
    nsNat: inNs(['nft', 'list', 'ruleset']),
    nsForward: inNs(['sysctl', '-n', 'net.ipv4.ip_forward']),
  }
}

describe.skipIf(!!skip)('hostile inputs through the real router to the real target', () => {
  let sshd: SshdFixture
  let app: AppRouter
  let probe: AppRouter
  let trace: ExecTrace
  let dir: string
  let before: Record<string, unknown>
  const families: Family[] = []
  const done: string[] = []

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nss-hostile-'))
    keys = {
      fifo: join(dir, 'fifo'),
      dir: join(dir, 'folder'),
      big: join(dir, 'big'),
      sparse: join(dir, 'sparse'),
      zeroLink: join(dir, 'zero-link'),
      missing: join(dir, 'missing'),
    }
    execFileSync('mkfifo', [keys.fifo])
    execFileSync('mkdir', [keys.dir])
    writeFileSync(keys.big, Buffer.alloc(65 * 1024, 65))
    writeFileSync(keys.sparse, '')
    truncateSync(keys.sparse, 1024 ** 3)
    symlinkSync('/dev/zero', keys.zeroLink)

    sshd = await startSshd()
    trace = new ExecTrace(join(dir, 'exec.trace'))
    await trace.attach(Number(readFileSync(join(sshd.dir, 'sshd.pid'), 'utf8').trim()))
    app = openAppRouter(sshd, OWNED)
    probe = openAppRouter(sshd, OWNED)
    await app.invoke('target:connect', app.sshSpec)
    // The namespace the otherwise-valid inputs name, with a veth so eth0 exists in it.
    for (const op of [
      { op: 'ns.add', name: NS },
      { op: 'veth.add', name: ROOT_END, peer: 'eth0', peerNs: NS, up: true },
      { op: 'addr.add', ns: NS, ifname: 'eth0', cidr: '10.99.0.1/24' },
    ] as const)
      await app.invoke('netns:apply', op)
    families.push(
      namespaceNames,
      interfaceNames,
      cidrs,
      routes,
      captureFilters,
      netemValues,
      pingOptions,
      sshHosts,
      keyPaths(sshd.port),
      tables,
      opShapes,
      channels,
    )
    // The kernel settles new links by itself (IPv6 duplicate address detection adds the
    // link-local address and its route): take the "before" once it has.
    await vi.waitFor(
      () => {
        const addrs =
          sh(['ip', '-n', NS, '-j', 'addr']) + sh(['ip', '-j', 'addr', 'show', 'dev', ROOT_END])
        if (addrs.includes('"tentative"')) throw new Error('IPv6 addresses still tentative')
      },
      { timeout: 15_000, interval: 100 },
    )
    before = kernelState()
  }, 120_000)

  afterAll(async () => {
    trace?.stop()
    await app?.invoke('netns:reset').catch(() => undefined)
    await probe?.close()
    await app?.close()
    await sshd?.stop()
    cleanupPrefix(P)
    rmSync(OWNED, { force: true })
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  /** Send one input; its refusal, and what the log and the trace saw. */
  /**
   * Could the table monitor have run a refresh in a window that began at `t0`? It refreshes
   * (commands on the target) after kernel events, which other test runs cause at any time, and
   * polls while its watcher is down. Only such a window may be tried again.
   */
  const monitorBusy = (t0: number): boolean => {
    const st = app.services.live.monitorStatus()
    return st.state !== 'watching' || (st.lastEventAt !== null && st.lastEventAt >= t0 - 500)
  }
  /** Trace lines explained: canaries, windows of monitor activity, the positive controls. */
  const explained: Array<[number, number]> = []
  let retried = 0

  /** Send one input; its refusal, and what the log and the trace saw. */
  async function send(
    input: Input,
  ): Promise<{ r: IpcResult<unknown>; logged: number; execs: string[] }> {
    const via = input.probe ? probe : app
    const run = (argv: string[]): Promise<unknown> => app.services.connection.target().run([argv])
    for (let attempt = 0; ; attempt++) {
      const t0 = Date.now()
      const logBefore = (await via.invoke('log:list')).length
      const a = await trace.canary(run)
      const r = await via.call(input.channel, input.args as unknown[])
      const b = await trace.canary(run)
      const logged = (await via.invoke('log:list')).length - logBefore
      const execs = trace.between(a, b)
      // Commands with no monitor activity around them are the input's: never retried.
      if (execs.length === 0 || !monitorBusy(t0) || attempt === 4) return { r, logged, execs }
      explained.push([a, b])
      retried++
    }
  }

  it('has at least 300 inputs, each on one line of a family table', () => {
    const n = families.reduce((s, f) => s + f.inputs.length, 0)
    expect(n).toBeGreaterThanOrEqual(300)
    console.info(`hostile inputs: ${n} in ${families.length} families`)
  })

  // One test per family; each input is checked on its own and named in any failure.
  for (const name of [
    'namespace names (ns.add)',
    'interface names (link.set-state, veth.add, link.move)',
    'addresses and CIDRs (addr.add)',
    'routes and tables (route.add)',
    'capture filters (live:capture-start)',
    'impairments (live:netem-set, live:netem-clear)',
    'ping options (live:ping-start)',
    'SSH targets (target:connect)',
    'key paths (target:connect, to an app that is not connected)',
    'host keys, matrix, terminal and traffic arguments',
    'operation shapes (netns:apply)',
    'channels and argument lists',
  ])
    it(`${name}: refused with a specific message, no log entry, no process, no change`, async () => {
      const family = families.find((f) => f.name === name)
      expect(family, name).toBeDefined()
      for (const input of family!.inputs) {
        const what = `${family!.name} / ${input.label}`
        const { r, logged, execs } = await send(input)
        expect(execs, `${what}: commands started under the sshd`).toEqual([])
        expect(logged, `${what}: command-log entries`).toBe(0)
        expect(r.ok, `${what}: accepted`).toBe(false)
        if (r.ok) continue
        expect(r.error.code, `${what}: code (${r.error.message})`).toBe(
          input.code ?? 'INVALID_ARGUMENT',
        )
        expect(r.error.message, what).toMatch(input.message)
        expect(r.error.message, `${what}: family phrase`).toMatch(family!.phrase)
        done.push(what)
      }
    }, 300_000)

  it('every command in the trace is a canary or the table monitor at work', () => {
    const lines = trace.lines()
    const first = lines.findIndex((l) => l.includes('"nss-canary-'))
    const unexplained = lines
      .map((l, i) => ({ l, i }))
      .filter(
        ({ l, i }) =>
          i > first &&
          l.includes('execve(') &&
          !l.includes('"nss-canary-') &&
          !explained.some(([a, b]) => i > a && i < b),
      )
      .map(({ l }) => l)
    expect(unexplained).toEqual([])
    console.info(`windows tried again for monitor activity: ${retried}`)
  })

  it('left the kernel as it was, and the app still connected', async () => {
    expect(done.length).toBeGreaterThanOrEqual(300)
    const after = kernelState()
    for (const k of Object.keys(before)) expect(after[k], `kernel state: ${k}`).toEqual(before[k])
    expect(app.services.connection.status().state).toBe('connected')
    // The trace does see commands: a real operation shows up in it (so the proof above could fail).
    const run = (argv: string[]): Promise<unknown> => app.services.connection.target().run([argv])
    const a = await trace.canary(run)
    await app.invoke('netns:apply', { op: 'link.set-state', ns: NS, ifname: 'lo', up: true })
    const b = await trace.canary(run)
    expect(trace.between(a, b).join('\n')).toMatch(
      /execve\("[^"]*ip", \["ip", "-n", "[^"]+", "-batch", "-"\]/,
    )
    // ...and so does a login: the app that was not connected, connecting for real, starts sshd.
    const c = await trace.canary(run)
    await probe.invoke('target:connect', app.sshSpec)
    const d = await trace.canary(run)
    await probe.invoke('target:disconnect')
    expect(trace.between(c, d).join('\n')).toMatch(/execve\("\/usr\/sbin\/sshd"/)
  })
})

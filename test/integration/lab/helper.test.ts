// The in-target helper against the real kernel, over the real sshd: a lab applied through it
// leaves exactly the state the same lab leaves when applied with ip (links, addresses, routes in
// every table, sysctls, bridge ports, NAT rules) and plans empty afterwards; its failures read
// as ip's do; its exec path passes arguments byte for byte; a target without perl falls back to ip.

import { execFileSync, spawnSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { parseLab } from '../../../shared/lab/parse'
import type { Lab } from '../../../shared/lab/types'
import { LabService } from '../../../src-main/lab/lab-service'
import { HELPER_PROGRAM } from '../../../src-main/netns/helper/program'
import type { RunOptions, Target } from '../../../src-main/target/target'
import {
  cleanupPrefix,
  hostLinksWithPrefix,
  namespacesWithPrefix,
  runPrefix,
  sh,
} from '../../support/netns'
import { sshTargetForSuite } from '../../support/ssh-target'
import { integrationSkipReason } from '../../support/sshd'

const skip = integrationSkipReason()
if (skip) console.warn(`SKIP in-target helper integration: ${skip}`)

const P = runPrefix()
const [A, B, C] = ['a', 'b', 'c'].map((x) => `${P}${x}`) as [string, string, string]

/** Three namespaces with most of what a lab can say, IPv4 and IPv6, routes in two tables, NAT. */
function richLab(): Lab {
  const r = parseLab(
    [
      `name: ${P}helper`,
      'namespaces:',
      `  ${A}:`,
      '    sysctls: { net.ipv4.ip_forward: 1, net.ipv4.conf.all.rp_filter: 2, net.ipv6.conf.all.forwarding: 1 }',
      `  ${B}:`,
      '    sysctls: { net.ipv4.ip_forward: 1 }',
      `  ${C}: {}`,
      'bridges:',
      `  - { name: br1, ns: ${C}, addresses: [10.62.0.254/24, fd62::fe/64] }`,
      'links:',
      '  - endpoints:',
      `      - { ns: ${A}, name: eth0, addresses: [10.61.0.1/24, fd61::1/64] }`,
      `      - { ns: ${B}, name: eth0, addresses: [10.61.0.2/24, fd61::2/64] }`,
      '  - endpoints:',
      `      - { ns: ${B}, name: eth1, addresses: [10.62.0.1/24] }`,
      `      - { ns: ${C}, bridge: br1, name: p1 }`,
      '  - endpoints:',
      `      - { ns: ${A}, name: eth9, addresses: [10.69.0.1/30] }`,
      `      - { ns: ${C}, name: down0, up: false }`,
      'routes:',
      `  - { ns: ${A}, to: default, via: 10.61.0.2 }`,
      `  - { ns: ${A}, to: default, via: 'fd61::2' }`,
      `  - { ns: ${A}, to: 10.70.0.0/16, via: 10.61.0.2, table: 100 }`,
      `  - { ns: ${A}, to: 10.71.0.0/16, dev: eth0, table: 100000 }`,
      `  - { ns: ${B}, to: 10.80.0.0/16, dev: eth1 }`,
      `  - { ns: ${C}, to: default, via: 10.62.0.1 }`,
      'nat:',
      `  - ns: ${B}`,
      '    masquerade: { source: 10.61.0.0/24 }',
      `  - ns: ${B}`,
      '    forward: { protocol: tcp, port: 8080, to: 10.61.0.1:80 }',
    ].join('\n'),
  )
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  return r.lab
}

type Json = Record<string, unknown>
/** A JSON value as text ("-" when absent). */
const str = (v: unknown): string =>
  v === undefined || v === null ? '-' : typeof v === 'string' ? v : JSON.stringify(v)
const json = (ns: string, args: string[]): Json[] =>
  JSON.parse(sh(['ip', '-n', ns, '-j', ...args]) || '[]') as Json[]

/**
 * What the kernel holds in `ns`, minus what differs on every run by design: interface indexes,
 * MAC addresses and the IPv6 link-local addresses (and routes) made from them.
 */
function stateOf(ns: string): unknown {
  const links = json(ns, ['-d', 'link', 'show'])
    .map((l) => ({
      ifname: l.ifname,
      up: (l.flags as string[]).includes('UP'),
      master: l.master ?? null,
      kind: (l.linkinfo as Json | undefined)?.info_kind ?? null,
      mtu: l.mtu,
    }))
    .sort((x, y) => String(x.ifname).localeCompare(String(y.ifname)))
  const addresses = json(ns, ['addr', 'show'])
    .flatMap((l) =>
      (l.addr_info as Json[])
        .filter((a) => a.scope !== 'link')
        .map(
          (a) =>
            `${String(l.ifname)} ${String(a.family)} ${String(a.local)}/${String(a.prefixlen)} ${String(a.scope)} brd=${str(a.broadcast)}`,
        ),
    )
    .sort()
  const routes = ['-4', '-6']
    .flatMap((fam) => json(ns, [fam, 'route', 'show', 'table', 'all']))
    .filter((r) => !/^(fe80|ff00)/.test(String(r.dst)) && r.type !== 'multicast')
    .filter((r) => !(r.type === 'local' && String(r.dst).startsWith('fe80')))
    .map((r) =>
      ['dst', 'gateway', 'dev', 'table', 'protocol', 'scope', 'type', 'metric', 'prefsrc']
        .map((k) => `${k}=${str(r[k])}`)
        .join(' '),
    )
    .sort()
  const sysctls = [
    'net.ipv4.ip_forward',
    'net.ipv4.conf.all.rp_filter',
    'net.ipv6.conf.all.forwarding',
  ].map((k) => `${k}=${sh(['ip', 'netns', 'exec', ns, 'sysctl', '-n', k]).trim()}`)
  const nat = sh(['ip', 'netns', 'exec', ns, 'iptables', '-t', 'nat', '-S']).split('\n').sort()
  return { links, addresses, routes, sysctls, nat }
}

const stateOfLab = (): unknown => Object.fromEntries([A, B, C].map((n) => [n, stateOf(n)]))

/** Run the helper here, as the engine runs it in a target. */
function helper(lines: string[]): { stdout: string; stderr: string; code: number | null } {
  const setns = /^ok \S+ (\d+)/.exec(sh(['perl', '-e', HELPER_PROGRAM, 'probe']))?.[1]
  const r = spawnSync('perl', ['-e', HELPER_PROGRAM, 'N0NCE', setns ?? ''], {
    input: `${lines.join('\n')}\n`,
    encoding: 'utf8',
  })
  return { stdout: r.stdout, stderr: r.stderr, code: r.status }
}

/** What `ip` itself prints for the same command, to compare the helper's text with. */
function ipSays(argv: string[]): string {
  try {
    execFileSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] })
    return ''
  } catch (e) {
    return String((e as { stderr: Buffer }).stderr).trim()
  }
}

const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex')

describe.skipIf(!!skip)('in-target helper', () => {
  const ssh = sshTargetForSuite()

  afterAll(() => {
    cleanupPrefix(P)
    sh(['sh', '-c', `rm -f /run/netns-studio/lab-${P}*`])
  })

  it('a lab applied through the helper leaves the same kernel state as with ip, and plans empty', async () => {
    const lab = richLab()
    const viaHelper = new LabService(ssh.target)
    const viaIp = new LabService(ssh.target, undefined, { helper: false })
    expect(await viaHelper.engineFor(lab.name).laneRunner()).toMatchObject({ kind: 'helper' })
    expect(await viaIp.engineFor(lab.name).laneRunner()).toEqual({ kind: 'sh' })

    const done = await viaHelper.apply(lab)
    expect(done.changes.length).toBeGreaterThan(10)
    // The log says which steps the helper made, each with the command that makes the same change.
    const helped = viaHelper.log.entries.filter((e) => e.via === 'helper')
    expect(helped.map((e) => e.line)).toContain(`ip -n ${A} addr add fd61::1/64 dev eth0`)
    expect(helped.map((e) => e.line)).toContain(`ip -n ${A} route add default via 10.61.0.2`)
    expect(helped.every((e) => e.exitCode === 0)).toBe(true)
    const withHelper = stateOfLab()
    expect((await viaHelper.plan(lab)).changes).toEqual([])
    expect((await viaHelper.apply(lab)).changes).toEqual([])
    await viaHelper.destroy(lab.name)
    expect(namespacesWithPrefix(P)).toEqual([])

    await viaIp.apply(lab)
    expect(viaIp.log.entries.some((e) => e.via === 'helper')).toBe(false)
    const withIp = stateOfLab()
    expect((await viaIp.plan(lab)).changes).toEqual([])
    await viaIp.destroy(lab.name)
    expect(namespacesWithPrefix(P)).toEqual([])
    expect(hostLinksWithPrefix(P)).toEqual([])

    expect(withHelper).toEqual(withIp)
    // And the state is the lab's, not two equal mistakes.
    const a = withHelper as Record<string, { routes: string[]; sysctls: string[] }>
    expect(a[A]!.routes).toContain(
      'dst=10.70.0.0/16 gateway=10.61.0.2 dev=eth0 table=100 protocol=- scope=- type=- metric=- prefsrc=-',
    )
    expect(a[A]!.routes).toContain(
      'dst=10.71.0.0/16 gateway=- dev=eth0 table=100000 protocol=- scope=link type=- metric=- prefsrc=-',
    )
    expect(a[A]!.routes).toContain(
      'dst=default gateway=fd61::2 dev=eth0 table=- protocol=- scope=- type=- metric=1024 prefsrc=-',
    )
    expect(a[A]!.sysctls).toContain('net.ipv4.conf.all.rp_filter=2')
  })

  it('its failures read as ip prints them, stop the run, and name the step', () => {
    sh(['ip', 'netns', 'add', `${P}x`])
    sh(['ip', '-n', `${P}x`, 'addr', 'add', '10.64.0.1/24', 'dev', 'lo'])
    const r = helper([
      `N ${P}x`,
      'S 0 up lo',
      'S 1 addradd lo 4 0a400001 24',
      'S 2 up nosuchdev',
      'S 3 down lo',
    ])
    expect(r.code).toBe(1)
    const dup = ipSays(['ip', '-n', `${P}x`, 'addr', 'add', '10.64.0.1/24', 'dev', 'lo'])
    const missing = ipSays(['ip', '-n', `${P}x`, 'link', 'set', 'dev', 'nosuchdev', 'up'])
    expect(dup).toMatch(/Address already assigned|File exists/)
    expect(r.stdout).toBe(`\n@@RN0NCE 0 0\n${dup}\n\n@@RN0NCE 1 2\n`)
    expect(missing).toMatch(/^Cannot find device "nosuchdev"/)
    // The run stopped at the failed step: lo is still up.
    expect(sh(['ip', '-n', `${P}x`, '-br', 'link', 'show', 'dev', 'lo'])).toMatch(/UNKNOWN|UP/)

    const gone = helper([`N ${P}nosuch`, 'S 0 up lo'])
    expect(gone.stdout).toMatch(
      /^Cannot open network namespace "t[0-9a-f]{4}-nosuch": No such file or directory\n\n@@RN0NCE 0 1\n$/,
    )
    const unknown = helper([`N ${P}x`, 'S 0 frobnicate lo'])
    expect(unknown.stdout).toContain('netns-studio helper: unknown step "frobnicate"')
    expect(unknown.code).toBe(1)
    sh(['ip', 'netns', 'delete', `${P}x`])
  })

  it('its exec path passes each argument byte for byte, with no shell in between', () => {
    sh(['ip', 'netns', 'add', `${P}y`])
    const tricky = `a b;'"$(touch /tmp/${P}pwned)\`x\`\n-n *`
    const r = helper([
      `N ${P}y`,
      `S 0 exec ${['sh', '-c', 'printf %s "$1" >&2; exit 3', 'sh', tricky].map(hex).join(' ')}`,
    ])
    expect(r.stdout).toBe(`${tricky}\n\n@@RN0NCE 0 3\n`)
    expect(sh(['sh', '-c', `ls /tmp/${P}pwned 2>/dev/null || true`])).toBe('')
    // It runs inside the namespace it entered.
    const inode = helper([
      `N ${P}y`,
      `S 0 exec ${['sh', '-c', 'stat -L -c %i /proc/self/ns/net >&2; exit 1'].map(hex).join(' ')}`,
    ])
    expect(inode.stdout.split('\n')[0]).toBe(
      sh(['stat', '-L', '-c', '%i', `/run/netns/${P}y`]).trim(),
    )
    sh(['ip', 'netns', 'delete', `${P}y`])
  })

  it('its probe tries setns for real: without the privilege to enter a namespace it says no', () => {
    expect(sh(['perl', '-e', HELPER_PROGRAM, 'probe'])).toMatch(/^ok \S+ \d+\n$/)
    const r = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', 'perl', '-e', HELPER_PROGRAM, 'probe'],
      { encoding: 'utf8' },
    )
    expect(r.status).toBe(3)
    expect(r.stdout).toMatch(/^unsupported .*: Operation not permitted\n$/)
  })

  it('a target without perl applies the same lab with ip', async () => {
    // Stand-in for a target that has no perl (this machine has it): every perl command the
    // engine sends fails as a missing program does; everything else goes to the real sshd.
    const noPerl: Target = Object.create(ssh.target) as Target
    noPerl.run = (commands: string[][], opts?: RunOptions) =>
      ssh.target.run(
        commands.map((c) =>
          c[0] === 'perl' ? ['sh', '-c', 'echo "perl: not found" >&2; exit 127'] : c,
        ),
        opts,
      )
    const lab = richLab()
    const labs = new LabService(noPerl)
    expect(await labs.engineFor(lab.name).laneRunner()).toEqual({ kind: 'sh' })
    await labs.apply(lab)
    expect((await labs.plan(lab)).changes).toEqual([])
    expect(sh(['ip', '-n', C, '-br', 'addr', 'show', 'dev', 'br1'])).toMatch(/10\.62\.0\.254\/24/)
    await labs.destroy(lab.name)
    expect(namespacesWithPrefix(P)).toEqual([])
  })
})

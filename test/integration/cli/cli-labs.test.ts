// The CLI's lab commands end to end: the real bin against the private sshd and this machine, on a
// lab whose every kernel name carries a per-run prefix. plan (exit 1 while changes are pending,
// 0 after up), up (twice: the second changes nothing), matrix and check of a lab, export, down
// (nothing left), lab-file errors (exit 2 with line:col), save of a hand-made state re-applied.

import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MatrixResult } from '../../../shared/ipc/domains/live'
import { LAB_KINDS } from '../../../shared/lab/types'
import { parseLab } from '../../../shared/lab/parse'
import type { NetNamespace, Snapshot } from '../../../shared/net/model'
import {
  cleanupPrefix,
  hostLinksWithPrefix,
  namespacesWithPrefix,
  runPrefix,
  sh,
} from '../../support/netns'
import { integrationSkipReason, startSshd, type SshdFixture } from '../../support/sshd'
import { openCli, type Cli } from './run-cli'

const skip = integrationSkipReason()
if (skip) console.warn(`SKIP CLI lab integration: ${skip}`)

const P = runPrefix()
const A = `${P}a`
const B = `${P}b`

/** The test lab: two namespaces on a bridge in the root, IPv4 and IPv6, a default route, a sysctl. */
function labYaml(name = `${P}lab`): string {
  return `# a test lab (prefix ${P})
name: ${name}
title: Two namespaces on a bridge
namespaces:
  ${A}: {}
  ${B}: { sysctls: { net.ipv4.ip_forward: 1 } }
bridges:
  - { name: ${P}br, addresses: [10.233.0.254/24, fd33::fe/64] }
links:
  - endpoints:
      - { ns: ${A}, name: eth0, addresses: [10.233.0.1/24, fd33::1/64] }
      - { bridge: ${P}br, name: ${P}pa }
  - endpoints:
      - { ns: ${B}, name: eth0, addresses: [10.233.0.2/24] }
      - { bridge: ${P}br, name: ${P}pb }
routes:
  - { ns: ${A}, to: default, via: 10.233.0.254 }
layout:
  ${A}: { x: 100, y: 100 }
`
}

interface Change {
  action: string
  kind: string
  name: string
  ops: unknown[]
  commands: string[]
}
interface ApplyJson {
  lab: string
  changes: Change[]
  commands: string[]
  durationMs: number
}

/** Whether `ns` gets an echo reply from `addr` within 10 s (IPv6 addresses answer once DAD is done). */
function pingOk(ns: string, addr: string): boolean {
  try {
    sh(['ip', 'netns', 'exec', ns, 'ping', '-c', '1', '-w', '10', addr])
    return true
  } catch {
    return false
  }
}

/**
 * What a user compares after re-applying: per namespace its interfaces' addresses, admin state and
 * peer (the admin state: operstate follows the carrier a moment later).
 */
function facts(snap: Snapshot, names: string[]): Record<string, string[]> {
  const one = (n: NetNamespace): string[] =>
    n.links
      .filter((l) => l.kind !== 'loopback')
      .map((l) => {
        const addrs = n.addresses
          .filter((a) => a.ifname === l.ifname && a.scope === 'global')
          .map((a) => `${a.local}/${a.prefixlen}`)
          .sort()
        return `${l.ifname} ${l.flags.includes('UP') ? 'up' : 'down'} ${addrs.join(',')} peer=${l.peer?.namespace ?? '-'}:${l.peer?.ifname ?? '-'}`
      })
      .sort()
  return Object.fromEntries(
    snap.namespaces.filter((n) => names.includes(n.name)).map((n) => [n.name, one(n)]),
  )
}

describe.skipIf(!!skip)(
  'netns-studio CLI: labs, plan, up, matrix, check, export, down, save',
  () => {
    let sshd: SshdFixture
    let cli: Cli
    let ssh: string[]
    let labFile: string

    beforeAll(async () => {
      sshd = await startSshd()
      cli = openCli()
      ssh = ['--ssh', `root@127.0.0.1:${sshd.port}`, '--key', sshd.privateKeyPath]
      labFile = join(cli.dataDir, 'test-lab.yaml')
      writeFileSync(labFile, labYaml())
    })

    afterAll(async () => {
      if (cli) await cli.run(['down', labFile, '-q']).catch(() => undefined)
      cleanupPrefix(P)
      sh(['rm', '-f', `/run/netns-studio/lab-${P}lab`, `/run/netns-studio/lab-${P}saved`])
      await sshd?.stop()
      cli?.close()
    })

    it("labs lists the built-in labs and the user's, name, kind and title each", async () => {
      mkdirSync(join(cli.dataDir, 'labs'))
      writeFileSync(join(cli.dataDir, 'labs', 'mine.yaml'), labYaml(`${P}mine`))
      writeFileSync(join(cli.dataDir, 'labs', 'broken.yaml'), 'name: [\n')
      const r = await cli.json<
        Array<{ name: string; kind: string; title: string; source: string }>
      >(['labs'])
      expect(r.code).toBe(0)
      const builtins = r.value.filter((l) => l.source === 'builtin')
      expect(builtins.map((l) => l.name)).toEqual([
        'tutorial-1',
        'tutorial-2',
        'tutorial-3',
        'tutorial-4',
        'tutorial-5',
        'challenge-1',
        'challenge-2',
        'challenge-3',
        'challenge-4',
        'challenge-5',
        'challenge-6',
        'challenge-7',
        'challenge-8',
      ])
      for (const l of r.value) {
        expect(Object.keys(l).slice(0, 3)).toEqual(['name', 'kind', 'title'])
        expect(LAB_KINDS).toContain(l.kind)
        expect(l.title).not.toBe('')
      }
      expect(r.value.find((l) => l.name === `${P}mine`)).toMatchObject({
        kind: 'lab',
        title: 'Two namespaces on a bridge',
        source: 'user',
      })
      expect(r.stderr).toMatch(/broken\.yaml: does not load: .*broken\.yaml:2:1/)
      const text = await cli.run(['labs'])
      expect(text.stdout.split('\n')[0]).toMatch(/^NAME +KIND +TITLE$/)
      expect(text.stdout).toMatch(/^tutorial-2 +tutorial +A bridge joins red and green$/m)
      expect(text.stdout).toMatch(/^challenge-1 +challenge +Challenge: ns1 cannot reach ns2$/m)
    })

    it('plan with pending changes exits 1 and changes nothing; each change carries its exact commands', async () => {
      const r = await cli.json<{ lab: string; changes: Change[] }>(['plan', labFile, ...ssh])
      expect(r.code).toBe(1)
      expect(r.value.lab).toBe(`${P}lab`)
      expect(r.value.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual(
        expect.arrayContaining([
          `create namespace ${A}`,
          `create namespace ${B}`,
          `create bridge host/${P}br`,
        ]),
      )
      const ns = r.value.changes.find((c) => c.name === A)!
      expect(ns.commands).toContain(`ip netns add ${A}`)
      expect(ns.ops).toContainEqual({ op: 'ns.add', name: A })
      expect(namespacesWithPrefix(P)).toEqual([])
      const text = await cli.run(['plan', labFile])
      expect(text.code).toBe(1)
      expect(text.stdout).toMatch(new RegExp(`^\\+ namespace ${A}\\n    ip netns add ${A}$`, 'm'))
      expect(text.stdout).toMatch(/^Lab \S+: \d+ changes pending\.$/m)
      expect(text.stderr).not.toContain('ip netns add')
    })

    it('up applies over SSH (exit 0, the apply result as JSON); plan is then empty (exit 0); a second up changes nothing', async () => {
      const up = await cli.json<ApplyJson>(['up', labFile, ...ssh])
      expect(up.code).toBe(0)
      expect(up.value.lab).toBe(`${P}lab`)
      expect(up.value.changes.length).toBeGreaterThan(5)
      expect(up.value.commands).toContain(`ip netns add ${A}`)
      expect(up.value.durationMs).toBeGreaterThanOrEqual(0)
      expect(up.stderr).toContain(`Reading the target for lab ${P}lab`)
      expect(namespacesWithPrefix(P).sort()).toEqual([A, B])
      expect(pingOk(A, '10.233.0.2')).toBe(true)
      expect(pingOk(A, 'fd33::fe')).toBe(true)
      expect(sh(['ip', 'netns', 'exec', B, 'sysctl', '-n', 'net.ipv4.ip_forward']).trim()).toBe('1')

      const plan = await cli.json<{ changes: Change[] }>(['plan', labFile, '--local'])
      expect({ code: plan.code, changes: plan.value.changes }).toEqual({ code: 0, changes: [] })
      const text = await cli.run(['plan', labFile, ...ssh])
      expect(text.code).toBe(0)
      expect(text.stdout).toBe(`Lab ${P}lab: no changes; the target matches the lab.\n`)

      const again = await cli.json<ApplyJson>(['up', labFile])
      expect(again.code).toBe(0)
      expect(again.value).toMatchObject({ changes: [], commands: [] })
      const human = await cli.run(['up', labFile, ...ssh])
      expect(human.stdout).toBe(`Lab ${P}lab: no changes; the target already matches the lab.\n`)
      expect(human.stderr).toContain('Nothing to change.')
    })

    it("matrix LAB probes the lab's namespaces on the lab's own addresses (the root on its bridge address)", async () => {
      const r = await cli.json<MatrixResult>(['matrix', labFile, ...ssh])
      expect(r.code).toBe(0)
      const cells = r.value.cells.map((c) => `${c.src}>${c.dst} ${c.address} ${c.verdict}`).sort()
      expect(cells).toEqual(
        [
          `${A}>${B} 10.233.0.2 reachable`,
          `${A}>host 10.233.0.254 reachable`,
          `${B}>${A} 10.233.0.1 reachable`,
          `${B}>host 10.233.0.254 reachable`,
          `host>${A} 10.233.0.1 reachable`,
          `host>${B} 10.233.0.2 reachable`,
        ].sort(),
      )
    })

    it("check runs the lab's checks over SSH: all pass (exit 0), one fails (exit 1) saying what the kernel showed, a dead target exits 3", async () => {
      type Report = {
        passed: number
        failed: number
        checks: Array<{ name: string; ok: boolean; detail: string; hint?: string }>
      }
      const none = await cli.json<Report>(['check', labFile, ...ssh])
      expect(none.code).toBe(0)
      expect(none.value).toEqual({ passed: 0, failed: 0, checks: [] })

      const passing = `${labYaml()}checks:
  - name: a reaches b
    reach: { from: ${A}, to: 10.233.0.2 }
  - name: a goes out via the bridge
    route: { ns: ${A}, to: default, via: 10.233.0.254 }
  - name: b forwards
    sysctl: { ns: ${B}, key: net.ipv4.ip_forward, value: 1 }
`
      const good = join(cli.dataDir, 'with-checks.yaml')
      writeFileSync(good, passing)
      const ok = await cli.json<Report>(['check', good, ...ssh])
      expect(ok.code).toBe(0)
      expect(ok.value.passed).toBe(3)
      expect(ok.value.failed).toBe(0)
      expect(ok.value.checks.map((c) => [c.name, c.ok])).toEqual([
        ['a reaches b', true],
        ['a goes out via the bridge', true],
        ['b forwards', true],
      ])
      expect(ok.value.checks[1]!.detail).toBe(`${A} routes default via 10.233.0.254 dev eth0`)

      const bad = join(cli.dataDir, 'failing-checks.yaml')
      writeFileSync(
        bad,
        `${passing}  - name: b has a default route
    route: { ns: ${B}, to: default }
    hint: ip -n ${B} route add default via 10.233.0.254
`,
      )
      const failed = await cli.json<Report>(['check', bad, ...ssh])
      expect(failed.code).toBe(1)
      expect(failed.value.passed).toBe(3)
      expect(failed.value.failed).toBe(1)
      expect(failed.value.checks[3]).toEqual({
        name: 'b has a default route',
        ok: false,
        detail: expect.stringContaining(
          `${B} has no route to default; its routes: 10.233.0.0/24 dev eth0`,
        ),
        hint: `ip -n ${B} route add default via 10.233.0.254`,
      })
      const text = await cli.run(['check', bad, '-q', ...ssh])
      expect(text.code).toBe(1)
      expect(text.stdout).toContain(
        `✓ a reaches b: ${A} reaches 10.233.0.2: 1 of 1 echo requests answered\n`,
      )
      expect(text.stdout).toContain(
        `✗ b has a default route: ${B} has no route to default; its routes: 10.233.0.0/24 dev eth0\n    hint: ip -n ${B} route add default via 10.233.0.254\n`,
      )
      expect(text.stdout).toContain(`Lab ${P}lab: 3 of 4 checks passed, 1 failed.`)

      const dead = await cli.json<{ error: { code: string } }>([
        'check',
        good,
        '--ssh',
        'root@127.0.0.1:1',
        '--key',
        sshd.privateKeyPath,
      ])
      expect(dead.code).toBe(3)
    })

    it('down removes what the lab owns, nothing else, and says what it removed', async () => {
      sh(['ip', 'netns', 'add', `${P}keep`])
      const r = await cli.json<ApplyJson>(['down', labFile, ...ssh])
      expect(r.code).toBe(0)
      expect(r.value.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual(
        expect.arrayContaining([`delete namespace ${A}`, `delete namespace ${B}`]),
      )
      expect(namespacesWithPrefix(P)).toEqual([`${P}keep`])
      expect(hostLinksWithPrefix(P)).toEqual([])
      expect(existsSync(`/run/netns-studio/lab-${P}lab`)).toBe(false)
      const again = await cli.run(['down', labFile])
      expect(again.code).toBe(0)
      expect(again.stdout).toBe(`Lab ${P}lab: nothing to remove.\n`)
      sh(['ip', 'netns', 'delete', `${P}keep`])
    })

    it('export prints the commands up runs on a clean target; the script builds a state plan finds matching', async () => {
      const r = await cli.run(['export', labFile])
      expect(r.code).toBe(0)
      expect(r.stderr).toBe('')
      const lines = r.stdout.split('\n')
      expect(lines[0]).toBe('#!/bin/sh')
      expect(lines).toContain('set -e')
      expect(lines).toContain(`ip netns add ${A}`)
      expect(lines).toContain(`ip -n ${A} route add default via 10.233.0.254`)
      const j = await cli.json<{ lab: string; script: string }>(['export', labFile, '--nat', 'nft'])
      expect(j.value).toEqual({ lab: `${P}lab`, script: r.stdout })
      try {
        execFileSync('sh', ['-c', r.stdout], { stdio: 'pipe' })
        const plan = await cli.json<{ changes: Change[] }>(['plan', labFile])
        expect({ code: plan.code, changes: plan.value.changes }).toEqual({ code: 0, changes: [] })
      } finally {
        cleanupPrefix(P)
      }
    })

    it('a bad lab file exits 2 with each error at its line and column, before any target is touched', async () => {
      const bad = join(cli.dataDir, 'bad.yaml')
      writeFileSync(
        bad,
        [
          `name: ${P}bad`,
          'namespaces:',
          `  ${A}: {}`,
          '  "x;y": {}',
          'links:',
          '  - endpoints:',
          `      - { ns: ${A}, name: eth0, addresses: [10.0.0.300/24] }`,
          `      - { ns: ${P}nope, name: eth1 }`,
          'nodes: 3',
          '',
        ].join('\n'),
      )
      const unreachable = ['--ssh', 'root@127.0.0.1:1', '--key', sshd.privateKeyPath]
      for (const cmd of ['up', 'plan', 'down', 'check', 'matrix', 'export']) {
        const r = await cli.run([cmd, bad, ...(cmd === 'export' ? [] : unreachable)])
        expect({ cmd, code: r.code, stdout: r.stdout }).toEqual({ cmd, code: 2, stdout: '' })
        expect(r.stderr).toContain(`${bad} is not a valid lab (4 errors):`)
        expect(r.stderr).toContain(`${bad}:4:3: Namespace name contains the shell character ";"`)
        expect(r.stderr).toContain(`${bad}:7:`)
        expect(r.stderr).toMatch(
          new RegExp(`${bad}:8:\\d+: Namespace "${P}nope" is not in this lab`),
        )
        expect(r.stderr).toContain(`${bad}:9:1: Unknown key "nodes"`)
        expect(r.stderr).not.toContain('Connecting')
      }
      const j = await cli.json<{
        error: { code: string; errors: Array<{ line: number; col: number; message: string }> }
      }>(['plan', bad])
      expect(j.code).toBe(2)
      expect(j.value.error.code).toBe('LAB_INVALID')
      expect(j.value.error.errors.map((e) => `${e.line}:${e.col}`)).toEqual([
        '4:3',
        expect.stringMatching(/^7:\d+$/),
        expect.stringMatching(/^8:\d+$/),
        '9:1',
      ])
      const syntax = join(cli.dataDir, 'syntax.yaml')
      writeFileSync(syntax, 'name: x\nnamespaces: [\n')
      const s = await cli.run(['up', syntax])
      expect(s.code).toBe(2)
      expect(s.stderr).toMatch(new RegExp(`${syntax}:3:1: YAML syntax error`))
      const missing = await cli.run(['up', 'no-such-lab'])
      expect(missing.code).toBe(2)
      expect(missing.stderr).toContain('No lab called "no-such-lab": not a built-in lab')
      expect(namespacesWithPrefix(P)).toEqual([])
    })

    it('save writes a hand-made state as a lab that re-applies to the same state on a clean target', async () => {
      // by hand, as a user would: a veth pair, one end on a bridge in the root, addresses, a route
      sh(['ip', 'netns', 'add', A])
      sh(['ip', 'netns', 'add', B])
      sh([
        'ip',
        'link',
        'add',
        'eth1',
        'netns',
        A,
        'type',
        'veth',
        'peer',
        'name',
        'eth1',
        'netns',
        B,
      ])
      sh(['ip', 'link', 'add', `${P}br`, 'type', 'bridge'])
      sh(['ip', 'link', 'add', 'up0', 'netns', B, 'type', 'veth', 'peer', 'name', `${P}pb`])
      sh(['ip', 'link', 'set', `${P}pb`, 'master', `${P}br`])
      sh(['ip', '-n', A, 'addr', 'add', '10.234.0.1/30', 'dev', 'eth1'])
      sh(['ip', '-n', B, 'addr', 'add', '10.234.0.2/30', 'dev', 'eth1'])
      sh(['ip', '-n', B, 'addr', 'add', '10.234.1.2/24', 'dev', 'up0'])
      sh(['ip', 'addr', 'add', '10.234.1.254/24', 'dev', `${P}br`])
      for (const [ns, dev] of [
        [A, 'eth1'],
        [B, 'eth1'],
        [B, 'up0'],
      ])
        sh(['ip', '-n', ns!, 'link', 'set', dev!, 'up'])
      sh(['ip', 'link', 'set', `${P}br`, 'up'])
      sh(['ip', 'link', 'set', `${P}pb`, 'up'])
      sh(['ip', '-n', A, 'route', 'add', '10.234.1.0/24', 'via', '10.234.0.2'])
      const before = (await cli.json<Snapshot>(['show', '-q'])).value

      const file = join(cli.dataDir, `${P}saved.yaml`)
      const r = await cli.run(['save', file, '--ns', `${A},${B}`, ...ssh])
      expect(r.code).toBe(0)
      expect(r.stdout).toBe('')
      expect(r.stderr).toContain(`Wrote ${file}: lab ${P}saved, 2 namespaces.`)
      const parsed = parseLab(readFileSync(file, 'utf8'))
      expect(parsed.ok).toBe(true)
      if (!parsed.ok) return
      expect(Object.keys(parsed.lab.namespaces).sort()).toEqual([A, B])
      expect(parsed.lab.bridges.map((b) => b.name)).toEqual([`${P}br`])
      expect(parsed.lab.routes).toContainEqual(
        expect.objectContaining({ ns: A, to: '10.234.1.0/24', via: '10.234.0.2' }),
      )
      const refused = await cli.run(['save', file, '--ns', A])
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain(`${file} exists; add --force to overwrite it.`)
      const out = await cli.run(['save', '-', '--ns', A, '--name', `${P}one`, '-q'])
      expect(out.code).toBe(0)
      expect(parseLab(out.stdout).ok).toBe(true)
      expect(out.stdout).toContain(`name: ${P}one`)

      cleanupPrefix(P) // a clean target
      const up = await cli.json<ApplyJson>(['up', file, ...ssh])
      expect(up.code).toBe(0)
      const after = (await cli.json<Snapshot>(['show', '-q'])).value
      expect(facts(after, [A, B])).toEqual(facts(before, [A, B]))
      expect(pingOk(B, '10.234.1.254')).toBe(true)
      expect(pingOk(A, '10.234.0.2')).toBe(true)
      const plan = await cli.json<{ changes: Change[] }>(['plan', file])
      expect(plan.value.changes).toEqual([])
      const down = await cli.run(['down', file, '-q'])
      expect(down.code).toBe(0)
      expect(namespacesWithPrefix(P)).toEqual([])
      expect(hostLinksWithPrefix(P)).toEqual([])
    })

    it('--vm without a VM in the data folder exits 3 and says to boot it', async () => {
      const r = await cli.run(['show', '--vm'])
      expect(r.code).toBe(3)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(
        /netns-studio: (The VM has not been created yet: boot it first\.|Vagrant is not installed)/,
      )
    })
  },
)

// The built-in challenges on real namespaces over the real sshd: each, applied, fails its goal
// (its first check) with hints on what failed; after the intended fix, run by hand as a learner
// would, every check passes. Names carry a per-run prefix; everything is removed afterwards.

import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILTIN_LABS } from '../../../shared/lab/builtin/index'
import { parseLab } from '../../../shared/lab/parse'
import { prefixLab } from '../../../shared/lab/prefix'
import { LabService } from '../../../src-main/lab/lab-service'
import { cleanupPrefix, runPrefix, sh } from '../../support/netns'
import { sshTargetForSuite } from '../../support/ssh-target'
import { integrationSkipReason } from '../../support/sshd'

const skip = integrationSkipReason()
if (skip) console.warn(`SKIP lab challenges integration: ${skip}`)

const P = runPrefix()
const n = (name: string): string => `${P}${name}`

/** The intended fix of each challenge, as the commands a learner would type. */
const FIXES: Record<string, string[][]> = {
  'challenge-1': [['ip', '-n', n('ns2'), 'link', 'set', 'dev', 'veth1', 'up']],
  'challenge-2': [
    ['ip', '-n', n('ns1'), 'addr', 'del', '10.10.10.1/30', 'dev', 'veth0'],
    ['ip', '-n', n('ns1'), 'addr', 'add', '10.10.10.1/24', 'dev', 'veth0'],
  ],
  'challenge-3': [['ip', '-n', n('red'), 'route', 'add', 'default', 'via', '10.1.0.1']],
  'challenge-4': [['ip', 'netns', 'exec', n('router'), 'sysctl', '-qw', 'net.ipv4.ip_forward=1']],
  'challenge-5': [
    ['ip', 'netns', 'exec', n('router'), 'iptables', '-t', 'nat', '-A', 'POSTROUTING'].concat([
      '-s',
      '10.1.0.0/24',
      '-o',
      'eth1',
      '-j',
      'MASQUERADE',
    ]),
  ],
  'challenge-6': [['ip', '-n', n('red'), 'route', 'replace', 'default', 'via', '10.1.0.1']],
  'challenge-7': [['ip', '-n', n('blue'), 'route', 'add', 'default', 'via', '10.2.0.1']],
  'challenge-8': [['ip', 'link', 'set', 'dev', n('veth-g'), 'master', n('bridge1')]],
}

const challenges = BUILTIN_LABS.filter((b) => b.kind === 'challenge')

describe.skipIf(!!skip)('built-in challenges on real namespaces', () => {
  const ssh = sshTargetForSuite()
  let labs: LabService

  beforeAll(() => {
    labs = new LabService(ssh.target)
  })

  afterAll(() => {
    cleanupPrefix(P)
    sh(['sh', '-c', `rm -f /run/netns-studio/lab-${P}*`])
  })

  it('are at least eight, each with a fix here', () => {
    expect(challenges.length).toBeGreaterThanOrEqual(8)
    expect(Object.keys(FIXES).sort()).toEqual(challenges.map((c) => c.name).sort())
  })

  it.each(challenges.map((c) => c.name))(
    '%s fails its goal as built and passes every check after the intended fix',
    async (name) => {
      const r = parseLab(challenges.find((c) => c.name === name)!.yaml)
      if (!r.ok) throw new Error(JSON.stringify(r.errors))
      const lab = prefixLab(r.lab, P)
      const goal = lab.checks![0]!.name
      try {
        await labs.apply(lab)
        const before = await labs.check(lab)
        expect(before.checks[0]).toMatchObject({ name: goal, ok: false })
        // every failing check of a challenge points the learner somewhere
        for (const c of before.checks.filter((x) => !x.ok))
          expect(c.hint, `${name}: ${c.name}`).toBeTruthy()

        for (const argv of FIXES[name]!) execFileSync(argv[0]!, argv.slice(1))
        // A link just set up passes traffic a moment later (the kernel's link watch): poll.
        await expect
          .poll(
            async () =>
              (await labs.check(lab)).checks
                .filter((c) => !c.ok)
                .map((c) => `${c.name}: ${c.detail}`),
            { timeout: 20_000, interval: 500 },
          )
          .toEqual([])
        const after = await labs.check(lab)
        expect(after.checks[0]!.detail).toMatch(/^Solved \(/)
      } finally {
        await labs.destroy(lab.name).catch(() => undefined)
      }
    },
  )
})

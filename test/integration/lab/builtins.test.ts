// The five tutorials' end states, as built-in labs, on real namespaces over the real sshd: each
// applies (and works: pings, states), plan afterwards is empty, a second apply changes nothing,
// destroy leaves nothing (checked in the kernel). Names carry a per-run prefix.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILTIN_LABS } from '../../../shared/lab/builtin/index'
import { parseLab } from '../../../shared/lab/parse'
import { prefixLab } from '../../../shared/lab/prefix'
import type { Lab } from '../../../shared/lab/types'
import type { NatBackend } from '../../../shared/net/ops'
import { LabService } from '../../../src-main/lab/lab-service'
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
if (skip) console.warn(`SKIP lab built-ins integration: ${skip}`)

const P = runPrefix()

function builtin(name: string): Lab {
  const b = BUILTIN_LABS.find((x) => x.name === name)!
  const r = parseLab(b.yaml)
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  return prefixLab(r.lab, P)
}

const ping = (from: string, to: string): boolean => {
  try {
    sh(['ip', 'netns', 'exec', from, 'ping', '-c', '1', '-W', '2', to])
    return true
  } catch {
    return false
  }
}

/** The app's NAT rules for tutorial 3's subnet in the root namespace (iptables and nft). */
function natRules(): string[] {
  const ipt = sh(['iptables', '-t', 'nat', '-S']).split('\n')
  let nft: string[] = []
  try {
    nft = sh(['nft', 'list', 'table', 'ip', 'netns_studio']).split('\n')
  } catch {
    // no table: no rules
  }
  return [...ipt, ...nft].filter((l) => l.includes('netns-studio') && l.includes('192.168.15.'))
}

describe.skipIf(!!skip)('built-in labs on real namespaces', () => {
  const ssh = sshTargetForSuite()
  let forwardBefore = '0'

  beforeAll(() => {
    forwardBefore = sh(['sysctl', '-n', 'net.ipv4.ip_forward']).trim()
  })

  afterAll(() => {
    cleanupPrefix(P)
    sh(['sh', '-c', `rm -f /run/netns-studio/lab-${P}*`])
    sh(['sysctl', '-qw', `net.ipv4.ip_forward=${forwardBefore}`])
  })

  /** What each tutorial's end state lets a user see once applied. */
  const works: Record<string, (lab: Lab) => void> = {
    'tutorial-1': () => expect(ping(`${P}ns1`, '10.10.10.2')).toBe(true),
    'tutorial-2': () => {
      expect(ping(`${P}red`, '10.0.0.2')).toBe(true)
      expect(sh(['ip', '-br', 'link', 'show', 'master', `${P}bridge1`])).toMatch(
        new RegExp(`${P}veth-g`),
      )
    },
    'tutorial-3': () => {
      expect(ping(`${P}red`, '192.168.15.5')).toBe(true)
      expect(ping(`${P}red`, '192.168.15.2')).toBe(true)
      expect(sh(['sysctl', '-n', 'net.ipv4.ip_forward']).trim()).toBe('1')
      expect(sh(['ip', '-n', `${P}blue`, 'route', 'show', 'default'])).toMatch(
        /default via 192\.168\.15\.5/,
      )
    },
    'tutorial-4': () => {
      expect(ping(`${P}red`, '192.168.15.2')).toBe(true)
      expect(sh(['ip', '-n', `${P}red`, 'neigh', 'show'])).toMatch(
        /192\.168\.15\.2 dev veth-red lladdr/,
      )
    },
    'tutorial-5': () => {
      // The root end is up with no carrier (its peer, in ns1, is down), as the tutorial shows.
      expect(sh(['ip', '-br', 'link', 'show', 'dev', `${P}veth0`])).toMatch(
        /<NO-CARRIER,[^>]*\bUP\b/,
      )
      expect(sh(['ip', '-n', `${P}ns1`, '-br', 'link', 'show', 'dev', 'veth1'])).toMatch(
        /^veth1@\S+\s+DOWN /,
      )
    },
  }

  const cases: Array<[string, NatBackend | undefined]> = [
    ...BUILTIN_LABS.filter((b) => b.kind === 'tutorial').map((b): [string, undefined] => [
      b.name,
      undefined,
    ]),
    ['tutorial-3', 'nft'],
  ]

  it.each(cases)(
    '%s (NAT: %s) applies, works, re-plans to nothing, re-applies to nothing, destroys to nothing',
    async (name, nat) => {
      const lab = builtin(name)
      const labs = new LabService(ssh.target, undefined, nat ? { natBackend: nat } : {})
      try {
        const natBefore = natRules().length
        const progress: string[] = []
        const applied = await labs.apply(lab, (p) => progress.push(p.phase))
        expect(applied.changes.length).toBeGreaterThan(0)
        expect(progress).toEqual(['reading', 'planned', 'applying', 'done'])
        expect(namespacesWithPrefix(P).sort()).toEqual(
          Object.keys(lab.namespaces)
            .filter((n) => n !== 'host')
            .sort(),
        )
        works[name]!(lab)
        if (name === 'tutorial-3') expect(natRules().length).toBe(natBefore + 3)

        expect((await labs.plan(lab)).changes).toEqual([])
        const again = await labs.apply(lab)
        expect(again.changes).toEqual([])
        expect(again.commands).toEqual([])

        const gone = await labs.destroy(lab.name)
        expect(gone.changes.length).toBeGreaterThan(0)
        expect(namespacesWithPrefix(P)).toEqual([])
        expect(hostLinksWithPrefix(P)).toEqual([])
        expect(natRules().length).toBe(natBefore)
        expect(sh(['sh', '-c', `ls /run/netns-studio/ | grep -c "^lab-${P}" || true`]).trim()).toBe(
          '0',
        )
        if (name === 'tutorial-3')
          expect(sh(['sysctl', '-n', 'net.ipv4.ip_forward']).trim()).toBe(forwardBefore)
        // Destroyed twice: nothing left to do, nothing fails.
        expect((await labs.destroy(lab.name)).changes).toEqual([])
      } finally {
        // A failed step leaves nothing behind for the next lab either.
        await labs.destroy(lab.name).catch(() => undefined)
        cleanupPrefix(P)
      }
    },
  )
})

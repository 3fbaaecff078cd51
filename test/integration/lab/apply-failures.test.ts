// Applying labs over the real sshd when things go wrong: a step the kernel refuses stops the apply
// and the error names the step, the lab's change and what was left in place (namespaces side by
// side or one after the other); destroy then removes what was made. Hostile values never run.

import { afterAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import { parseLab } from '../../../shared/lab/parse'
import type { Lab } from '../../../shared/lab/types'
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
if (skip) console.warn(`SKIP lab apply failures integration: ${skip}`)

const P = runPrefix()

/** Four namespaces on a bridge; the third has a route whose gateway is on no link. */
function failingLab(name: string): Lab {
  const ns = [1, 2, 3, 4].map((i) => `${P}f${i}`)
  const r = parseLab(
    [
      `name: ${P}${name}`,
      'namespaces:',
      ...ns.map((n) => `  ${n}: {}`),
      'bridges:',
      `  - name: ${P}fbr`,
      'links:',
      ...ns.flatMap((n, i) => [
        '  - endpoints:',
        `      - { ns: ${n}, name: eth0, addresses: [10.235.0.${i + 1}/24] }`,
        `      - { bridge: ${P}fbr, name: ${P}fv${i + 1} }`,
      ]),
      'routes:',
      `  - { ns: ${ns[2]}, to: 10.99.0.0/24, via: 10.98.0.1 }`,
    ].join('\n'),
  )
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  return r.lab
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(AppError)
  return e as AppError
}

describe.skipIf(!!skip)('lab apply failures', () => {
  const ssh = sshTargetForSuite()

  afterAll(() => {
    cleanupPrefix(P)
    sh(['sh', '-c', `rm -f /run/netns-studio/lab-${P}*`])
  })

  it.each([4, 1])(
    'stops at the refused step (%i namespaces at a time), names it and its change, leaves the rest in place; destroy cleans up',
    async (concurrency) => {
      const lab = failingLab(`fail${concurrency}`)
      const labs = new LabService(ssh.target, undefined, { concurrency })
      const e = await failure(labs.apply(lab))
      expect(e.code).toBe('PARTIAL_FAILURE')
      expect(e.message).toMatch(
        new RegExp(
          `^Lab ${P}fail${concurrency}: \\d+ operations stopped at step \\d+ of \\d+: Error: Nexthop has invalid gateway`,
        ),
      )
      expect(e.data).toMatchObject({
        command: `ip -n ${P}f3 route add 10.99.0.0/24 via 10.98.0.1`,
        change: { action: 'create', kind: 'route', name: `${P}f3: 10.99.0.0/24 via 10.98.0.1` },
      })
      const completed = e.data!.completed as string[]
      expect(completed).toContain(`ip netns add ${P}f3`)
      expect(completed).toContain(`ip -n ${P}f3 addr add 10.235.0.3/24 dev eth0`)
      expect(e.detail).toMatch(
        /^Failed: ip -n \S+ route add 10\.99\.0\.0\/24 via 10\.98\.0\.1\nAlready done \(still in place\): /,
      )
      // What it says is in place is in place.
      expect(namespacesWithPrefix(P).sort()).toEqual([1, 2, 3, 4].map((i) => `${P}f${i}`))
      expect(sh(['ip', '-n', `${P}f3`, '-br', 'addr', 'show', 'dev', 'eth0'])).toMatch(
        /10\.235\.0\.3\/24/,
      )

      // The rest of the plan is what did not run: the failed route, and (one namespace after
      // the other) the last namespace's own steps; side by side, those may have run already.
      const rest = (await labs.plan(lab)).changes.map((c) => `${c.action} ${c.kind} ${c.name}`)
      const f4 = [
        `create address ${P}f4:eth0 10.235.0.4/24`,
        `create route ${P}f3: 10.99.0.0/24 via 10.98.0.1`,
        `change link ${P}f4:lo up`,
        `change link ${P}f4:eth0 up`,
      ]
      if (concurrency === 1) expect(rest).toEqual(f4)
      else expect([[f4[1]], f4]).toContainEqual(rest)
      const gone = await labs.destroy(lab.name)
      expect(gone.changes.length).toBeGreaterThan(0)
      expect(namespacesWithPrefix(P)).toEqual([])
      expect(hostLinksWithPrefix(P)).toEqual([])
    },
  )

  it('never runs a lab with a hostile value, even one built in memory', async () => {
    const lab = failingLab('hostile')
    lab.namespaces['a;rm -rf /'] = {}
    lab.links[0]!.endpoints[0].ns = '-n'
    const labs = new LabService(ssh.target)
    const before = labs.log.entries.length
    const e = await failure(labs.apply(lab))
    expect(e.code).toBe('INVALID_ARGUMENT')
    expect(e.message).toBe(
      `Lab ${P}hostile: namespaces["a;rm -rf /"]: Namespace name contains the shell character ";", which is not allowed.`,
    )
    expect((e.data!.errors as Array<{ path: string }>).map((x) => x.path)).toEqual([
      'namespaces["a;rm -rf /"]',
      'links[0].endpoints[0].ns',
    ])
    expect(labs.log.entries.length).toBe(before)
    expect(namespacesWithPrefix(P)).toEqual([])
    const d = await failure(labs.destroy('../../etc/passwd'))
    expect(d.code).toBe('INVALID_ARGUMENT')
  })
})

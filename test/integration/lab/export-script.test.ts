// A lab exported as a plain sh script (labToScript) rebuilds the lab on a clean slate when run by
// sh, with no app involved: the namespaces ping each other; the app's plan then finds nothing to do.

import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILTIN_LABS } from '../../../shared/lab/builtin/index'
import { parseLab } from '../../../shared/lab/parse'
import { labToScript } from '../../../shared/lab/plan'
import { prefixLab } from '../../../shared/lab/prefix'
import { LabService } from '../../../src-main/lab/lab-service'
import { LocalTarget } from '../../../src-main/target/local-target'
import {
  cleanupPrefix,
  hostLinksWithPrefix,
  namespacesWithPrefix,
  runPrefix,
  sh,
} from '../../support/netns'
import { integrationSkipReason } from '../../support/sshd'

const skip = integrationSkipReason()
if (skip) console.warn(`SKIP lab export integration: ${skip}`)

const P = runPrefix()

describe.skipIf(!!skip)('labToScript', () => {
  let target: LocalTarget

  beforeAll(async () => {
    target = new LocalTarget()
    await target.connect()
  })

  afterAll(async () => {
    await target?.close()
    cleanupPrefix(P)
  })

  it('is a script plain sh runs on a clean slate to build a lab that pings', async () => {
    const r = parseLab(BUILTIN_LABS[1]!.yaml)
    if (!r.ok) throw new Error('tutorial 2 does not parse')
    const lab = prefixLab(r.lab, P)
    expect(namespacesWithPrefix(P)).toEqual([])
    const script = labToScript(lab)
    execFileSync('sh', ['-c', script], { stdio: 'pipe' })
    expect(
      sh(['ip', 'netns', 'exec', `${P}red`, 'ping', '-c', '1', '-W', '2', '10.0.0.2']),
    ).toMatch(/1 received/)
    // What the script built is what the lab says: the app finds nothing to change.
    const plan = await new LabService(target).plan(lab)
    expect(plan.changes).toEqual([])
    cleanupPrefix(P)
    expect(namespacesWithPrefix(P)).toEqual([])
    expect(hostLinksWithPrefix(P)).toEqual([])
  })
})

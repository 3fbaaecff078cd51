// Lab benchmarks on a real 100-namespace lab (one bridge, each namespace with a veth port and an
// address), each figure a ratio against a baseline measured in the same run:
// - apply with LabService over SSH vs the tutorials' way: one command per step, run by sh (and,
//   for comparison, the same apply with the in-target helper off: one ip per namespace);
// - plan of the applied lab (snapshot + record + compare) vs a snapshot alone.

import { execFileSync } from 'node:child_process'
import { parseLab } from '../../shared/lab/parse'
import { planLab } from '../../shared/lab/plan'
import { cleanSnapshot } from '../../shared/lab/script'
import type { Lab } from '../../shared/lab/types'
import { opCommands } from '../../shared/net/ops'
import { toShellLine } from '../../shared/net/shell'
import { DEFAULT_LAB_CONCURRENCY, LabService } from '../../src-main/lab/lab-service'
import { NetnsEngine } from '../../src-main/netns/engine'
import { MemoryHostKeyStore } from '../../src-main/target/host-keys'
import { SshTarget } from '../../src-main/target/ssh-target'
import {
  cleanupPrefix,
  hostLinksWithPrefix,
  namespacesWithPrefix,
  runPrefix,
} from '../support/netns'
import { startSshd } from '../support/sshd'

export interface LabFigures {
  lab_apply_ms: number
  lab_apply_ip_lanes_ms: number
  lab_apply_script_ms: number
  lab_apply_speedup_vs_script: number
  lab_plan_ms: number
  lab_plan_snapshot_ms: number
  lab_plan_vs_snapshot: number
}

const N = 100
const ROUNDS = 5

/** The lab as its file would say it: one bridge, N namespaces each with an address on it. */
export function benchLab(p: string): Lab {
  const lines = [`name: ${p}bench`, 'namespaces:']
  for (let i = 0; i < N; i++) lines.push(`  ${p}n${i}: {}`)
  lines.push('bridges:', `  - name: ${p}br`, 'links:')
  for (let i = 0; i < N; i++)
    lines.push(
      '  - endpoints:',
      `      - { ns: ${p}n${i}, name: eth0, addresses: [10.${100 + Math.floor(i / 250)}.${i % 250}.1/8] }`,
      `      - { bridge: ${p}br, name: ${p}v${i} }`,
    )
  const r = parseLab(lines.join('\n'))
  if (!r.ok) throw new Error(`bench lab: ${JSON.stringify(r.errors[0])}`)
  return r.lab
}

/** `ip -n NS args` as the tutorials type it: `ip netns exec NS ip args`. */
function tutorialStyle(argv: string[]): string[] {
  return argv[0] === 'ip' && argv[1] === '-n' && argv[2]
    ? ['ip', 'netns', 'exec', argv[2], 'ip', ...argv.slice(3)]
    : argv
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? NaN
}

async function time(fn: () => unknown): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

const r2 = (x: number): number => Math.round(x * 100) / 100

/** Run the lab benchmarks; prints a line per figure and returns them. A wrong result throws. */
export async function benchLabs(log: (s: string) => void = console.log): Promise<LabFigures> {
  const p = runPrefix()
  const lab = benchLab(p)
  const sshd = await startSshd()
  const target = new SshTarget({ ...sshd, hostKeys: new MemoryHostKeyStore() })
  await target.connect()
  const labs = new LabService(target)
  const ipLanes = new LabService(target, undefined, { helper: false })
  // The baseline: the same steps the lab's plan runs on a clean target, one process each, by sh.
  const plan = planLab(lab, cleanSnapshot(), { nat: 'iptables' })
  const script = plan.ops
    .flatMap((op) => opCommands(op).map((s) => toShellLine(tutorialStyle(s.argv))))
    .join('\n')
  const expectBuilt = (): void => {
    const have = namespacesWithPrefix(p).length
    if (have !== N) throw new Error(`the lab has ${have} namespaces, not ${N}`)
  }
  const destroy = async (service: LabService): Promise<void> => {
    await service.destroy(lab.name)
    if (namespacesWithPrefix(p).length || hostLinksWithPrefix(p).length)
      throw new Error('destroy left namespaces or links behind')
  }
  try {
    // One untimed apply and destroy each way first: what is measured is the app's steady state,
    // not the first call's compiling of its code.
    for (const service of [labs, ipLanes]) {
      await service.apply(lab)
      expectBuilt()
      await destroy(service)
    }
    if ((await labs.engineFor(lab.name).laneRunner()).kind !== 'helper')
      throw new Error('perl cannot run the in-target helper here: the figure would not be its')
    const applies: number[] = []
    const lanes: number[] = []
    const scripts: number[] = []
    for (let k = 0; k < ROUNDS; k++) {
      // In turn, so each is measured as often right after a teardown as the others.
      scripts.push(await time(() => execFileSync('sh', ['-e', '-c', script])))
      expectBuilt()
      cleanupPrefix(p)
      lanes.push(await time(() => ipLanes.apply(lab)))
      expectBuilt()
      await destroy(ipLanes)
      applies.push(await time(() => labs.apply(lab)))
      expectBuilt()
      if (k < ROUNDS - 1) await destroy(labs)
    }
    const apply = median(applies)
    const applyScript = median(scripts)
    const applyLanes = median(lanes)
    const runs = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(', ')
    log(
      `apply a ${N}-namespace lab (${plan.ops.length} ops): LabService over SSH ${apply.toFixed(0)} ms (runs ${runs(applies)}), one command per step by sh ${applyScript.toFixed(0)} ms (runs ${runs(scripts)}) → ${(applyScript / apply).toFixed(2)}x (target ≥10x)`,
    )
    log(
      `  with the in-target helper off (one ip -batch per namespace, ${DEFAULT_LAB_CONCURRENCY} at a time): ${applyLanes.toFixed(0)} ms (runs ${runs(lanes)}) → ${(applyScript / applyLanes).toFixed(2)}x; the helper saves ${(applyLanes - apply).toFixed(0)} ms`,
    )

    // Plan of the applied lab vs a snapshot alone, in turn, median of 7.
    const engine = new NetnsEngine(target)
    const again = await labs.plan(lab)
    if (again.changes.length)
      throw new Error(`the applied lab still plans ${again.changes.length} changes`)
    const plans: number[] = []
    const snaps: number[] = []
    for (let k = 0; k < 7; k++) {
      snaps.push(await time(() => engine.snapshot()))
      plans.push(await time(() => labs.plan(lab)))
    }
    const planMs = median(plans)
    const snapMs = median(snaps)
    log(
      `plan of the applied ${N}-namespace lab ${planMs.toFixed(0)} ms vs a snapshot ${snapMs.toFixed(0)} ms → ${(planMs / snapMs).toFixed(2)}x (target ≤1.3x)`,
    )
    return {
      lab_apply_ms: r2(apply),
      lab_apply_ip_lanes_ms: r2(applyLanes),
      lab_apply_script_ms: r2(applyScript),
      lab_apply_speedup_vs_script: r2(applyScript / apply),
      lab_plan_ms: r2(planMs),
      lab_plan_snapshot_ms: r2(snapMs),
      lab_plan_vs_snapshot: r2(planMs / snapMs),
    }
  } finally {
    await labs.destroy(lab.name).catch(() => undefined)
    await target.close()
    await sshd.stop()
    cleanupPrefix(p)
    execFileSync('sh', ['-c', `rm -f /run/netns-studio/lab-${p}*`])
  }
}

// `node --import tsx test/bench/labs.ts`: this part alone.
if (import.meta.url === `file://${process.argv[1]}`) await benchLabs()

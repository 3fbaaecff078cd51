// Core engine benchmarks on a real lab of 100 namespaces on one bridge, each figure printed as a
// ratio against a baseline measured in the same run:
// - snapshot over SSH (one round trip) vs the local floor (the same reads, run locally, in
//   sequence) and vs one SSH exec per namespace and table (sampled, then extrapolated);
// - building the lab with the engine over SSH vs a tutorial-style script of one `ip` per step.

import { execFileSync } from 'node:child_process'
import { Client } from 'ssh2'
import { HOST_NS } from '../../shared/net/model'
import { opCommands, type NetOp } from '../../shared/net/ops'
import { SNAPSHOT_QUERIES } from '../../shared/net/snapshot-parse'
import { toShellLine } from '../../shared/net/shell'
import { NetnsEngine } from '../../src-main/netns/engine'
import { MemoryHostKeyStore } from '../../src-main/target/host-keys'
import { SshTarget } from '../../src-main/target/ssh-target'
import { cleanupPrefix, runPrefix } from '../support/netns'
import { startSshd, type SshdFixture } from '../support/sshd'

export interface CoreFigures {
  snapshot_ms: number
  snapshot_floor_ms: number
  snapshot_vs_floor: number
  snapshot_per_exec_ms: number
  snapshot_speedup_vs_per_exec: number
  apply_ms: number
  apply_script_ms: number
  apply_speedup_vs_script: number
}

const N = 100

/**
 * The lab: a bridge on the host and N namespaces, each with a veth port and an address, in the
 * order a lab plan applies it (host-side steps first, then each namespace's own), so consecutive
 * steps in one namespace share one `ip -batch`.
 */
function labOps(p: string): NetOp[] {
  const br = `${p}br`
  const idx = [...Array(N).keys()]
  const host: NetOp[] = [
    { op: 'bridge.add', ns: HOST_NS, name: br },
    ...idx.map((i): NetOp => ({ op: 'ns.add', name: `${p}n${i}` })),
    ...idx.map((i): NetOp => ({
      op: 'veth.add',
      name: `${p}v${i}`,
      peer: 'eth0',
      peerNs: `${p}n${i}`,
    })),
    ...idx.map((i): NetOp => ({
      op: 'link.set-master',
      ns: HOST_NS,
      ifname: `${p}v${i}`,
      bridge: br,
    })),
    ...idx.map((i): NetOp => ({
      op: 'link.set-state',
      ns: HOST_NS,
      ifname: `${p}v${i}`,
      up: true,
    })),
  ]
  const inside = idx.flatMap((i): NetOp[] => {
    const ns = `${p}n${i}`
    return [
      { op: 'link.set-state', ns, ifname: 'lo', up: true },
      { op: 'link.set-state', ns, ifname: 'eth0', up: true },
      {
        op: 'addr.add',
        ns,
        ifname: 'eth0',
        cidr: `10.${100 + Math.floor(i / 250)}.${i % 250}.1/8`,
      },
    ]
  })
  return [...host, ...inside]
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

/** One ssh2 exec per command: the naive way, for the per-exec baseline. */
function execOnce(conn: Client, cmd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    conn.exec(cmd, (err, ch) => {
      if (err) return reject(err)
      ch.on('close', () => resolve())
      ch.resume()
      ch.stderr.resume()
    })
  })
}

function connectRaw(sshd: SshdFixture): Promise<Client> {
  return new Promise((resolve, reject) => {
    const c = new Client()
    c.on('ready', () => resolve(c)).on('error', reject)
    c.connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKey: sshd.privateKey,
    })
  })
}

const r2 = (x: number): number => Math.round(x * 100) / 100

/** Run the core benchmarks; prints a line per figure and returns them. */
export async function benchCore(log: (s: string) => void = console.log): Promise<CoreFigures> {
  const p = runPrefix()
  const sshd = await startSshd()
  const target = new SshTarget({ ...sshd, hostKeys: new MemoryHostKeyStore() })
  await target.connect()
  const engine = new NetnsEngine(target, undefined, {
    ownedFile: `/run/netns-studio/owned-${p}bench`,
  })
  const ops = labOps(p)
  try {
    // Baseline for apply: the tutorials' way, one process per step, run locally by sh, with
    // in-namespace steps written as the tutorials write them: `ip netns exec NS ip ...`.
    const script = ops
      .flatMap((o) => opCommands(o).map((s) => toShellLine(tutorialStyle(s.argv))))
      .join('\n')
    const applyScript = await time(() => execFileSync('sh', ['-e', '-c', script]))
    cleanupPrefix(p)
    const apply = await time(() => engine.apply(ops))
    log(
      `apply ${N} namespaces (${ops.length} ops): engine over SSH ${apply.toFixed(0)} ms, one-ip-per-step script locally ${applyScript.toFixed(0)} ms → ${(applyScript / apply).toFixed(2)}x`,
    )

    // Snapshot: one round trip over SSH, median of 5.
    await engine.snapshot()
    const snaps: number[] = []
    for (let i = 0; i < 5; i++) snaps.push(await time(() => engine.snapshot()))
    const snapshot = median(snaps)

    // Floor: the same ip reads run locally, one namespace after another, no SSH, no parsing.
    const names = execFileSync('ip', ['netns', 'list'])
      .toString()
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '')
      .filter(Boolean)
    const input = `${SNAPSHOT_QUERIES.join('\n')}\n`
    const floors: number[] = []
    for (let k = 0; k < 3; k++)
      floors.push(
        await time(() => {
          execFileSync('ip', ['-j', '-d', '-force', '-batch', '-'], { input })
          for (const n of names)
            execFileSync('ip', ['-n', n, '-j', '-d', '-force', '-batch', '-'], { input })
        }),
      )
    const floor = median(floors)

    // Per-exec: one SSH exec per namespace and table; sampled and extrapolated (the full run takes minutes).
    const raw = await connectRaw(sshd)
    const sample = 20
    const perExecSample = await time(async () => {
      for (let i = 0; i < sample; i++)
        await execOnce(raw, `ip netns exec ${p}n${i % N} ip -j -d addr show`)
    })
    raw.end()
    const perExec = (perExecSample / sample) * (names.length + 1) * SNAPSHOT_QUERIES.length
    log(
      `snapshot of ${names.length + 1} namespaces: one round trip ${snapshot.toFixed(0)} ms; local floor ${floor.toFixed(0)} ms (ratio ${(snapshot / floor).toFixed(2)}); one exec per table ${(perExec / 1000).toFixed(1)} s (extrapolated from ${sample} execs) → ${(perExec / snapshot).toFixed(1)}x faster`,
    )

    return {
      snapshot_ms: r2(snapshot),
      snapshot_floor_ms: r2(floor),
      snapshot_vs_floor: r2(snapshot / floor),
      snapshot_per_exec_ms: r2(perExec),
      snapshot_speedup_vs_per_exec: r2(perExec / snapshot),
      apply_ms: r2(apply),
      apply_script_ms: r2(applyScript),
      apply_speedup_vs_script: r2(applyScript / apply),
    }
  } finally {
    await engine.reset().catch(() => undefined)
    await target.close()
    await sshd.stop()
    cleanupPrefix(p)
  }
}

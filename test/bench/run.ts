// `npm run bench`: every benchmark in one run, each printed as a ratio against a baseline
// measured in the same run, then one machine-readable line: BENCH {...}. BENCH_ONLY=streams (a
// comma-separated list of core, render, live, streams, labs) runs only those parts.

import { existsSync } from 'node:fs'
import { benchCore } from './core'

type Figures = Record<string, number | null>

/**
 * A part in its own module (render, live): run it if present, else report nulls and why. A part
 * that fails (a wrong answer included) prints why and makes the whole run fail.
 */
async function optional(file: string, fn: string, keys: string[]): Promise<Figures> {
  const path = new URL(file, import.meta.url)
  const empty = Object.fromEntries(keys.map((k) => [k, null]))
  if (!existsSync(path)) {
    console.log(`(${file} not present: ${keys.join(', ')} not measured)`)
    return empty
  }
  try {
    const mod = (await import(path.href)) as Record<string, () => Promise<Figures>>
    const run = mod[fn]
    if (!run) throw new Error(`${file} does not export ${fn}`)
    return { ...empty, ...(await run()) }
  } catch (e) {
    console.log(`${file} failed: ${e instanceof Error ? e.message : String(e)}`)
    process.exitCode = 1
    return empty
  }
}

const PARTS = ['core', 'render', 'live', 'streams', 'labs']

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('The benchmarks need root (real namespaces and a private sshd).')
    process.exitCode = 1
    return
  }
  const only = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean)
  const unknown = only.filter((p) => !PARTS.includes(p))
  if (unknown.length) {
    console.log(`BENCH_ONLY: unknown part ${unknown.join(', ')} (parts: ${PARTS.join(', ')})`)
    process.exitCode = 1
    return
  }
  const wanted = (part: string): boolean => only.length === 0 || only.includes(part)
  let figures: Figures = {}
  if (wanted('core')) {
    console.log('== core: snapshot and apply, 100 namespaces on one bridge ==')
    figures = { ...figures, ...(await benchCore()) }
  }
  if (wanted('render')) {
    console.log('== render: 200 namespaces / 5,000 rows in Chromium ==')
    const render = await optional('./render.ts', 'benchRender', [
      'render_200ns_ms',
      'panel_switch_ms',
    ])
    figures = { ...figures, ...render }
  }
  if (wanted('live')) {
    console.log('== live: sampler, monitor, reachability matrix ==')
    const live = await optional('./live.ts', 'benchLive', [
      'sampler_cpu_pct',
      'monitor_p95_ms',
      'matrix_100ns_s',
      'mininet_pingall_100_s',
    ])
    figures = { ...figures, ...live }
  }
  if (wanted('streams')) {
    console.log('== streams: 64 MiB of command output and a 256 MiB capture saved, over SSH ==')
    const streams = await optional('./streams.ts', 'benchStreams', [
      'read_64mib_ms',
      'read_per_mib_ratio',
      'save_256mib_ms',
      'save_per_mib_ratio',
      'save_256_vs_64_per_mib_ratio',
      'save_rss_growth_mib',
    ])
    figures = { ...figures, ...streams }
  }
  if (wanted('labs')) {
    console.log('== labs: apply and plan of a 100-namespace lab ==')
    figures = {
      ...figures,
      ...(await optional('./labs.ts', 'benchLabs', [
        'lab_apply_speedup_vs_script',
        'lab_plan_vs_snapshot',
      ])),
    }
  }
  console.log(`BENCH ${JSON.stringify(figures)}`)
}

await main()

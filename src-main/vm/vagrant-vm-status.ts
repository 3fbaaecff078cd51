// Reading the VM's state from `vagrant status`, and the timer that polls it (faster while the VM
// exists, slower when there is none or no vagrant).

import type { VmInfo } from '../../shared/vm/info'
import { parseStatus } from '../../shared/vm/state'
import { logger } from '../log'
import { runFile, type ProcessOptions } from './vagrant-cli'

const log = logger('vm')

/** A status read that failed; the next poll tries again. */
export const statusFailed = (err: unknown): void => log.debug({ err }, 'vagrant status failed')

/** The state fields `vagrant status` gives; all unknown when it gives no answer. */
export async function readVagrantStatus(
  bin: string,
  folder: string,
  env: NodeJS.ProcessEnv,
  o: ProcessOptions,
): Promise<Partial<VmInfo>> {
  const r = await runFile(bin, ['status', '--machine-readable'], {
    cwd: folder,
    env,
    timeoutMs: 120_000,
    platform: o.platform,
    taskkill: o.taskkill,
  })
  const s = parseStatus(r.stdout)
  if (s)
    return {
      vagrantMissing: false,
      state: s.state,
      providerState: s.providerState,
      provider: s.provider,
      checkedAt: Date.now(),
    }
  // No answer (provider daemon down, broken Vagrantfile): do not keep showing a stale state.
  return {
    vagrantMissing: false,
    state: 'unknown',
    providerState: 'unknown',
    checkedAt: Date.now(),
  }
}

/**
 * The wait before the next poll: `base` while the VM exists, six times longer when there is no VM
 * or no vagrant (each status costs vagrant ~1 s of CPU).
 */
export function pollPeriod(base: number, info: VmInfo): number {
  const exists = ['running', 'stopped', 'suspended'].includes(info.state)
  return exists && !info.vagrantMissing ? base : base * 6
}

/** Calls `onTick` again and again, each time after `periodMs()` (read when it is scheduled). */
export class StatusPoller {
  private timer: NodeJS.Timeout | null = null
  private readonly periodMs: () => number
  private readonly onTick: () => void

  constructor(periodMs: () => number, onTick: () => void) {
    this.periodMs = periodMs
    this.onTick = onTick
  }

  /** Started and not stopped since. */
  get active(): boolean {
    return this.timer !== null
  }

  start(): void {
    const tick = (): void => {
      this.timer = setTimeout(() => {
        this.onTick()
        tick()
      }, this.periodMs())
      this.timer.unref()
    }
    tick()
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
}

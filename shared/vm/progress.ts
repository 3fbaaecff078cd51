// Step progress of a Vagrant operation, read from its `--machine-readable` output: which step is
// running (importing the box, creating, starting, waiting for IP/SSH, ...), since when, and percent.

import type { MachineLine } from './machine-readable'
import { stripUiPrefix } from './machine-readable'

/** Lifecycle operations the driver runs. */
export type VmOperation = 'up' | 'halt' | 'reload' | 'destroy' | 'suspend' | 'resume'

/** Steps, in the order an `up` goes through them (later kinds for the other operations). */
export type VmStep =
  | 'preparing'
  | 'box-download'
  | 'box-import'
  | 'creating'
  | 'starting'
  | 'waiting-ip'
  | 'waiting-ssh'
  | 'replacing-key'
  | 'configuring'
  | 'provisioning'
  | 'stopping'
  | 'destroying'
  | 'suspending'
  | 'resuming'
  | 'done'

/** Human labels for steps. */
export const STEP_LABELS: Record<VmStep, string> = {
  preparing: 'Preparing',
  'box-download': 'Downloading the box',
  'box-import': 'Importing the box',
  creating: 'Creating the VM',
  starting: 'Starting the VM',
  'waiting-ip': 'Waiting for an IP address',
  'waiting-ssh': 'Waiting for SSH',
  'replacing-key': 'Replacing the insecure SSH key',
  configuring: 'Configuring the guest',
  provisioning: 'Installing the networking tools',
  stopping: 'Shutting down',
  destroying: 'Deleting the VM',
  suspending: 'Saving the VM state',
  resuming: 'Resuming',
  done: 'Done',
}

/** Recognised messages (after the `==> default:` prefix), first match wins. Several providers. */
const RULES: Array<[RegExp, VmStep]> = [
  [
    /^(Box '.*' could not be found|Adding box|Downloading:|Loading metadata for box)/,
    'box-download',
  ],
  [
    /^(Uploading base box image|Importing base box|Cloning VM|Cloning a new virtual machine|Importing a VMware instance)/,
    'box-import',
  ],
  [
    /^(Creating image \(snapshot|Creating domain|Creating shared folders metadata|Matching MAC address|Setting the name of the VM|Creating and registering the VM)/,
    'creating',
  ],
  [
    /^(Starting domain|Booting VM|Starting the VMware VM|Starting the instance|Starting the machine|Domain launching)/,
    'starting',
  ],
  [
    /^(Waiting for domain to get an IP address|Waiting for the VM to receive an address|Waiting for the instance to report|Waiting for machine to get an IP)/,
    'waiting-ip',
  ],
  [
    /^(Waiting for machine to boot|Waiting for SSH to become available|SSH address:)/,
    'waiting-ssh',
  ],
  [
    /(Vagrant insecure key detected|Inserting generated public key|Removing insecure key)/,
    'replacing-key',
  ],
  [
    /^(Machine booted and ready|Setting hostname|Configuring and enabling network interfaces|Mounting shared folders)/,
    'configuring',
  ],
  [/^(Running provisioner|Running: inline script)/, 'provisioning'],
  [
    /^(Attempting graceful shutdown|Halting domain|Forcing shutdown|Stopping the VMware VM|Stopping the machine|Shutting down)/,
    'stopping',
  ],
  [
    /^(Removing domain|Destroying VM|Deleting the machine|Destroying unused networking|Deleting the VM|Removing the VM)/,
    'destroying',
  ],
  [/^(Suspending domain|Saving VM state|Suspending the machine|Pausing the VM)/, 'suspending'],
  [/^(Resuming domain|Resuming suspended VM|Resuming the machine|Restoring domain)/, 'resuming'],
]

/** The step a UI message announces, or null. */
export function stepForMessage(message: string): VmStep | null {
  for (const [re, step] of RULES) if (re.test(message)) return step
  return null
}

/** Percent from a `Progress: 34% (Rate: ...)` line, or null. */
export function percentFrom(message: string): number | null {
  const m = /^Progress: (\d{1,3})%/.exec(message)
  return m ? Math.min(100, Number(m[1])) : null
}

/**
 * Rate and time left from Vagrant's download line (lib/vagrant/util/curl_helper.rb: "Progress:
 * 45% (Rate: 1234k/s, Estimated time remaining: 0:01:02)"); null parts when absent or "--:--:--".
 */
export function transferFrom(message: string): { rate: string | null; remaining: string | null } {
  const rate = /Rate: ([^,)]+)/.exec(message)?.[1]?.trim() ?? null
  const left = /Estimated time remaining: ([^)]+)/.exec(message)?.[1]?.trim() ?? null
  return {
    rate: rate && !/^0\*?\/s$/.test(rate) ? rate : null,
    remaining: left && /\d/.test(left) ? left : null,
  }
}

/** The message of a plain-output line: without Vagrant's `==> NAME: ` / `    NAME: ` prefix. */
export function plainMessage(line: string): string {
  return line.replace(/^(?:==> |\s+)[\w.-]+: /, '').trim()
}

/** A progress update, as the UI receives it. */
export interface VmProgress {
  op: VmOperation
  step: VmStep
  label: string
  /** The message that announced the step (without the machine prefix). */
  message: string
  /** Steps seen so far in this operation, in order (each once). */
  steps: VmStep[]
  /** Download/upload percent when Vagrant reports it, else null. */
  percent: number | null
  /** The download's rate ("1940k/s") and time left ("0:00:03") while Vagrant reports them. */
  transfer?: { rate: string | null; remaining: string | null } | null
  /** Epoch ms when the operation and the current step started. */
  startedAt: number
  stepStartedAt: number
  /** Time since the operation started, in ms. */
  elapsedMs: number
}

/**
 * Follows one operation's output. `feed` returns a new progress when the step or percent changed,
 * else null; `finish` marks the step `done`.
 */
export class ProgressTracker {
  private step: VmStep = 'preparing'
  private readonly seen: VmStep[] = ['preparing']
  private message = ''
  private percent: number | null = null
  private transfer: VmProgress['transfer'] = null
  private stepStartedAt: number

  constructor(
    readonly op: VmOperation,
    readonly startedAt: number,
  ) {
    this.stepStartedAt = startedAt
  }

  /** The current progress. */
  current(now: number): VmProgress {
    return {
      op: this.op,
      step: this.step,
      label: STEP_LABELS[this.step],
      message: this.message,
      steps: [...this.seen],
      percent: this.percent,
      transfer: this.transfer,
      startedAt: this.startedAt,
      stepStartedAt: this.stepStartedAt,
      elapsedMs: Math.max(0, now - this.startedAt),
    }
  }

  feed(line: MachineLine, now: number): VmProgress | null {
    if (line.type !== 'ui') return null
    return this.onMessage(stripUiPrefix(line.data.slice(1).join(','), line.target), now)
  }

  /** A line of plain (not machine-readable) output, e.g. from a Vagrant without that mode. */
  feedPlain(line: string, now: number): VmProgress | null {
    return this.onMessage(plainMessage(line), now)
  }

  private onMessage(msg: string, now: number): VmProgress | null {
    const pct = percentFrom(msg)
    if (pct !== null) {
      const transfer = transferFrom(msg)
      if (pct === this.percent && transfer.remaining === this.transfer?.remaining) return null
      this.percent = pct
      this.transfer = transfer
      return this.current(now)
    }
    const step = stepForMessage(msg)
    if (step === null || step === this.step) return null
    this.enter(step, msg, now)
    return this.current(now)
  }

  /** Enter a step the driver starts itself (e.g. box-download before `vagrant box add`). */
  begin(step: VmStep, message: string, now: number): VmProgress {
    if (step !== this.step) this.enter(step, message, now)
    return this.current(now)
  }

  finish(now: number): VmProgress {
    this.enter('done', '', now)
    return this.current(now)
  }

  private enter(step: VmStep, msg: string, now: number): void {
    this.step = step
    this.message = msg.split('\n')[0] ?? ''
    this.percent = null
    this.transfer = null
    this.stepStartedAt = now
    if (!this.seen.includes(step)) this.seen.push(step)
  }
}

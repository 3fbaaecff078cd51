// What the UI knows about the VM at any moment (state, running operation, progress, last failure,
// notices) and the steps each operation is expected to go through. Pure types and helpers.

import type { VmFailure } from './failure'
import type { VmOperation, VmProgress, VmStep } from './progress'
import type { VmState } from './state'

/** A message the UI keeps until dismissed, e.g. that a reboot dropped every namespace. */
export interface VmNotice {
  code: 'namespaces-lost'
  message: string
  /** Epoch ms. */
  at: number
}

/** The VM as the UI shows it. */
export interface VmInfo {
  /** VM name (its folder under the app's data folder). */
  name: string
  state: VmState
  /** The provider's own word, e.g. "shutoff"; "unknown" before the first status. */
  providerState: string
  provider: string | null
  /** Vagrant is missing: operations are refused with VAGRANT_MISSING. */
  vagrantMissing: boolean
  /** The operation running now, and its progress. */
  op: VmOperation | null
  progress: VmProgress | null
  /** The last operation's failure (or cancel), until the next operation starts. */
  failure: VmFailure | null
  notice: VmNotice | null
  /** The folder with the VM's Vagrantfile. */
  folder: string
  /** Epoch ms of the last status read. */
  checkedAt: number | null
}

/** How an operation ended; failures are values (the UI shows them), not errors. */
export interface VmOpResult {
  outcome: 'done' | 'failed' | 'cancelled'
  state: VmState
  failure: VmFailure | null
  durationMs: number
}

/** The steps each operation normally shows, in order (optional ones may be skipped). */
export const EXPECTED_STEPS: Record<VmOperation, VmStep[]> = {
  up: [
    'preparing',
    'box-import',
    'creating',
    'starting',
    'waiting-ip',
    'waiting-ssh',
    'configuring',
    'provisioning',
    'done',
  ],
  reload: ['preparing', 'stopping', 'starting', 'waiting-ip', 'waiting-ssh', 'configuring', 'done'],
  halt: ['preparing', 'stopping', 'done'],
  destroy: ['preparing', 'destroying', 'done'],
  suspend: ['preparing', 'suspending', 'done'],
  resume: ['preparing', 'resuming', 'waiting-ssh', 'done'],
}

/** The text of the notice after a reboot: namespaces live in /run/netns, a tmpfs. */
export const NAMESPACES_LOST_MESSAGE =
  'The VM has restarted, so the namespaces, links and routes made before are gone (they live in memory, in /run/netns). Re-create them, or replay the exported command log.'

/**
 * Whether an operation that just succeeded rebooted a guest that had run before: then every
 * namespace made before is gone. A first boot (from not_created) and a resume keep nothing to lose.
 */
export function rebootLosesNamespaces(op: VmOperation, before: VmState): boolean {
  if (op === 'reload') return true
  if (op === 'up') return before === 'stopped' || before === 'unknown'
  return false
}

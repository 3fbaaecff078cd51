// Builders for the VM side of renderer tests: VmInfo, progress and preflight reports shaped as main
// sends them. The provider facts come from a real preflight on a Debian host with libvirt
// (test/fixtures/vagrant/ui-preflight-ok.json); the box choice is added in the current contract.

import type { VmInfo } from '@shared/vm/info'
import type { VmFailure } from '@shared/vm/failure'
import type { BoxChoice, PreflightProblem, PreflightReport } from '@shared/vm/preflight'
import type { VmOperation, VmProgress, VmStep } from '@shared/vm/progress'
import { STEP_LABELS } from '@shared/vm/progress'
import preflightOkRaw from '../../../fixtures/vagrant/ui-preflight-ok.json?raw'

/** A VM as `vm:state` reports it (not created, idle, libvirt), with changes. */
export function vmInfo(o: Partial<VmInfo> = {}): VmInfo {
  return {
    name: 'default',
    state: 'not_created',
    providerState: 'not_created',
    provider: 'libvirt',
    vagrantMissing: false,
    op: null,
    progress: null,
    failure: null,
    notice: null,
    folder: '/var/lib/netns-studio/vms/default',
    checkedAt: 1_800_000_000_000,
    ...o,
  }
}

/** Progress of `op` now at `step`, having seen `seen` before it; `at` is its start (epoch ms). */
export function progressAt(
  op: VmOperation,
  seen: VmStep[],
  o: Partial<VmProgress> & { at?: number } = {},
): VmProgress {
  const at = o.at ?? 1_800_000_000_000
  const step = seen[seen.length - 1] ?? 'preparing'
  return {
    op,
    step,
    label: STEP_LABELS[step],
    message: '',
    steps: seen,
    percent: null,
    startedAt: at,
    stepStartedAt: at,
    elapsedMs: 0,
    ...o,
  }
}

/** The recommended box for libvirt on amd64, not downloaded yet, ~550 MB. */
export function boxChoice(o: Partial<BoxChoice> = {}): BoxChoice {
  return {
    name: 'generic/debian12',
    provider: 'libvirt',
    arch: 'amd64',
    custom: false,
    present: false,
    downloadMB: 550,
    ...o,
  }
}

/** A real preflight report (libvirt usable, VirtualBox not), with a box and problems. */
export function report(
  o: { box?: BoxChoice | null; problems?: PreflightProblem[] } & Partial<PreflightReport> = {},
): PreflightReport {
  const base = JSON.parse(preflightOkRaw) as PreflightReport
  const problems = o.problems ?? []
  return {
    ...base,
    box: boxChoice(),
    ...o,
    problems,
    ok: o.ok ?? !problems.some((p) => p.severity === 'error'),
  }
}

/** A boot failure as main keeps it in VmInfo.failure. */
export function failure(o: Partial<VmFailure> = {}): VmFailure {
  return {
    op: 'up',
    step: 'starting',
    exitCode: 1,
    signal: null,
    cancelled: false,
    errorType: 'Vagrant::Errors::VagrantError',
    errorMessage:
      'Call to virDomainCreateWithFlags failed: internal error: qemu unexpectedly closed',
    tail: ['==> default: Starting domain.', 'Error while activating network'],
    hint: null,
    at: 1_800_000_060_000,
    durationMs: 60_000,
    ...o,
  }
}

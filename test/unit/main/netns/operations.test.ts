// How operations become round trips: consecutive ip steps in one namespace share one
// `ip -batch`, and a failing batch line is mapped back to the step the user asked for.

import { describe, expect, it } from 'vitest'
import { HOST_NS } from '../../../../shared/net/model'
import { opCommands, type NetOp } from '../../../../shared/net/ops'
import { failedBatchLine, outcomes, toUnits } from '../../../../src-main/netns/operations'

const steps = (ops: NetOp[]) => ops.flatMap((o) => opCommands(o))

describe('toUnits', () => {
  it('batches consecutive ip steps per namespace and keeps order', () => {
    const units = toUnits(
      steps([
        { op: 'ns.add', name: 'a' },
        { op: 'ns.add', name: 'b' },
        { op: 'addr.add', ns: 'a', ifname: 'v0', cidr: '10.0.0.1/28' },
        { op: 'link.set-state', ns: 'a', ifname: 'v0', up: true },
        { op: 'forwarding.set', ns: HOST_NS, enabled: true },
        { op: 'link.set-state', ns: 'b', ifname: 'v1', up: true },
      ]),
    )
    expect(units.map((u) => u.argv.join(' '))).toEqual([
      'ip -batch -',
      'ip -n a -batch -',
      'sysctl -w net.ipv4.ip_forward=1',
      'ip -n b -batch -',
    ])
    expect(units[0]?.stdin).toBe('netns add a\nnetns add b\n')
    expect(units[1]?.stdin).toBe('addr add 10.0.0.1/28 dev v0\nlink set dev v0 up\n')
  })

  it('does not batch a step whose ip arguments start with an option (-6)', () => {
    const units = toUnits(steps([{ op: 'route.add', ns: 'a', dst: 'default', via: 'fd00::1' }]))
    expect(units[0]?.argv).toEqual([
      'ip',
      '-n',
      'a',
      '-6',
      'route',
      'add',
      'default',
      'via',
      'fd00::1',
    ])
    expect(units[0]?.stdin).toBeUndefined()
  })
})

describe('failedBatchLine', () => {
  it('reads the line of a kernel error from "Command failed -:N"', () => {
    expect(failedBatchLine('RTNETLINK answers: File exists\nCommand failed -:2\n')).toBe(2)
  })
  it('finds an argument error by the word ip complains about', () => {
    const lines = [
      ['link', 'set', 'dev', 'v0', 'up'],
      ['addr', 'add', '10.0.0.300/24', 'dev', 'v0'],
    ]
    expect(failedBatchLine('Error: argument "10.0.0.300/24" is wrong: ...', lines)).toBe(2)
  })
  it('says null when it cannot tell', () => {
    expect(failedBatchLine('Segmentation fault')).toBeNull()
  })
})

describe('outcomes', () => {
  it('marks steps before the failing line done, the failing one failed, the rest not run', () => {
    const units = toUnits(
      steps([
        { op: 'ns.add', name: 'a' },
        { op: 'ns.add', name: 'b' },
        { op: 'ns.add', name: 'c' },
      ]),
    )
    const out = outcomes(units, [
      {
        argv: [],
        exitCode: 1,
        stdout: '',
        stderr: 'Cannot create namespace file "/run/netns/b": File exists\nCommand failed -:2\n',
        durationMs: 9,
      },
    ])
    expect(out.map((o) => o.exitCode)).toEqual([0, 1, null])
    expect(out[1]?.stderr).toBe('Cannot create namespace file "/run/netns/b": File exists\n')
  })

  it('marks units after a failed one as not run', () => {
    const units = toUnits(
      steps([
        { op: 'ns.add', name: 'a' },
        { op: 'forwarding.set', ns: HOST_NS, enabled: true },
      ]),
    )
    const out = outcomes(units, [{ argv: [], exitCode: 2, stdout: '', stderr: 'x', durationMs: 1 }])
    expect(out.map((o) => o.exitCode)).toEqual([2, null])
  })
})

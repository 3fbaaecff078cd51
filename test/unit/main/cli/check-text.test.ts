// The text `netns-studio check` prints: one ✓/✗ line per check with what the kernel showed, the
// hint under a failed check (under every check with --verbose), and the count.

import { describe, expect, it } from 'vitest'
import { checkText } from '../../../../src-main/cli/commands/check'

const report = {
  passed: 1,
  failed: 1,
  checks: [
    { name: 'ns1 exists', ok: true, detail: 'namespace ns1 exists' },
    {
      name: 'veth1 is up',
      ok: false,
      detail: 'veth1 in ns2 is administratively down (state DOWN, flags BROADCAST,MULTICAST)',
      hint: 'ip -n ns2 link set dev veth1 up',
    },
  ],
}
const hints = new Map([
  ['ns1 exists', 'ip netns add ns1'],
  ['veth1 is up', 'ip -n ns2 link set dev veth1 up'],
])

describe('check text', () => {
  it('prints each check on a line, the hint under a failure, and the count', () => {
    expect(checkText('t1', report, { all: false, of: hints })).toBe(
      [
        '✓ ns1 exists: namespace ns1 exists',
        '✗ veth1 is up: veth1 in ns2 is administratively down (state DOWN, flags BROADCAST,MULTICAST)',
        '    hint: ip -n ns2 link set dev veth1 up',
        'Lab t1: 1 of 2 checks passed, 1 failed.',
        '',
      ].join('\n'),
    )
  })

  it('with --verbose, every check’s hint', () => {
    expect(checkText('t1', report, { all: true, of: hints })).toContain(
      '✓ ns1 exists: namespace ns1 exists\n    hint: ip netns add ns1\n',
    )
  })

  it('says when a lab has no checks', () => {
    expect(checkText('t1', { passed: 0, failed: 0, checks: [] }, { all: false, of: hints })).toBe(
      'Lab t1 has no checks.\n',
    )
  })
})

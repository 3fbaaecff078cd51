// The probe script of lab checks, run by a real sh: each probe's argv reaches its program exactly
// as given (no value is ever parsed by the shell, parameters past 9 included), a UDP probe is fed
// its line on stdin, and every exit code and output (newlines, non-ASCII) comes back framed.

import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  commandProbe,
  parseProbeOutput,
  portProbe,
  probeScript,
  reachProbe,
  type Probe,
} from '../../../../src-main/lab/check-probes'

/** Run the script as runProbes does, with `sh -c SCRIPT sh PARAMS…`, and parse what it prints. */
function run(probes: Array<Pick<Probe, 'argv' | 'feed'>>, concurrency = 4) {
  const params = probes.flatMap((p) => [String(p.argv.length), p.feed ? '1' : '0', ...p.argv])
  const stdout = execFileSync('sh', ['-c', probeScript(concurrency), 'sh', ...params], {
    encoding: 'utf8',
  })
  return parseProbeOutput(stdout)
}

describe('check probes', () => {
  it('runs each argv as given and returns exit code, stdout and stderr of each, in order', () => {
    const hostile = '$(touch /tmp/nss-probe-pwned) `id` "q" \'s\' ; | & * \\'
    const many = Array.from({ length: 12 }, (_, i) => `a${i + 1}`)
    const got = run(
      [
        { argv: ['printf', '%s\n', 'line one', 'ünï €'] },
        { argv: ['sh', '-c', 'echo oops >&2; exit 3'] },
        { argv: ['cat'], feed: true },
        { argv: ['printf', '%s', hostile] },
        { argv: ['printf', '%s,', ...many] },
        { argv: ['cat'] },
      ],
      2,
    )
    expect(got.get(0)).toEqual({ exitCode: 0, stdout: 'line one\nünï €\n', stderr: '' })
    expect(got.get(1)).toEqual({ exitCode: 3, stdout: '', stderr: 'oops\n' })
    expect(got.get(2)).toEqual({ exitCode: 0, stdout: 'netns-studio probe\n', stderr: '' })
    expect(got.get(3)!.stdout).toBe(hostile)
    expect(existsSync('/tmp/nss-probe-pwned')).toBe(false)
    expect(got.get(4)!.stdout).toBe(`${many.join(',')},`)
    // a probe that is not fed reads nothing (stdin is /dev/null), so it cannot hang
    expect(got.get(5)).toEqual({ exitCode: 0, stdout: '', stderr: '' })
    expect(got.size).toBe(6)
  })

  it('names a program that cannot be started with its exit code (timeout says why)', () => {
    const got = run([{ argv: ['timeout', '5', '/nonexistent/probe'] }])
    expect(got.get(0)!.exitCode).toBe(127)
    expect(got.get(0)!.stderr).toMatch(/^timeout: failed to run command/)
  })

  it('builds bounded probes: ping with a deadline, socat with a connect timeout, a command under timeout', () => {
    expect(reachProbe({ from: 'a', count: 3 }, '10.0.0.2').argv).toEqual(
      ['ip', 'netns', 'exec', 'a', 'timeout', '--verbose', '-k', '1', '5'].concat([
        'ping',
        '-4',
        '-n',
        '-q',
        '-c',
        '3',
        '-i',
        '0.2',
        '-W',
        '1',
        '-w',
        '3',
        '10.0.0.2',
      ]),
    )
    expect(portProbe({ from: 'host', to: 'fd00::2', port: 80 }).argv).toEqual([
      'timeout',
      '--verbose',
      '-k',
      '1',
      '5',
      'socat',
      '-u',
      'OPEN:/dev/null',
      'TCP6:[fd00::2]:80,connect-timeout=3',
    ])
    const udp = portProbe({ from: 'b', to: '10.0.0.2', port: 53, protocol: 'udp', timeoutS: 1 })
    expect(udp.feed).toBe(true)
    expect(udp.argv.slice(-7)).toEqual(['socat', '-t', '1', '-T', '1', '-', 'UDP4:10.0.0.2:53'])
    expect(commandProbe({ ns: 'c', argv: ['ip', '-br', 'link'], timeoutS: 2 }).argv).toEqual([
      'ip',
      'netns',
      'exec',
      'c',
      'timeout',
      '--verbose',
      '-k',
      '1',
      '2',
      'ip',
      '-br',
      'link',
    ])
  })

  it('reads back only framed results (a probe that never reported is absent)', () => {
    const got = parseProbeOutput('noise\n@@P 2 x\n\n\n@@P 1 0\nb2s=\n\n')
    expect(got.get(1)).toEqual({ exitCode: null, stdout: '', stderr: '' })
    expect(got.get(0)).toEqual({ exitCode: 0, stdout: 'ok', stderr: '' })
    expect(got.has(2)).toBe(false)
  })
})

// Vagrant output parsers, on real outputs captured from Vagrant 2.3.4 + vagrant-libvirt runs here.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  LineSplitter,
  parseMachineLine,
  parseMachineOutput,
  stripUiPrefix,
  unescapeField,
} from '../../../../shared/vm/machine-readable'
import { ProgressTracker } from '../../../../shared/vm/progress'
import { parseSshConfig, sshConfigFor } from '../../../../shared/vm/ssh-config'
import { allowedOps, normalizeState, parseStatus } from '../../../../shared/vm/state'

const fixture = (name: string): string =>
  readFileSync(join(import.meta.dirname, '../../../fixtures/vagrant', name), 'utf8')

describe('machine-readable lines', () => {
  it('splits fields and unescapes commas and newlines', () => {
    const m = parseMachineLine(
      '1795381298,default,state-human-long,The Libvirt domain is running. To stop this machine%!(VAGRANT_COMMA) you can run\\n`vagrant halt`.',
    )
    expect(m).toEqual({
      timestamp: 1795381298,
      target: 'default',
      type: 'state-human-long',
      data: ['The Libvirt domain is running. To stop this machine, you can run\n`vagrant halt`.'],
    })
  })

  it('keeps an empty target for global lines and splits error-exit into type and message', () => {
    const m = parseMachineLine(
      '1795381341,,error-exit,Vagrant::Errors::BoxAddShortNotFound,The box%!(VAGRANT_COMMA) x',
    )
    expect(m?.target).toBe('')
    expect(m?.data).toEqual(['Vagrant::Errors::BoxAddShortNotFound', 'The box, x'])
  })

  it('rejects lines that are not machine-readable', () => {
    expect(parseMachineLine('Vagrant failed to initialize at a very early stage:')).toBeNull()
    expect(parseMachineLine('')).toBeNull()
    expect(parseMachineLine('12,default,ui')).toBeNull()
    expect(unescapeField('a%!(VAGRANT_COMMA)b\\nc')).toBe('a,b\nc')
  })

  it('strips the machine prefix from every line of a message', () => {
    expect(stripUiPrefix('==> default: Creating domain...', 'default')).toBe('Creating domain...')
    expect(
      stripUiPrefix(
        '    default: \n    default: Inserting generated public key within guest...',
        'default',
      ),
    ).toBe('Inserting generated public key within guest...')
    expect(stripUiPrefix('Progress: 21% (Rate: 253M/s)', 'default')).toBe(
      'Progress: 21% (Rate: 253M/s)',
    )
  })

  it('reassembles lines split across chunks, CRLF included', () => {
    const s = new LineSplitter()
    expect(s.push('1795381196,default,act')).toEqual([])
    expect(s.push('ion,up,start\r\n179538')).toEqual(['1795381196,default,action,up,start'])
    expect(s.push('1197,default,ui,info,x\n')).toEqual(['1795381197,default,ui,info,x'])
    expect(s.push('tail')).toEqual([])
    expect(s.flush()).toEqual(['tail'])
    expect(s.flush()).toEqual([])
  })

  it('ends a line at a lone CR (plain progress output), drops ANSI clears, and keeps CRLF as one break across chunks', () => {
    const s = new LineSplitter()
    expect(s.push('a\r')).toEqual([])
    expect(s.push('\nb\r\x1b[KProgress: 1%\r\x1b[KProgress: 2%')).toEqual([
      'a',
      'b',
      'Progress: 1%',
    ])
    expect(s.flush()).toEqual(['Progress: 2%'])
  })

  it('caps a runaway line and resumes at the next break', () => {
    const s = new LineSplitter(10)
    expect(s.push('0123456789ABCDEF')).toEqual(['0123456789 …[line cut]'])
    expect(s.push('GHIJ')).toEqual([])
    expect(s.push('KL\nnext\n')).toEqual(['next'])
    expect(s.push('x'.repeat(25) + '\nok\n')).toEqual(['xxxxxxxxxx …[line cut]', 'ok'])
  })
})

describe('vagrant status', () => {
  it('reads running, shutoff and not_created from real outputs', () => {
    const running = parseStatus(fixture('status-running.txt'))
    expect(running).toMatchObject({
      machine: 'default',
      state: 'running',
      providerState: 'running',
      provider: 'libvirt',
    })
    expect(running?.description).toContain('To stop this machine, you can run\n`vagrant halt`')
    expect(parseStatus(fixture('status-shutoff.txt'))).toMatchObject({
      state: 'stopped',
      providerState: 'shutoff',
    })
    expect(parseStatus(fixture('status-not-created.txt'))).toMatchObject({
      state: 'not_created',
      providerState: 'not_created',
    })
  })

  it("maps other providers' words", () => {
    expect(normalizeState('poweroff')).toBe('stopped')
    expect(normalizeState('aborted')).toBe('stopped')
    expect(normalizeState('saved')).toBe('suspended')
    expect(normalizeState('inaccessible')).toBe('unknown')
    expect(parseStatus('not machine readable at all')).toBeNull()
    expect(allowedOps('not_created')).toEqual(['up'])
    expect(allowedOps('running')).toContain('halt')
  })
})

describe('vagrant ssh-config', () => {
  it('gives host, port, user and identity file from a real output', () => {
    const c = sshConfigFor(fixture('ssh-config.txt'), 'default')
    expect(c).toMatchObject({
      alias: 'default',
      hostName: '127.0.0.1',
      port: 22222,
      user: 'vagrant',
    })
    expect(c?.identityFiles).toEqual([
      '/var/tmp/nsvm1/.vagrant/machines/default/libvirt/private_key',
    ])
    expect(c?.options.identitiesonly).toBe('yes')
  })

  it('handles quoted paths, several hosts and incomplete blocks', () => {
    const text = [
      'Host a',
      '  HostName 127.0.0.1',
      '  User vagrant',
      '  Port 2200',
      '  IdentityFile "/Users/me/VM folder/private_key"',
      '  IdentityFile /home/me/.vagrant.d/insecure_private_key',
      '',
      'Host b',
      '  HostName 127.0.0.1',
      '  User vagrant',
      'Host c',
      '  HostName=10.0.0.2',
      '  User root',
      '  Port 22',
    ].join('\r\n')
    const all = parseSshConfig(text)
    expect(all.map((c) => c.alias)).toEqual(['a', 'c'])
    expect(all[0]?.identityFiles).toEqual([
      '/Users/me/VM folder/private_key',
      '/home/me/.vagrant.d/insecure_private_key',
    ])
    expect(all[1]).toMatchObject({ hostName: '10.0.0.2', port: 22 })
    expect(sshConfigFor(text, 'zzz')).toBeNull()
  })
})

describe('step progress', () => {
  const run = (
    name: string,
    op: 'up' | 'halt' | 'destroy',
  ): ReturnType<ProgressTracker['current']>[] => {
    const lines = parseMachineOutput(fixture(name))
    const t0 = (lines[0]?.timestamp ?? 0) * 1000
    const tr = new ProgressTracker(op, t0)
    const out = lines.flatMap((l) => tr.feed(l, l.timestamp * 1000) ?? [])
    out.push(tr.finish((lines.at(-1)?.timestamp ?? 0) * 1000))
    return out
  }

  it('follows a first `up` through its steps in order, with elapsed time', () => {
    const ps = run('up-first.txt', 'up')
    expect(ps.map((p) => p.step)).toEqual([
      'box-import',
      'creating',
      'starting',
      'waiting-ip',
      'waiting-ssh',
      'replacing-key',
      'configuring',
      'provisioning',
      'done',
    ])
    const last = ps.at(-1)!
    expect(last.steps[0]).toBe('preparing')
    expect(last.elapsedMs).toBe(92_000)
    expect(ps.find((p) => p.step === 'waiting-ssh')?.message).toBe(
      'Waiting for machine to boot. This may take a few minutes...',
    )
  })

  it('sees shutdown in a halt', () => {
    expect(run('halt.txt', 'halt').map((p) => p.step)).toEqual(['stopping', 'done'])
  })

  it('follows a real catalog download: box-download with percent, rate and time left, in both output modes', () => {
    const tr = new ProgressTracker('up', 0)
    const mr = parseMachineOutput(fixture('box-add-download.txt')).flatMap(
      (l) => tr.feed(l, 1) ?? [],
    )
    expect(mr[0]?.step).toBe('box-download')
    expect(mr.filter((p) => p.percent !== null).map((p) => p.percent)).toEqual([0, 19, 53, 86])
    expect(mr.at(-1)?.transfer).toEqual({ rate: '1944k/s', remaining: '0:00:01' })
    expect(mr.find((p) => p.percent === 0)?.transfer).toEqual({ rate: null, remaining: null })

    const plain = new ProgressTracker('up', 0)
    const split = new LineSplitter()
    const lines = [...split.push(fixture('box-add-download-plain.txt')), ...split.flush()]
    const ps = lines.flatMap((l) => plain.feedPlain(l, 1) ?? [])
    expect(ps[0]?.step).toBe('box-download')
    expect(ps.filter((p) => p.percent !== null).map((p) => p.percent)).toEqual([0, 13, 46, 79])
  })

  it('reports percent from Progress lines', () => {
    const tr = new ProgressTracker('up', 0)
    const lines = parseMachineOutput(fixture('box-add.txt'))
    const pct = lines.flatMap((l) => tr.feed(l, 1) ?? []).filter((p) => p.percent !== null)
    expect(pct.map((p) => p.percent)).toEqual([0, 21])
  })
})

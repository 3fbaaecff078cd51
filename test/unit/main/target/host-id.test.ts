// Canonical host-key ids: one pin per (host, port), however the user spells the host.

import { describe, expect, it } from 'vitest'
import { AppError } from '../../../../shared/errors'
import { hostKeyId, legacyPinKey } from '../../../../src-main/target/host-id'

describe('hostKeyId', () => {
  it('lower-cases names and makes the default port explicit', () => {
    expect(hostKeyId('ssh', 'LOCALHOST', 22)).toBe('ssh:localhost:22')
    expect(hostKeyId('ssh', 'localhost')).toBe('ssh:localhost:22')
    expect(hostKeyId('ssh', 'Lab-1.Example.ORG', 2222)).toBe('ssh:lab-1.example.org:2222')
  })

  it('writes IPv6 compressed, lower-case and in brackets, with or without brackets given', () => {
    const forms = ['::1', '[::1]', '0:0:0:0:0:0:0:1', '[0000:0000::0001]']
    expect(new Set(forms.map((h) => hostKeyId('ssh', h)))).toEqual(new Set(['ssh:[::1]:22']))
    expect(hostKeyId('ssh', 'FE80:0:0:0:0:0:0:ABCD', 2200)).toBe('ssh:[fe80::abcd]:2200')
  })

  it('gives IPv4 in dotted-quad form, so short forms the resolver accepts pin the same key', () => {
    expect(hostKeyId('ssh', '127.0.0.1', 2222)).toBe('ssh:127.0.0.1:2222')
    expect(hostKeyId('ssh', '127.1', 2222)).toBe('ssh:127.0.0.1:2222')
    expect(hostKeyId('vm', '127.0.0.1', 2222)).toBe('vm:127.0.0.1:2222')
  })

  it('keeps different hosts and ports apart', () => {
    expect(hostKeyId('ssh', '::1')).not.toBe(hostKeyId('ssh', '127.0.0.1'))
    expect(hostKeyId('ssh', 'localhost', 22)).not.toBe(hostKeyId('ssh', 'localhost', 2222))
    expect(hostKeyId('ssh', 'a.example')).not.toBe(hostKeyId('vm', 'a.example'))
  })

  it.each([
    ['', 22],
    ['a/b', 22],
    ['user@host', 22],
    ['host name', 22],
    ['[::1', 22],
    ['fe80::1%eth0', 22],
    ['::1::2', 22],
    ['x'.repeat(254), 22],
    ['localhost', 0],
    ['localhost', 65536],
    ['localhost', 22.5],
  ])('refuses host %j port %j with INVALID_ARGUMENT', (host, port) => {
    let err: unknown
    try {
      hostKeyId('ssh', host, port)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('INVALID_ARGUMENT')
  })
})

describe('legacyPinKey', () => {
  it('maps the old "host:port" keys to canonical ssh ids and leaves current ids alone', () => {
    expect(legacyPinKey('127.0.0.1:2222')).toBe('ssh:127.0.0.1:2222')
    expect(legacyPinKey('LOCALHOST:22')).toBe('ssh:localhost:22')
    expect(legacyPinKey('::1:22')).toBe('ssh:[::1]:22')
    expect(legacyPinKey('ssh:[::1]:22')).toBeNull()
    expect(legacyPinKey('vm:default')).toBeNull()
    expect(legacyPinKey('not a key')).toBeNull()
  })
})

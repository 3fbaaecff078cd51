// `save --ns`'s cut of a snapshot (chosen namespaces whole, the root only where it joins them, no
// veth left pointing at a namespace left out) and how failures map to exit codes and text.

import { CommanderError } from 'commander'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../../../shared/errors'
import type { NetLink, NetNamespace, Snapshot } from '../../../../shared/net/model'
import { CliError, describeFailure, EXIT } from '../../../../src-main/cli/errors'
import { selectNamespaces } from '../../../../src-main/cli/select'

function link(ifname: string, kind: NetLink['kind'], extra: Partial<NetLink> = {}): NetLink {
  return {
    ifindex: 1,
    ifname,
    kind,
    rawKind: kind,
    flags: [],
    operstate: 'UP',
    mtu: 1500,
    mac: null,
    master: null,
    isBridgePort: false,
    peer: null,
    linkNetnsid: null,
    linkIndex: null,
    qdisc: null,
    ...extra,
  }
}
const peer = (namespace: string, ifname: string): Partial<NetLink> => ({
  peer: { namespace, ifname, ifindex: 2 },
})
function ns(name: string, links: NetLink[]): NetNamespace {
  return {
    name,
    isHost: name === 'host',
    nsid: null,
    links,
    addresses: links.map((l) => ({
      ifname: l.ifname,
      family: 'inet' as const,
      local: `10.0.0.${l.ifname.length}`,
      prefixlen: 24,
      scope: 'global',
      broadcast: null,
      flags: [],
    })),
    routes: links.map((l) => ({
      family: 'inet' as const,
      table: 'main',
      type: 'unicast',
      dst: '10.0.0.0/24',
      gateway: null,
      dev: l.ifname,
      protocol: 'kernel',
      scope: 'link',
      prefsrc: null,
      metric: null,
      flags: [],
    })),
    neighbours: [],
    ipForward: false,
  }
}

const snap: Snapshot = {
  takenAt: 0,
  durationMs: 0,
  vanished: [],
  namespaces: [
    ns('host', [
      link('lo', 'loopback'),
      link('eth0', 'ether'),
      link('br0', 'bridge'),
      link('ha', 'veth', { ...peer('a', 'ah'), master: 'br0', isBridgePort: true }),
      link('hx', 'veth', peer('other', 'xh')),
      link('docker0', 'bridge'),
    ]),
    ns('a', [
      link('lo', 'loopback'),
      link('ah', 'veth', peer('host', 'ha')),
      link('ab', 'veth', peer('b', 'ba')),
      link('ao', 'veth', peer('other', 'oa')),
    ]),
    ns('b', [link('lo', 'loopback'), link('ba', 'veth', peer('a', 'ab'))]),
    ns('other', [
      link('lo', 'loopback'),
      link('oa', 'veth', peer('a', 'ao')),
      link('xh', 'veth', peer('host', 'hx')),
    ]),
  ],
}
const names = (s: Snapshot): Record<string, string[]> =>
  Object.fromEntries(s.namespaces.map((n) => [n.name, n.links.map((l) => l.ifname)]))

describe('selectNamespaces', () => {
  it('keeps the chosen namespaces, and of the root its loopback, the veth ends to them and their bridges', () => {
    const cut = selectNamespaces(snap, ['a', 'b'])
    expect(names(cut)).toEqual({
      host: ['lo', 'br0', 'ha'],
      a: ['lo', 'ah', 'ab'],
      b: ['lo', 'ba'],
    })
    const a = cut.namespaces.find((n) => n.name === 'a')!
    expect(a.addresses.map((x) => x.ifname)).toEqual(['lo', 'ah', 'ab'])
    expect(a.routes.map((r) => r.dev)).toEqual(['lo', 'ah', 'ab'])
  })

  it('keeps a chosen root like any chosen namespace: all but the veths to namespaces left out', () => {
    expect(names(selectNamespaces(snap, ['host', 'b']))).toEqual({
      host: ['lo', 'eth0', 'br0', 'docker0'],
      b: ['lo'],
    })
  })
})

describe('describeFailure', () => {
  it('maps each class to its exit code', () => {
    expect(describeFailure(new CliError(EXIT.USAGE, 'USAGE', 'bad')).exitCode).toBe(2)
    expect(
      describeFailure(
        new CommanderError(1, 'commander.unknownOption', "error: unknown option '-x'"),
      ),
    ).toMatchObject({
      exitCode: 2,
      text: "unknown option '-x'",
    })
    expect(describeFailure(new AppError('TARGET_UNREACHABLE', 'Cannot reach h.')).exitCode).toBe(3)
    expect(describeFailure(new AppError('PARTIAL_FAILURE', 'Step 2 failed.')).exitCode).toBe(3)
    expect(describeFailure(new Error('boom'))).toMatchObject({
      exitCode: 3,
      text: 'internal error: boom',
    })
  })

  it("lists a lab file's errors one per line as FILE:LINE:COL", () => {
    const f = describeFailure(
      new CliError(EXIT.USAGE, 'LAB_INVALID', 'lab.yaml is not a valid lab (2 errors):', {
        source: 'lab.yaml',
        problems: [
          { line: 3, col: 5, path: 'namespaces.a b', message: 'Namespace contains a space.' },
          { line: 9, col: 1, path: '', message: 'Unknown key "nodes".' },
        ],
      }),
    )
    expect(f.text.split('\n')).toEqual([
      'lab.yaml is not a valid lab (2 errors):',
      '  lab.yaml:3:5: Namespace contains a space. (at namespaces.a b)',
      '  lab.yaml:9:1: Unknown key "nodes".',
    ])
    expect(f.json.errors).toHaveLength(2)
  })

  it('says which flag lets an operation cut the connection', () => {
    const f = describeFailure(
      new AppError('CONFIRM_REQUIRED', 'Deleting eth0 cuts the connection.', {
        detail: 'Send it again with confirm: "cut-connection".',
      }),
    )
    expect(f.exitCode).toBe(3)
    expect(f.text).toBe(
      'Deleting eth0 cuts the connection.\n  Add --cut-connection to run it anyway.',
    )
  })
})

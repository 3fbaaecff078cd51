// Two promises the UI makes, over the real router, the real sshd on 127.0.0.1 and real namespaces:
// an operation that would cut the app's own connection is refused unless confirmed (here the
// connection runs over lo; lo is never actually set down in this machine's root namespace), and
// what a NAT form previews is what main runs, with nft removing only its own rule.

import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../shared/errors'
import { type NetOp } from '../../shared/net/ops'
import { NetnsEngine } from '../../src-main/netns/engine'
import { branchScript } from '../../src-main/netns/branch-facts'
import { MemoryHostKeyStore } from '../../src-main/target/host-keys'
import { SshTarget } from '../../src-main/target/ssh-target'
import { previewLines } from '../../src-renderer/src/lib/op-forms'
import { cleanupPrefix, runPrefix, sh } from '../support/netns'
import { sshTargetForSuite } from '../support/ssh-target'
import { integrationSkipReason, startSshd, type SshdFixture } from '../support/sshd'
import { openAppRouter, type AppRouter } from './app-router'

const skip = integrationSkipReason()
if (skip) console.warn(`SKIP branch and NAT integration: ${skip}`)

const P = runPrefix()
const OWNED = `/run/netns-studio/owned-${P}branch`

/** What the kernel says about lo in the root namespace: link, addresses, local-table routes. */
const loState = (): string =>
  [
    sh(['ip', '-j', 'link', 'show', 'dev', 'lo']),
    sh(['ip', '-j', 'addr', 'show', 'dev', 'lo']),
    sh(['ip', '-j', 'route', 'show', 'table', 'local', 'dev', 'lo']),
  ].join('\n')

const ruleset = (ns: string): string => sh(['ip', 'netns', 'exec', ns, 'nft', 'list', 'ruleset'])

describe.skipIf(!!skip)("don't cut the branch you sit on (the test sshd runs over lo)", () => {
  let sshd: SshdFixture
  let app: AppRouter
  const ns = `${P}b`
  const hostEnd = `${P}h0`

  beforeAll(async () => {
    sshd = await startSshd()
    app = openAppRouter(sshd, OWNED)
    await app.invoke('target:connect', app.sshSpec)
    await app.invoke('netns:apply', { op: 'ns.add', name: ns })
    await app.invoke('netns:apply', {
      op: 'veth.add',
      name: hostEnd,
      peer: 'eth0',
      peerNs: ns,
      up: true,
    })
  })

  afterAll(async () => {
    await app?.invoke('netns:reset').catch(() => undefined)
    await app?.close()
    await sshd?.stop()
    cleanupPrefix(P)
    execFileSync('rm', ['-f', OWNED])
  })

  it('finds what carries the connection: lo, at 127.0.0.1, over the local table', async () => {
    // What the kernel of this machine says for the sshd's client address.
    const [get] = JSON.parse(sh(['ip', '-j', 'route', 'get', '127.0.0.1'])) as Array<{
      dev: string
    }>
    expect(get?.dev).toBe('lo')
    const facts = await app.invoke('netns:branch')
    expect(facts).toMatchObject({
      target: 'ssh',
      label: `root@127.0.0.1:${sshd.port}`,
      source: 'connection',
      links: ['lo'],
      addresses: [{ ifname: 'lo', address: '127.0.0.1' }],
      routes: [{ dst: '127.0.0.1', table: 'local', dev: 'lo', family: 'inet' }],
      connection: { client: '127.0.0.1', server: '127.0.0.1', serverPort: sshd.port },
    })
  })

  const CONSEQUENCE = (what: string, undo: string): string =>
    `${what} cuts the app's SSH connection to root@127.0.0.1:${sshd.port} (it arrives on lo at 127.0.0.1): the app will lose root@127.0.0.1:${sshd.port} until someone at its console can ${undo}, or it is rebooted.`

  it.each<[string, () => NetOp, string, string]>([
    [
      'lo down',
      () => ({ op: 'link.set-state', ns: 'host', ifname: 'lo', up: false }),
      'Setting lo down',
      'set lo up again',
    ],
    [
      'lo deleted',
      () => ({ op: 'link.delete', ns: 'host', ifname: 'lo' }),
      'Deleting lo',
      'recreate lo',
    ],
    [
      'lo moved',
      () => ({ op: 'link.move', ns: 'host', ifname: 'lo', toNs: ns }),
      `Moving lo to ${ns}`,
      'move lo back',
    ],
    [
      'lo enslaved',
      () => ({ op: 'link.set-master', ns: 'host', ifname: 'lo', bridge: `${P}br` }),
      `Attaching lo to the bridge ${P}br`,
      'detach lo from the bridge',
    ],
    [
      'its address deleted',
      () => ({ op: 'addr.delete', ns: 'host', ifname: 'lo', cidr: '127.0.0.1/8' }),
      'Deleting 127.0.0.1 from lo',
      'add 127.0.0.1 back',
    ],
    [
      'its route deleted',
      () => ({ op: 'route.delete', ns: 'host', dst: '127.0.0.1/32', dev: 'lo', table: 'local' }),
      'Deleting the route 127.0.0.1/32 dev lo table local',
      'add the route back',
    ],
  ])(
    '%s: refused without the confirmation, naming the consequence; nothing runs',
    async (_what, op, action, undo) => {
      const kernel = loState()
      const logged = (await app.invoke('log:list')).length
      const r = await app.call('netns:apply', [op()])
      expect(r.ok).toBe(false)
      if (r.ok) return
      const sentence = CONSEQUENCE(action, undo)
      expect(r.error).toMatchObject({
        code: 'CONFIRM_REQUIRED',
        message: sentence,
        data: { confirm: 'cut-connection', consequence: sentence },
      })
      expect((await app.invoke('log:list')).length).toBe(logged)
      expect(loState()).toBe(kernel)
    },
  )

  it("the Live tab's netem on lo goes through the same guard: refused, nothing runs", async () => {
    const kernel = loState()
    const qdisc = sh(['tc', 'qdisc', 'show', 'dev', 'lo'])
    const logged = (await app.invoke('log:list')).length
    const r = await app.call('live:netem-set', [{ ns: 'host', ifname: 'lo', delayMs: 100 }])
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('CONFIRM_REQUIRED')
    expect(r.error.message).toMatch(/impairment .* to lo .*the app's SSH connection/)
    expect((await app.invoke('log:list')).length).toBe(logged)
    expect(sh(['tc', 'qdisc', 'show', 'dev', 'lo'])).toBe(qdisc)
    expect(loState()).toBe(kernel)
  })

  it('an interface that does not carry it is not marked: it runs without a confirmation', async () => {
    const before = (await app.invoke('log:list')).length
    // lo of a namespace, and the root end of a veth: neither carries the connection.
    const r1 = await app.invoke('netns:apply', {
      op: 'link.set-state',
      ns,
      ifname: 'lo',
      up: false,
    })
    const r2 = await app.invoke('netns:apply', {
      op: 'link.set-state',
      ns: 'host',
      ifname: hostEnd,
      up: false,
    })
    expect([...r1.commands, ...r2.commands]).toEqual([
      `ip -n ${ns} link set dev lo down`,
      `ip link set dev ${hostEnd} down`,
    ])
    const lines = (await app.invoke('log:list')).slice(before).map((e) => e.line)
    expect(lines).toEqual([`ip -n ${ns} link set dev lo down`, `ip link set dev ${hostEnd} down`])
    // The confirmation on an operation that cuts nothing changes nothing about it.
    await app.invoke('netns:apply', {
      op: 'link.set-state',
      ns: 'host',
      ifname: hostEnd,
      up: true,
      confirm: 'cut-connection',
    })
    expect(sh(['ip', '-j', 'link', 'show', 'dev', hostEnd])).toMatch(/"UP"/)
    // ...and on an operation that cannot cut, it is refused by the contract.
    const bad = await app.call('netns:apply', [
      { op: 'ns.add', name: `${P}x`, confirm: 'cut-connection' },
    ])
    expect(bad).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_ARGUMENT',
        message: 'Operation ns.add has an unknown field "confirm".',
      },
    })
  })

  it('the Vagrant VM is named as the VM (the role comes from the connect spec)', async () => {
    const t = new SshTarget({ ...sshd, hostKeys: new MemoryHostKeyStore() })
    await t.connect()
    try {
      const e = new NetnsEngine(t, undefined, { ownedFile: OWNED, role: 'vm' })
      const err = await e
        .apply({ op: 'link.set-state', ns: 'host', ifname: 'lo', up: false })
        .catch((x: unknown) => x)
      expect(err).toBeInstanceOf(AppError)
      expect((err as AppError).message).toBe(
        "Setting lo down cuts the app's SSH connection to the VM (it arrives on lo at 127.0.0.1): the app will lose the VM until it is rebooted (which also deletes every namespace).",
      )
      expect(e.log.entries).toEqual([])
    } finally {
      await t.close()
    }
  })

  it('finds $SSH_CONNECTION in the login shell above sudo (whose environment lacks it)', () => {
    // A real process tree: a shell with the variable runs the script with it removed, as sudo does.
    const out = execFileSync(
      'sh',
      ['-c', 'env -u SSH_CONNECTION sh -c "$1"; :', 'sh', branchScript('ssh')],
      {
        encoding: 'utf8',
        env: { ...process.env, SSH_CONNECTION: '10.9.8.7 40000 127.0.0.1 22' },
      },
    )
    expect(out.split('\n').slice(0, 2)).toEqual(['@@conn', '10.9.8.7 40000 127.0.0.1 22'])
  })
})

describe.skipIf(!!skip)('preview = what runs, and nft removes only its own rule', () => {
  const ssh = sshTargetForSuite()
  let app: AppRouter
  let nft: NetnsEngine
  const nsNft = `${P}n`
  const nsDetected = `${P}r`

  beforeAll(async () => {
    app = openAppRouter(ssh.sshd, OWNED)
    await app.invoke('target:connect', app.sshSpec)
    // iptables works here, so the engine would choose it: force nft to exercise the nft path.
    nft = new NetnsEngine(ssh.target, undefined, { ownedFile: OWNED, natBackend: 'nft' })
    await nft.apply([
      { op: 'ns.add', name: nsNft },
      { op: 'ns.add', name: nsDetected },
    ])
  })

  afterAll(async () => {
    await nft?.reset().catch(() => undefined)
    await app?.close()
    cleanupPrefix(P)
    execFileSync('rm', ['-f', OWNED])
  })

  /** Apply `op` with `engine`; the command lines its log recorded for it. */
  async function ranBy(engine: NetnsEngine, op: NetOp): Promise<string[]> {
    const from = engine.log.entries.length
    await engine.apply(op)
    return engine.log.entries
      .slice(from)
      .filter((e) => e.mutating)
      .map((e) => e.line)
  }

  it('nft: two masquerade rules, one removed; the other is still listed', async () => {
    const a: NetOp = { op: 'nat.masquerade', ns: nsNft, source: '10.70.0.0/24' }
    const b: NetOp = { op: 'nat.masquerade', ns: nsNft, source: '10.71.0.0/24', outIf: 'eth0' }
    for (const op of [a, b]) expect(await ranBy(nft, op)).toEqual(previewLines(op, 'nft'))
    expect(ruleset(nsNft)).toMatch(/ip saddr 10\.70\.0\.0\/24 masquerade/)
    const removeA: NetOp = { ...a, remove: true }
    expect(await ranBy(nft, removeA)).toEqual(previewLines(removeA, 'nft'))
    const left = ruleset(nsNft)
    expect(left).not.toMatch(/10\.70\.0\.0/)
    expect(left).toMatch(
      /ip saddr 10\.71\.0\.0\/24 oifname "eth0" masquerade comment "netns-studio ip saddr 10\.71\.0\.0\/24 oifname eth0 masquerade"/,
    )
    // Removing it again says there is no such rule, and removes nothing else.
    const err = await nft.apply(removeA).catch((x: unknown) => x)
    expect(err).toMatchObject({ code: 'COMMAND_FAILED' })
    expect((err as AppError).message).toMatch(
      /no rule with comment "netns-studio ip saddr 10\.70\.0\.0\/24 masquerade" in chain postrouting of table ip netns_studio/,
    )
    expect(ruleset(nsNft)).toBe(left)
  })

  it('nft: a port forward goes from both its chains, the masquerade rule stays', async () => {
    const fwd: NetOp = {
      op: 'nat.port-forward',
      ns: nsNft,
      protocol: 'tcp',
      port: 8080,
      toAddr: '10.71.0.2',
      toPort: 80,
    }
    expect(await ranBy(nft, fwd)).toEqual(previewLines(fwd, 'nft'))
    expect(
      ruleset(nsNft).match(
        /dnat to 10\.71\.0\.2:80 comment "netns-studio fib daddr type local tcp dport 8080 dnat to 10\.71\.0\.2:80"/g,
      ),
    ).toHaveLength(2)
    const rm: NetOp = { ...fwd, remove: true }
    expect(await ranBy(nft, rm)).toEqual(previewLines(rm, 'nft'))
    expect(ruleset(nsNft)).not.toMatch(/dport 8080/)
    expect(ruleset(nsNft)).toMatch(/ip saddr 10\.71\.0\.0\/24 oifname "eth0" masquerade/)
  })

  it('through the router: the preview built with the backend main reports is what the log records', async () => {
    const backend = await app.invoke('netns:nat-backend')
    expect(['iptables', 'nft']).toContain(backend)
    const ops: NetOp[] = [
      { op: 'nat.masquerade', ns: nsDetected, source: '10.72.0.0/24', outIf: 'eth0' },
      {
        op: 'nat.port-forward',
        ns: nsDetected,
        protocol: 'udp',
        port: 5353,
        toAddr: '10.72.0.9',
        toPort: 53,
      },
      { op: 'nat.masquerade', ns: nsDetected, source: '10.72.0.0/24', outIf: 'eth0', remove: true },
      {
        op: 'nat.port-forward',
        ns: nsDetected,
        protocol: 'udp',
        port: 5353,
        toAddr: '10.72.0.9',
        toPort: 53,
        remove: true,
      },
    ]
    for (const op of ops) {
      const from = (await app.invoke('log:list')).length
      const preview = previewLines(op, backend)
      const r = await app.invoke('netns:apply', op)
      const logged = (await app.invoke('log:list'))
        .slice(from)
        .filter((e) => e.mutating)
        .map((e) => e.line)
      expect(logged).toEqual(preview)
      expect(r.commands).toEqual(preview)
    }
  })
})

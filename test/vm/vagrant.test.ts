// The real Vagrant VM, driven by the app's own driver: preflight, boot with step progress, SSH
// through `ssh-config`, namespaces via the engine, halt, reboot notice, kill, cancel, destroy, faults.

import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { type AddressInfo, createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseLab } from '../../shared/lab/parse'
import type { Snapshot } from '../../shared/net/model'
import { parsePingLine } from '../../shared/net/ping'
import { libvirtFacts } from '../../shared/vm/provider-probes'
import type { VmInfo } from '../../shared/vm/info'
import type { VmProgress, VmStep } from '../../shared/vm/progress'
import { targetFactory } from '../../src-main/app/targets'
import { LabService } from '../../src-main/lab/lab-service'
import { NetnsEngine } from '../../src-main/netns/engine'
import { clearNetem, readNetem } from '../../src-main/streams/oneshot'
import { MemoryHostKeyStore } from '../../src-main/target/host-keys'
import type { Target } from '../../src-main/target/target'
import { OpOutput } from '../../src-main/vm/op-output'
import { runFile, vagrantEnv } from '../../src-main/vm/vagrant-cli'
import { VagrantVm, type VagrantVmOptions } from '../../src-main/vm/vagrant-vm'
import {
  BOX_CACHE,
  BoxBuildError,
  domainsWithPrefix,
  freePort,
  qemuPid,
  recipeHash,
  startStack,
  type Stack,
  VAGRANT_HOME,
  vmSkipReason,
} from '../support/vm/stack'

const skip = vmSkipReason()
if (skip) console.warn(`SKIP vagrant VM test: ${skip}`)

const REPO = join(import.meta.dirname, '../..')
const ORDER: VmStep[] = [
  'preparing',
  'box-download',
  'box-import',
  'creating',
  'starting',
  'waiting-ip',
  'waiting-ssh',
  'replacing-key',
  'configuring',
  'provisioning',
  'stopping',
  'destroying',
  'done',
]
const log = (s: string): void => console.log(`[vm] ${s}`)
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

/** The environment the test's VMs run vagrant with. */
function vmEnv(env: Record<string, string>): Record<string, string> {
  return {
    NETNS_STUDIO_APP_VAGRANTFILE: join(REPO, 'Vagrantfile'),
    NETNS_STUDIO_PROVIDER: 'libvirt',
    // Catalog lookups go to a closed loopback port: nothing leaves this machine.
    VAGRANT_SERVER_URL: 'http://127.0.0.1:9',
    ...env,
  }
}

/** A driver over a fresh data folder, the test Vagrantfile (which loads the app's) and the test box. */
function makeVm(
  dataDir: string,
  name: string,
  env: Record<string, string>,
  extra: Partial<VagrantVmOptions> = {},
): VagrantVm {
  return new VagrantVm({
    dataDir,
    name,
    templatePath: join(REPO, 'test/support/vm/Vagrantfile'),
    hostKeys: new MemoryHostKeyStore(),
    vagrantHome: VAGRANT_HOME,
    env: vmEnv(env),
    ...extra,
  })
}

/** Steps as they arrived, each once, and whether they came in the canonical order. */
function follow(vm: VagrantVm): { steps: VmStep[]; lines: string[]; stop(): void } {
  const steps: VmStep[] = []
  const lines: string[] = []
  const onP = (p: { step: VmStep }): void => void (steps.at(-1) !== p.step && steps.push(p.step))
  const onL = (l: string): void => void lines.push(l)
  vm.on('progress', onP)
  vm.on('output', onL)
  return { steps, lines, stop: () => (vm.off('progress', onP), vm.off('output', onL)) }
}
/** What the renderer receives, in order: `vm:state-changed` and `vm:progress` payloads. */
type UiEvent =
  { channel: 'vm:state-changed'; info: VmInfo } | { channel: 'vm:progress'; progress: VmProgress }
function recordUi(vm: VagrantVm): { events: UiEvent[]; stop(): void } {
  const events: UiEvent[] = []
  const onI = (info: VmInfo): void => void events.push({ channel: 'vm:state-changed', info })
  const onP = (progress: VmProgress): void => void events.push({ channel: 'vm:progress', progress })
  vm.on('state-changed', onI)
  vm.on('progress', onP)
  return { events, stop: () => (vm.off('state-changed', onI), vm.off('progress', onP)) }
}
function captureJson(name: string, value: unknown): void {
  if (process.env.NETNS_CAPTURE_FIXTURES === '1')
    writeFileSync(join(REPO, 'test/fixtures/vagrant', name), `${JSON.stringify(value, null, 1)}\n`)
}
const captureUi = captureJson
const inOrder = (steps: VmStep[]): boolean =>
  steps.every((s, i) => i === 0 || ORDER.indexOf(s) > ORDER.indexOf(steps[i - 1] ?? 'preparing'))

/** Save a real output as a fixture when NETNS_CAPTURE_FIXTURES=1. */
function capture(name: string, lines: string[]): void {
  if (process.env.NETNS_CAPTURE_FIXTURES === '1')
    writeFileSync(join(REPO, 'test/fixtures/vagrant', name), `${lines.join('\n')}\n`)
}

describe.skipIf(skip !== null)('the real Vagrant VM through the app driver', () => {
  let stack: Stack | null = null
  let setupSkip: string | null = null
  let dataDir = ''
  let vm: VagrantVm
  let port = 0
  const name = `nsvm${process.pid.toString(36)}`
  const hostKeys = new MemoryHostKeyStore()
  const targets: Target[] = []
  const connect = async (): Promise<NetnsEngine> => {
    const make = targetFactory({ hostKeys, vm: () => ({ sshConfig: () => vm.sshConfig() }) })
    const t = await make({ kind: 'vm' })
    targets.push(t)
    await t.connect()
    return new NetnsEngine(t)
  }

  beforeAll(async () => {
    try {
      const t0 = Date.now()
      stack = await startStack(log)
      log(`stack ready in ${secs(Date.now() - t0)}`)
    } catch (e) {
      if (!(e instanceof BoxBuildError)) throw e
      setupSkip = e.message
      console.warn(`SKIP vagrant VM test: ${setupSkip}`)
      return
    }
    dataDir = mkdtempSync('/var/tmp/nss-vm-')
    port = await freePort()
    vm = makeVm(
      dataDir,
      name,
      { NETNS_STUDIO_BOX: stack.boxName, NETNS_TEST_SSH_PORT: String(port) },
      { hostKeys },
    )
  })

  afterAll(async () => {
    for (const t of targets) await t.close().catch(() => undefined)
    if (vm) {
      await vm.dispose()
      // A failed run must not leave a VM behind.
      if (domainsWithPrefix(`${name}_`).length > 0) {
        const again = makeVm(dataDir, name, {
          NETNS_STUDIO_BOX: stack?.boxName ?? '',
          NETNS_TEST_SSH_PORT: String(port),
        })
        await again.destroy().catch(() => undefined)
      }
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    await stack?.stop()
    if (stack) expect(domainsWithPrefix(`${name}_`)).toEqual([])
  })

  it('preflight passes with the local box; without vagrant on PATH it says how to install it', async (ctx) => {
    if (setupSkip) return ctx.skip(setupSkip)
    await vm.refresh()
    expect(vm.info().state).toBe('not_created')
    const r = await vm.preflight()
    captureJson('ui-preflight-ok.json', r)
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([])
    expect(r).toMatchObject({
      ok: true,
      provider: 'libvirt',
      vagrant: { version: expect.stringMatching(/^\d+\.\d+\.\d+$/) },
      box: {
        name: stack?.boxName,
        provider: 'libvirt',
        arch: 'amd64',
        custom: true,
        present: true,
      },
    })
    // The catalog is a closed port here: with the box cached that is only a warning.
    expect(r.problems).toEqual([expect.objectContaining({ code: 'offline', severity: 'warning' })])

    const noVagrant = makeVm(dataDir, 'novagrant', { PATH: '/nonexistent' })
    const p = await noVagrant.preflight()
    expect(p.ok).toBe(false)
    expect(p.problems[0]).toMatchObject({
      code: 'vagrant-missing',
      message: expect.stringContaining('Vagrant is not installed'),
    })
    expect(p.problems[0]?.action).toMatch(/apt install vagrant/)
    await expect(noVagrant.up()).rejects.toMatchObject({ code: 'VAGRANT_MISSING' })
    expect((await noVagrant.refresh()).vagrantMissing).toBe(true)
  })

  it('libvirt refuses a user outside its group: preflight reads it from virsh and names the fix', (ctx) => {
    if (setupSkip) return ctx.skip(setupSkip)
    const r = spawnSync(
      'runuser',
      ['-u', 'nobody', '--', 'virsh', '-c', 'qemu:///system', 'version'],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/tmp', LC_ALL: 'C' },
        timeout: 30_000,
      },
    )
    if (process.env.NETNS_CAPTURE_FIXTURES === '1')
      writeFileSync(join(REPO, 'test/fixtures/vagrant/virsh-no-permission.txt'), r.stderr)
    log(`virsh as nobody: exit ${r.status}, ${r.stderr.trim().split('\n').at(-1) ?? ''}`)
    expect(r.status).not.toBe(0)
    expect(libvirtFacts({ code: r.status, stdout: r.stdout, stderr: r.stderr })).toMatchObject({
      usable: false,
      blocker: 'no-permission',
    })
  })

  it('a missing box is downloaded first with percent, its size known before; cancel stops the download', async (ctx) => {
    if (setupSkip) return ctx.skip(setupSkip)
    // A catalog on 127.0.0.1 serving the test box (about 220 MB) at about 20 MB/s.
    const file = join(BOX_CACHE, `${recipeHash()}.box`)
    const size = statSync(file).size
    let port = 0
    const catalog = createHttpServer((req, res) => {
      if (req.url === '/netns/dl-test') {
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end(
          JSON.stringify({
            name: 'netns/dl-test',
            versions: [
              {
                version: '1.0.0',
                providers: [{ name: 'libvirt', url: `http://127.0.0.1:${port}/dl.box` }],
              },
            ],
          }),
        )
      }
      if (req.url !== '/dl.box') return res.writeHead(404).end()
      res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' })
      if (req.method === 'HEAD') return res.end()
      const src = createReadStream(file, { highWaterMark: 1 << 20 })
      src.on('data', (chunk) => {
        src.pause()
        res.write(chunk, () => setTimeout(() => src.resume(), 50))
      })
      src.on('end', () => res.end())
      res.on('close', () => src.destroy())
    })
    port = await new Promise<number>((r) =>
      catalog.listen(0, '127.0.0.1', () => r((catalog.address() as AddressInfo).port)),
    )
    try {
      const dl = makeVm(dataDir, 'dltest', {
        NETNS_STUDIO_BOX: 'netns/dl-test',
        NETNS_TEST_SSH_PORT: String(port),
        VAGRANT_SERVER_URL: `http://127.0.0.1:${port}`,
      })
      const pre = await dl.preflight()
      expect(pre.box).toMatchObject({
        name: 'netns/dl-test',
        present: false,
        downloadMB: Math.ceil(size / 1_000_000),
      })
      expect(pre.problems.map((p) => p.code)).toEqual(['box-download'])
      const percents: number[] = []
      const onP = (p: VmProgress): void => {
        if (p.step === 'box-download' && p.percent !== null) percents.push(p.percent)
      }
      dl.on('progress', onP)
      const up = dl.up()
      await until(() => percents.some((x) => x > 0), 120_000)
      expect(await dl.cancel()).toBe(true)
      const r = await up
      dl.off('progress', onP)
      log(`download cancelled at ${percents.at(-1) ?? 0}%`)
      expect(r).toMatchObject({
        outcome: 'cancelled',
        state: 'not_created',
        failure: { step: 'box-download', cancelled: true },
      })
      const boxes = await runFile('vagrant', ['box', 'list', '--machine-readable'], {
        env: vagrantEnv({ vagrantHome: VAGRANT_HOME }),
      })
      expect(boxes.stdout).not.toContain('netns/dl-test')
    } finally {
      catalog.closeAllConnections()
      catalog.close()
      // Vagrant keeps an interrupted download to resume it (named after its URL): remove it.
      const url = `http://127.0.0.1:${port}/dl.box`
      rmSync(join(VAGRANT_HOME, 'tmp', `box${createHash('sha1').update(url).digest('hex')}`), {
        force: true,
      })
    }
  })

  it("a box that does not exist: preflight refuses it offline, up fails with Vagrant's error and a hint", async (ctx) => {
    if (setupSkip) return ctx.skip(setupSkip)
    const bad = makeVm(dataDir, 'nobox', {
      NETNS_STUDIO_BOX: 'netns-no-such-box/nope',
      NETNS_TEST_SSH_PORT: String(port),
    })
    const pre = await bad.preflight()
    captureJson('ui-preflight-box-offline.json', pre)
    expect(pre.problems.map((p) => p.code)).toContain('box-offline')
    const seen = follow(bad)
    const ui = recordUi(bad)
    const r = await bad.up()
    ui.stop()
    seen.stop()
    captureUi('ui-up-box-not-found.json', ui.events)
    expect(seen.steps).toEqual(['preparing', 'box-download'])
    expect(r.outcome).toBe('failed')
    expect(r.failure).toMatchObject({
      op: 'up',
      step: 'box-download',
      exitCode: 1,
      cancelled: false,
      errorType: 'Vagrant::Errors::BoxAddShortNotFound',
    })
    expect(r.failure?.errorMessage).toContain("The box 'netns-no-such-box/nope' could not be found")
    expect(r.failure?.hint?.code).toBe('box-not-found-offline')
    expect(r.failure?.tail.length).toBeGreaterThan(0)
    expect(bad.info()).toMatchObject({
      state: 'not_created',
      failure: { errorType: 'Vagrant::Errors::BoxAddShortNotFound' },
    })
  })

  it('boots: steps in order, refuses a second operation meanwhile, ends running', async (ctx) => {
    if (setupSkip) return ctx.skip(setupSkip)
    const seen = follow(vm)
    const states: string[] = []
    vm.on('state-changed', (i: VmInfo) => states.push(i.op ? `op:${i.op}` : i.state))
    const t0 = Date.now()
    const up = vm.up()
    await new Promise((r) => setTimeout(r, 500))
    await expect(vm.halt()).rejects.toMatchObject({ code: 'VM_BUSY' })
    const r = await up
    seen.stop()
    log(`first up: ${secs(Date.now() - t0)}, steps ${seen.steps.join(' → ')}`)
    capture('up-first-app.txt', seen.lines)
    expect(r).toMatchObject({ outcome: 'done', state: 'running', failure: null })
    expect(inOrder(seen.steps)).toBe(true)
    for (const s of [
      'box-import',
      'creating',
      'starting',
      'waiting-ip',
      'waiting-ssh',
      'configuring',
      'done',
    ] as VmStep[])
      expect(seen.steps).toContain(s)
    expect(states).toContain('op:up')
    expect(states.at(-1)).toBe('running')
    // Every package was in the box: provisioning needed no network.
    expect(seen.lines.join('\n')).toContain('netns-studio: tools ready')
    expect(vm.info()).toMatchObject({
      state: 'running',
      provider: 'libvirt',
      notice: null,
      op: null,
    })
  })

  it('ssh-config gives an SSH target on loopback; the engine makes a namespace and a veth pair in the VM', async (ctx) => {
    if (setupSkip) return ctx.skip(setupSkip)
    const c = await vm.sshConfig()
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port,
      username: 'vagrant',
      hostKeyId: `vm:${name}`,
    })
    const engine = await connect()
    expect(await hostKeys.get(`vm:${name}`)).toMatch(/^SHA256:/)
    await engine.apply([
      { op: 'ns.add', name: 'lab1' },
      { op: 'veth.add', name: 'v-host', peer: 'v-lab', peerNs: 'lab1' },
    ])
    const snap: Snapshot = await engine.snapshot()
    const lab = snap.namespaces.find((n) => n.name === 'lab1')
    expect(lab?.links.map((l) => l.ifname)).toContain('v-lab')
    const host = snap.namespaces.find((n) => n.name === 'host')
    expect(host?.links.find((l) => l.ifname === 'v-host')?.peer?.ifname).toBe('v-lab')
  })

  it('provisioning needs no network when the box has the packages; when one is missing, apt-get fails with one clear line and the hint', async (ctx) => {
    if (setupSkip) return ctx.skip(setupSkip)
    // The first boot provisioned offline (the guest has no outbound network): it said so.
    const engine = await connect()
    const [rm] = await engine.target.run([['dpkg', '-r', 'traceroute']])
    expect(rm?.exitCode).toBe(0)
    const out = new OpOutput('up', Date.now())
    const lines: string[] = []
    const r = await runFile('vagrant', ['provision', '--machine-readable'], {
      cwd: vm.folder,
      env: vagrantEnv({
        vagrantHome: VAGRANT_HOME,
        env: vmEnv({ NETNS_STUDIO_BOX: stack?.boxName ?? '', NETNS_TEST_SSH_PORT: String(port) }),
      }),
      timeoutMs: 300_000,
    })
    for (const l of r.stdout.split('\n')) {
      lines.push(l)
      out.line(l, Date.now())
    }
    capture('provision-offline.txt', lines)
    expect(r.code).not.toBe(0)
    const f = out.failure({ code: r.code, signal: r.signal, cancelled: false }, Date.now())
    expect(f.tail.join('\n')).toContain(
      'netns-studio: cannot install traceroute: the VM has no network (apt-get failed)',
    )
    expect(f.hint?.code).toBe('provision-offline')
  })

  // This machine's kernel has no sch_netem; the VM's Debian kernel does, so the impairment's real
  // effect on RTT is measured here, inside the VM, between the host and lab1.
  it('netem in the VM: 100 ms delay on the veth raises the RTT to >= 100 ms; clearing restores it', async (ctx) => {
    if (setupSkip) return ctx.skip(setupSkip)
    const engine = await connect()
    await engine.apply([
      { op: 'addr.add', ns: 'host', ifname: 'v-host', cidr: '10.99.0.1/24' },
      { op: 'link.set-state', ns: 'host', ifname: 'v-host', up: true },
      { op: 'addr.add', ns: 'lab1', ifname: 'v-lab', cidr: '10.99.0.2/24' },
      { op: 'link.set-state', ns: 'lab1', ifname: 'v-lab', up: true },
    ])
    const rtts = async (): Promise<number[]> => {
      const [r] = await engine.target.run([
        [
          'ip',
          'netns',
          'exec',
          'lab1',
          'ping',
          '-n',
          '-c',
          '4',
          '-i',
          '0.2',
          '-W',
          '2',
          '10.99.0.1',
        ],
      ])
      return (r?.stdout ?? '').split('\n').flatMap((l) => {
        const e = parsePingLine(l)
        return e?.kind === 'reply' ? [e.rttMs] : []
      })
    }
    const before = await rtts()
    expect(before).toHaveLength(4)
    // Through the engine's one entry point, as the Live tab and lab files do.
    await engine.apply({ op: 'netem.set', ns: 'lab1', ifname: 'v-lab', delayMs: 100 })
    expect((await readNetem(engine.target, 'lab1', 'v-lab')).delayMs).toBe(100)
    const delayed = await rtts()
    log(
      `netem in the VM: RTT before ${before.join(', ')} ms; with 100 ms delay ${delayed.join(', ')} ms`,
    )
    expect(delayed).toHaveLength(4)
    expect(Math.min(...delayed)).toBeGreaterThanOrEqual(100)
    await clearNetem(engine.target, 'lab1', 'v-lab')
    const after = await rtts()
    expect(after).toHaveLength(4)
    expect(Math.max(...after)).toBeLessThan(100)
  })

  it("a lab's per-namespace steps run through the in-target helper on the VM's own perl", async (ctx) => {
    if (setupSkip) return ctx.skip(setupSkip)
    const engine = await connect()
    // Each namespace's end is called eth0, like the VM's own NIC: Debian 12's kernel looks a new
    // link's name up in the namespace ip runs in, so the engine makes the root's end first.
    const parsed = parseLab(
      [
        'name: vmhelper',
        'namespaces: { hx1: {}, hx2: {}, hx3: {} }',
        'bridges: [{ name: hxbr }]',
        'links:',
        ...[1, 2, 3].flatMap((i) => [
          '  - endpoints:',
          `      - { ns: hx${i}, name: eth0, addresses: [10.77.0.${i}/24, 'fd77::${i}/64'] }`,
          `      - { bridge: hxbr, name: hxv${i} }`,
        ]),
        'routes: [{ ns: hx1, to: 10.78.0.0/16, via: 10.77.0.2 }]',
      ].join('\n'),
    )
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
    const lab = parsed.lab
    // netem is not the helper's own: it runs tc from inside the namespace it entered.
    lab.links[2]!.endpoints[0].netem = { delayMs: 20 }
    const labs = new LabService(engine.target)
    const runner = await labs.engineFor(lab.name).laneRunner()
    log(`lane runner in the VM: ${JSON.stringify(runner)}`)
    expect(runner).toMatchObject({ kind: 'helper' })
    await labs.apply(lab)
    expect(labs.log.entries.filter((e) => e.via === 'helper').map((e) => e.line)).toEqual(
      expect.arrayContaining([
        'ip -n hx1 addr add 10.77.0.1/24 dev eth0',
        'ip -n hx1 route add 10.78.0.0/16 via 10.77.0.2',
      ]),
    )
    expect((await labs.plan(lab)).changes).toEqual([])
    expect((await readNetem(engine.target, 'hx3', 'eth0')).delayMs).toBe(20)
    const [ping] = await engine.target.run([
      ['ip', 'netns', 'exec', 'hx1', 'ping', '-n', '-c', '1', '-W', '2', '10.77.0.2'],
    ])
    expect(ping?.exitCode).toBe(0)
    await labs.destroy(lab.name)
    const [left] = await engine.target.run([['ip', 'netns', 'list']])
    expect(left?.stdout).not.toMatch(/hx\d/)
  })

  it('halts (state stopped), boots again: the namespaces are gone and the notice says so', async (ctx) => {
    if (setupSkip) return ctx.skip(setupSkip)
    for (const t of targets.splice(0)) await t.close()
    let t0 = Date.now()
    const seenHalt = follow(vm)
    const h = await vm.halt()
    seenHalt.stop()
    log(`halt: ${secs(Date.now() - t0)}`)
    expect(h).toMatchObject({ outcome: 'done', state: 'stopped' })
    expect(seenHalt.steps).toContain('stopping')
    expect(vm.info().providerState).toBe('shutoff')
    await expect(vm.sshConfig()).rejects.toMatchObject({ code: 'VM_NOT_RUNNING' })

    t0 = Date.now()
    const seen = follow(vm)
    const ui = recordUi(vm)
    const u = await vm.up()
    seen.stop()
    ui.stop()
    captureUi('ui-up-after-halt.json', ui.events)
    log(`up after halt: ${secs(Date.now() - t0)}, steps ${seen.steps.join(' → ')}`)
    capture('up-after-halt-app.txt', seen.lines)
    expect(u).toMatchObject({ outcome: 'done', state: 'running' })
    expect(inOrder(seen.steps)).toBe(true)
    expect(vm.info().notice).toMatchObject({
      code: 'namespaces-lost',
      message: expect.stringContaining('/run/netns'),
    })
    const engine = await connect()
    const snap = await engine.snapshot()
    expect(snap.namespaces.map((n) => n.name)).not.toContain('lab1')
    vm.dismissNotice()
    expect(vm.info().notice).toBeNull()
  })

  it('suspend and resume keep the namespaces (no reboot, no notice)', async (ctx) => {
    if (setupSkip) return ctx.skip(setupSkip)
    const engine = await connect()
    await engine.apply({ op: 'ns.add', name: 'lab2' })
    for (const t of targets.splice(0)) await t.close()
    const t0 = Date.now()
    const sus = await vm.run('suspend')
    log(`suspend: ${secs(Date.now() - t0)} (${vm.info().providerState})`)
    expect(sus).toMatchObject({ outcome: 'done', state: 'suspended' })
    const t1 = Date.now()
    const res = await vm.run('resume')
    log(`resume: ${secs(Date.now() - t1)}`)
    expect(res).toMatchObject({ outcome: 'done', state: 'running' })
    expect(vm.info().notice).toBeNull()
    const snap = await (await connect()).snapshot()
    expect(snap.namespaces.map((n) => n.name)).toContain('lab2')
  })

  it('a VM killed from outside shows as stopped within 10 s', async (ctx) => {
    if (setupSkip) return ctx.skip(setupSkip)
    for (const t of targets.splice(0)) await t.close()
    const pid = qemuPid(`${name}_`)
    expect(pid).toBeGreaterThan(0)
    vm.startPolling()
    const stopped = new Promise<number>((resolve) => {
      const on = (i: VmInfo): void => {
        if (i.state !== 'stopped') return
        vm.off('state-changed', on)
        resolve(Date.now())
      }
      vm.on('state-changed', on)
    })
    const t0 = Date.now()
    process.kill(pid ?? 0, 'SIGKILL')
    const at = await stopped
    vm.stopPolling()
    log(`killed qemu seen as stopped after ${secs(at - t0)}`)
    expect(at - t0).toBeLessThan(10_000)
  })

  it('cancel during up ends the operation as cancelled; destroy then removes the VM and forgets its key', async (ctx) => {
    if (setupSkip) return ctx.skip(setupSkip)
    const seen = follow(vm)
    const up = vm.up()
    await until(
      () => seen.steps.includes('waiting-ip') || seen.steps.includes('waiting-ssh'),
      120_000,
    )
    const t0 = Date.now()
    expect(await vm.cancel()).toBe(true)
    const r = await up
    seen.stop()
    log(`cancel took ${secs(Date.now() - t0)}; state after: ${r.state}`)
    capture('up-cancelled.txt', seen.lines)
    expect(r.outcome).toBe('cancelled')
    expect(r.failure).toMatchObject({ op: 'up', cancelled: true })
    expect(['stopped', 'running', 'not_created']).toContain(r.state)
    expect(await vm.cancel()).toBe(false)

    const t1 = Date.now()
    const d = await vm.destroy()
    log(`destroy: ${secs(Date.now() - t1)}`)
    expect(d).toMatchObject({ outcome: 'done', state: 'not_created' })
    expect(await hostKeys.get(`vm:${name}`)).toBeUndefined()
    expect(domainsWithPrefix(`${name}_`)).toEqual([])
  })

  it('the SSH port is taken: the boot fails at starting with the Ruby error and the port hint, and leaves nothing', async (ctx) => {
    if (setupSkip) return ctx.skip(setupSkip)
    const busy = createServer()
    const taken = await new Promise<number>((resolve) =>
      busy.listen(0, '127.0.0.1', () => resolve((busy.address() as AddressInfo).port)),
    )
    try {
      const other = makeVm(dataDir, `${name}p`, {
        NETNS_STUDIO_BOX: stack?.boxName ?? '',
        NETNS_TEST_SSH_PORT: String(taken),
      })
      const seen = follow(other)
      const r = await other.up()
      seen.stop()
      capture('up-port-in-use.txt', seen.lines)
      expect(r.outcome).toBe('failed')
      expect(r.failure).toMatchObject({
        step: 'starting',
        exitCode: 1,
        errorType: 'Libvirt::Error',
        hint: { code: 'port-in-use' },
      })
      expect(r.failure?.errorMessage).toContain(
        `Could not set up host forwarding rule 'tcp:127.0.0.1:${taken}-:22'`,
      )
      expect(other.info().state).toBe('not_created')
      expect(domainsWithPrefix(`${name}p_`)).toEqual([])
    } finally {
      busy.close()
    }
  })
})

async function until(cond: () => boolean, ms: number): Promise<void> {
  const t0 = Date.now()
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 200))
  }
}

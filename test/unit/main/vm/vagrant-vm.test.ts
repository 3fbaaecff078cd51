// The VM driver over the real vagrant (no provider needed): one preflight shared by concurrent
// callers and cancelled with its processes; the VM settings reaching the Vagrantfile and refused
// with VM_BUSY during an operation; quitting bounded even when vagrant ignores interrupts.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createServices } from '../../../../src-main/app/services'
import { MemoryHostKeyStore } from '../../../../src-main/target/host-keys'
import { findVagrant } from '../../../../src-main/vm/vagrant-cli'
import { VagrantVm } from '../../../../src-main/vm/vagrant-vm'

const REPO = join(import.meta.dirname, '../../../..')
const vagrant = findVagrant({})
if (!vagrant) console.warn('SKIP VM driver over vagrant: no vagrant on PATH')

const dirs: string[] = []
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'nss-vmdrv-'))
  dirs.push(d)
  return d
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z'
  } catch {
    return false
  }
}
async function waitFor(cond: () => boolean, ms = 30_000): Promise<void> {
  const t0 = Date.now()
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 50))
  }
}
async function closedPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

/** A wrapper around the real vagrant that logs each call ("PID ARGS") before exec'ing it. */
function countingVagrant(dir: string): {
  path: string
  calls: () => Array<{ pid: number; args: string }>
} {
  const log = join(dir, 'calls.log')
  const path = join(dir, 'vagrant')
  writeFileSync(path, `#!/bin/sh\necho "$$ $*" >> ${log}\nexec ${vagrant} "$@"\n`)
  chmodSync(path, 0o755)
  return {
    path,
    calls: () => {
      try {
        return readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => ({ pid: Number(l.split(' ')[0]), args: l.split(' ').slice(1).join(' ') }))
      } catch {
        return []
      }
    },
  }
}

describe.skipIf(!vagrant)('the VM driver over the real vagrant', () => {
  it('concurrent preflights share one run; cancel aborts a running one and kills its vagrant processes', async () => {
    const d = tmp()
    const w = countingVagrant(d)
    const vm = new VagrantVm({
      dataDir: join(d, 'data'),
      templatePath: join(REPO, 'Vagrantfile'),
      hostKeys: new MemoryHostKeyStore(),
      vagrantPath: w.path,
      vagrantHome: join(d, 'home'),
      env: { VAGRANT_SERVER_URL: `http://127.0.0.1:${await closedPort()}` },
    })
    const [a, b, c] = await Promise.all([vm.preflight(), vm.preflight(), vm.preflight()])
    expect(b).toBe(a)
    expect(c).toBe(a)
    const count = (sub: string): number => w.calls().filter((x) => x.args.startsWith(sub)).length
    expect(count('--version')).toBe(1)
    expect(count('plugin list')).toBe(1)
    expect(count('box list')).toBe(1)
    expect(a.vagrant?.version).toMatch(/^\d+\.\d+\.\d+$/)

    // A new run: cancel it once its first vagrant process runs.
    const before = w.calls().length
    const p = vm.preflight()
    await waitFor(() => w.calls().length > before)
    expect(await vm.cancel()).toBe(true)
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' })
    const started = w.calls().slice(before)
    expect(started.length).toBeGreaterThan(0)
    await waitFor(() => started.every((x) => !alive(x.pid)), 10_000)
    expect(await vm.cancel()).toBe(false)
    await vm.dispose()
  }, 120_000)

  it('settings reach the Vagrantfile; vm:set-settings is refused with VM_BUSY during an operation; cancel ends it', async () => {
    const d = tmp()
    // The app's Vagrantfile, plus a line that writes what it read from the environment.
    const tpl = join(d, 'Vagrantfile')
    const seen = join(d, 'env.json')
    writeFileSync(
      tpl,
      `require "json"\nFile.write(${JSON.stringify(seen)}, ENV.select { |k, _| k.start_with?("NETNS_STUDIO_") }.to_json)\n` +
        readFileSync(join(REPO, 'Vagrantfile'), 'utf8'),
    )
    const s = createServices({
      dataDir: join(d, 'data'),
      refreshMs: 0,
      vm: {
        templatePath: tpl,
        vagrantHome: join(d, 'home'),
        env: { VAGRANT_SERVER_URL: `http://127.0.0.1:${await closedPort()}` },
      },
    })
    const ctx = { senderId: 1 }
    try {
      const mine = { provider: 'libvirt' as const, box: 'me/own-box', memoryMiB: 768, cpus: 2 }
      expect(await s.handlers['vm:set-settings'](ctx, mine)).toEqual(mine)
      expect(JSON.parse(readFileSync(join(d, 'data', 'vm-settings.json'), 'utf8'))).toEqual(mine)
      await s.vm.refresh()
      expect(JSON.parse(readFileSync(seen, 'utf8'))).toMatchObject({
        NETNS_STUDIO_PROVIDER: 'libvirt',
        NETNS_STUDIO_BOX: 'me/own-box',
        NETNS_STUDIO_MEMORY: '768',
        NETNS_STUDIO_CPUS: '2',
      })

      const up = s.handlers['vm:up'](ctx)
      await expect(
        s.handlers['vm:set-settings'](ctx, { ...mine, memoryMiB: 2048 }),
      ).rejects.toMatchObject({ code: 'VM_BUSY' })
      expect(await s.handlers['vm:cancel'](ctx)).toBe(true)
      expect(await up).toMatchObject({ outcome: 'cancelled', failure: { cancelled: true } })
      expect(
        (await s.handlers['vm:set-settings'](ctx, { ...mine, memoryMiB: 2048 })).memoryMiB,
      ).toBe(2048)
      expect((await s.handlers['vm:settings'](ctx)).memoryMiB).toBe(2048)
    } finally {
      await s.dispose()
    }
  }, 120_000)

  it('Windows: cancel ends the tree with taskkill, the status is re-read, and Destroy is offered (stand-ins)', async () => {
    const d = tmp()
    const made = join(d, 'made')
    const argsFile = join(d, 'taskkill.args')
    // Stand-in for vagrant.exe (no Windows here): answers the preflight's questions, and its `up`
    // leaves a half-made VM (status poweroff) and blocks, ignoring interrupts, until killed.
    const standIn = join(d, 'vagrant-standin')
    writeFileSync(
      standIn,
      `#!/bin/sh\ncase "$1" in\n  --version) echo "Vagrant 2.4.9";;\n  plugin|box) ;;\n  status) if [ -e ${made} ]; then echo "1790000000,default,state,poweroff"; else echo "1790000000,default,state,not_created"; fi; echo "1790000000,default,provider-name,virtualbox";;\n  up) touch ${made}; trap '' INT TERM; sh -c 'trap "" INT TERM; sleep 120' & wait;;\nesac\n`,
    )
    chmodSync(standIn, 0o755)
    // Stand-in for Windows' taskkill: records its argv and ends the tree as /T /F does.
    const taskkill = join(d, 'taskkill-standin')
    writeFileSync(
      taskkill,
      `#!/bin/sh\nprintf '%s\\n' "$@" > ${argsFile}\nkill_tree() { for c in $(pgrep -P "$1"); do kill_tree "$c"; done; kill -KILL "$1" 2>/dev/null; }\nkill_tree "$4"\n`,
    )
    chmodSync(taskkill, 0o755)
    const vm = new VagrantVm({
      dataDir: join(d, 'data'),
      templatePath: join(REPO, 'Vagrantfile'),
      hostKeys: new MemoryHostKeyStore(),
      vagrantPath: standIn,
      platform: 'win32',
      taskkill,
      env: { VAGRANT_SERVER_URL: `http://127.0.0.1:${await closedPort()}` },
    })
    const up = vm.up()
    await waitFor(() => {
      try {
        readFileSync(made)
        return true
      } catch {
        return false
      }
    })
    const t0 = Date.now()
    expect(await vm.cancel()).toBe(true)
    expect(Date.now() - t0).toBeLessThan(8_000)
    const r = await up
    expect(readFileSync(argsFile, 'utf8').trim().split('\n').slice(0, 3)).toEqual([
      '/T',
      '/F',
      '/PID',
    ])
    expect(r).toMatchObject({
      outcome: 'cancelled',
      state: 'stopped',
      failure: { cancelled: true, offerDestroy: true },
    })
    expect(vm.info().failure?.offerDestroy).toBe(true)
    await vm.dispose()
  }, 60_000)

  it('dispose is bounded: a vagrant that ignores interrupts is killed with its children', async () => {
    const d = tmp()
    const pids = join(d, 'pids')
    // Stand-in for a vagrant whose process tree ignores interrupts (as vagrant.exe's Ruby child
    // does when only the launcher is signalled on Windows): `status` answers, `halt` never ends.
    const standIn = join(d, 'vagrant-standin')
    writeFileSync(
      standIn,
      `#!/bin/sh\ncase "$1" in\n  --version) echo "Vagrant 2.4.9";;\n  status) echo "1790000000,default,state,running"; echo "1790000000,default,provider-name,libvirt";;\n  *) trap '' INT TERM; sh -c 'trap "" INT TERM; sleep 120' & echo "$$ $!" > ${pids}; wait;;\nesac\n`,
    )
    chmodSync(standIn, 0o755)
    const vm = new VagrantVm({
      dataDir: join(d, 'data'),
      templatePath: join(REPO, 'Vagrantfile'),
      hostKeys: new MemoryHostKeyStore(),
      vagrantPath: standIn,
      disposeMs: 1000,
    })
    const halt = vm.halt()
    await waitFor(() => {
      try {
        return readFileSync(pids, 'utf8').trim().split(' ').length === 2
      } catch {
        return false
      }
    })
    const [launcher, child] = readFileSync(pids, 'utf8').trim().split(' ').map(Number)
    const t0 = Date.now()
    await vm.dispose()
    expect(Date.now() - t0).toBeLessThan(8_000)
    expect(await halt).toMatchObject({ outcome: 'cancelled' })
    await waitFor(() => !alive(launcher ?? 0) && !alive(child ?? 0), 5_000)
  }, 60_000)
})

// The driver's parts over real processes and files: finding executables, cancel escalation across
// a process group, the VM folder keeping user edits, and failure details from a real captured run.
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { OpOutput } from '../../../../src-main/vm/op-output'
import {
  findExecutable,
  findVagrant,
  runFile,
  searchPath,
  startVagrant,
} from '../../../../src-main/vm/vagrant-cli'
import { ensureVagrantfile, resetVagrantfile, vmFolder } from '../../../../src-main/vm/vm-folder'

const fixture = (name: string): string =>
  readFileSync(join(import.meta.dirname, '../../../fixtures/vagrant', name), 'utf8')
const dirs: string[] = []
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'nss-vmunit-'))
  dirs.push(d)
  return d
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('finding vagrant', () => {
  it('finds an executable on the given PATH only, and not a plain file', () => {
    const d = tmp()
    writeFileSync(join(d, 'vagrant'), '#!/bin/sh\necho Vagrant 9.9.9\n')
    expect(findExecutable('vagrant', d)).toBeNull()
    chmodSync(join(d, 'vagrant'), 0o755)
    expect(findExecutable('vagrant', `/nonexistent:${d}`)).toBe(join(d, 'vagrant'))
    expect(findVagrant({ env: { PATH: '/nonexistent' } })).toBeNull()
    expect(findVagrant({ vagrantPath: join(d, 'vagrant'), env: { PATH: '' } })).toBe(
      join(d, 'vagrant'),
    )
  })
})

describe('the search PATH of an app started from the Finder or Start menu', () => {
  it('adds the usual install folders on macOS and Windows, nothing on Linux', () => {
    expect(searchPath('/usr/bin:/bin', 'darwin').split(':')).toEqual(
      expect.arrayContaining(['/usr/bin', '/bin', '/usr/local/bin', '/opt/homebrew/bin']),
    )
    expect(
      searchPath('/usr/local/bin:/usr/bin', 'darwin')
        .split(':')
        .filter((d) => d === '/usr/local/bin'),
    ).toHaveLength(1)
    expect(searchPath('/usr/bin:/bin', 'linux')).toBe('/usr/bin:/bin')
  })
})

describe('cancel', () => {
  it('sends SIGINT first: a process that cleans up on SIGINT ends with its own code', async () => {
    const lines: string[] = []
    const script =
      "process.on('SIGINT',()=>{console.log('cleaning up');process.exit(3)});console.log('started');setInterval(()=>{},1000)"
    const p = startVagrant(process.execPath, ['-e', script], {
      cwd: tmpdir(),
      env: process.env,
      onLine: (l) => lines.push(l),
    })
    await waitFor(() => lines.includes('started'))
    const t0 = Date.now()
    await p.cancel(5_000)
    expect(await p.done).toEqual({ code: 3, signal: null })
    expect(lines).toContain('cleaning up')
    expect(Date.now() - t0).toBeLessThan(3_000)
  })

  it('escalates to a second SIGINT, SIGTERM, then SIGKILL, and reaches the whole process group', async () => {
    const pidFile = join(tmp(), 'child.pid')
    // The parent ignores INT and TERM; its grandchild (same group) ignores INT only.
    const script = `trap '' INT TERM; sh -c 'trap "" INT; sleep 60' & echo $! > ${pidFile}; echo started; while :; do sleep 1; done`
    const lines: string[] = []
    const p = startVagrant('/bin/sh', ['-c', script], {
      cwd: tmpdir(),
      env: process.env,
      onLine: (l) => lines.push(l),
    })
    await waitFor(() => lines.includes('started'))
    const grandchild = Number(readFileSync(pidFile, 'utf8'))
    expect(alive(grandchild)).toBe(true)
    const t0 = Date.now()
    await p.cancel(300, 2_000)
    const end = await p.done
    expect(end.signal).toBe('SIGKILL')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4_000)
    await waitFor(() => !alive(grandchild) || isZombie(grandchild))
  }, 20_000)

  it("ends when the launcher exits, though its child still holds the pipes (vagrant.exe's Ruby child)", async () => {
    const pidFile = join(tmp(), 'child.pid')
    const lines: string[] = []
    // The launcher starts a child that inherits stdout/stderr, prints, and exits at once.
    const p = startVagrant('/bin/sh', ['-c', `sleep 60 & echo $! > ${pidFile}; echo launched`], {
      cwd: tmpdir(),
      env: process.env,
      onLine: (l) => lines.push(l),
      exitGraceMs: 300,
    })
    const t0 = Date.now()
    expect(await p.done).toEqual({ code: 0, signal: null })
    expect(Date.now() - t0).toBeLessThan(5_000)
    expect(lines).toContain('launched')
    const child = Number(readFileSync(pidFile, 'utf8'))
    expect(alive(child)).toBe(true)
    process.kill(child, 'SIGKILL')
    await waitFor(() => !alive(child) || isZombie(child))
  })

  it('on Windows, cancel ends the whole tree at once with `taskkill /T /F /PID <pid>` (stand-in taskkill)', async () => {
    const d = tmp()
    const argsFile = join(d, 'taskkill.args')
    const pidFile = join(d, 'child.pid')
    // Stand-in for Windows' taskkill (no Windows here): records its argv, then kills the process
    // and its descendants as `/T /F` does. No shell is involved in calling it.
    const taskkill = join(d, 'taskkill-standin')
    writeFileSync(
      taskkill,
      `#!/bin/sh\nprintf '%s\\n' "$@" > ${argsFile}\npid=$4\nkill_tree() { for c in $(pgrep -P "$1"); do kill_tree "$c"; done; kill -KILL "$1" 2>/dev/null; }\nkill_tree "$pid"\n`,
    )
    chmodSync(taskkill, 0o755)
    const lines: string[] = []
    // A launcher and its child that both ignore interrupts: only ending the tree stops them.
    const p = startVagrant(
      '/bin/sh',
      [
        '-c',
        `trap '' INT TERM; sh -c 'trap "" INT TERM; sleep 60' & echo $! > ${pidFile}; echo started; wait`,
      ],
      {
        cwd: tmpdir(),
        env: process.env,
        onLine: (l) => lines.push(l),
        platform: 'win32',
        taskkill,
      },
    )
    await waitFor(() => lines.includes('started'))
    const child = Number(readFileSync(pidFile, 'utf8'))
    const t0 = Date.now()
    await p.cancel(60_000, 60_000)
    expect(Date.now() - t0).toBeLessThan(5_000)
    expect(readFileSync(argsFile, 'utf8').trim().split('\n')).toEqual([
      '/T',
      '/F',
      '/PID',
      String(p.pid),
    ])
    // The launcher is gone (killed, or its `wait` returned first when the child was killed).
    await p.done
    expect(alive(p.pid ?? 0) && !isZombie(p.pid ?? 0)).toBe(false)
    await waitFor(() => !alive(child) || isZombie(child))
  })

  it('runFile: a timeout or an abort kills the whole process group', async () => {
    const pidFile = join(tmp(), 'child.pid')
    const ac = new AbortController()
    const r = runFile('/bin/sh', ['-c', `sleep 60 & echo $! > ${pidFile}; wait`], {
      signal: ac.signal,
      timeoutMs: 60_000,
    })
    await waitFor(() => {
      try {
        return readFileSync(pidFile, 'utf8').trim().length > 0
      } catch {
        return false
      }
    })
    const child = Number(readFileSync(pidFile, 'utf8'))
    ac.abort()
    await expect(r).rejects.toMatchObject({ code: 'CANCELLED' })
    await waitFor(() => !alive(child) || isZombie(child))
    const t0 = Date.now()
    const timedOut = await runFile('/bin/sh', ['-c', 'sleep 60 & wait'], { timeoutMs: 300 })
    expect(timedOut.signal).toBe('SIGKILL')
    expect(Date.now() - t0).toBeLessThan(5_000)
  })

  it('reports a missing executable as VAGRANT_MISSING', async () => {
    const p = startVagrant('/nonexistent/vagrant', ['up'], {
      cwd: tmpdir(),
      env: process.env,
      onLine: () => undefined,
    })
    await expect(p.done).rejects.toMatchObject({ code: 'VAGRANT_MISSING' })
  })
})

describe('the VM folder', () => {
  it('copies the template once, follows template updates while unedited, keeps edits until reset', () => {
    const d = tmp()
    const tpl = join(d, 'template')
    writeFileSync(tpl, 'v1\n')
    const folder = vmFolder(join(d, 'data'), 'default')
    const file = join(folder, 'Vagrantfile')
    expect(ensureVagrantfile(folder, tpl)).toBe('created')
    expect(readFileSync(file, 'utf8')).toBe('v1\n')
    writeFileSync(tpl, 'v2\n')
    expect(ensureVagrantfile(folder, tpl)).toBe('updated')
    expect(readFileSync(file, 'utf8')).toBe('v2\n')
    writeFileSync(file, 'v2\n# my edit\n')
    writeFileSync(tpl, 'v3\n')
    expect(ensureVagrantfile(folder, tpl)).toBe('kept')
    expect(readFileSync(file, 'utf8')).toBe('v2\n# my edit\n')
    resetVagrantfile(folder, tpl)
    expect(readFileSync(file, 'utf8')).toBe('v3\n')
    expect(() => vmFolder(d, '../etc')).toThrow(/VM name/)
  })
})

describe('operation output', () => {
  it('turns the real "box not found" run into failure details with the hint', () => {
    const out = new OpOutput('up', 1000)
    for (const l of fixture('up-box-not-found.txt').split('\n')) out.line(l, 2000)
    const f = out.failure({ code: 1, signal: null, cancelled: false }, 3000)
    expect(f).toMatchObject({
      op: 'up',
      step: 'box-download',
      exitCode: 1,
      errorType: 'Vagrant::Errors::BoxAddShortNotFound',
      cancelled: false,
      durationMs: 2000,
    })
    expect(f.errorMessage).toMatch(
      /^The box 'netns-no-such-box\/nope' could not be found or\ncould not be accessed/,
    )
    expect(f.hint?.code).toBe('box-not-found-offline')
    expect(f.tail.length).toBeLessThanOrEqual(30)
    expect(f.tail.at(-1)).toContain("Couldn't connect to server")
  })

  it('a real crash of vagrant-libvirt (SSH port taken): the Ruby error, the port hint, the step before the rollback', () => {
    const out = new OpOutput('up', 0)
    for (const l of fixture('up-port-in-use.txt').split('\n')) out.line(l, 10)
    expect(out.tracker.current(20).step).toBe('destroying')
    const f = out.failure({ code: 1, signal: null, cancelled: false }, 20)
    expect(f).toMatchObject({ step: 'starting', exitCode: 1, errorType: 'Libvirt::Error' })
    expect(f.errorMessage).toContain("Could not set up host forwarding rule 'tcp:127.0.0.1:")
    expect(f.hint?.code).toBe('port-in-use')
    expect(f.tail.some((l) => /^\s+from /.test(l))).toBe(false)
    expect(f.tail.at(-1)).toContain('(Libvirt::Error)')
  })

  it('a real cancelled boot: the failure names the step the user cancelled in, not the cleanup', () => {
    const out = new OpOutput('up', 0)
    for (const l of fixture('up-cancelled.txt').split('\n')) {
      out.line(l, 10)
      if (l.includes('Waiting for machine to boot')) out.markCancelled(10)
    }
    expect(out.tracker.current(20).step).toBe('stopping')
    const f = out.failure({ code: 1, signal: null, cancelled: true }, 20)
    expect(f).toMatchObject({
      step: 'waiting-ssh',
      cancelled: true,
      hint: null,
      errorMessage: 'Cancelled.',
    })
    expect(f.tail.join('\n')).toContain('Waiting for cleanup before exiting')
  })

  it('a real provisioning without network: the one clear line and its hint', () => {
    const out = new OpOutput('up', 0)
    for (const l of fixture('provision-offline.txt').split('\n')) out.line(l, 10)
    expect(out.tracker.current(20).step).toBe('provisioning')
    const f = out.failure({ code: 1, signal: null, cancelled: false }, 20)
    expect(f.errorType).toBe('Vagrant::Errors::VagrantError')
    expect(f.tail.join('\n')).toContain(
      'netns-studio: cannot install traceroute: the VM has no network',
    )
    expect(f.hint?.code).toBe('provision-offline')
    expect(f.hint?.text).toContain('Settings → VM → Box')
  })

  it('follows the steps of the real first boot in order', () => {
    const out = new OpOutput('up', 0)
    fixture('up-first.txt')
      .split('\n')
      .forEach((l, i) => out.line(l, i))
    expect(out.tracker.finish(1e6).steps).toEqual([
      'preparing',
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
  })
})

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const t0 = Date.now()
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 50))
  }
}

function isZombie(pid: number): boolean {
  try {
    return execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' })
      .trim()
      .startsWith('Z')
  } catch {
    return true
  }
}

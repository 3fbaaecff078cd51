// Test fixture: a real OpenSSH server on 127.0.0.1 with a random port and temporary host and
// client keys, accepting root by key only. Used by integration and e2e tests.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync, mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface SshdFixture {
  host: '127.0.0.1'
  port: number
  username: 'root'
  /** The client's private key (OpenSSH format). */
  privateKey: string
  privateKeyPath: string
  /** SHA256 fingerprint of the server's host key, as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string
  dir: string
  /** Stop the server (SIGTERM, waits for exit) and remove its files. */
  stop(): Promise<void>
  /** Kill the listening server and every session process it forked (a hard drop). */
  kill(): void
  /** Start the server again on the same port with the same keys. */
  restart(): Promise<void>
  /** Replace the host key (for changed-key tests); takes effect on restart. */
  rotateHostKey(): void
}

/** Why integration tests cannot run here, or null when they can. */
export function integrationSkipReason(): string | null {
  if (process.platform !== 'linux') return 'integration tests need Linux (network namespaces)'
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return 'integration tests need root'
  if (!existsSync('/usr/sbin/sshd')) return 'integration tests need openssh-server (/usr/sbin/sshd)'
  return null
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const { connect } = await import('node:net')
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1')
      s.once('data', () => {
        s.destroy()
        resolve(true)
      })
      s.once('error', () => resolve(false))
      setTimeout(() => {
        s.destroy()
        resolve(false)
      }, 500)
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`sshd did not answer on 127.0.0.1:${port} within ${timeoutMs} ms`)
}

export interface SshdOptions {
  /** Extra sshd_config lines (e.g. a ForceCommand that stands in for a hanging login shell). */
  extraConfig?: string[]
}

/** Start a private sshd for the current test file. */
export async function startSshd(opts: SshdOptions = {}): Promise<SshdFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'nss-sshd-'))
  const hostKey = join(dir, 'host_ed25519')
  const clientKey = join(dir, 'client_ed25519')
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey])
  execFileSync('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-f',
    clientKey,
    '-C',
    'netns-studio-test',
  ])
  const authorized = join(dir, 'authorized_keys')
  writeFileSync(authorized, readFileSync(`${clientKey}.pub`), { mode: 0o600 })
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 })
  const port = await freePort()
  const config = join(dir, 'sshd_config')
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorized}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'MaxSessions 10',
      'MaxStartups 50:30:100',
      'UseDNS no',
      'PrintMotd no',
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
      // Sessions must not depend on this machine's root dotfiles: Debian's bash sources
      // ~/.bashrc for a command sent over SSH unless SHLVL says it is a nested shell. A CI run
      // once hung every session here on a stale pyenv lock taken in root's .bashrc.
      'SetEnv SHLVL=1',
      ...(opts.extraConfig ?? []),
      '',
    ].join('\n'),
  )
  let proc: ChildProcess | null = null
  const start = async (): Promise<void> => {
    proc = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    proc.stderr?.on('data', () => {})
    await waitForPort(port, 10_000)
  }
  await start()
  const fingerprint = (): string =>
    execFileSync('ssh-keygen', ['-lf', `${hostKey}.pub`])
      .toString()
      .split(' ')[1] ?? ''

  const fixture: SshdFixture = {
    host: '127.0.0.1',
    port,
    username: 'root',
    privateKey: readFileSync(clientKey, 'utf8'),
    privateKeyPath: clientKey,
    hostKeyFingerprint: fingerprint(),
    dir,
    async stop() {
      const p = proc
      proc = null
      if (p && p.exitCode === null) {
        await new Promise<void>((resolve) => {
          p.once('exit', () => resolve())
          p.kill('SIGTERM')
        })
      }
      killSessions(config, port)
      rmSync(dir, { recursive: true, force: true })
    },
    kill() {
      proc?.kill('SIGKILL')
      proc = null
      killSessions(config, port)
    },
    async restart() {
      await start()
      fixture.hostKeyFingerprint = fingerprint()
    },
    rotateHostKey() {
      rmSync(hostKey, { force: true })
      rmSync(`${hostKey}.pub`, { force: true })
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey])
    },
  }
  return fixture
}

/**
 * Kill the per-connection sshd processes of this server. They rename themselves ("sshd: root@notty"),
 * so match them by the socket they hold on the server's port (psmisc `fuser`), and by argv for the
 * pre-auth children.
 */
function killSessions(config: string, port: number): void {
  for (const argv of [
    ['fuser', '-s', '-k', '-KILL', '-n', 'tcp', String(port)],
    ['pkill', '-KILL', '-f', `sshd.*${config}`],
  ]) {
    try {
      execFileSync(argv[0]!, argv.slice(1), { stdio: 'ignore' })
    } catch {
      // none left
    }
  }
}

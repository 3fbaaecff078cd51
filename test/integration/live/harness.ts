// Shared setup of the live-view integration tests: the real composition root connected over SSH to
// a private sshd on 127.0.0.1, with every pushed event recorded (time-stamped) for assertions, and
// a stand-in for the native save dialog.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type {
  EventArgs,
  EventChannel,
  InvokeArgs,
  InvokeChannel,
} from '../../../shared/ipc/contract'
import { createServices, type Services } from '../../../src-main/app/services'
import type { ChooseSavePath, SavePathRequest } from '../../../src-main/streams/save-file'
import { sh } from '../../support/netns'
import type { SshdFixture } from '../../support/sshd'

/** One recorded event. */
export interface Recorded {
  at: number
  channel: EventChannel
  senderId: number | null
  args: unknown[]
}

/**
 * STAND-IN for the native save dialog (Electron's, which cannot be shown or driven here): it records
 * what main asked and answers with `answer(req)` (a path, or null for Cancel). By default it
 * chooses the suggested name in the given folder.
 */
export interface SaveDialogStandIn {
  choose: ChooseSavePath
  asked: SavePathRequest[]
  answer: (req: SavePathRequest) => string | null
}

/** A save-dialog stand-in that picks `dir/<suggested name>` unless the test sets `answer`. */
export function saveDialogStandIn(dir: string): SaveDialogStandIn {
  const d: SaveDialogStandIn = {
    asked: [],
    answer: (req) => join(dir, req.defaultName),
    choose: (req) => {
      d.asked.push(req)
      return Promise.resolve(d.answer(req))
    },
  }
  return d
}

/** The services, their recorded events, and helpers to call handlers as a window would. */
export interface Harness {
  services: Services
  events: Recorded[]
  dataDir: string
  /** What the services use as the save dialog. */
  saveDialog: SaveDialogStandIn
  /** Call a handler as window `sender` (default 1), after the contract's runtime checks. */
  call<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<unknown>
  callAs<C extends InvokeChannel>(
    sender: number,
    channel: C,
    ...args: InvokeArgs<C>
  ): Promise<unknown>
  /** Wait until an event matching `pred` is recorded (after index `from`). */
  waitEvent<C extends EventChannel>(
    channel: C,
    pred: (args: EventArgs<C>, r: Recorded) => boolean,
    timeoutMs?: number,
    from?: number,
  ): Promise<Recorded>
  close(): Promise<void>
}

/** Build services over a fresh data folder and connect them to `sshd`. */
export async function openHarness(sshd: SshdFixture, refreshMs = 0): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nss-live-'))
  const ownedFile = `/run/netns-studio/owned-live-${process.pid}-${Date.now()}`
  const saveDialog = saveDialogStandIn(dataDir)
  const services = createServices({
    dataDir,
    refreshMs,
    ownedFile,
    chooseSavePath: saveDialog.choose,
  })
  const events: Recorded[] = []
  const waiters = new Set<() => void>()
  const record = (senderId: number | null, channel: EventChannel, args: unknown[]): void => {
    events.push({ at: Date.now(), channel, senderId, args })
    for (const w of [...waiters]) w()
  }
  services.events.attach({
    send: (channel, ...args) => record(null, channel, args),
    sendTo: (id, channel, ...args) => record(id, channel, args),
  })
  await services.connection.connect({
    kind: 'ssh',
    host: sshd.host,
    port: sshd.port,
    username: sshd.username,
    privateKeyPath: sshd.privateKeyPath,
  })
  const router = services.router(() => true)
  const callAs = async <C extends InvokeChannel>(
    sender: number,
    channel: C,
    ...args: InvokeArgs<C>
  ): Promise<unknown> => {
    const r = await router.handle(
      { senderId: sender, frameUrl: 'app://test', isMainFrame: true },
      channel,
      args,
    )
    if (!r.ok)
      throw Object.assign(new Error(`${channel}: ${r.error.code} ${r.error.message}`), {
        code: r.error.code,
      })
    return r.value
  }
  return {
    services,
    events,
    dataDir,
    saveDialog,
    callAs,
    call: (channel, ...args) => callAs(1, channel, ...args),
    waitEvent(channel, pred, timeoutMs = 10_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          for (let i = from; i < events.length; i++) {
            const r = events[i]!
            if (r.channel === channel && pred(r.args as EventArgs<typeof channel>, r)) {
              cleanup()
              resolve(r)
              return
            }
          }
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`no ${channel} event matched within ${timeoutMs} ms`))
        }, timeoutMs)
        const cleanup = (): void => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
        check()
      })
    },
    async close() {
      await services.dispose()
      rmSync(dataDir, { recursive: true, force: true })
      rmSync(ownedFile, { force: true })
    },
  }
}

/** Processes on this host whose command line contains `needle` (pgrep -f with the needle escaped). */
export function processesMatching(needle: string): string[] {
  const re = needle.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')
  try {
    return sh(['pgrep', '-a', '-f', re]).trim().split('\n').filter(Boolean)
  } catch {
    return [] // pgrep exits 1 when nothing matches
  }
}

/**
 * PIDs of processes whose command line matches `pattern` and that descend from `sshd` (so other
 * runs' processes on this machine are not counted).
 */
export function underSshd(sshd: SshdFixture, pattern: string): string[] {
  let roots: string[]
  let found: string[]
  try {
    roots = sh(['pgrep', '-f', `sshd.*${sshd.dir}`])
      .trim()
      .split('\n')
    found = sh(['pgrep', '-f', pattern]).trim().split('\n').filter(Boolean)
  } catch {
    return [] // pgrep exits 1 when nothing matches
  }
  const ppid = (pid: string): string | null => {
    try {
      const st = readFileSync(`/proc/${pid}/stat`, 'utf8')
      return st.slice(st.lastIndexOf(')') + 2).split(' ')[1] ?? null
    } catch {
      return null // gone meanwhile
    }
  }
  return found.filter((pid) => {
    let cur: string | null = pid
    for (let i = 0; i < 12 && cur && cur !== '1'; i++) {
      if (roots.includes(cur)) return true
      cur = ppid(cur)
    }
    return false
  })
}

/** PIDs of the processes running inside a namespace (the kernel's view). */
export const pidsIn = (ns: string): string[] =>
  sh(['ip', 'netns', 'pids', ns]).trim().split('\n').filter(Boolean)

/** Poll `fn` until it returns true or `timeoutMs` passes. */
export async function until(fn: () => boolean, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (fn()) return true
    await new Promise((r) => setTimeout(r, stepMs))
  }
  return fn()
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

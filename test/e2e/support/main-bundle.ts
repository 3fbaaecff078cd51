// Runs the BUILT main bundle (out/main/index.js) in a Node child process with the electron
// STAND-IN (electron-stand-in/electron.mjs) in place of Electron, whose binary cannot run here,
// and talks to the stand-in over the child's IPC channel: report, fetch, invoke, quit.

import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

export const MAIN_BUNDLE = resolve('out/main/index.js')
const REGISTER = pathToFileURL(resolve('test/e2e/support/electron-stand-in/register.mjs')).href

/** What the stand-in recorded (see electron.mjs). */
export interface StandInRecord {
  standIn: string
  calls: string[]
  violations: string[]
  schemes: Array<{ scheme: string; privileges?: Record<string, boolean> }>
  protocolHandlers: string[]
  ipcChannels: string[]
  windows: Array<{
    id: number
    options: { webPreferences?: Record<string, unknown> } & Record<string, unknown>
    preload: {
      path: string
      format: string
      required: string[]
      exposed: Record<string, string[]>
    } | null
    loads: Array<{ url: string; status: number; contentType: string }>
    shown: boolean
    windowOpenHandler: boolean
  }>
  menu: MenuItemData[] | null
  aboutPanel: Record<string, unknown> | null
  quit: string[]
  permissionRequestAnswer?: string
  permissionCheckAnswer?: boolean
}

export interface MenuItemData {
  label?: string
  role?: string
  type?: string
  click?: true
  submenu?: MenuItemData[]
}

/** A response from the bundle's protocol handler (body as bytes). */
export interface HandlerResponse {
  status: number
  headers: Record<string, string>
  body: Buffer
}

export interface BundleOptions {
  /** What app.isPackaged says. */
  packaged: boolean
  /** Extra environment (e.g. ELECTRON_RENDERER_URL). */
  env?: Record<string, string>
}

/** The bundle running under the stand-in. */
export class MainBundle {
  readonly child: ChildProcess
  /** The stand-in's home folder (userData etc.), removed by `cleanup()`. */
  readonly home: string
  private nextId = 1
  private readonly waiting = new Map<number, (v: unknown) => void>()
  private out = ''
  /** Exit code once the process ended (null while running; signal name if killed). */
  exit: number | string | null = null
  /** The record the stand-in sent as the app terminated. */
  final: StandInRecord | null = null

  constructor(opts: BundleOptions) {
    this.home = mkdtempSync(join(tmpdir(), 'nss-bundle-'))
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && k !== 'ELECTRON_RENDERER_URL' && k !== 'NODE_OPTIONS') env[k] = v
    Object.assign(env, opts.env, {
      NSS_STAND_IN_HOME: this.home,
      NSS_STAND_IN_PACKAGED: opts.packaged ? '1' : '0',
    })
    this.child = fork(MAIN_BUNDLE, [], {
      execArgv: ['--import', REGISTER],
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    })
    this.child.stdout?.on('data', (d: Buffer) => (this.out += d.toString()))
    this.child.stderr?.on('data', (d: Buffer) => (this.out += d.toString()))
    this.child.on(
      'message',
      (m: { type: string; id?: number; value?: unknown; record?: unknown }) => {
        if (m.type === 'reply' && m.id !== undefined) {
          this.waiting.get(m.id)?.(m.value)
          this.waiting.delete(m.id)
        } else if (m.type === 'terminated') this.final = m.record as StandInRecord
      },
    )
    this.child.on('exit', (code, signal) => {
      this.exit = code ?? signal ?? 'unknown'
      for (const fn of this.waiting.values()) fn({ error: `the bundle exited (${this.exit})` })
      this.waiting.clear()
    })
  }

  /** stdout and stderr of the child so far (for failure messages). */
  get output(): string {
    return this.out
  }

  private request<T>(msg: Record<string, unknown>): Promise<T> {
    if (this.exit !== null || !this.child.connected)
      return Promise.reject(
        new Error(`the bundle is not running (exit ${this.exit}):\n${this.out}`),
      )
    const id = this.nextId++
    return new Promise<T>((ok) => {
      this.waiting.set(id, ok as (v: unknown) => void)
      this.child.send({ ...msg, id })
    })
  }

  /** What the stand-in recorded so far. */
  report(): Promise<StandInRecord> {
    return this.request<StandInRecord>({ cmd: 'report' })
  }

  /** Ask the bundle's registered protocol handler for `url`. */
  async fetch(url: string, method = 'GET'): Promise<HandlerResponse> {
    const r = await this.request<{
      status?: number
      headers?: Record<string, string>
      body?: string
      error?: string
    }>({ cmd: 'fetch', url, method })
    if (r.error !== undefined || r.status === undefined) throw new Error(r.error ?? 'no response')
    return { status: r.status, headers: r.headers ?? {}, body: Buffer.from(r.body ?? '', 'base64') }
  }

  /** Call an ipcMain handler as a frame of window `senderId` at `frameUrl`. */
  async invoke(
    channel: string,
    args: unknown[],
    frame: { senderId: number; frameUrl: string; subFrame?: boolean },
  ): Promise<unknown> {
    const r = await this.request<{ value?: unknown; error?: string }>({
      cmd: 'invoke',
      channel,
      args,
      ...frame,
    })
    if (r.error !== undefined) throw new Error(r.error)
    return r.value
  }

  /** Start Electron's quit sequence (as Cmd+Q or the last window closing on Linux would). */
  quit(): Promise<unknown> {
    return this.request({ cmd: 'quit' })
  }

  /** Kill the child if it still runs, and remove the home folder. */
  async cleanup(): Promise<void> {
    if (this.exit === null && this.child.pid !== undefined) {
      const gone = new Promise((ok) => this.child.once('exit', ok))
      this.child.kill('SIGKILL')
      await gone
    }
    rmSync(this.home, { recursive: true, force: true })
  }
}

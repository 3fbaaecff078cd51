// Security rules end to end, one test each, in real Chromium with window.api bridged to the real
// router over a real SshTarget to a real sshd: foreign sender, unknown channel, invalid argument
// (nothing reaches the target), navigation denied, and the CSP blocking inline script.
import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IpcResult } from '../../shared/errors'
import { installContentsGuards, type GuardedContents } from '../../src-main/security'
import { cleanupPrefix, namespacesWithPrefix, runPrefix } from '../support/netns'
import { startSshd, type SshdFixture } from '../support/sshd'
import { e2eSkipReason, openApp, type OpenedApp } from './support/app'
import { INVOKE_BINDING } from './support/api-script'

const skip = e2eSkipReason()
if (skip) console.warn(`[e2e security] skipped: ${skip}`)

/** Call the raw binding from a frame, as a page script could (bypassing window.api's allowlist). */
function rawInvoke(channel: unknown, args: unknown[]): string {
  return `window[${JSON.stringify(INVOKE_BINDING)}](${JSON.stringify(channel)}, ${JSON.stringify(args)})`
}

describe.skipIf(skip !== null)('IPC and window security (Chromium bridge)', () => {
  let sshd: SshdFixture
  let app: OpenedApp
  const prefix = runPrefix()

  beforeAll(async () => {
    sshd = await startSshd()
    // No periodic refresh: the command log must show only what the tests cause.
    app = await openApp({ sshd, services: { refreshMs: 0 } })
  })

  afterAll(async () => {
    await app?.close()
    await sshd?.stop()
    cleanupPrefix(prefix)
  })

  it('answers the app page itself (the bridge works end to end)', async () => {
    const status: unknown = await app.page.evaluate(() =>
      (window as unknown as { api: { invoke(c: string): Promise<unknown> } }).api.invoke(
        'target:status',
      ),
    )
    expect(status).toEqual({
      ok: true,
      value: { state: 'connected', label: `root@127.0.0.1:${sshd.port}`, kind: 'ssh' },
    })
  })

  it('rejects a foreign sender: another origin, and a sub-frame of the app', async () => {
    // A page of another origin in the same browser, with the same binding available.
    const other = await app.context.newPage()
    await other.goto('data:text/html,<title>foreign</title>')
    const foreign = await other.evaluate<IpcResult<unknown>>(rawInvoke('netns:snapshot', []))
    expect(foreign).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } })
    await other.close()

    // A frame inside the app page (same origin, not the main frame).
    await app.page.evaluate(() => {
      const f = document.createElement('iframe')
      f.srcdoc = '<p>child</p>'
      f.name = 'child'
      document.body.append(f)
    })
    await expect.poll(() => app.page.frame({ name: 'child' })?.url()).toBe('about:srcdoc')
    const child = app.page.frame({ name: 'child' })!
    const viaApi = await child.evaluate<IpcResult<unknown>>(`window.api.invoke('netns:snapshot')`)
    const viaRaw = await child.evaluate<IpcResult<unknown>>(rawInvoke('netns:snapshot', []))
    expect(viaApi).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } })
    expect(viaRaw).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } })
    await app.page.evaluate(() => document.querySelector('iframe[name=child]')?.remove())
  })

  it('rejects an unknown channel, in window.api and at the router', async () => {
    const viaApi = await app.page.evaluate<IpcResult<unknown>>(
      `window.api.invoke('shell:exec', 'id')`,
    )
    const viaRaw = await app.page.evaluate<IpcResult<unknown>>(rawInvoke('shell:exec', ['id']))
    const proto = await app.page.evaluate<IpcResult<unknown>>(rawInvoke('constructor', []))
    for (const r of [viaApi, viaRaw, proto])
      expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } })
    await expect(app.page.evaluate(`window.api.on('shell:output', () => {})`)).rejects.toThrow(
      /Unknown event/,
    )
  })

  it('rejects an invalid argument before any command reaches the target', async () => {
    const before = app.services.commandLog.entries().length
    const marker = `/tmp/${prefix}pwned`
    const hostile = [
      { op: 'ns.add', name: `${prefix}a; touch ${marker}` },
      { op: 'ns.add', name: `${prefix}$(touch ${marker})` },
      { op: 'addr.add', ns: `${prefix}a`, ifname: 'eth0', cidr: '10.0.0.1/33' },
      { op: 'veth.add', name: `${prefix}toolongname1`, peer: `${prefix}b` },
      { op: 'rm -rf /' },
    ]
    for (const op of hostile) {
      const r = await app.page.evaluate<IpcResult<unknown>>(rawInvoke('netns:apply', [op]))
      expect(r, JSON.stringify(op)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_ARGUMENT' },
      })
    }
    const badSpec = await app.page.evaluate<IpcResult<unknown>>(
      rawInvoke('target:connect', [
        { kind: 'ssh', host: '127.0.0.1;id', port: 22, username: 'root' },
      ]),
    )
    expect(badSpec).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    // The target saw nothing: no new command-log entry, no namespace, no marker file, still connected.
    expect(app.services.commandLog.entries()).toHaveLength(before)
    expect(namespacesWithPrefix(prefix)).toEqual([])
    expect(existsSync(marker)).toBe(false)
    expect(app.services.connection.status().state).toBe('connected')

    // The same call with a valid argument does run (so the check above could fail).
    const ok = await app.page.evaluate<IpcResult<unknown>>(
      rawInvoke('netns:apply', [{ op: 'ns.add', name: `${prefix}a` }]),
    )
    expect(ok.ok).toBe(true)
    expect(namespacesWithPrefix(prefix)).toEqual([`${prefix}a`])
    expect(app.services.commandLog.entries().length).toBeGreaterThan(before)
    await app.invoke('netns:apply', { op: 'ns.delete', name: `${prefix}a` })
  })

  it('denies navigation: the window guard prevents it, and CSP form-action stops a form post', async () => {
    // The Electron will-navigate guard (plain code), on a stand-in for WebContents (no Electron here).
    const handlers = new Map<string, (e: { preventDefault(): void }, url: string) => void>()
    const contents = {
      on: (n: string, fn: (e: { preventDefault(): void }, url: string) => void) =>
        handlers.set(n, fn),
      setWindowOpenHandler: () => undefined,
    } as unknown as GuardedContents
    installContentsGuards(contents, () => undefined)
    let prevented = false
    handlers.get('will-navigate')!(
      { preventDefault: () => (prevented = true) },
      'https://evil.example/',
    )
    expect(prevented).toBe(true)

    // In Chromium: a form posting elsewhere is blocked by the CSP; the page stays the app.
    const url = app.page.url()
    const violation = app.page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          document.addEventListener(
            'securitypolicyviolation',
            (e) => resolve(e.violatedDirective),
            { once: true },
          )
          const form = document.createElement('form')
          form.action = 'https://evil.example/steal'
          form.method = 'post'
          document.body.append(form)
          form.submit()
        }),
    )
    expect(await violation).toBe('form-action')
    await app.page.waitForTimeout(200)
    expect(app.page.url()).toBe(url)
  })

  it('blocks inline script and eval with the CSP', async () => {
    const result = await app.page.evaluate(
      () =>
        new Promise<{ ran: boolean; directive: string; evalBlocked: boolean }>((resolve) => {
          const w = window as unknown as { __inlineRan?: boolean }
          document.addEventListener(
            'securitypolicyviolation',
            (e) => {
              let evalBlocked = false
              try {
                // eslint-disable-next-line @typescript-eslint/no-implied-eval
                ;(new Function('return 1') as () => number)()
              } catch {
                evalBlocked = true
              }
              resolve({ ran: w.__inlineRan === true, directive: e.effectiveDirective, evalBlocked })
            },
            { once: true },
          )
          const s = document.createElement('script')
          s.textContent = 'window.__inlineRan = true'
          document.head.append(s)
        }),
    )
    expect(result).toEqual({ ran: false, directive: 'script-src-elem', evalBlocked: true })
  })

  it('pushes main → renderer events into the page through window.api.on', async () => {
    await app.page.evaluate(() => {
      const w = window as unknown as {
        api: { on(c: string, f: (...a: unknown[]) => void): () => void }
        __seen: unknown[]
      }
      w.__seen = []
      w.api.on('target:status-changed', (s) => w.__seen.push(s))
    })
    await app.invoke('target:disconnect')
    await expect
      .poll(() =>
        app.page.evaluate(() =>
          (window as unknown as { __seen: Array<{ state: string }> }).__seen.map((s) => s.state),
        ),
      )
      .toEqual(['disconnected'])
  })
})

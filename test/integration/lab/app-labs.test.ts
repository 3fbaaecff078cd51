// Labs in the app through the REAL main router (createServices + the sender check + the contract's
// argument checks) against the real sshd and real namespaces: open, plan, apply with progress,
// destroy, capture, the open dialog (a STAND-IN: Electron's dialog cannot be shown here), save as
// and save (the save dialog is a STAND-IN too), recent files by id, hostile arguments, settings,
// and that a reconnect to the same machine is not taken for a reboot. Names carry a per-run prefix.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import type { EventArgs, EventChannel } from '../../../shared/ipc/contract'
import type { LabProgressEvent } from '../../../shared/ipc/domains/lab'
import { parseLab } from '../../../shared/lab/parse'
import { prefixLab } from '../../../shared/lab/prefix'
import type { Lab, LabError } from '../../../shared/lab/types'
import type { Snapshot } from '../../../shared/net/model'
import type { OpenPathRequest } from '../../../src-main/lab/open-path'
import type { SavePathRequest } from '../../../src-main/streams/save-file'
import { openAppRouter, type AppRouter } from '../app-router'
import { cleanupPrefix, namespacesWithPrefix, runPrefix, sh } from '../../support/netns'
import { integrationSkipReason, startSshd, type SshdFixture } from '../../support/sshd'

const skip = integrationSkipReason()
if (skip) console.warn(`SKIP labs in the app: ${skip}`)

const P = runPrefix()
const OWNED = `/run/netns-studio/owned-applabs-${process.pid}`

type Seen = { [C in EventChannel]?: Array<EventArgs<C>> }

/** The AppError the renderer's client would get from `fn`. */
async function refusal(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn()
  } catch (e) {
    if (e instanceof AppError) return e
    throw e
  }
  throw new Error('expected a refusal, got a value')
}

describe.skipIf(!!skip)('labs in the app, through the real router', { timeout: 60_000 }, () => {
  let sshd: SshdFixture
  let app: AppRouter
  let dataDir: string
  let files: string
  const seen: Seen = {}
  /** STAND-IN for the open dialog: the path the test sets, or null (Cancel). */
  let openAnswer: string | null = null
  const openAsked: OpenPathRequest[] = []
  /** STAND-IN for the save dialog: the suggested name in the test's folder, unless set. */
  let saveAnswer: ((r: SavePathRequest) => string | null) | null = null
  const saveAsked: SavePathRequest[] = []

  const events = <C extends EventChannel>(c: C): Array<EventArgs<C>> => seen[c] ?? []
  const lastSnapshot = (): Snapshot | undefined => events('netns:changed').at(-1)?.[0]
  const hasNs = (s: Snapshot | undefined, name: string): boolean =>
    !!s?.namespaces.some((n) => n.name === name)

  beforeAll(async () => {
    sshd = await startSshd()
    dataDir = mkdtempSync(join(tmpdir(), 'nss-applabs-'))
    files = join(dataDir, 'elsewhere')
    mkdirSync(files)
    app = openAppRouter(sshd, OWNED, {
      dataDir,
      chooseOpenPath: (req) => {
        openAsked.push(req)
        return Promise.resolve(openAnswer)
      },
      chooseSavePath: (req) => {
        saveAsked.push(req)
        return Promise.resolve(saveAnswer ? saveAnswer(req) : join(files, req.defaultName))
      },
    })
    const record = (ch: EventChannel, args: unknown[]): void => {
      ;((seen[ch] ??= []) as unknown[][]).push(args)
    }
    app.services.events.attach({
      send: (ch, ...a) => record(ch, a),
      sendTo: (_id, ch, ...a) => record(ch, a),
    })
  }, 60_000)

  afterAll(async () => {
    await app?.close()
    await sshd?.stop()
    cleanupPrefix(P)
    sh(['sh', '-c', `rm -f /run/netns-studio/lab-${P}*`])
    rmSync(OWNED, { force: true })
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it('refuses to plan before a target is connected', async () => {
    const doc = await app.invoke('lab:open', { from: 'builtin', name: 'tutorial-1' })
    const e = await refusal(() => app.invoke('lab:plan', doc!.lab))
    expect(e.code).toBe('NOT_CONNECTED')
  })

  it('opens a built-in lab, plans it, applies it with progress, plans nothing more, destroys it', async () => {
    await app.invoke('target:connect', app.sshSpec)
    const list = await app.invoke('lab:list')
    // the five tutorials, then the eight challenges, in the order the app ships them
    const builtin = list.filter((l) => l.source === 'builtin')
    expect(builtin.map((l) => l.name)).toEqual([
      ...[1, 2, 3, 4, 5].map((n) => `tutorial-${n}`),
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => `challenge-${n}`),
    ])
    expect(
      builtin.every((l) => l.kind === (l.name.startsWith('tutorial') ? 'tutorial' : 'challenge')),
    ).toBe(true)
    const doc = await app.invoke('lab:open', { from: 'builtin', name: 'tutorial-1' })
    expect(doc).toMatchObject({ origin: 'builtin', fileId: null, fileName: null })
    expect(doc!.lab.name).toBe('tutorial-1')
    const lab = prefixLab(doc!.lab, P)
    const [ns1, ns2] = [`${P}ns1`, `${P}ns2`]

    const plan = await app.invoke('lab:plan', lab)
    const creates = plan.changes.filter((c) => c.action === 'create' && c.kind === 'namespace')
    expect(creates.map((c) => c.name).sort()).toEqual([ns1, ns2])
    for (const c of plan.changes) expect(c.commands.length).toBeGreaterThan(0)
    expect(creates[0]!.commands.join('\n')).toContain('ip netns add')
    expect(namespacesWithPrefix(P)).toEqual([])

    const before = events('lab:progress').length
    const result = await app.invoke('lab:apply', lab, {})
    const progress = events('lab:progress')
      .slice(before)
      .map(([p]) => p)
    expect(progress.every((p) => p.lab === lab.name)).toBe(true)
    expect(progress.map((p) => p.phase)).toEqual(
      expect.arrayContaining(['reading', 'planned', 'applying', 'done']),
    )
    expect(progress.at(-1)).toMatchObject<Partial<LabProgressEvent>>({
      phase: 'done',
      changes: plan.changes.length,
    })
    expect(result.changes).toHaveLength(plan.changes.length)
    expect(namespacesWithPrefix(P).sort()).toEqual([ns1, ns2])
    // The UI's snapshot was pushed after the apply, and the commands are in the app's log.
    expect(hasNs(lastSnapshot(), ns1) && hasNs(lastSnapshot(), ns2)).toBe(true)
    const logged = (await app.invoke('log:list')).map((e) => e.line)
    for (const c of result.commands) expect(logged).toContain(c)

    expect((await app.invoke('lab:plan', lab)).changes).toEqual([])
    // The tutorial's own checks, decided by the kernel over the same connection.
    const checked = await app.invoke('lab:check', lab)
    expect(lab.checks?.length).toBeGreaterThan(0)
    expect(checked).toMatchObject({ passed: lab.checks!.length, failed: 0 })

    const captured = await app.invoke('lab:capture', `${P}cap`)
    expect(captured).toMatchObject({ origin: 'captured', fileId: null, fileName: null })
    expect(Object.keys(captured.lab.namespaces)).toEqual(expect.arrayContaining([ns1, ns2]))

    const gone = await app.invoke('lab:destroy', lab.name, {})
    expect(gone.changes.filter((c) => c.action === 'delete').length).toBeGreaterThan(0)
    expect(namespacesWithPrefix(P)).toEqual([])
    expect(hasNs(lastSnapshot(), ns1) || hasNs(lastSnapshot(), ns2)).toBe(false)
    const after = await app.invoke('lab:check', lab)
    expect(after.checks.find((c) => c.name === 'ns1 exists')).toMatchObject({ ok: false })
    expect(sh(['sh', '-c', `ls /run/netns-studio/ | grep -c "^lab-${P}" || true`]).trim()).toBe('0')
  })

  it('opens a file from the open dialog: a broken one with line and column, Cancel as null', async () => {
    const bad = join(files, 'bad.yaml')
    writeFileSync(bad, 'name: broken\nnamespaces:\n  ns1: {}\nbogus: 1\n')
    openAnswer = bad
    const e = await refusal(() => app.invoke('lab:open', { from: 'dialog' }))
    expect(e.code).toBe('INVALID_ARGUMENT')
    const errors = e.data?.errors as LabError[]
    expect(errors.length).toBeGreaterThan(0)
    expect(errors[0]).toMatchObject({ line: 4 })
    expect(e.message).toMatch(
      new RegExp(
        `^bad\\.yaml: ${errors.length === 1 ? '1 problem' : `${errors.length} problems, first`}: line 4, col \\d+: `,
      ),
    )
    expect(openAsked.at(-1)).toMatchObject({
      owner: 1,
      filters: [{ name: expect.any(String), extensions: ['yaml', 'yml'] }],
    })

    const syntax = join(files, 'syntax.yaml')
    writeFileSync(syntax, 'name: broken\nnamespaces:\n  ns1: {\n')
    openAnswer = syntax
    const s = await refusal(() => app.invoke('lab:open', { from: 'dialog' }))
    expect(s.code).toBe('INVALID_ARGUMENT')
    const first = (s.data?.errors as LabError[])[0]!
    expect(first.line).toBeGreaterThanOrEqual(3)
    expect(s.message).toContain(`line ${first.line}, col ${first.col}`)

    openAnswer = null
    expect(await app.invoke('lab:open', { from: 'dialog' })).toBeNull()
    // Nothing that failed or was cancelled went into the recent list.
    expect(await app.invoke('lab:recent')).toEqual([])
  })

  it('saves as (asking where), saves again to the same file, lists it in recent and opens it by id', async () => {
    const doc = await app.invoke('lab:open', { from: 'builtin', name: 'tutorial-2' })
    const lab: Lab = { ...doc!.lab, name: `${P}office` }
    const saved = await app.invoke('lab:save-as', lab)
    expect(saved).not.toBeNull()
    expect(saved!.fileName).toBe(`${P}office.yaml`)
    expect(saveAsked.at(-1)).toMatchObject({
      owner: 1,
      defaultName: `${P}office.yaml`,
      filters: [{ name: expect.any(String), extensions: ['yaml', 'yml'] }],
    })
    const path = join(files, `${P}office.yaml`)
    const reparse = (): Lab => {
      const r = parseLab(readFileSync(path, 'utf8'))
      if (!r.ok) throw new Error(JSON.stringify(r.errors))
      return r.lab
    }
    expect(reparse()).toEqual(lab)

    const changed: Lab = { ...lab, title: 'The office, second floor' }
    expect(await app.invoke('lab:save', changed, saved!.fileId)).toEqual(saved)
    expect(reparse()).toEqual(changed)

    const recent = await app.invoke('lab:recent')
    expect(recent[0]).toEqual({
      id: saved!.fileId,
      fileName: `${P}office.yaml`,
      folder: files,
      name: changed.name,
    })
    const again = await app.invoke('lab:open', { from: 'recent', id: recent[0]!.id })
    expect(again).toEqual({
      lab: changed,
      fileId: saved!.fileId,
      fileName: `${P}office.yaml`,
      origin: 'file',
    })

    saveAnswer = () => null
    expect(await app.invoke('lab:save-as', changed)).toBeNull()
    saveAnswer = null
  })

  it("opens the user's labs by name and a dropped file's text", async () => {
    mkdirSync(join(dataDir, 'labs'), { recursive: true })
    const text = `name: ${P}mine\nnamespaces:\n  ${P}m1: {}\n`
    writeFileSync(join(dataDir, 'labs', 'mine.yaml'), text)
    const list = await app.invoke('lab:list')
    expect(list).toContainEqual(
      expect.objectContaining({ name: `${P}mine`, source: 'user', kind: 'lab' }),
    )
    const byFile = await app.invoke('lab:open', { from: 'user', name: 'mine' })
    expect(byFile).toMatchObject({ origin: 'user', fileName: 'mine.yaml' })
    expect(byFile!.lab.name).toBe(`${P}mine`)
    const byName = await app.invoke('lab:open', { from: 'user', name: `${P}mine` })
    expect(byName!.fileId).toBe(byFile!.fileId)

    const dropped = await app.invoke('lab:open', { from: 'text', text, fileName: 'drop.yaml' })
    expect(dropped).toMatchObject({ origin: 'dropped', fileId: null, fileName: 'drop.yaml' })
    const e = await refusal(() =>
      app.invoke('lab:open', { from: 'text', text: 'name: [oops\n', fileName: 'drop.yaml' }),
    )
    expect(e.code).toBe('INVALID_ARGUMENT')
    expect(e.message).toMatch(/^drop\.yaml: .*line \d+, col \d+/)
  })

  it('refuses hostile arguments before any handler runs', async () => {
    const asked = openAsked.length + saveAsked.length
    const refused = async (channel: string, args: unknown[]): Promise<string> => {
      const r = await app.call(channel, args)
      expect(r.ok).toBe(false)
      if (r.ok) return ''
      expect(r.error.code).toBe('INVALID_ARGUMENT')
      return r.error.message
    }
    const lab = (await app.invoke('lab:open', { from: 'builtin', name: 'tutorial-1' }))!.lab
    expect(await refused('lab:open', [{ from: 'recent', id: '/etc/passwd' }])).toMatch(/id/)
    expect(await refused('lab:save', [lab, '/tmp/evil.yaml'])).toMatch(/id/)
    await refused('lab:open', [{ from: 'builtin', name: 'tutorial-1', path: '/etc/passwd' }])
    await refused('lab:open', [{ from: 'dialog', defaultPath: '/root' }])
    await refused('lab:open', [{ from: 'user', name: '../../etc/passwd' }])
    await refused('lab:open', [{ from: 'file', path: '/etc/passwd' }])
    await refused('lab:open', [{ from: 'text', text: 'name: x\n', fileName: '../../x.yaml' }])
    await refused('lab:apply', [lab, { force: true }])
    await refused('lab:apply', [lab, { confirm: 'yes' }])
    await refused('lab:apply', [{ ...lab, namespaces: { 'a;reboot': {} } }, {}])
    await refused('lab:destroy', [`${P}x; rm -rf /`, {}])
    await refused('lab:set-settings', [{ reapplyAfterReboot: 'always', extra: 1 }])
    expect(openAsked.length + saveAsked.length).toBe(asked)
    // A well-formed id the app never gave out is refused by the handler, nothing written.
    const unknown = await refusal(() => app.invoke('lab:save', lab, 'AAAAAAAAAAAAAAAA'))
    expect(unknown.code).toBe('INVALID_ARGUMENT')
    expect(unknown.message).toMatch(/open it again/)
  })

  it('keeps the lab settings in the data folder', async () => {
    expect(await app.invoke('lab:settings')).toEqual({ reapplyAfterReboot: 'ask' })
    expect(await app.invoke('lab:set-settings', { reapplyAfterReboot: 'always' })).toEqual({
      reapplyAfterReboot: 'always',
    })
    expect(await app.invoke('lab:settings')).toEqual({ reapplyAfterReboot: 'always' })
    expect(JSON.parse(readFileSync(join(dataDir, 'lab-settings.json'), 'utf8')) as unknown).toEqual(
      { reapplyAfterReboot: 'always' },
    )
  })

  it("reads the target's boot id on connect and does not take a new connection to the same machine for a reboot", async () => {
    const status = await app.invoke('target:connect', app.sshSpec)
    const label = status.label!
    await app.services.reboots.settled()
    // The sshd runs on this machine: its boot id is this kernel's.
    const here = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    expect(app.services.reboots.bootId(label)).toBe(here)
    await app.invoke('target:disconnect')
    await app.invoke('target:connect', app.sshSpec)
    await app.services.reboots.settled()
    expect(app.services.reboots.bootId(label)).toBe(here)
    expect(events('target:rebooted')).toEqual([])
  })

  it('reads the boot id again after the connection dropped and came back, and sees no reboot', async () => {
    const status = await app.invoke('target:connect', app.sshSpec)
    const label = status.label!
    await app.services.reboots.settled()
    const reads = app.services.reboots.readCount(label)
    const states = (): string[] => events('target:status-changed').map(([st]) => st.state)
    const mark = states().length
    sshd.kill()
    await expect.poll(() => states().slice(mark), { timeout: 10_000 }).toContain('reconnecting')
    await sshd.restart()
    await expect
      .poll(() => states().slice(mark).at(-1), { timeout: 30_000, interval: 200 })
      .toBe('connected')
    await app.services.reboots.settled()
    expect(app.services.reboots.readCount(label)).toBe(reads + 1)
    expect(events('target:rebooted')).toEqual([])
  }, 60_000)
})

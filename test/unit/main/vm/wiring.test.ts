// The VM domain inside the real composition root: `vm:*` handlers, the VM folder in the data
// folder, and `target:connect {kind:'vm'}` reaching the driver. Vagrant is hidden from PATH here.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventArgs, EventChannel } from '../../../../shared/ipc/contract'
import { invokeArgChecks } from '../../../../shared/ipc/contract'
import { createServices, type Services } from '../../../../src-main/app/services'

describe('the VM domain in createServices', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nss-vmwire-'))
  const path = process.env.PATH
  let s: Services
  const seen: Array<[EventChannel, unknown[]]> = []
  const ctx = { senderId: 1 }

  beforeAll(() => {
    process.env.PATH = '/nonexistent'
    s = createServices({ dataDir, refreshMs: 0 })
    s.events.attach({
      send: <C extends EventChannel>(ch: C, ...a: EventArgs<C>) => void seen.push([ch, a]),
      sendTo: () => undefined,
    })
  })
  afterAll(async () => {
    process.env.PATH = path
    await s.dispose()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('every vm:* channel has a handler and an argument check that refuses extra arguments', () => {
    const vmChannels = Object.keys(s.handlers).filter((c) => c.startsWith('vm:'))
    expect(vmChannels.sort()).toEqual(
      Object.keys(invokeArgChecks)
        .filter((c) => c.startsWith('vm:'))
        .sort(),
    )
    expect(vmChannels).toContain('vm:up')
    expect(invokeArgChecks['vm:up']([])).toEqual({ ok: true })
    expect(invokeArgChecks['vm:up'](['--provider=evil'])).toMatchObject({ ok: false })
  })

  it('without vagrant: state says so, operations are refused with VAGRANT_MISSING, preflight explains', async () => {
    const info = await s.vm.refresh()
    expect(info).toMatchObject({
      name: 'default',
      vagrantMissing: true,
      folder: join(dataDir, 'vms', 'default'),
    })
    expect(seen.some(([ch]) => ch === 'vm:state-changed')).toBe(true)
    await expect(s.handlers['vm:up'](ctx)).rejects.toMatchObject({ code: 'VAGRANT_MISSING' })
    const pre = await s.handlers['vm:preflight'](ctx)
    expect(pre.problems[0]?.code).toBe('vagrant-missing')
  })

  it('target:connect {kind:vm} reaches the VM driver and fails with its reason', async () => {
    await expect(s.handlers['target:connect'](ctx, { kind: 'vm' })).rejects.toMatchObject({
      code: 'VAGRANT_MISSING',
    })
    expect(s.connection.status()).toMatchObject({
      state: 'failed',
      kind: 'vm',
      error: { code: 'VAGRANT_MISSING' },
    })
  })

  it('reset-vagrantfile puts the app Vagrantfile into the VM folder', async () => {
    await s.handlers['vm:reset-vagrantfile'](ctx)
    const copy = join(dataDir, 'vms', 'default', 'Vagrantfile')
    expect(existsSync(copy)).toBe(true)
    expect(readFileSync(copy, 'utf8')).toBe(
      readFileSync(join(import.meta.dirname, '../../../../Vagrantfile'), 'utf8'),
    )
  })
})

// The review of a changed host key, in the whole window (jsdom) over the shared fake preload, which
// runs the contract's argument checks: main refuses the connect with SSH_HOSTKEY_CHANGED, the
// dialog shows host:port and both fingerprints; replacing sends exactly { id, fingerprint } and
// connects again; a refused replacement says why and offers Connect again; Cancel sends nothing.
// Mock, named: window.api (the preload bridge) cannot exist in jsdom; support/fake-api.ts.
import type { AppErrorData } from '@shared/errors'
import type { ConnectionStatus, TargetSpec } from '@shared/ipc/domains/core'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import App from '../../../src-renderer/src/App.vue'
import { type FakeApi, FakeIpcError, flush, installFakeApi } from './support/fake-api'
import { tutorial1 } from './support/snapshot'
import { report } from './support/vm'

// Fingerprints as `ssh-keygen -lf` prints them for three real ed25519 keys.
const PINNED = 'SHA256:FratoCyXZVqtMMXSi0uhSNHF2Kqh6Vz16z5Z0FHAlGY'
const OFFERED = 'SHA256:DsbJI7q4TG2wQB2Q55XFZB/PIGtafugzBWE5Q7fNOoA'
const OFFERED_LATER = 'SHA256:vRETjgD5Ew0rEBUE9V2LD0pEBXrZTZitphKGJmjmX7I'
const ID = 'ssh:10.0.0.5:2222'
const SPEC: TargetSpec = {
  kind: 'ssh',
  host: '10.0.0.5',
  port: 2222,
  username: 'root',
  privateKeyPath: '/home/me/.ssh/id_ed25519',
}
const CONNECTED: ConnectionStatus = { state: 'connected', label: 'root@10.0.0.5:2222', kind: 'ssh' }

/** The error main answers a connect with when the key differs from the pin (as HostKeyChangedError). */
function changed(offered = OFFERED): AppErrorData {
  return {
    code: 'SSH_HOSTKEY_CHANGED',
    message: 'The host key of 10.0.0.5:2222 has changed; refusing to connect.',
    detail: `Pinned: ${PINNED}\nOffered: ${offered}\n…`,
    data: {
      id: ID,
      host: '10.0.0.5',
      port: 2222,
      pinnedFingerprint: PINNED,
      offeredFingerprint: offered,
    },
  }
}

let fake: FakeApi
let pinia: ReturnType<typeof createPinia>
let w: VueWrapper | null = null
beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
  fake = installFakeApi()
  fake.handle('log:list', () => [])
  fake.handle('target:status', () => ({ state: 'disconnected', label: null, kind: null }))
  fake.handle('vm:preflight', () => report())
  fake.handle('netns:snapshot', () => tutorial1())
})
afterEach(() => {
  w?.unmount()
  w = null
  fake.uninstall()
  document.body.innerHTML = ''
})

/** The window, with the SSH form filled in as a user types it and Connect clicked. */
async function connectBySsh(): Promise<VueWrapper> {
  w = mount(App, { global: { plugins: [pinia] }, attachTo: document.body })
  await flushPromises()
  await w.get('#target-kind').setValue('ssh')
  await w.get('[aria-label=User]').setValue('root')
  await w.get('[aria-label=Host]').setValue('10.0.0.5')
  await w.get('[aria-label=Port]').setValue('2222')
  await w.get('[aria-label="Private key path"]').setValue('/home/me/.ssh/id_ed25519')
  await w.get('form[aria-label=Target]').trigger('submit')
  await flushPromises()
  await flush()
  return w
}

const dialog = (v: VueWrapper) => v.find('[data-test=hostkey-dialog]')
const button = (v: VueWrapper, text: string) => {
  const b = dialog(v)
    .findAll('button')
    .find((x) => x.text() === text)
  if (!b) throw new Error(`no "${text}" button in the host-key dialog`)
  return b
}

describe('changed host key review', () => {
  it('shows host:port, the pinned and the offered fingerprints and the warning; Cancel has the focus', async () => {
    fake.handle('target:connect', () => {
      throw new FakeIpcError(changed())
    })
    const v = await connectBySsh()
    expect(fake.callsOf('target:connect')).toEqual([[SPEC]])
    const d = dialog(v)
    expect(d.exists()).toBe(true)
    expect(d.attributes('role')).toBe('alertdialog')
    expect(d.get('h2').text()).toBe('The host key of 10.0.0.5:2222 has changed')
    expect(d.get('[data-test=hostkey-pinned]').text()).toBe(PINNED)
    expect(d.get('[data-test=hostkey-offered]').text()).toBe(OFFERED)
    expect(d.get('[data-test=hostkey-pinned]').classes()).toContain('mono')
    expect(d.get('[data-test=hostkey-offered]').classes()).toContain('mono')
    expect(d.get('[data-test=hostkey-warning]').text()).toBe(
      "Someone may be intercepting the connection, or the machine was rebuilt. Compare the offered fingerprint with the machine's own: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on it.",
    )
    expect(d.findAll('button').map((b) => b.text())).toEqual([
      'Cancel',
      'Replace the pinned key and connect',
    ])
    expect(document.activeElement?.textContent?.trim()).toBe('Cancel')
    // The refusal also stays as the connect error, with the new hint.
    const notice = v.get('[data-test=welcome] .error-notice')
    expect(notice.text()).toContain('SSH_HOSTKEY_CHANGED')
    expect(notice.get('.hint').text()).toBe(
      'The target offered a different host key than the one pinned. Review both fingerprints and replace the pin only if you rebuilt the machine; otherwise do not connect.',
    )
    expect(notice.text()).not.toMatch(/forget/i)
  })

  it('replacing trusts exactly { id, fingerprint: offered }, then connects to the same target', async () => {
    fake.handle('target:connect', () => {
      throw new FakeIpcError(changed())
    })
    const trusted: unknown[][] = []
    fake.handle('target:trust-host-key', (req) => {
      trusted.push([req])
      // From now on main holds the new pin: the connect goes through.
      fake.handle('target:connect', () => CONNECTED)
    })
    const v = await connectBySsh()
    await button(v, 'Replace the pinned key and connect').trigger('click')
    await flushPromises()
    await flush()
    expect(trusted).toEqual([[{ id: ID, fingerprint: OFFERED }]])
    expect(Object.keys(trusted[0]![0] as object).sort()).toEqual(['fingerprint', 'id'])
    expect(fake.calls.map((c) => c.channel).filter((c) => c.startsWith('target:'))).toEqual([
      'target:status',
      'target:connect',
      'target:trust-host-key',
      'target:connect',
    ])
    expect(fake.callsOf('target:connect')).toEqual([[SPEC], [SPEC]])
    expect(dialog(v).exists()).toBe(false)
    expect(v.get('[role=status]').text()).toBe('Connected to root@10.0.0.5:2222')
  })

  it('a refused replacement says why and offers Connect again, which reviews the key offered now', async () => {
    fake.handle('target:connect', () => {
      throw new FakeIpcError(changed())
    })
    const why =
      'The pinned key of ssh:10.0.0.5:2222 changed after the refusal; connect again and review the key it offers now.'
    fake.handle('target:trust-host-key', () => {
      throw new FakeIpcError({ code: 'INVALID_ARGUMENT', message: why })
    })
    const v = await connectBySsh()
    await button(v, 'Replace the pinned key and connect').trigger('click')
    await flushPromises()
    expect(fake.callsOf('target:trust-host-key')).toEqual([[{ id: ID, fingerprint: OFFERED }]])
    expect(fake.callsOf('target:connect')).toHaveLength(1)
    const refused = dialog(v).get('[data-test=hostkey-refused]')
    expect(refused.attributes('role')).toBe('alert')
    expect(refused.text()).toContain('The pinned key was not replaced.')
    expect(refused.text()).toContain(why)
    expect(
      dialog(v)
        .findAll('button')
        .map((b) => b.text()),
    ).toEqual(['Cancel', 'Connect again'])

    // The server offers yet another key now: the same target is asked, and that key is reviewed.
    fake.handle('target:connect', () => {
      throw new FakeIpcError(changed(OFFERED_LATER))
    })
    await button(v, 'Connect again').trigger('click')
    await flushPromises()
    expect(fake.callsOf('target:connect')).toEqual([[SPEC], [SPEC]])
    expect(fake.callsOf('target:trust-host-key')).toHaveLength(1)
    expect(dialog(v).get('[data-test=hostkey-offered]').text()).toBe(OFFERED_LATER)
    expect(dialog(v).find('[data-test=hostkey-refused]').exists()).toBe(false)
    expect(button(v, 'Replace the pinned key and connect').exists()).toBe(true)
  })

  it('Cancel (and Escape) closes the review and sends nothing; Reconnect reviews it again', async () => {
    fake.handle('target:connect', () => {
      throw new FakeIpcError(changed())
    })
    const v = await connectBySsh()
    const before = fake.calls.length
    await button(v, 'Cancel').trigger('click')
    await flushPromises()
    expect(dialog(v).exists()).toBe(false)
    expect(fake.calls.length).toBe(before)
    expect(v.get('[role=status]').text()).toBe('Connection failed')

    const reconnect = v.findAll('button').find((b) => b.text() === 'Reconnect')
    await reconnect?.trigger('click')
    await flushPromises()
    expect(fake.callsOf('target:connect')).toEqual([[SPEC], [SPEC]])
    expect(dialog(v).exists()).toBe(true)
    const n = fake.calls.length
    await dialog(v).trigger('keydown', { key: 'Escape' })
    await flushPromises()
    expect(dialog(v).exists()).toBe(false)
    expect(fake.calls.length).toBe(n)
    expect(fake.callsOf('target:trust-host-key')).toEqual([])
  })

  it('an unreadable pin file is an error with its own hint, and no review', async () => {
    fake.handle('target:connect', () => {
      throw new FakeIpcError({
        code: 'HOSTKEY_STORE',
        message:
          'The pinned host keys in /home/me/.config/netns-studio/known_hosts.json are not valid JSON.',
      })
    })
    const v = await connectBySsh()
    expect(dialog(v).exists()).toBe(false)
    const notice = v.get('[data-test=welcome] .error-notice')
    expect(notice.text()).toContain('known_hosts.json are not valid JSON')
    expect(notice.get('.hint').text()).toBe(
      'Fix the pinned-keys file named above or move it aside; nothing was changed.',
    )
  })

  it('a changed-key error with malformed data shows the error, and no review', async () => {
    const bad = changed()
    bad.data = { ...bad.data, offeredFingerprint: 'not a fingerprint' }
    fake.handle('target:connect', () => {
      throw new FakeIpcError(bad)
    })
    const v = await connectBySsh()
    expect(dialog(v).exists()).toBe(false)
    expect(v.get('[data-test=welcome] .error-notice').text()).toContain('has changed')
  })
})

// The actions: every operation has a form whose preview is exactly opCommands' lines, inline
// validation messages come from shared/ rules, destructive operations confirm with the commands,
// and the one-shot ping collects the live ping stream until it ends.
import { type NetOp, type NetOpName, OP_TITLES, opCommands, validateOp } from '@shared/net/ops'
import { toShellLine } from '@shared/net/shell'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h, type PropType } from 'vue'
import ActionsPanel from '../../../src-renderer/src/components/actions/ActionsPanel.vue'
import OpFormView from '../../../src-renderer/src/components/actions/OpFormView.vue'
import ConfirmDialog from '../../../src-renderer/src/components/ConfirmDialog.vue'
import { buildOp, OP_FORMS } from '../../../src-renderer/src/lib/op-forms'
import { pingOnce } from '../../../src-renderer/src/lib/ping'
import { useNetnsStore } from '../../../src-renderer/src/stores/netns'
import { useUiStore } from '../../../src-renderer/src/stores/ui'
import { type FakeApi, FakeIpcError, flush, installFakeApi } from './support/fake-api'
import { tutorial1 } from './support/snapshot'

let fake: FakeApi
let pinia: ReturnType<typeof createPinia>
beforeEach(async () => {
  pinia = createPinia()
  setActivePinia(pinia)
  fake = installFakeApi()
  fake.handle('netns:snapshot', () => tutorial1())
  await useNetnsStore().refresh()
  fake.calls.length = 0
})
afterEach(() => {
  fake.uninstall()
  document.body.innerHTML = ''
})

/** The form and the confirm dialog, as the app shows them. */
const Harness = defineComponent({
  props: { op: { type: String as PropType<NetOpName>, required: true } },
  setup: (p) => () => [h(OpFormView, { op: p.op }), h(ConfirmDialog)],
})

const mountForm = (op: NetOpName): ReturnType<typeof mount> =>
  mount(Harness, { props: { op }, global: { plugins: [pinia] }, attachTo: document.body })

const lines = (op: NetOp): string =>
  opCommands(op)
    .map((s) => toShellLine(s.argv))
    .join('\n')

describe('operation forms', () => {
  it('has a form for every engine operation', () => {
    expect(OP_FORMS.map((f) => f.op).sort()).toEqual(Object.keys(OP_TITLES).sort())
  })

  it('previews the exact commands while typing, then runs that operation', async () => {
    fake.handle('netns:apply', (op) => ({ commands: lines(op).split('\n') }) as never)
    const w = mountForm('addr.add')
    await w.get('#op-addr\\.add-ns').setValue('ns1')
    await w.get('#op-addr\\.add-ifname').setValue('veth0')
    expect(w.find('[data-test=preview]').exists()).toBe(false)
    await w.get('#op-addr\\.add-cidr').setValue('10.10.10.1/28')
    const op: NetOp = { op: 'addr.add', ns: 'ns1', ifname: 'veth0', cidr: '10.10.10.1/28' }
    expect(w.get('[data-test=preview]').text()).toBe(lines(op))
    expect(w.get('[data-test=preview]').text()).toBe('ip -n ns1 addr add 10.10.10.1/28 dev veth0')
    await w.get('form').trigger('submit')
    await flush()
    expect(fake.callsOf('netns:apply')).toEqual([[op]])
    expect(w.get('[data-test=ran]').text()).toBe(lines(op))
    // Editing again shows the new preview, not what ran.
    await w.get('#op-addr\\.add-cidr').setValue('10.10.10.3/28')
    expect(w.find('[data-test=ran]').exists()).toBe(false)
    expect(w.get('[data-test=preview]').text()).toContain('10.10.10.3/28')
  })

  it('shows the shared rule message inline and runs nothing while it is invalid', async () => {
    const w = mountForm('veth.add')
    await w.get('#op-veth\\.add-name').setValue('veth0; reboot')
    const expected = validateOp(buildOp('veth.add', { name: 'veth0; reboot', peer: '' }))
    expect(expected?.field).toBe('name')
    expect(w.get('[role=alert]').text()).toBe(expected?.message)
    expect(w.get('#op-veth\\.add-name').attributes('aria-invalid')).toBe('true')
    await w.get('form').trigger('submit')
    await flush()
    expect(fake.callsOf('netns:apply')).toEqual([])
    // After submit, every problem shows, including untouched fields.
    expect(w.findAll('[role=alert]').length).toBeGreaterThanOrEqual(2)
  })

  it('asks before a destructive operation, showing its commands, and runs nothing on Cancel', async () => {
    fake.handle('netns:apply', () => ({ commands: ['ip netns delete ns2'] }) as never)
    const w = mountForm('ns.delete')
    await w.get('#op-ns\\.delete-name').setValue('ns2')
    await w.get('form').trigger('submit')
    await flush()
    const dialog = w.get('[role=alertdialog]')
    expect(dialog.text()).toContain('ip netns delete ns2')
    await dialog
      .findAll('button')
      .find((b) => b.text() === 'Cancel')!
      .trigger('click')
    await flush()
    expect(fake.callsOf('netns:apply')).toEqual([])
    expect(w.find('[role=alertdialog]').exists()).toBe(false)

    await w.get('form').trigger('submit')
    await flush()
    await w.get('[role=alertdialog] button.danger').trigger('click')
    await flush()
    expect(fake.callsOf('netns:apply')).toEqual([[{ op: 'ns.delete', name: 'ns2' }]])
  })

  it('shows a failed command in the form with code, message, hint and detail', async () => {
    fake.handle('netns:apply', () => {
      throw new FakeIpcError({
        code: 'COMMAND_FAILED',
        message: 'RTNETLINK answers: File exists',
        detail: 'ip netns add ns1',
      })
    })
    const w = mountForm('ns.add')
    await w.get('#op-ns\\.add-name').setValue('ns1')
    await w.get('form').trigger('submit')
    await flush()
    const err = w.get('.error-notice')
    expect(err.text()).toContain('COMMAND_FAILED')
    expect(err.text()).toContain('RTNETLINK answers: File exists')
    expect(err.text()).toContain('ip netns add ns1')
    expect(err.text()).toMatch(/stderr/)
  })

  it('opens on a preset from a table button, with its fields filled', async () => {
    const ui = useUiStore()
    ui.openActions({ op: 'route.add', ns: 'ns2' })
    const w = mount(ActionsPanel, { global: { plugins: [pinia] }, attachTo: document.body })
    await flush()
    expect((w.get('#op-choice').element as HTMLSelectElement).value).toBe('route.add')
    expect((w.get('#op-route\\.add-ns').element as HTMLSelectElement).value).toBe('ns2')
  })
})

describe('one-shot ping', () => {
  it('collects the ping stream until it ends, also when data arrives before the id', async () => {
    const stats = (received: number) => ({
      sent: 3,
      received,
      errors: 0,
      timeouts: 0,
      lossPct: 0,
      minMs: 0.04,
      avgMs: 0.05,
      maxMs: 0.06,
      lastError: null,
    })
    fake.handle('live:ping-start', async () => {
      // The first batch beats the reply (events and replies travel separately).
      fake.emit('live:ping-data', 'p1', { points: [], stats: stats(1), lines: ['64 bytes: seq=1'] })
      await flush(1)
      setTimeout(() => {
        fake.emit('live:ping-data', 'p1', {
          points: [],
          stats: stats(3),
          lines: ['64 bytes: seq=3'],
        })
        fake.emit('live:ping-data', 'other', { points: [], stats: stats(0), lines: ['not mine'] })
        fake.emit('live:ping-ended', 'p1', { reason: 'exit' })
      }, 5)
      return { id: 'p1' }
    })
    const out = await pingOnce({ ns: 'ns1', address: '10.10.10.2', count: 3, deadlineS: 5 })
    expect(out.stats.received).toBe(3)
    expect(out.lines).toEqual(['64 bytes: seq=1', '64 bytes: seq=3'])
    expect(fake.callsOf('live:ping-start')).toEqual([
      [{ ns: 'ns1', address: '10.10.10.2', count: 3, deadlineS: 5 }],
    ])
    expect(fake.listeners('live:ping-data')).toBe(0)
    expect(fake.listeners('live:ping-ended')).toBe(0)
  })
})

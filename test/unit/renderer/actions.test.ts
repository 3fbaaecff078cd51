// The actions: every operation has a form whose preview is exactly opCommands' lines (NAT with the
// tool main detected on the target), inline validation messages come from shared/ rules,
// destructive operations confirm with the commands, operations that would cut the app's own
// connection are marked and confirmed by their consequence (in forms and table rows), and the
// one-shot ping collects the live ping stream until it ends.
import { branchCut, parseBranchFacts, type BranchFacts } from '@shared/net/branch'
import {
  type NatBackend,
  type NetOp,
  type NetOpName,
  OP_TITLES,
  opCommands,
  validateOp,
} from '@shared/net/ops'
import { toShellLine } from '@shared/net/shell'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h, type PropType } from 'vue'
import ActionsPanel from '../../../src-renderer/src/components/actions/ActionsPanel.vue'
import OpFormView from '../../../src-renderer/src/components/actions/OpFormView.vue'
import ConfirmDialog from '../../../src-renderer/src/components/ConfirmDialog.vue'
import InterfacesTable from '../../../src-renderer/src/components/tables/InterfacesTable.vue'
import RoutesTable from '../../../src-renderer/src/components/tables/RoutesTable.vue'
import { buildOp, OP_FORMS } from '../../../src-renderer/src/lib/op-forms'
import { pingOnce } from '../../../src-renderer/src/lib/ping'
import { useNetnsStore } from '../../../src-renderer/src/stores/netns'
import { useUiStore } from '../../../src-renderer/src/stores/ui'
import { type FakeApi, FakeIpcError, flush, installFakeApi } from './support/fake-api'
import { tutorial1 } from './support/snapshot'
import { VM_NAT } from '../shared/net/branch.fixtures'

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

const lines = (op: NetOp, nat?: NatBackend): string =>
  opCommands(op, nat)
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

/** What main reports for tutorial 1's host (a Vagrant NAT guest): captured real `ip` output. */
const vmFacts = (): BranchFacts =>
  parseBranchFacts(VM_NAT, { target: 'vm', label: 'vagrant@127.0.0.1:2222' })
const ETH0_DOWN: NetOp = { op: 'link.set-state', ns: 'host', ifname: 'eth0', up: false }
const CONSEQUENCE = branchCut(ETH0_DOWN, vmFacts())!.consequence

const dialogButton = (w: ReturnType<typeof mount>, label: string) =>
  w
    .get('[role=alertdialog]')
    .findAll('button')
    .find((b) => b.text() === label)!

describe("operations that would cut the app's own connection", () => {
  it('the form warns with the consequence, confirms by it, and sends the confirmation', async () => {
    fake.handle('netns:branch', () => vmFacts())
    fake.handle('netns:apply', (op) => ({ commands: [lines(op)] }) as never)
    const w = mountForm('link.set-state')
    await flush()
    await w.get('#op-link\\.set-state-ns').setValue('host')
    await w.get('#op-link\\.set-state-ifname').setValue('eth0')
    expect(w.find('[data-test=cut-warning]').exists()).toBe(false) // "up" cuts nothing
    await w.get('#op-link\\.set-state-up').setValue('down')
    expect(w.get('[data-test=cut-warning]').text()).toBe(
      `Cuts the app's connection. ${CONSEQUENCE}`,
    )
    expect(CONSEQUENCE).toBe(
      "Setting eth0 down cuts the app's SSH connection to the VM (it arrives on eth0 at 10.0.2.15): the app will lose the VM until it is rebooted (which also deletes every namespace).",
    )
    await w.get('form').trigger('submit')
    await flush()
    const dialog = w.get('[role=alertdialog]')
    expect(dialog.get('#confirm-msg').text()).toBe(CONSEQUENCE)
    expect(dialog.text()).toContain('ip link set dev eth0 down')
    await dialogButton(w, 'Cancel').trigger('click')
    await flush()
    expect(fake.callsOf('netns:apply')).toEqual([])

    await w.get('form').trigger('submit')
    await flush()
    await dialogButton(w, 'Run anyway').trigger('click')
    await flush()
    expect(fake.callsOf('netns:apply')).toEqual([[{ ...ETH0_DOWN, confirm: 'cut-connection' }]])
    expect(fake.callsOf('netns:branch')).toHaveLength(1) // asked once per connection
  })

  it('an interface that does not carry it is neither marked nor confirmed', async () => {
    fake.handle('netns:branch', () => vmFacts())
    fake.handle('netns:apply', (op) => ({ commands: [lines(op)] }) as never)
    const w = mountForm('link.set-state')
    await flush()
    await w.get('#op-link\\.set-state-ns').setValue('ns1')
    await w.get('#op-link\\.set-state-ifname').setValue('veth0')
    await w.get('#op-link\\.set-state-up').setValue('down')
    expect(w.find('[data-test=cut-warning]').exists()).toBe(false)
    await w.get('form').trigger('submit')
    await flush()
    expect(w.find('[role=alertdialog]').exists()).toBe(false)
    expect(fake.callsOf('netns:apply')).toEqual([
      [{ op: 'link.set-state', ns: 'ns1', ifname: 'veth0', up: false }],
    ])
  })

  it("when the facts are unknown, main's refusal names the consequence and the user decides", async () => {
    fake.handle('netns:branch', () => {
      throw new FakeIpcError({ code: 'COMMAND_FAILED', message: 'no answer' })
    })
    const refusal = `${CONSEQUENCE}`
    fake.handle('netns:apply', (op) => {
      if (!('confirm' in op))
        throw new FakeIpcError({
          code: 'CONFIRM_REQUIRED',
          message: refusal,
          data: { field: 'up', confirm: 'cut-connection', consequence: refusal },
        })
      return { commands: [lines(op)] } as never
    })
    const w = mountForm('link.set-state')
    await flush()
    await w.get('#op-link\\.set-state-ns').setValue('host')
    await w.get('#op-link\\.set-state-ifname').setValue('eth0')
    await w.get('#op-link\\.set-state-up').setValue('down')
    expect(w.find('[data-test=cut-warning]').exists()).toBe(false)
    await w.get('form').trigger('submit')
    await flush()
    expect(w.get('[role=alertdialog] #confirm-msg').text()).toBe(refusal)
    await dialogButton(w, 'Run anyway').trigger('click')
    await flush()
    expect(fake.callsOf('netns:apply')).toEqual([
      [ETH0_DOWN],
      [{ ...ETH0_DOWN, confirm: 'cut-connection' }],
    ])
    expect(w.get('[data-test=ran]').text()).toBe('ip link set dev eth0 down')
    expect(w.find('.error-notice').exists()).toBe(false)
  })

  it('a refusal the user cancels runs nothing more and shows no error', async () => {
    fake.handle('netns:apply', () => {
      throw new FakeIpcError({ code: 'CONFIRM_REQUIRED', message: CONSEQUENCE })
    })
    const w = mountForm('link.delete')
    await flush()
    await w.get('#op-link\\.delete-ns').setValue('host')
    await w.get('#op-link\\.delete-ifname').setValue('eth0')
    await w.get('form').trigger('submit')
    await flush()
    await w.get('[role=alertdialog] button.danger').trigger('click') // "Delete" (destructive)
    await flush()
    expect(w.get('[role=alertdialog] #confirm-msg').text()).toBe(CONSEQUENCE)
    await dialogButton(w, 'Cancel').trigger('click')
    await flush()
    expect(fake.callsOf('netns:apply')).toEqual([
      [{ op: 'link.delete', ns: 'host', ifname: 'eth0' }],
    ])
    expect(w.find('.error-notice').exists()).toBe(false)
  })

  it('table rows mark what carries it, and their actions confirm by the consequence', async () => {
    fake.handle('netns:branch', () => vmFacts())
    fake.handle('netns:apply', (op) => ({ commands: [lines(op)] }) as never)
    const host = tutorial1().namespaces[0]!
    const w = mount(
      {
        render: () => [
          h(InterfacesTable, { ns: host }),
          h(RoutesTable, { ns: host }),
          h(ConfirmDialog),
        ],
      },
      { global: { plugins: [pinia] }, attachTo: document.body },
    )
    await flush()
    const badges = w.findAll('[data-test=branch-badge]')
    // eth0 in Interfaces, and the on-link route 10.0.2.0/24 (not the default: the client is on the link).
    expect(badges.map((b) => b.text())).toEqual(["app's connection", "app's connection"])
    expect(badges[0]!.attributes('title')).toBe(CONSEQUENCE)
    expect(badges[1]!.element.closest('[role=row]')?.textContent).toContain('10.0.2.0/24')
    await w.get('[aria-label="Bring down eth0"]').trigger('click')
    await flush()
    expect(w.get('[role=alertdialog] #confirm-msg').text()).toBe(CONSEQUENCE)
    await dialogButton(w, 'Run anyway').trigger('click')
    await flush()
    expect(fake.callsOf('netns:apply')).toEqual([[{ ...ETH0_DOWN, confirm: 'cut-connection' }]])
  })
})

describe('impairment and sysctl forms', () => {
  it('an impairment says what is missing, previews tc, and is marked on what carries the connection', async () => {
    fake.handle('netns:branch', () => vmFacts())
    const w = mountForm('netem.set')
    await flush()
    await w.get('#op-netem\\.set-ns').setValue('ns1')
    await w.get('#op-netem\\.set-ifname').setValue('veth0')
    await w.get('form').trigger('submit')
    await flush()
    expect(w.findAll('[role=alert]').map((a) => a.text())).toContain(
      'Set at least a delay, a loss or a rate.',
    )
    expect(fake.callsOf('netns:apply')).toEqual([])
    await w.get('#op-netem\\.set-delayMs').setValue('100')
    expect(w.get('[data-test=preview]').text()).toBe(
      'ip netns exec ns1 tc qdisc replace dev veth0 root netem delay 100ms',
    )
    expect(w.find('[data-test=cut-warning]').exists()).toBe(false)
    await w.get('#op-netem\\.set-ns').setValue('host')
    await w.get('#op-netem\\.set-ifname').setValue('eth0')
    await w.get('#op-netem\\.set-lossPct').setValue('100')
    expect(w.get('[data-test=cut-warning]').text()).toMatch(
      /^Cuts the app's connection\. Adding the impairment 100ms · 100% loss to eth0 breaks the app's SSH connection to the VM/,
    )
  })

  it('a sysctl outside the allowed list is refused inline with the list', async () => {
    const w = mountForm('sysctl.set')
    await w.get('#op-sysctl\\.set-key').setValue('kernel.core_pattern')
    await w.get('#op-sysctl\\.set-value').setValue('|/bin/sh')
    expect(w.get('#op-sysctl\\.set-key-problem').text()).toMatch(
      /^Sysctl "kernel\.core_pattern" is not one a lab may set; allowed: net\.ipv4\.ip_forward/,
    )
    await w.get('form').trigger('submit')
    await flush()
    expect(fake.callsOf('netns:apply')).toEqual([])
  })
})

describe('NAT previews come from the tool main uses on the target', () => {
  const masq: NetOp = { op: 'nat.masquerade', ns: 'ns1', source: '10.0.0.0/24', remove: true }
  const fill = async (w: ReturnType<typeof mount>): Promise<void> => {
    await w.get('#op-nat\\.masquerade-ns').setValue('ns1')
    await w.get('#op-nat\\.masquerade-source').setValue('10.0.0.0/24')
    await w.get('#op-nat\\.masquerade-remove').setValue(true)
  }

  it('nft: the preview removes that one rule by its comment, as main will', async () => {
    fake.handle('netns:nat-backend', () => 'nft')
    const w = mountForm('nat.masquerade')
    await flush()
    await fill(w)
    const preview = w.get('[data-test=preview]').text()
    expect(preview).toBe(lines(masq, 'nft'))
    expect(preview).toMatch(/^ip netns exec ns1 sh -c .*nft delete rule ip netns_studio/)
    expect(preview).toContain("'netns-studio ip saddr 10.0.0.0/24 masquerade'")
    expect(preview).not.toContain('delete table')
  })

  it('iptables: the iptables line', async () => {
    fake.handle('netns:nat-backend', () => 'iptables')
    const w = mountForm('nat.masquerade')
    await flush()
    await fill(w)
    expect(w.get('[data-test=preview]').text()).toBe(
      'ip netns exec ns1 iptables -t nat -D POSTROUTING -s 10.0.0.0/24 -j MASQUERADE -m comment --comment netns-studio',
    )
  })

  it('while main has not answered, no guess is shown', async () => {
    const held = fake.hold('netns:nat-backend')
    const w = mountForm('nat.masquerade')
    await flush()
    await fill(w)
    expect(w.find('[data-test=preview]').exists()).toBe(false)
    expect(w.get('[data-test=preview-pending]').text()).toBe(
      'Asking the target whether it uses iptables or nft…',
    )
    held.resolve('nft')
    await flush()
    expect(w.get('[data-test=preview]').text()).toBe(lines(masq, 'nft'))
  })
})

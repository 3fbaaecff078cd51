// The namespace panel's tables: interfaces with states in plain words and veth peers, routes with
// the default highlighted across tables, neighbours with their state, and 5,000 rows virtualized.
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import InterfacesTable from '../../../src-renderer/src/components/tables/InterfacesTable.vue'
import NeighboursTable from '../../../src-renderer/src/components/tables/NeighboursTable.vue'
import RoutesTable from '../../../src-renderer/src/components/tables/RoutesTable.vue'
import VirtualTable from '../../../src-renderer/src/components/tables/VirtualTable.vue'
import { useUiStore } from '../../../src-renderer/src/stores/ui'
import { type FakeApi, flush, installFakeApi } from './support/fake-api'
import { largeLab, link, lo, neigh, ns, route, tutorial1 } from './support/snapshot'

let fake: FakeApi
let pinia: ReturnType<typeof createPinia>
beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
  fake = installFakeApi()
})
afterEach(() => fake.uninstall())

const rowsOf = (w: ReturnType<typeof mount>): string[] =>
  w
    .findAll('[role=row]')
    .slice(1)
    .map((r) => r.text())

describe('InterfacesTable', () => {
  it('shows the veth peer as "→ veth1 in ns2", the link-netns, and the state in plain words', () => {
    const ns1 = tutorial1().namespaces[1]!
    const w = mount(InterfacesTable, { props: { ns: ns1 }, global: { plugins: [pinia] } })
    const [loRow, vethRow] = rowsOf(w)
    expect(vethRow).toContain('veth0')
    expect(vethRow).toContain('→ veth1 in ns2')
    expect(vethRow).toContain('ns2 (id 1)')
    expect(vethRow).toContain('6e:8a:1c:22:9f:01')
    expect(vethRow).toContain('Up and passing traffic')
    expect(loRow).toContain('loopback')
  })

  it('explains LOWERLAYERDOWN as "this end is up but its peer is down"', () => {
    const down = ns('ns1', {
      links: [
        lo(),
        link({
          ifname: 'veth0',
          flags: ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP'],
          operstate: 'LOWERLAYERDOWN',
          peer: { namespace: 'ns2', ifname: 'veth1', ifindex: 6 },
        }),
      ],
    })
    const w = mount(InterfacesTable, { props: { ns: down }, global: { plugins: [pinia] } })
    const row = rowsOf(w)[1]!
    expect(row).toMatch(/peer down/)
    expect(row).toMatch(/This end is up but its peer veth1 in ns2 is down/)
    // The flags' meanings are in the tooltip.
    expect(w.findAll('.explain')[1]!.attributes('title')).toMatch(/NO-CARRIER: /)
  })

  it('brings a link up with the Up button: one link.set-state operation, then a refresh', async () => {
    fake.handle('netns:apply', () => ({ commands: ['ip -n ns1 link set dev veth0 up'] }) as never)
    fake.handle('netns:snapshot', () => tutorial1())
    const ns1 = tutorial1().namespaces[1]!
    ns1.links[1]!.flags = ['BROADCAST', 'MULTICAST']
    const w = mount(InterfacesTable, { props: { ns: ns1 }, global: { plugins: [pinia] } })
    await w.get('[aria-label="Bring up veth0"]').trigger('click')
    await flush()
    expect(fake.callsOf('netns:apply')).toEqual([
      [{ op: 'link.set-state', ns: 'ns1', ifname: 'veth0', up: true }],
    ])
    expect(fake.callsOf('netns:snapshot')).toHaveLength(1)
    // The corner notice shows the command that ran.
    expect(useUiStore().notices.map((x) => x.text)).toEqual([
      'Set link up/down: ran ip -n ns1 link set dev veth0 up',
    ])
  })

  it('drops MAC, MTU and link-netns columns in compact (compare) mode', () => {
    const ns1 = tutorial1().namespaces[1]!
    const w = mount(InterfacesTable, {
      props: { ns: ns1, compact: true },
      global: { plugins: [pinia] },
    })
    const heads = w.findAll('[role=columnheader]').map((h) => h.text())
    expect(heads).toEqual(['Name', 'Kind', 'State', 'Peer / master', ''])
  })
})

describe('RoutesTable', () => {
  const n = ns('r1', {
    routes: [
      route('10.0.0.0/24', { dev: 'eth0' }),
      route('10.9.0.0/16', { table: '100', gateway: '10.0.0.9', dev: 'eth0' }),
      route('10.0.0.1', { table: 'local', type: 'local', dev: 'eth0' }),
      route('default', { gateway: '10.0.0.1', dev: 'eth0', scope: 'global' }),
    ],
  })

  it('lists every table, main first with the default route on top and highlighted', () => {
    const w = mount(RoutesTable, { props: { ns: n }, global: { plugins: [pinia] } })
    const rows = w.findAll('[role=row]').slice(1)
    expect(rows.map((r) => r.findAll('[role=cell]')[1]!.text())).toEqual([
      'default',
      '10.0.0.0/24',
      '10.9.0.0/16',
      '10.0.0.1local',
    ])
    expect(rows[0]!.classes()).toContain('default')
    expect(rows.filter((r) => r.classes().includes('default'))).toHaveLength(1)
  })

  it('filters to one table', async () => {
    const w = mount(RoutesTable, { props: { ns: n }, global: { plugins: [pinia] } })
    const options = w.findAll('option').map((o) => o.text())
    expect(options).toEqual(['all tables (4)', 'main', '100', 'local'])
    await w.get('select').setValue('100')
    expect(rowsOf(w)).toHaveLength(1)
    expect(rowsOf(w)[0]).toContain('10.0.0.9')
  })
})

describe('NeighboursTable', () => {
  it('shows each neighbour with its MAC and state in words', () => {
    const n = ns('ns1', {
      neighbours: [
        neigh('10.10.10.2', 'veth0', '9a:41:7d:03:bb:52', 'REACHABLE'),
        neigh('10.10.10.3', 'veth0', null, 'FAILED'),
      ],
    })
    const w = mount(NeighboursTable, { props: { ns: n } })
    const [a, b] = rowsOf(w)
    expect(a).toContain('9a:41:7d:03:bb:52')
    expect(a).toContain('REACHABLE')
    expect(a).toContain('the neighbour answered')
    expect(b).toContain('(none)')
    expect(b).toMatch(/FAILED.*nobody has this address/)
  })

  it('says what to do when the table is empty', () => {
    const w = mount(NeighboursTable, { props: { ns: ns('ns1') } })
    expect(w.text()).toMatch(/ping/i)
  })
})

describe('VirtualTable', () => {
  it('renders only a window of 5,000 routes, and the rows of where it is scrolled to', async () => {
    const big = largeLab(1, 5000).namespaces[1]!
    expect(big.routes.length).toBeGreaterThanOrEqual(5000)
    const w = mount(RoutesTable, { props: { ns: big }, global: { plugins: [pinia] } })
    const table = w.get('[role=table]')
    expect(Number(table.attributes('aria-rowcount'))).toBe(big.routes.length + 1)
    const shown = w.findAll('[role=row]').length - 1
    expect(shown).toBeGreaterThan(10)
    expect(shown).toBeLessThan(100)
    // Scroll far down: the rows there are rendered (and the first ones are not).
    const scroller = w.get('.vbody').element as HTMLElement
    scroller.scrollTop = 30 * 4000
    scroller.dispatchEvent(new Event('scroll'))
    await flush()
    const idx = w
      .findAll('[role=row][aria-rowindex]')
      .map((r) => Number(r.attributes('aria-rowindex')))
    expect(Math.min(...idx)).toBeGreaterThan(3900)
    expect(Math.max(...idx)).toBeLessThan(4200)
  })

  it('renders every row of a short table, unvirtualized', () => {
    const w = mount(VirtualTable, {
      props: {
        columns: [{ key: 'a', label: 'A', width: '1fr' }],
        rows: ['x', 'y', 'z'],
        rowKey: (r: unknown) => String(r),
        label: 'T',
      },
      slots: { cell: '<template #cell="{ row }">{{ row }}</template>' },
    })
    expect(rowsOf(w)).toEqual(['x', 'y', 'z'])
  })
})

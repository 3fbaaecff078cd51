// Editing the open lab from the topology (lib/topology-editor.ts with the real lab and netns stores):
// each gesture becomes a new lab that goes through proposeEdit (the plan with its commands first,
// apply only on OK); what the edit functions refuse is said and nothing is sent; drags keep the
// positions of the lab's own nodes only. The name prompt checks as it is typed.
// Mock, named: window.api (the preload bridge) and main's lab handlers cannot exist in jsdom; the
// plans come from the real planner (support/lab-main.ts).

import type { TopoEdge } from '@shared/net/topology'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import NamePrompt from '../../../src-renderer/src/components/topology/NamePrompt.vue'
import { useTopologyEditor } from '../../../src-renderer/src/lib/topology-editor'
import { useLabStore } from '../../../src-renderer/src/stores/lab'
import { useNetnsStore } from '../../../src-renderer/src/stores/netns'
import { useTargetStore } from '../../../src-renderer/src/stores/target'
import { type FakeApi, flush, installFakeApi } from './support/fake-api'
import { installLabMain, type LabMain } from './support/lab-main'
import { link, lo, ns, snapshot } from './support/snapshot'

let fake: FakeApi
let main: LabMain
const edges = new Map<string, TopoEdge>()

beforeEach(() => {
  setActivePinia(createPinia())
  fake = installFakeApi()
  main = installLabMain(fake)
  fake.handle('netns:snapshot', () => main.kernel)
  useTargetStore().status = { state: 'connected', label: 'root@10.0.0.5:22', kind: 'ssh' }
  edges.clear()
})
afterEach(() => fake.uninstall())

/** Run an edit, answer its plan prompt (OK or Cancel) and return what the prompt showed. */
async function answer(
  edit: Promise<boolean>,
  ok: boolean,
): Promise<{ title: string; commands: string[]; done: boolean }> {
  const lab = useLabStore()
  await flush()
  const p = lab.prompt
  if (!p) throw new Error('no plan was shown')
  const shown = { title: p.title, commands: p.plan.changes.flatMap((c) => c.commands) }
  p.resolve(ok)
  return { ...shown, done: await edit }
}

/** The kernel after the lab made red and green (what its record owns). */
function redGreenApplied(): void {
  main.kernel = snapshot([ns('host'), ns('green'), ns('red')])
  main.owned.namespaces.add('red')
  main.owned.namespaces.add('green')
  useNetnsStore().setSnapshot(main.kernel)
}

describe('topology editor', () => {
  it('adds a namespace at its spot: the plan first, the lab takes it on OK', async () => {
    const ed = useTopologyEditor((id) => edges.get(id))
    ed.startAdd('namespace', { x: 40, y: 60 })
    expect(ed.prompt.value).toEqual({ kind: 'namespace', pos: { x: 40, y: 60 }, suggestion: 'ns1' })
    expect(ed.checkName('namespace', 'a b').ok).toBe(false)
    const r = await answer(ed.submitName('red'), true)
    expect(r).toEqual({
      title: 'Add namespace red',
      commands: ['ip netns add red', 'ip -n red link set dev lo up'],
      done: true,
    })
    const lab = useLabStore()
    expect(lab.doc!.lab.namespaces).toEqual({ red: {} })
    expect(lab.doc!.lab.layout).toEqual({ red: { x: 40, y: 60 } })
    expect(fake.callsOf('lab:apply')).toHaveLength(1)
  })

  it('Cancel on the plan leaves the lab as it was and runs nothing', async () => {
    const ed = useTopologyEditor((id) => edges.get(id))
    ed.startAdd('bridge', { x: 0, y: 0 })
    expect(ed.prompt.value?.suggestion).toBe('br1')
    const r = await answer(ed.submitName('br1'), false)
    expect(r.commands).toContain('ip link add name br1 type bridge')
    expect(r.done).toBe(false)
    expect(useLabStore().doc!.lab.bridges).toEqual([])
    expect(fake.callsOf('lab:apply')).toEqual([])
  })

  it('connects two namespaces with the veth pair command', async () => {
    redGreenApplied()
    const lab = useLabStore()
    lab.ensureDoc().lab.namespaces = { red: {}, green: {} }
    const ed = useTopologyEditor((id) => edges.get(id))
    const r = await answer(ed.connectNodes('ns:red', 'ns:green'), true)
    expect(r.title).toBe('Connect namespace red and namespace green')
    expect(r.commands).toContain(
      'ip -n red link add veth-green type veth peer name veth-red netns green',
    )
    expect(lab.doc!.lab.links).toHaveLength(1)
  })

  it('says why an edit is refused and sends nothing', async () => {
    const ed = useTopologyEditor((id) => edges.get(id))
    useLabStore().ensureDoc()
    expect(await ed.connectNodes('ns:host', 'ns:host')).toBe(false)
    expect(ed.message.value).toMatch(/two different nodes/)
    expect(await ed.connectNodes('ns:host', 'ns:nowhere')).toBe(false)
    expect(ed.message.value).toBe('Namespace "nowhere" is not in this lab; add it first.')
    ed.selection.value = { kind: 'node', id: 'ns:host' }
    expect(ed.canDelete.value).toBe(false)
    expect(await ed.deleteSelected()).toBe(false)
    expect(ed.message.value).toMatch(/cannot be deleted/)
    ed.selection.value = { kind: 'node', id: 'ns:byhand' }
    expect(await ed.deleteSelected()).toBe(false)
    expect(ed.message.value).toMatch(/not part of the open lab/)
    expect(fake.callsOf('lab:plan')).toEqual([])
  })

  it('sets the addresses of a link’s ends and deletes a namespace, each after its plan', async () => {
    redGreenApplied()
    const lab = useLabStore()
    lab.ensureDoc().lab = {
      ...lab.ensureDoc().lab,
      namespaces: { red: {}, green: {} },
      links: [
        {
          endpoints: [
            { ns: 'red', name: 'veth-green' },
            { ns: 'green', name: 'veth-red' },
          ],
        },
      ],
    }
    main.kernel = snapshot([
      ns('host'),
      ns('green', {
        links: [
          lo(),
          link({
            ifname: 'veth-red',
            peer: { namespace: 'red', ifname: 'veth-green', ifindex: 2 },
          }),
        ],
      }),
      ns('red', {
        links: [
          lo(),
          link({
            ifname: 'veth-green',
            peer: { namespace: 'green', ifname: 'veth-red', ifindex: 2 },
          }),
        ],
      }),
    ])
    // The edge as the topology draws it: its a end in green.
    edges.set('veth:1', {
      id: 'veth:1',
      kind: 'veth',
      source: 'ns:green',
      target: 'ns:red',
      a: { ns: 'green', ifname: 'veth-red', up: true },
      b: { ns: 'red', ifname: 'veth-green', up: true },
      up: true,
    })
    const ed = useTopologyEditor((id) => edges.get(id))
    ed.selection.value = { kind: 'edge', id: 'veth:1' }
    expect(ed.selectedLink.value?.ends.map((e) => e.label)).toEqual([
      'green:veth-red',
      'red:veth-green',
    ])
    expect(ed.canDelete.value).toBe(true)
    const r = await answer(ed.saveAddresses([['10.0.0.2/24'], ['10.0.0.1/24']]), true)
    expect(r.title).toBe('Set addresses of green:veth-red — red:veth-green')
    expect(r.commands).toEqual(
      expect.arrayContaining([
        'ip -n green addr add 10.0.0.2/24 dev veth-red',
        'ip -n red addr add 10.0.0.1/24 dev veth-green',
      ]),
    )
    expect(lab.doc!.lab.links[0]!.endpoints.map((e) => e.addresses)).toEqual([
      ['10.0.0.1/24'],
      ['10.0.0.2/24'],
    ])

    ed.selection.value = { kind: 'node', id: 'ns:green' }
    const d = await answer(ed.deleteSelected(), true)
    expect(d.title).toBe('Delete namespace green')
    expect(d.commands).toContain('ip netns delete green')
    expect(Object.keys(lab.doc!.lab.namespaces)).toEqual(['red'])
    expect(lab.doc!.lab.links).toEqual([])
    expect(ed.selection.value).toBeNull()
  })

  it('keeps dragged positions of the lab’s nodes only, without planning', () => {
    const lab = useLabStore()
    const ed = useTopologyEditor((id) => edges.get(id))
    ed.moved({ 'ns:red': { x: 1, y: 2 } })
    expect(lab.doc).toBeNull()
    lab.ensureDoc().lab.namespaces = { red: {} }
    ed.moved({
      'ns:red': { x: 10.6, y: 20.2 },
      'ns:byhand': { x: 0, y: 0 },
      'ns:host': { x: 5, y: 5 },
    })
    expect(lab.doc!.lab.layout).toEqual({ red: { x: 11, y: 20 }, host: { x: 5, y: 5 } })
    expect(lab.dirty).toBe(true)
    expect(fake.callsOf('lab:plan')).toEqual([])
  })
})

describe('name prompt', () => {
  it('checks as it is typed and submits only a valid name', async () => {
    const ed = useTopologyEditor((id) => edges.get(id))
    useNetnsStore().setSnapshot(snapshot([ns('host'), ns('taken')]))
    const w = mount(NamePrompt, {
      props: {
        kind: 'namespace',
        suggestion: 'ns1',
        homes: ['host'],
        check: (name: string, home: string) => ed.checkName('namespace', name, home),
      },
    })
    const input = w.get('input')
    expect((input.element as HTMLInputElement).value).toBe('ns1')
    await input.setValue('taken')
    expect(w.get('[role=alert]').text()).toBe(
      'Namespace "taken" already exists on the target; choose another name.',
    )
    expect(w.get('button[type=submit]').attributes('disabled')).toBeDefined()
    await input.setValue('x$(id)')
    expect(w.get('[role=alert]').text()).toMatch(/shell character "\$"/)
    await w.get('form').trigger('submit')
    expect(w.emitted('submit')).toBeUndefined()
    await input.setValue('blue')
    expect(w.find('[role=alert]').exists()).toBe(false)
    await w.get('form').trigger('submit')
    expect(w.emitted('submit')).toEqual([['blue', 'host']])
  })
})

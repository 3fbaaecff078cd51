// Editing the open lab from the topology: each gesture (add a node, connect two, set a link end's
// addresses, delete) makes a new lab with shared/lab/edit.ts and hands it to the lab store's
// proposeEdit, which shows the plan's exact commands and applies it only when confirmed. What the
// edit functions refuse is shown here, in their words; nothing is sent then.

import { AppError } from '@shared/errors'
import {
  addBridge,
  addNamespace,
  checkNewBridge,
  checkNewNamespace,
  connect,
  liveNames,
  removeLink,
  removeNode,
  setEndAddresses,
} from '@shared/lab/edit'
import type { Lab, LabPosition } from '@shared/lab/types'
import { HOST_NS } from '@shared/net/model'
import type { TopoEdge } from '@shared/net/topology'
import type { Check } from '@shared/net/validate'
import { computed, ref, toRaw } from 'vue'
import { emptyLab, useLabStore } from '../stores/lab'
import { useNetnsStore } from '../stores/netns'
import { keyOfNode, linkOfEdge, nodeInLab, suggestName } from './topology-lab'

/** What is selected on the canvas. */
export type TopoSelection = { kind: 'node'; id: string } | { kind: 'edge'; id: string } | null

/** The name prompt of "+ Namespace" / "+ Bridge": where the node will go and a suggested name. */
export interface NamePrompt {
  kind: 'namespace' | 'bridge'
  pos: LabPosition
  suggestion: string
}

/** One end of the selected link, as the address editor shows it. */
export interface EditableEnd {
  /** "red:veth-green". */
  label: string
  /** The lab's addresses of this end. */
  addresses: string[]
}

const what = (id: string): string => {
  const key = keyOfNode(id) ?? id
  return key.includes('/') ? `bridge ${key.slice(key.indexOf('/') + 1)}` : `namespace ${key}`
}

export function useTopologyEditor(edgeById: (id: string) => TopoEdge | undefined) {
  const lab = useLabStore()
  const netns = useNetnsStore()
  const connectMode = ref(false)
  const prompt = ref<NamePrompt | null>(null)
  const selection = ref<TopoSelection>(null)
  /** Why the last edit was refused (before anything ran), or null. */
  const message = ref<string | null>(null)
  const working = ref(false)

  const live = computed(() => liveNames(netns.snapshot))
  /** The lab as it is (raw: the edit functions copy what they change). */
  const current = (): Lab => toRaw(lab.doc?.lab) ?? emptyLab('untitled')

  const selectedEdge = computed(() =>
    selection.value?.kind === 'edge' ? (edgeById(selection.value.id) ?? null) : null,
  )
  /** The lab link the selected edge draws, its ends in the edge's order (a, b), or null. */
  const selectedLink = computed(() => {
    const e = selectedEdge.value
    const l = e ? linkOfEdge(lab.doc?.lab ?? null, e) : null
    if (!e || !l || !lab.doc) return null
    const link = lab.doc.lab.links[l.index]!
    const order: [0 | 1, 0 | 1] = l.aEnd === 0 ? [0, 1] : [1, 0]
    const ends = order.map((j, k) => ({
      label: `${(k === 0 ? e.a : e.b)!.ns}:${link.endpoints[j].name}`,
      addresses: [...(link.endpoints[j].addresses ?? [])],
    }))
    return { index: l.index, order, ends }
  })
  const canDelete = computed(() => {
    const s = selection.value
    if (!s) return false
    if (s.kind === 'node') return s.id !== `ns:${HOST_NS}` && nodeInLab(lab.doc?.lab ?? null, s.id)
    return selectedLink.value !== null
  })

  function checkName(kind: NamePrompt['kind'], name: string, ns = HOST_NS): Check {
    return kind === 'namespace'
      ? checkNewNamespace(current(), name, live.value)
      : checkNewBridge(current(), name, ns, live.value)
  }

  function startAdd(kind: NamePrompt['kind'], pos: LabPosition): void {
    connectMode.value = false
    message.value = null
    const taken = (n: string): boolean => !checkName(kind, n).ok
    prompt.value = { kind, pos, suggestion: suggestName(kind === 'namespace' ? 'ns' : 'br', taken) }
  }

  /** Make the edit and propose it; a refusal of the edit functions becomes `message`. */
  async function propose(make: (l: Lab) => Lab, title: string): Promise<boolean> {
    message.value = null
    if (lab.busy !== null) {
      // proposeEdit would drop it silently: say so instead.
      message.value = `The lab is busy (${lab.busy}); try again when that is done.`
      return false
    }
    let next: Lab
    try {
      next = make(toRaw(lab.ensureDoc().lab))
    } catch (e) {
      message.value = e instanceof AppError ? e.message : String(e)
      return false
    }
    working.value = true
    try {
      return await lab.proposeEdit(next, title)
    } finally {
      working.value = false
    }
  }

  async function submitName(name: string, ns = HOST_NS): Promise<boolean> {
    const p = prompt.value
    if (!p) return false
    prompt.value = null
    return p.kind === 'namespace'
      ? propose((l) => addNamespace(l, name, p.pos, live.value), `Add namespace ${name}`)
      : propose(
          (l) => addBridge(l, name, { ns, pos: p.pos }, live.value),
          `Add bridge ${name}${ns === HOST_NS ? '' : ` in ${ns}`}`,
        )
  }

  /** Connect two graph nodes with a veth pair. */
  async function connectNodes(fromId: string, toId: string): Promise<boolean> {
    const a = keyOfNode(fromId)
    const b = keyOfNode(toId)
    if (a === null || b === null) return false
    return propose(
      (l) => connect(l, a, b, live.value).lab,
      `Connect ${what(fromId)} and ${what(toId)}`,
    )
  }

  /** Set the addresses of both ends of the selected link (in the edge's order). */
  async function saveAddresses(texts: [string[], string[]]): Promise<boolean> {
    const s = selectedLink.value
    if (!s) return false
    const names = s.ends.map((e) => e.label).join(' — ')
    return propose((l) => {
      let next = l
      s.order.forEach((j, k) => {
        const was = l.links[s.index]!.endpoints[j].addresses ?? []
        if (JSON.stringify(was) !== JSON.stringify(texts[k]))
          next = setEndAddresses(next, s.index, j, texts[k]!)
      })
      return next
    }, `Set addresses of ${names}`)
  }

  /** Delete the selected node or link from the lab (and so from the target). */
  async function deleteSelected(): Promise<boolean> {
    const s = selection.value
    if (!s) return false
    const doc = lab.doc?.lab ?? null
    if (s.kind === 'node') {
      if (s.id === `ns:${HOST_NS}`) {
        message.value = 'The root namespace (host) is always there; it cannot be deleted.'
        return false
      }
      if (!nodeInLab(doc, s.id)) {
        message.value = `${what(s.id)} is not part of the open lab (it was made outside it); delete it with Actions.`
        return false
      }
      const key = keyOfNode(s.id)!
      const ok = await propose((l) => removeNode(l, key), `Delete ${what(s.id)}`)
      if (ok) selection.value = null
      return ok
    }
    const link = selectedLink.value
    if (!link) {
      message.value =
        'This link is not part of the open lab (it was made outside it); delete it with Actions.'
      return false
    }
    const ok = await propose(
      (l) => removeLink(l, link.index),
      `Delete link ${link.ends.map((e) => e.label).join(' — ')}`,
    )
    if (ok) selection.value = null
    return ok
  }

  /** A node was dragged: its position goes into the open lab (nodes the lab holds only). */
  function moved(positions: Record<string, LabPosition>): void {
    const doc = lab.doc?.lab ?? null
    const keep: Record<string, LabPosition> = {}
    for (const [id, p] of Object.entries(positions)) {
      const key = keyOfNode(id)
      if (key !== null && nodeInLab(doc, id)) keep[key] = { x: Math.round(p.x), y: Math.round(p.y) }
    }
    if (Object.keys(keep).length) lab.setLayout(keep)
  }

  return {
    connectMode,
    prompt,
    selection,
    message,
    working,
    selectedEdge,
    selectedLink,
    canDelete,
    checkName,
    startAdd,
    submitName,
    connectNodes,
    saveAddresses,
    deleteSelected,
    moved,
    /** Namespaces a bridge can go in: host and the lab's own. */
    bridgeHomes: computed(() => [
      HOST_NS,
      ...Object.keys(lab.doc?.lab.namespaces ?? {}).filter((n) => n !== HOST_NS),
    ]),
  }
}

export type TopologyEditor = ReturnType<typeof useTopologyEditor>

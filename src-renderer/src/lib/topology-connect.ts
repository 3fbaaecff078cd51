// The Connect gesture on the canvas: while on, press on a node and drag to another (a dashed line
// follows the pointer), or click one node and then the other. Nodes do not move and the view does
// not pan meanwhile. Hand-written rather than cytoscape-edgehandles: that extension has not been
// released since 4.0.1 and brings handles and lodash for what is some forty lines here.

import type { Core, EventObject, NodeSingular, Position } from 'cytoscape'

const GHOST = '__connect-ghost'
const GHOST_EDGE = '__connect-ghost-edge'

/** The gesture attached to one cytoscape instance. */
export interface ConnectGesture {
  /** Turn the mode on or off (off drops a half-made connection). */
  setEnabled(on: boolean): void
  /** Drop a half-made connection (Escape). */
  cancel(): void
  detach(): void
}

/** Node ids that must not be connected (the ghost), and which node is under a point. */
function nodeAt(cy: Core, p: Position): NodeSingular | null {
  const hit = cy.nodes().filter((n) => {
    if (n.id() === GHOST) return false
    const b = n.boundingBox({ includeLabels: false, includeOverlays: false })
    return p.x >= b.x1 && p.x <= b.x2 && p.y >= b.y1 && p.y <= b.y2
  })
  return hit.length ? hit[hit.length - 1]! : null
}

/** Attach the gesture; `onConnect(fromId, toId)` gets two different node ids. */
export function attachConnect(
  cy: Core,
  onConnect: (from: string, to: string) => void,
): ConnectGesture {
  let enabled = false
  let source: NodeSingular | null = null
  let pending: NodeSingular | null = null
  let handled = false
  const saved = {
    grab: cy.autoungrabify(),
    pan: cy.userPanningEnabled(),
    box: cy.boxSelectionEnabled(),
  }

  const dropGhost = (): void => {
    cy.getElementById(GHOST_EDGE).remove()
    cy.getElementById(GHOST).remove()
  }
  const clear = (): void => {
    dropGhost()
    pending?.removeClass('connect-source')
    source = null
    pending = null
  }
  const done = (from: NodeSingular, to: NodeSingular): void => {
    const a = from.id()
    const b = to.id()
    clear()
    if (a !== b) onConnect(a, b)
  }

  const onStart = (ev: EventObject): void => {
    if (!enabled) return
    const node = ev.target as NodeSingular
    handled = false
    if (pending && pending.id() !== node.id()) {
      handled = true
      done(pending, node)
      return
    }
    source = node
    dropGhost()
    cy.add([
      { group: 'nodes', data: { id: GHOST }, classes: 'ghost', position: { ...ev.position } },
      {
        group: 'edges',
        data: { id: GHOST_EDGE, source: node.id(), target: GHOST },
        classes: 'ghost',
      },
    ])
  }
  const onDrag = (ev: EventObject): void => {
    if (!enabled || !source) return
    cy.getElementById(GHOST).position({ ...ev.position })
  }
  const onEnd = (ev: EventObject): void => {
    if (!enabled || handled) {
      handled = false
      return
    }
    const from = source
    dropGhost()
    source = null
    if (!from) return
    const to = nodeAt(cy, ev.position)
    if (to && to.id() !== from.id()) return done(from, to)
    // A click without a drag to another node: it is the first of two clicks.
    if (to && to.id() === from.id()) {
      pending?.removeClass('connect-source')
      pending = from
      from.addClass('connect-source')
    }
  }
  const onBackground = (ev: EventObject): void => {
    if (enabled && ev.target === cy) clear()
  }

  cy.on('tapstart', 'node', onStart)
  cy.on('tapdrag', onDrag)
  cy.on('tapend', onEnd)
  cy.on('tap', onBackground)

  return {
    setEnabled(on) {
      if (on === enabled) return
      enabled = on
      clear()
      if (on) {
        saved.grab = cy.autoungrabify()
        saved.pan = cy.userPanningEnabled()
        saved.box = cy.boxSelectionEnabled()
        cy.autoungrabify(true)
        cy.userPanningEnabled(false)
        cy.boxSelectionEnabled(false)
      } else {
        cy.autoungrabify(saved.grab)
        cy.userPanningEnabled(saved.pan)
        cy.boxSelectionEnabled(saved.box)
      }
    },
    cancel: clear,
    detach() {
      clear()
      cy.off('tapstart', 'node', onStart)
      cy.off('tapdrag', onDrag)
      cy.off('tapend', onEnd)
      cy.off('tap', onBackground)
    },
  }
}

// Where nodes go on the canvas: the open lab's saved positions first (exactly), fcose around them
// for everything else on a full layout, and a free spot next to its neighbours for a node that
// appears later, so an edit never shuffles what the user already sees.

import type { LabPosition } from '@shared/lab/types'
import type { Core, EdgeSingular, LayoutOptions, NodeSingular } from 'cytoscape'
import { freeSpot, keyOfNode } from './topology-lab'

/** Zoom beyond which a fit stops: a small lab should not be drawn at 3x. */
export const FIT_MAX_ZOOM = 1.4

/** The saved position of a graph node, if the lab has one. */
function savedOf(
  layout: Record<string, LabPosition> | undefined,
  n: NodeSingular,
): LabPosition | null {
  const key = keyOfNode(n.id())
  return (key !== null && layout?.[key]) || null
}

export function capZoom(cy: Core): void {
  if (cy.zoom() <= FIT_MAX_ZOOM) return
  cy.zoom(FIT_MAX_ZOOM)
  cy.center()
}

/** Room around a fit: clear of the drawing tools that float over the canvas's top edge. */
const FIT_PADDING = 56

export function fitAll(cy: Core): void {
  cy.fit(undefined, FIT_PADDING)
  capZoom(cy)
}

/**
 * Lay out every node: the lab's positions as they are (a preset when it places them all), fcose
 * for the rest with those held fixed.
 */
export function fullLayout(cy: Core, layout: Record<string, LabPosition> | undefined): void {
  const nodes = cy.nodes()
  const fixed = nodes
    .map((n) => ({ n, p: savedOf(layout, n) }))
    .filter((x): x is { n: NodeSingular; p: LabPosition } => x.p !== null)
  if (nodes.length > 0 && fixed.length === nodes.length) {
    for (const { n, p } of fixed) n.position({ x: p.x, y: p.y })
    fitAll(cy)
    return
  }
  cy.layout({
    name: 'fcose',
    animate: false,
    randomize: true,
    quality: 'proof',
    nodeDimensionsIncludeLabels: true,
    nodeRepulsion: () => 20000,
    nodeSeparation: 90,
    // Long enough for the edge's label ("veth0 ↔ veth1") to sit beside the line.
    idealEdgeLength: (e: EdgeSingular) => 70 + String(e.data('base') ?? '').length * 6,
    padding: FIT_PADDING,
    ...(fixed.length
      ? { fixedNodeConstraint: fixed.map(({ n, p }) => ({ nodeId: n.id(), position: p })) }
      : {}),
  } as LayoutOptions).run()
  // fcose keeps fixed nodes where asked relative to each other; put them exactly there.
  for (const { n, p } of fixed) n.position({ x: p.x, y: p.y })
  fitAll(cy)
}

/**
 * Move the lab's nodes to their saved positions (those that differ; a node being dragged is left
 * to the hand). Returns the ids it moved.
 */
export function applySaved(cy: Core, layout: Record<string, LabPosition> | undefined): string[] {
  const moved: string[] = []
  if (!layout) return moved
  cy.nodes().forEach((n) => {
    const p = savedOf(layout, n)
    if (!p || n.grabbed()) return
    const now = n.position()
    if (Math.round(now.x) === p.x && Math.round(now.y) === p.y) return
    n.position({ x: p.x, y: p.y })
    moved.push(n.id())
  })
  return moved
}

/** Place nodes that just appeared: at their saved position, else beside their neighbours. */
export function placeNew(
  cy: Core,
  ids: string[],
  layout: Record<string, LabPosition> | undefined,
): void {
  const fresh = new Set(ids)
  for (const id of ids) {
    const n = cy.getElementById(id) as NodeSingular
    if (n.empty()) continue
    const saved = savedOf(layout, n)
    if (saved) {
      n.position({ ...saved })
      continue
    }
    const known: LabPosition[] = []
    n.neighborhood()
      .nodes()
      .forEach((m) => void (fresh.has(m.id()) || known.push({ ...m.position() })))
    const ext = cy.extent()
    const around = known.length
      ? {
          x: known.reduce((s, p) => s + p.x, 0) / known.length,
          y: known.reduce((s, p) => s + p.y, 0) / known.length,
        }
      : { x: (ext.x1 + ext.x2) / 2, y: (ext.y1 + ext.y2) / 2 }
    const taken: LabPosition[] = []
    cy.nodes().forEach(
      (m) => void (m.id() === id || fresh.has(m.id()) || taken.push({ ...m.position() })),
    )
    n.position(freeSpot(around, taken))
    fresh.delete(id)
  }
}

/** Fit the view when one of `ids` is drawn outside it (a node that appeared off-screen). */
export function keepInView(cy: Core, ids: string[]): void {
  const e = cy.extent()
  const out = ids.some((id) => {
    const n = cy.getElementById(id)
    if (n.empty() || !n.isNode()) return false
    const b = n.boundingBox({})
    return b.x1 < e.x1 || b.x2 > e.x2 || b.y1 < e.y1 || b.y2 > e.y2
  })
  if (out) fitAll(cy)
}

/** The middle of what the canvas shows, in model coordinates (where a new node goes). */
export function viewCenter(cy: Core): LabPosition {
  const e = cy.extent()
  return { x: (e.x1 + e.x2) / 2, y: (e.y1 + e.y2) / 2 }
}

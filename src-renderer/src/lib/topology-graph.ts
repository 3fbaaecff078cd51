// What cytoscape draws for a topology: the elements (nodes with their kind, state and whether the
// open lab holds them; edges with their interface label and the addresses of each end) and the
// stylesheet in the theme's colors. Pure apart from the colors passed in.

import type { Lab } from '@shared/lab/types'
import type { Snapshot } from '@shared/net/model'
import type { Topology } from '@shared/net/topology'
import type cytoscape from 'cytoscape'
import type { ElementDefinition } from 'cytoscape'
import { endAddressText, nodeInLab } from './topology-lab'

/** The cytoscape elements of `t`; `label(e)` is the middle label of an edge. */
export function topologyElements(
  t: Topology,
  opts: {
    label: (e: Topology['edges'][number]) => string
    snapshot: Snapshot | null
    lab: Lab | null
  },
): ElementDefinition[] {
  return [
    ...t.nodes.map((n) => ({
      group: 'nodes' as const,
      data: {
        id: n.id,
        label: n.label,
        kind: n.kind,
        ns: n.ns,
        up: n.up ? 'yes' : 'no',
        lab: nodeInLab(opts.lab, n.id) ? 'yes' : 'no',
      },
    })),
    ...t.edges.map((e) => ({
      group: 'edges' as const,
      data: {
        id: e.id,
        source: e.source,
        target: e.target,
        kind: e.kind,
        up: e.up ? 'yes' : 'no',
        base: e.a && e.b ? `${e.a.ifname} ↔ ${e.b.ifname}` : '',
        ...edgeLabels(e, opts.label(e), opts.snapshot),
      },
    })),
  ]
}

/**
 * An edge's canvas labels: each end's addresses (`srcAddr`, `tgtAddr`: a is drawn at the source);
 * when an end has any, both ends carry their interface name above them (`srcEnd`, `tgtEnd`) and
 * the middle label drops the names, so nothing crosses on a short edge. `full` is the middle
 * label with the names (edgeLabel), as the connections list shows it.
 */
export function edgeLabels(
  e: Topology['edges'][number],
  full: string,
  snapshot: Snapshot | null,
): { label: string; srcAddr: string; tgtAddr: string; srcEnd: string; tgtEnd: string } {
  const srcAddr = e.a && e.kind !== 'local' ? endAddressText(snapshot, e.a.ns, e.a.ifname) : ''
  const tgtAddr = e.b && e.kind !== 'local' ? endAddressText(snapshot, e.b.ns, e.b.ifname) : ''
  if (!srcAddr && !tgtAddr) return { label: full, srcAddr, tgtAddr, srcEnd: '', tgtEnd: '' }
  const end = (ifname: string | undefined, addr: string): string =>
    [ifname ?? '', addr].filter(Boolean).join('\n')
  return {
    label: full.split('\n').slice(1).join('\n'),
    srcAddr,
    tgtAddr,
    srcEnd: end(e.a?.ifname, srcAddr),
    tgtEnd: end(e.b?.ifname, tgtAddr),
  }
}

/** A theme color by CSS variable name, with a fallback. */
export type ColorOf = (name: string, fallback: string) => string

/** The stylesheet: states as colors, kinds as shapes, addresses at the link ends. */
export function topologyStyle(color: ColorOf): cytoscape.StylesheetJson {
  const fg = color('--fg', '#1d2330')
  const panel = color('--bg-panel', '#fff')
  const border = color('--border', '#d9dde4')
  const accent = color('--accent', '#2f6fde')
  const ok = color('--ok', '#1f8f4e')
  const err = color('--err', '#c4322b')
  const muted = color('--fg-muted', '#5f6878')
  return [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        'font-size': 12,
        'font-family': 'DejaVu Sans, sans-serif',
        color: fg,
        'text-valign': 'center',
        'text-halign': 'center',
        'background-color': panel,
        'border-width': 2,
        'border-color': border,
        shape: 'round-rectangle',
        width: 'label',
        height: 28,
        padding: '8px',
      },
    },
    {
      selector: 'node[kind="host"]',
      style: {
        'border-color': accent,
        'border-width': 3,
        'font-weight': 'bold',
        shape: 'rectangle',
        height: 32,
      },
    },
    { selector: 'node[kind="namespace"][up="yes"]', style: { 'border-color': ok } },
    {
      selector: 'node[kind="bridge"]',
      style: { shape: 'hexagon', 'background-color': border, height: 30, padding: '10px' },
    },
    { selector: 'node[kind="bridge"][up="yes"]', style: { 'border-color': ok } },
    // What the open lab holds is drawn with a double outline (its state keeps the color).
    {
      selector: 'node[lab="yes"][kind!="host"]',
      style: { 'border-style': 'double', 'border-width': 4 },
    },
    {
      selector: 'node:selected',
      style: { 'border-color': accent, 'border-width': 4, 'overlay-opacity': 0 },
    },
    {
      selector: 'node.connect-source',
      style: { 'overlay-color': accent, 'overlay-opacity': 0.18, 'overlay-padding': 6 },
    },
    {
      selector: 'edge',
      style: {
        width: 2.5,
        'line-color': err,
        'curve-style': 'bezier',
        label: 'data(label)',
        'font-size': 10,
        color: muted,
        'text-rotation': 'autorotate',
        // An outline in the panel's color rather than a box: the line (its state) shows through
        // between the letters of a label that lies on it.
        'text-outline-color': panel,
        'text-outline-width': 2,
        'text-outline-opacity': 0.9,
        // Above the line, so the line's color (its state) stays visible; rates and netem wrap
        // onto extra lines.
        'text-wrap': 'wrap',
        'text-margin-y': (el: cytoscape.EdgeSingular) =>
          -9 - 6.5 * (String(el.data('label') ?? '').split('\n').length - 1),
        // Each end's addresses near the node it is in (cytoscape styles every label of an
        // element alike: same font and background as the middle one).
        'source-label': 'data(srcEnd)',
        'target-label': 'data(tgtEnd)',
        'source-text-offset': 30,
        'target-text-offset': 30,
      },
    },
    { selector: 'edge[up="yes"]', style: { 'line-color': ok } },
    { selector: 'edge[kind="port"]', style: { 'line-style': 'dashed' } },
    {
      selector: 'edge[kind="local"]',
      style: { 'line-style': 'dotted', width: 1.5, 'line-color': muted },
    },
    { selector: 'edge:selected', style: { 'line-color': accent, width: 4, 'overlay-opacity': 0 } },
    {
      selector: 'node.ghost',
      style: { width: 1, height: 1, opacity: 0, label: '', events: 'no' },
    },
    {
      selector: 'edge.ghost',
      style: {
        'line-color': accent,
        'line-style': 'dashed',
        width: 2,
        label: '',
        'source-label': '',
        'target-label': '',
        events: 'no',
      },
    },
  ]
}

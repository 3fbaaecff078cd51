// Lab files in and out: YAML text → a validated Lab, or every problem with its line and column
// (syntax and schema alike, saying what is expected); a Lab → YAML with a stable key order.

import {
  Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Node as YamlNode,
} from 'yaml'
import { labFileSchema, type LabFile } from './schema'
import type { Issue } from './cross-check'
import type { Lab, LabError, LabNamespace } from './types'

/** Longest lab text parsed (a lab of a thousand namespaces is far below). */
export const MAX_LAB_CHARS = 4 * 1024 * 1024

/** Most problems reported for one file. */
const MAX_ERRORS = 100

export type ParseResult = { ok: true; lab: Lab } | { ok: false; errors: LabError[] }

/** "links[0].endpoints[1].name" (keys that are not plain words are quoted). */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`
    else if (typeof seg === 'string' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg))
      out += out ? `.${seg}` : seg
    else out += `[${JSON.stringify(String(seg))}]`
  }
  return out
}

/** Plain decimal numbers stay numbers; 0377, 0x1f, 0o17 stay the text they were written as. */
const PLAIN_NUMBER = /^[-+]?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/

function keyText(k: unknown): string | null {
  return isScalar(k) ? String(k.value) : null
}

/** Offset of the node at `path` (its key when `at` is "key"); the deepest existing node when absent. */
function offsetOf(doc: Document, path: ReadonlyArray<PropertyKey>, at?: 'key' | 'value'): number {
  let node: unknown = doc.contents
  let pos = (node as YamlNode | null)?.range?.[0] ?? 0
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(seg))
      if (!pair) break
      const keyPos = (pair.key as YamlNode | null)?.range?.[0] ?? pos
      if (i === path.length - 1 && at === 'key') return keyPos
      node = pair.value
      pos = (node as YamlNode | null)?.range?.[0] ?? keyPos
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
      node = node.items[seg]
      pos = (node as YamlNode | null)?.range?.[0] ?? pos
    } else break
  }
  return pos
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v = raw
  for (const seg of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, seg)) return undefined
    v = (v as Record<PropertyKey, unknown>)[seg]
  }
  return v
}

/** A YAML syntax problem, in words (the library's message without its code frame). */
function yamlMessage(code: string, message: string, text: string, pos: [number, number]): string {
  const first = message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message
  if (code === 'DUPLICATE_KEY') {
    const key = (/^("[^"\n]*"|'[^'\n]*'|[^:\n]*)/.exec(text.slice(pos[0]))?.[1] ?? '')
      .trim()
      .replace(/^["']|["']$/g, '')
    return `Duplicate key${key ? ` "${key.slice(0, 40)}"` : ''}: each key may appear once in a mapping.`
  }
  return `YAML syntax error: ${first}`
}

/** Keys named __proto__ anywhere (zod would drop them silently; JavaScript objects misread them). */
function protoKeys(v: unknown, path: Array<string | number> = [], out: Issue[] = []): Issue[] {
  if (v === null || typeof v !== 'object' || path.length > 12) return out
  for (const k of Object.keys(v)) {
    const here = [...path, Array.isArray(v) ? Number(k) : k]
    if (k === '__proto__')
      out.push({
        path: here,
        message: 'The key "__proto__" is not allowed in a lab file.',
        at: 'key',
      })
    else protoKeys((v as Record<string, unknown>)[k], here, out)
  }
  return out
}

/** Schema issues (zod) and cross-reference issues → problems with paths, before positions. */
function issuesOf(raw: unknown): Issue[] {
  const proto = protoKeys(raw)
  if (proto.length) return proto
  const r = labFileSchema.safeParse(raw)
  if (r.success) return []
  // A value the field checks refused is not also reported as a dangling reference.
  type Params = { at?: 'key' | 'value'; cross?: boolean }
  const params = (iss: object): Params =>
    'params' in iss && iss.params && typeof iss.params === 'object' ? iss.params : {}
  const fieldPaths = new Set(
    r.error.issues.filter((i) => !params(i).cross).map((i) => JSON.stringify(i.path)),
  )
  const issues = r.error.issues.filter(
    (i) => !params(i).cross || !fieldPaths.has(JSON.stringify(i.path)),
  )
  return issues.flatMap((iss): Issue[] => {
    const path = iss.path.filter((p): p is string | number => typeof p !== 'symbol')
    if (iss.code === 'unrecognized_keys')
      return iss.keys.map((k) => ({
        path: [...path, k],
        message: `Unknown key "${k.length > 40 ? `${k.slice(0, 40)}…` : k}": ${iss.message}`,
        at: 'key',
      }))
    const at = params(iss).at
    if (iss.code === 'invalid_type' && valueAt(raw, path) === undefined && path.length) {
      const key = String(path[path.length - 1])
      return [{ path, message: `Missing required key "${key}": ${iss.message}` }]
    }
    return [at ? { path, message: iss.message, at } : { path, message: iss.message }]
  })
}

function sortErrors(errors: LabError[]): LabError[] {
  const seen = new Set<string>()
  return errors
    .sort((a, b) => a.line - b.line || a.col - b.col)
    .filter((e) => {
      const k = `${e.line}:${e.col}:${e.message}`
      return seen.has(k) ? false : (seen.add(k), true)
    })
    .slice(0, MAX_ERRORS)
}

/** The lab with every default filled in (kind lab, empty lists, a bare namespace as {}). */
export function normalizeLab(f: LabFile): Lab {
  const namespaces: Record<string, LabNamespace> = Object.fromEntries(
    Object.entries(f.namespaces ?? {}).map(([k, v]) => [k, v ?? {}]),
  )
  return {
    name: f.name,
    kind: (f.kind ?? 'lab') as Lab['kind'],
    ...(f.title !== undefined ? { title: f.title } : {}),
    ...(f.description !== undefined ? { description: f.description } : {}),
    namespaces,
    bridges: f.bridges ?? [],
    links: f.links ?? [],
    routes: f.routes ?? [],
    nat: f.nat ?? [],
    ...(f.layout !== undefined ? { layout: f.layout } : {}),
    ...(f.checks !== undefined ? { checks: f.checks } : {}),
    ...(f.steps !== undefined ? { steps: f.steps } : {}),
  }
}

/**
 * Parse and validate a lab file. Every problem (YAML syntax, unknown keys, wrong types, values
 * the shared checks refuse, dangling references) comes with its 1-based line and column.
 * `source` names the file in nothing but the caller's messages; it is accepted for symmetry.
 */
export function parseLab(text: string, source?: string): ParseResult {
  void source
  if (text.length > MAX_LAB_CHARS)
    return {
      ok: false,
      errors: [
        {
          line: 1,
          col: 1,
          path: '',
          message: `The lab text is ${text.length} characters long; at most ${MAX_LAB_CHARS}.`,
        },
      ],
    }
  const lc = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true })
  const at = (offset: number): { line: number; col: number } => lc.linePos(offset)
  if (doc.errors.length)
    return {
      ok: false,
      errors: sortErrors(
        doc.errors.map((e) => ({
          ...at(e.pos[0]),
          path: '',
          message: yamlMessage(e.code, e.message, text, e.pos),
        })),
      ),
    }
  // Numbers written with a leading zero or in another base stay text, so the checks see them
  // as written (ip would read "table 0377" as octal 255).
  visit(doc, {
    Scalar(_, node) {
      if (
        typeof node.value === 'number' &&
        node.source !== undefined &&
        !PLAIN_NUMBER.test(node.source)
      )
        node.value = node.source
    },
  })
  let raw: unknown
  try {
    raw = doc.toJS({ maxAliasCount: 100 })
  } catch (e) {
    return {
      ok: false,
      errors: [
        { line: 1, col: 1, path: '', message: `The YAML cannot be read: ${(e as Error).message}` },
      ],
    }
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return {
      ok: false,
      errors: [
        {
          ...at(offsetOf(doc, [])),
          path: '',
          message: `A lab file is a mapping with name, namespaces, bridges, links, routes, nat and layout; got ${raw === null || raw === undefined ? 'nothing' : Array.isArray(raw) ? 'a list' : 'a single value'}.`,
        },
      ],
    }
  const issues = issuesOf(raw)
  if (issues.length)
    return {
      ok: false,
      errors: sortErrors(
        issues.map((i) => ({
          ...at(offsetOf(doc, i.path, i.at)),
          path: formatPath(i.path),
          message: i.message,
        })),
      ),
    }
  return { ok: true, lab: normalizeLab(labFileSchema.parse(raw)) }
}

/**
 * Validate a lab held in memory (drawn in the app, built by a program): the same checks as a
 * file, each problem with its path (line and column 0: there is no text).
 */
export function validateLab(value: unknown): ParseResult {
  const issues = issuesOf(value)
  if (issues.length)
    return {
      ok: false,
      errors: issues
        .slice(0, MAX_ERRORS)
        .map((i) => ({ line: 0, col: 0, path: formatPath(i.path), message: i.message })),
    }
  return { ok: true, lab: normalizeLab(labFileSchema.parse(value)) }
}

/** Key order of each part of a lab, for stable output. */
const ORDER: Record<string, string[]> = {
  lab: [
    'name',
    'kind',
    'title',
    'description',
    'namespaces',
    'bridges',
    'links',
    'routes',
    'nat',
    'checks',
    'steps',
    'layout',
  ],
  namespace: ['lo', 'sysctls'],
  bridge: ['name', 'ns', 'addresses', 'up'],
  endpoint: ['ns', 'bridge', 'name', 'addresses', 'netem', 'up'],
  netem: ['delayMs', 'jitterMs', 'lossPct', 'rateKbit'],
  route: ['ns', 'to', 'via', 'dev', 'table'],
  nat: ['ns', 'masquerade', 'forward'],
  masquerade: ['source', 'out'],
  forward: ['protocol', 'port', 'to'],
  position: ['x', 'y'],
}

function ordered(o: object, kind: string): Record<string, unknown> {
  const src = o as Record<string, unknown>
  const keys = ORDER[kind] ?? []
  const out: Record<string, unknown> = {}
  for (const k of keys) if (src[k] !== undefined) out[k] = src[k]
  for (const k of Object.keys(src)) if (!keys.includes(k) && src[k] !== undefined) out[k] = src[k]
  return out
}

/** The lab as plain data in file order (layout last), defaults that were not written left out. */
function fileShape(lab: Lab): Record<string, unknown> {
  const o = ordered(lab, 'lab')
  o.namespaces = Object.fromEntries(
    Object.entries(lab.namespaces).map(([k, v]) => [k, ordered(v, 'namespace')]),
  )
  o.bridges = lab.bridges.map((b) => ordered(b, 'bridge'))
  o.links = lab.links.map((l) => ({
    endpoints: l.endpoints.map((e) => {
      const x = ordered(e, 'endpoint')
      if (e.netem) x.netem = ordered(e.netem, 'netem')
      return x
    }),
  }))
  o.routes = lab.routes.map((r) => ordered(r, 'route'))
  o.nat = lab.nat.map((n) => {
    const x = ordered(n, 'nat')
    if (n.masquerade) x.masquerade = ordered(n.masquerade, 'masquerade')
    if (n.forward) x.forward = ordered(n.forward, 'forward')
    return x
  })
  if (lab.layout)
    o.layout = Object.fromEntries(
      Object.entries(lab.layout).map(([k, v]) => [k, ordered(v, 'position')]),
    )
  for (const k of ['bridges', 'links', 'routes', 'nat'])
    if ((o[k] as unknown[]).length === 0) delete o[k]
  return o
}

/**
 * The lab as YAML: stable key order (layout last), lists and mappings of plain values on one
 * line ({ x: 10, y: 20 }, [10.0.0.1/24]), entries of the top-level lists as blocks.
 */
export function stringifyLab(lab: Lab): string {
  const doc = new Document(fileShape(lab))
  visit(doc, {
    Map(_, node, path) {
      const scalars = node.items.every((p) => isScalar(p.value))
      const topItem = path.length === 4 && isSeq(path[path.length - 1])
      if (node.items.length === 0 || (scalars && !topItem)) node.flow = true
    },
    Seq(_, node) {
      if (node.items.length > 0 && node.items.every((x) => isScalar(x))) node.flow = true
    },
  })
  return doc.toString({ lineWidth: 100 })
}

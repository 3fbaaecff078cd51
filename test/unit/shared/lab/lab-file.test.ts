// Lab files as a user writes them: the built-in labs load, a lab survives stringify → parse
// unchanged, numbers are taken as written, in-memory labs get the same checks, and the
// published JSON Schema is the one the code generates.

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BUILTIN_LABS } from '../../../../shared/lab/builtin/index'
import { parseLab, stringifyLab, validateLab } from '../../../../shared/lab/parse'
import { prefixLab } from '../../../../shared/lab/prefix'
import { labJsonSchema, labJsonSchemaFiles, LAB_SCHEMA_FILES } from '../../../../shared/lab/schema'
import type { Lab } from '../../../../shared/lab/types'

const load = (text: string): Lab => {
  const r = parseLab(text)
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  return r.lab
}

describe('built-in labs', () => {
  it('are the five tutorials and the challenges, each valid, with the name, kind and title their YAML says', () => {
    expect(BUILTIN_LABS.map((b) => b.name)).toEqual([
      'tutorial-1',
      'tutorial-2',
      'tutorial-3',
      'tutorial-4',
      'tutorial-5',
      'challenge-1',
      'challenge-2',
      'challenge-3',
      'challenge-4',
      'challenge-5',
      'challenge-6',
      'challenge-7',
      'challenge-8',
    ])
    for (const b of BUILTIN_LABS) {
      const lab = load(b.yaml)
      expect({ name: lab.name, kind: lab.kind, title: lab.title }).toEqual({
        name: b.name,
        kind: b.kind,
        title: b.title,
      })
    }
  })

  it("tutorial 1 has the tutorial's end state with its typos fixed", () => {
    const lab = load(BUILTIN_LABS[0]!.yaml)
    expect(lab.links[0]!.endpoints).toEqual([
      { ns: 'ns1', name: 'veth0', addresses: ['10.10.10.1/28'] },
      { ns: 'ns2', name: 'veth1', addresses: ['10.10.10.2/28'] },
    ])
    expect(lab.description).toContain('ip netns exec ns2 ip addr add 10.10.10.2/28 dev veth1')
    expect(lab.description).toContain('ip netns exec ns2 ip link set dev veth1 up')
    expect(lab.description).not.toMatch(/\/\/28|exect|virutal/)
  })

  it('stay valid with a test prefix, every kernel-global name renamed within 15 bytes', () => {
    for (const b of BUILTIN_LABS) {
      const lab = prefixLab(load(b.yaml), 't1234-')
      const v = validateLab(lab)
      expect(v.ok, `${b.name}: ${JSON.stringify(v.ok ? [] : v.errors)}`).toBe(true)
      for (const ns of Object.keys(lab.namespaces)) if (ns !== 'host') expect(ns).toMatch(/^t1234-/)
      for (const br of lab.bridges) expect(br.name).toMatch(/^t1234-/)
      for (const l of lab.links)
        for (const e of l.endpoints)
          if (!e.ns) expect(e.name, `${b.name} host end`).toMatch(/^t1234-/)
    }
    const t3 = prefixLab(load(BUILTIN_LABS[2]!.yaml), 't1234-')
    // veth-red-br would be 17 bytes with the prefix: it becomes the prefix and an index.
    expect(t3.links[0]!.endpoints[1]).toEqual({ bridge: 't1234-v-net-0', name: 't1234-i1' })
    expect(t3.links[1]!.endpoints[1]).toEqual({ bridge: 't1234-v-net-0', name: 't1234-i2' })
    expect(Object.keys(t3.layout ?? {})).toEqual(
      ['host', 't1234-v-net-0', 't1234-red', 't1234-blue'].map((k, i) =>
        i === 1 ? `host/${k}` : k,
      ),
    )
  })
})

describe('stringifyLab', () => {
  it('round-trips every built-in lab through YAML unchanged, layout last', () => {
    for (const b of BUILTIN_LABS) {
      const lab = load(b.yaml)
      const text = stringifyLab(lab)
      expect(load(text)).toEqual(lab)
      const keys = text
        .split('\n')
        .filter((l) => /^[a-z]+:/.test(l))
        .map((l) => l.split(':')[0])
      expect(keys[keys.length - 1]).toBe('layout')
    }
  })

  it('writes keys in a stable order whatever order the object has', () => {
    const lab: Lab = {
      layout: { red: { y: 2, x: 1 } },
      nat: [],
      routes: [{ table: 100, dev: 'eth0', to: '10.9.0.0/16', ns: 'red' }],
      links: [
        { endpoints: [{ addresses: ['10.0.0.1/24'], name: 'eth0', ns: 'red' }, { name: 'v0' }] },
      ],
      bridges: [],
      namespaces: { red: { sysctls: { 'net.ipv4.ip_forward': 1 }, lo: false } },
      kind: 'lab',
      name: 'ordered',
    }
    expect(stringifyLab(lab)).toBe(
      [
        'name: ordered',
        'kind: lab',
        'namespaces:',
        '  red:',
        '    lo: false',
        '    sysctls: { net.ipv4.ip_forward: 1 }',
        'links:',
        '  - endpoints:',
        '      - ns: red',
        '        name: eth0',
        '        addresses: [ 10.0.0.1/24 ]',
        '      - { name: v0 }',
        'routes:',
        '  - ns: red',
        '    to: 10.9.0.0/16',
        '    dev: eth0',
        '    table: 100',
        'layout:',
        '  red: { x: 1, y: 2 }',
        '',
      ].join('\n'),
    )
  })
})

describe('parseLab', () => {
  it('fills defaults: kind lab, empty lists, a bare namespace as {}', () => {
    const lab = load('name: bare\nnamespaces:\n  red:\n  blue: {}\n')
    expect(lab).toEqual({
      name: 'bare',
      kind: 'lab',
      namespaces: { red: {}, blue: {} },
      bridges: [],
      links: [],
      routes: [],
      nat: [],
    })
  })

  it('takes IPv6 everywhere: addresses, routes, gateways', () => {
    const lab = load(
      [
        'name: six',
        'namespaces: { a: {} }',
        'links:',
        '  - endpoints:',
        '      - { ns: a, name: e0, addresses: ["fd00:1::1/64", 10.1.0.1/24] }',
        '      - { name: v0, addresses: ["fd00:1::fe/64"] }',
        'routes:',
        '  - { ns: a, to: default, via: "fd00:1::fe" }',
        '  - { ns: a, to: "fd00:9::/48", via: "fd00:1::fe", table: 7 }',
      ].join('\n'),
    )
    expect(lab.routes).toHaveLength(2)
  })

  it('refuses __proto__ as a namespace and keeps the YAML 1.1 words as text', () => {
    const r = parseLab('name: p\nnamespaces:\n  __proto__: {}\n')
    expect(r.ok).toBe(false)
    if (!r.ok)
      expect(r.errors[0]).toMatchObject({
        line: 3,
        col: 3,
        message: expect.stringMatching(/__proto__/),
      })
    const on = parseLab('name: p\nbridges:\n  - { name: br0, up: on }\n')
    expect(on.ok).toBe(false)
    if (!on.ok)
      expect(on.errors[0]!.message).toBe(
        'Expected true or false (administratively up; default true), got "on".',
      )
  })

  it('refuses text that is too long before parsing it, and an alias bomb', () => {
    const r = parseLab(`name: big\ndescription: "${'x'.repeat(4 * 1024 * 1024)}"\n`)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors[0]!.message).toMatch(/at most 4194304/)
    const bomb = ['name: bomb', 'a: &a [x, x, x, x, x, x, x, x, x, x]']
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${'b'.repeat(i + 1)}: &${'b'.repeat(i + 1)} [${Array(10)
          .fill(i ? `*${'b'.repeat(i)}` : '*a')
          .join(', ')}]`,
      )
    const rb = parseLab(bomb.join('\n'))
    expect(rb.ok).toBe(false)
    if (!rb.ok) expect(rb.errors[0]!.message).toMatch(/alias/i)
  })
})

describe('validateLab (a lab built in memory)', () => {
  it('applies the same checks, with paths and no positions', () => {
    const r = validateLab({
      name: 'drawn',
      namespaces: { red: {} },
      links: [
        {
          endpoints: [
            { ns: 'red', name: 'e0', addresses: ['10.0.0.1/24'] },
            { ns: 'green', name: 'e1' },
          ],
        },
      ],
    })
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          line: 0,
          col: 0,
          path: 'links[0].endpoints[1].ns',
          message:
            'Namespace "green" is not in this lab; declare it under namespaces (or use host, the root namespace).',
        },
      ],
    })
  })
})

describe('the published JSON Schema', () => {
  it('is fresh: shared/lab/lab.schema.json and lab-checks.schema.json are what `npm run lab-schema` writes now', () => {
    const files = labJsonSchemaFiles()
    for (const name of LAB_SCHEMA_FILES) {
      const file = readFileSync(new URL(`../../../../shared/lab/${name}`, import.meta.url), 'utf8')
      expect(file, `run npm run lab-schema (${name})`).toBe(files[name])
    }
  })

  it('published as two files: the checks by a relative $ref, together the whole schema', () => {
    const files = labJsonSchemaFiles()
    const lab = JSON.parse(files['lab.schema.json']) as {
      $id?: string
      properties: Record<string, unknown>
    }
    const checks = JSON.parse(files['lab-checks.schema.json']) as Record<string, unknown>
    expect(lab.$id).toBeUndefined()
    expect(lab.properties.checks).toEqual({ $ref: 'lab-checks.schema.json' })
    const whole = labJsonSchema() as { properties: { checks: Record<string, unknown> } }
    const { $schema: _s, title: _t, ...checksOnly } = checks
    expect(checksOnly).toEqual(whole.properties.checks)
    expect({ ...lab, properties: { ...lab.properties, checks: whole.properties.checks } }).toEqual(
      (({ $id: _id, ...rest }) => rest)(labJsonSchema()),
    )
  })

  it('is draft 2020-12, strict about keys, and tells editors what each name may be', () => {
    const s = labJsonSchema() as {
      $schema: string
      required: string[]
      additionalProperties: boolean
      properties: Record<string, { description?: string }>
    }
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(s.required).toEqual(['name'])
    expect(s.additionalProperties).toBe(false)
    expect(Object.keys(s.properties)).toEqual([
      'name',
      'kind',
      'title',
      'description',
      'namespaces',
      'bridges',
      'links',
      'routes',
      'nat',
      'layout',
      'checks',
      'steps',
    ])
    expect(JSON.stringify(s)).toContain('^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$')
  })
})

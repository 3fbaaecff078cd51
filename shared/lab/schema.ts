// The lab file's schema in code (zod): strict mappings (unknown keys are errors), every value
// through the same shared/net checks the forms use, then the cross-references (an endpoint's
// namespace or bridge exists in the lab, names are unique). Checks: checks-schema.ts. Also emits
// the published JSON Schema.

import { z } from 'zod'
import type { Check } from '../net/validate'
import {
  checkCidr,
  checkIp,
  checkNamespaceName,
  checkPort,
  checkSysctlKey,
  checkSysctlValue,
  checkTable,
  SYSCTL_KEYS,
} from '../net/validate'
import { isNetwork, splitHostPort } from './addr'
import { crossCheck, type Issue } from './cross-check'
import { checkListSchema } from './checks-schema'
import {
  bool,
  checked,
  checkedNumber,
  expecting,
  ifname,
  list,
  mapping,
  NAME_PATTERN,
  nsRef,
  show,
} from './schema-fields'
import { LAB_KINDS } from './types'

export { show }

/** Most entries of each list (a lab of a thousand namespaces fits). */
export const LAB_LIMITS = {
  namespaces: 1000,
  bridges: 1000,
  links: 4000,
  routes: 4000,
  nat: 500,
  addresses: 64,
  sysctls: 64,
  layout: 5000,
  reserved: 1000,
} as const

/** A lab's name also names its record on the target (/run/netns-studio/lab-NAME). */
export function checkLabName(value: unknown): Check {
  if (typeof value !== 'string' || value.length === 0)
    return { ok: false, message: 'Lab name is empty.' }
  if (value.length > 64)
    return { ok: false, message: `Lab name is ${value.length} characters long; at most 64.` }
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(value) || value.includes('..'))
    return {
      ok: false,
      message: `Lab name "${value.length > 40 ? `${value.slice(0, 40)}…` : value}" may hold only letters, digits, "_", "." and "-", and must start with a letter, digit or "_".`,
    }
  return { ok: true }
}

const cidrList = list(
  checked('an address with prefix length (e.g. 10.0.0.1/24)', (v) => checkCidr(v), {
    description: 'Address with prefix length: 10.0.0.1/24 or fd00::1/64.',
  }),
  'addresses',
  LAB_LIMITS.addresses,
)

const range = (what: string, lo: number, hi: number, unit: string) =>
  checkedNumber(
    `a number (${what})`,
    (v) =>
      v >= lo && v <= hi
        ? { ok: true }
        : { ok: false, message: `${what} must be ${lo}–${hi} ${unit}; got ${v}.` },
    { minimum: lo, maximum: hi },
  )

const netem = mapping(
  {
    delayMs: range('Delay', 0, 60000, 'ms').optional(),
    jitterMs: range('Jitter', 0, 60000, 'ms').optional(),
    lossPct: range('Loss', 0, 100, '%').optional(),
    rateKbit: range('Rate', 8, 100_000_000, 'kbit/s').optional(),
  },
  'netem',
)
  .superRefine((v, ctx) => {
    if (v.jitterMs !== undefined && v.delayMs === undefined)
      ctx.addIssue({
        code: 'custom',
        message: 'Jitter needs a delay (delayMs).',
        path: ['jitterMs'],
      })
    if (v.delayMs === undefined && v.lossPct === undefined && v.rateKbit === undefined)
      ctx.addIssue({
        code: 'custom',
        message: 'Set at least a delay (delayMs), a loss (lossPct) or a rate (rateKbit).',
      })
  })
  .meta({ description: 'tc netem on this end (egress).' })

const endpoint = mapping(
  {
    ns: nsRef.optional(),
    bridge: ifname.optional().meta({ description: 'The bridge this end is a port of.' }),
    name: ifname,
    addresses: cidrList.optional(),
    netem: netem.optional(),
    up: bool('administratively up; default true').optional(),
  },
  'an endpoint',
).meta({ description: 'One end of a veth pair: in ns (default host), or a port of bridge.' })

const sysctls = z
  .record(
    z.string(),
    z.union([z.string(), z.number()], expecting('a sysctl value (a number)')),
    expecting('a mapping of sysctl keys to values'),
  )
  .superRefine((v, ctx) => {
    const entries = Object.entries(v)
    if (entries.length > LAB_LIMITS.sysctls)
      ctx.addIssue({
        code: 'custom',
        message: `At most ${LAB_LIMITS.sysctls} sysctls per namespace.`,
      })
    for (const [key, value] of entries) {
      const k = checkSysctlKey(key)
      const c = k.ok ? checkSysctlValue(key, value) : k
      if (!c.ok)
        ctx.addIssue({
          code: 'custom',
          message: c.message,
          path: [key],
          params: { at: k.ok ? 'value' : 'key' },
        })
    }
  })
  .meta({ description: `Whitelisted sysctls: ${SYSCTL_KEYS.join(', ')}.` })

const namespace = z
  .union(
    [
      z.null(),
      mapping(
        { sysctls: sysctls.optional(), lo: bool('loopback up; default true').optional() },
        'a namespace',
      ),
    ],
    expecting('a namespace (a mapping with sysctls or lo, or nothing)'),
  )
  .meta({ description: 'A namespace; "host" is the root namespace (sysctls only).' })

const table = z
  .union([z.string(), z.number()], expecting('a routing table (main, local, default or a number)'))
  .superRefine((v, ctx) => {
    const c = checkTable(String(v))
    if (!c.ok) ctx.addIssue({ code: 'custom', message: c.message, input: v })
  })
  .meta({
    description: 'main (default), local, default, or a number 1–4294967295 (no leading zeros).',
  })

const route = mapping(
  {
    ns: nsRef,
    to: checked(
      '"default" or a network (e.g. 10.1.0.0/24)',
      (v) => {
        if (v === 'default') return { ok: true }
        const c = checkCidr(v, 'Destination')
        if (!c.ok) return c
        return isNetwork(v)
          ? { ok: true }
          : {
              ok: false,
              message: `Destination ${v} has host bits set; write the network (e.g. its address with the host part zero).`,
            }
      },
      { description: '"default" or a network in CIDR form.' },
    ),
    via: checked('a gateway address', (v) => checkIp(v, 'Gateway')).optional(),
    dev: ifname.optional(),
    table: table.optional(),
  },
  'a route',
)

const nat = mapping(
  {
    ns: nsRef,
    masquerade: mapping(
      {
        source: checked('a source network (IPv4 CIDR)', (v) => {
          const c = checkCidr(v, 'Source network')
          if (!c.ok) return c
          if (v.includes(':'))
            return { ok: false, message: 'NAT masquerade supports IPv4 source networks only.' }
          return isNetwork(v)
            ? { ok: true }
            : {
                ok: false,
                message: `Source network ${v} has host bits set; write the network (e.g. 10.0.0.0/24).`,
              }
        }),
        out: ifname.optional(),
      },
      'a masquerade',
    ).optional(),
    forward: mapping(
      {
        protocol: z.enum(['tcp', 'udp'], expecting('tcp or udp')),
        port: checkedNumber('a port number', (v) => checkPort(v), { minimum: 1, maximum: 65535 }),
        to: checked('"ADDRESS:PORT" (IPv4)', (v) =>
          splitHostPort(v)
            ? { ok: true }
            : {
                ok: false,
                message: `Forward target "${v}" must be an IPv4 address and a port 1–65535, like 10.0.0.2:80.`,
              },
        ),
      },
      'a port forward',
    ).optional(),
  },
  'a NAT entry',
).superRefine((v, ctx) => {
  if (!v.masquerade === !v.forward)
    ctx.addIssue({
      code: 'custom',
      message: 'A NAT entry has exactly one of masquerade or forward.',
    })
})

const bridge = mapping(
  {
    name: ifname,
    ns: nsRef.optional(),
    addresses: cidrList.optional(),
    up: bool('administratively up; default true').optional(),
  },
  'a bridge',
)

const link = mapping(
  {
    endpoints: z
      .tuple([endpoint, endpoint], {
        error: (iss) =>
          iss.input === undefined
            ? 'a list of two endpoints is required.'
            : Array.isArray(iss.input)
              ? `A link has exactly two endpoints; this one has ${iss.input.length}.`
              : `Expected a list of two endpoints, got ${show(iss.input)}.`,
      })
      .meta({ description: 'The two ends of the veth pair.' }),
  },
  'a link',
)

const position = mapping(
  {
    x: z.number(expecting('a number (x)')),
    y: z.number(expecting('a number (y)')),
  },
  'a position',
)

const shape = {
  name: checked('a lab name', (v) => checkLabName(v), {
    description: 'Lab name: letters, digits, "_", "." and "-", at most 64.',
    pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$',
  }),
  kind: z
    .enum(LAB_KINDS as [string, ...string[]], expecting('lab, tutorial or challenge'))
    .optional(),
  title: z
    .string(expecting('a title (text)'))
    .max(200, 'A title has at most 200 characters.')
    .optional(),
  description: z
    .string(expecting('a description (text)'))
    .max(20000, 'A description has at most 20000 characters.')
    .optional(),
  namespaces: z
    .record(z.string(), namespace, expecting('a mapping of namespace names'))
    .superRefine((v, ctx) => {
      const names = Object.keys(v)
      if (names.length > LAB_LIMITS.namespaces)
        ctx.addIssue({
          code: 'custom',
          message: `At most ${LAB_LIMITS.namespaces} namespaces; this lab has ${names.length}.`,
        })
      for (const name of names) {
        const c = name === 'host' ? { ok: true as const } : checkNamespaceName(name)
        if (!c.ok)
          ctx.addIssue({ code: 'custom', message: c.message, path: [name], params: { at: 'key' } })
      }
    })
    .meta({ propertyNames: { pattern: NAME_PATTERN } })
    .optional(),
  bridges: list(bridge, 'bridges', LAB_LIMITS.bridges).optional(),
  links: list(link, 'links', LAB_LIMITS.links).optional(),
  routes: list(route, 'routes', LAB_LIMITS.routes).optional(),
  nat: list(nat, 'NAT entries', LAB_LIMITS.nat).optional(),
  layout: z
    .record(z.string(), position, expecting('a mapping of node names to positions'))
    .meta({
      description: 'Canvas positions: a namespace name ("host" for the root) or "NS/BRIDGE".',
    })
    .optional(),
  checks: checkListSchema.optional(),
  steps: list(z.unknown(), 'steps', LAB_LIMITS.reserved)
    .meta({ description: 'Reserved for guided labs.' })
    .optional(),
}

/** The lab file as written (lists optional); cross-references checked when the shape is right. */
export const labFileSchema = mapping(shape, 'a lab')
  .superRefine((lab, ctx) => {
    for (const i of crossCheck(lab))
      ctx.addIssue({
        code: 'custom',
        message: i.message,
        path: i.path,
        params: { at: i.at, cross: true },
      })
  })
  .meta({
    title: 'netns-studio lab',
    description:
      'A network lab of Linux namespaces, bridges, veth links, routes and NAT, for netns-studio (plan, apply, destroy, save).',
  })

/** What the lab file holds after the schema (before defaults). */
export type LabFile = z.infer<typeof labFileSchema>

export type { Issue }

/** The published JSON Schema of a lab file (draft 2020-12), for editors. */
export function labJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(labFileSchema, {
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Record<string, unknown>
  return { $schema: s.$schema, $id: 'https://netns-studio.invalid/lab.schema.json', ...s }
}

/** The published schema files (in shared/lab/), by file name. */
export const LAB_SCHEMA_FILES = ['lab.schema.json', 'lab-checks.schema.json'] as const

/**
 * The JSON Schema as the files editors read, by name: the lab file, and its checks vocabulary
 * apart (referenced by a relative `$ref`, resolved against the lab schema's own location; no
 * `$id`, so an editor never tries to fetch it from a web address).
 */
export function labJsonSchemaFiles(): Record<(typeof LAB_SCHEMA_FILES)[number], string> {
  const { $id: _id, ...lab } = labJsonSchema()
  const props = lab.properties as Record<string, unknown>
  const checks = {
    $schema: lab.$schema,
    title: 'netns-studio lab checks',
    ...(props.checks as Record<string, unknown>),
  }
  const main = { ...lab, properties: { ...props, checks: { $ref: 'lab-checks.schema.json' } } }
  const text = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`
  return { 'lab.schema.json': text(main), 'lab-checks.schema.json': text(checks) }
}

// The `checks` list of a lab file (zod): each check a strict mapping with a name, optional texts
// and exactly one kind, every value through the shared checks; names unique in the lab.

import { z } from 'zod'
import {
  checkCidr,
  checkIp,
  checkMac,
  checkPort,
  checkSysctlKey,
  checkSysctlValue,
  checkTable,
  ipFamily,
} from '../net/validate'
import { isNetwork, splitHostPort } from './addr'
import {
  argvProblem,
  CHECK_KINDS,
  CHECK_LIMITS,
  INTERFACE_STATES,
  NEIGHBOUR_STATES,
} from './checks'
import {
  bool,
  checked,
  checkedNumber,
  expecting,
  ifname,
  list,
  mapping,
  nsRef,
} from './schema-fields'

const text = (what: string, max: number) =>
  z
    .string(expecting(`${what} (text)`))
    .min(1, `${what[0]!.toUpperCase()}${what.slice(1)} is empty.`)
    .max(max, `${what[0]!.toUpperCase()}${what.slice(1)} has at most ${max} characters.`)

const address = (what: string) => checked(`an address (${what})`, (v) => checkIp(v, what))

const seconds = checkedNumber('a number of seconds', (v) =>
  Number.isInteger(v) && v >= 1 && v <= CHECK_LIMITS.timeoutS
    ? { ok: true }
    : { ok: false, message: `Timeout must be 1–${CHECK_LIMITS.timeoutS} whole seconds; got ${v}.` },
).meta({ minimum: 1, maximum: CHECK_LIMITS.timeoutS })

const iface = mapping(
  {
    ns: nsRef,
    dev: ifname,
    state: z
      .enum(INTERFACE_STATES, expecting(INTERFACE_STATES.join(', ')))
      .optional()
      .meta({
        description:
          'up (default: administratively up), down, present (any state), carrier (up with a carrier, LOWER_UP), no-carrier (up, NO-CARRIER).',
      }),
    master: ifname.optional().meta({ description: 'The bridge it must be a port of.' }),
  },
  'an interface check',
)

const addressCheck = mapping(
  {
    ns: nsRef,
    dev: ifname.optional(),
    address: checked('an address with prefix length (e.g. 10.0.0.1/24)', (v) => checkCidr(v)),
  },
  'an address check',
)

const route = mapping(
  {
    ns: nsRef,
    to: checked('"default" or a network (e.g. 10.1.0.0/24)', (v) => {
      if (v === 'default') return { ok: true }
      const c = checkCidr(v, 'Destination')
      if (!c.ok) return c
      return isNetwork(v)
        ? { ok: true }
        : { ok: false, message: `Destination ${v} has host bits set; write the network.` }
    }),
    via: address('Gateway').optional(),
    dev: ifname.optional(),
    table: z
      .union(
        [z.string(), z.number()],
        expecting('a routing table (main, local, default or a number)'),
      )
      .superRefine((v, ctx) => {
        const c = checkTable(String(v))
        if (!c.ok) ctx.addIssue({ code: 'custom', message: c.message, input: v })
      })
      .optional(),
  },
  'a route check',
).superRefine((v, ctx) => {
  if (
    v.via !== undefined &&
    v.to !== 'default' &&
    ipFamily(v.via) !== ipFamily(v.to.split('/')[0]!)
  )
    ctx.addIssue({
      code: 'custom',
      message: 'Gateway and destination are of different IP families.',
      path: ['via'],
    })
})

const neighbour = mapping(
  {
    ns: nsRef,
    address: address('Neighbour address'),
    dev: ifname.optional(),
    lladdr: checked('a MAC address (e.g. 02:00:00:00:00:01)', (v) => checkMac(v)).optional(),
    state: z
      .enum(NEIGHBOUR_STATES, expecting(NEIGHBOUR_STATES.join(', ')))
      .optional()
      .meta({ description: 'A NUD state; without it, any entry with a link-layer address.' }),
  },
  'a neighbour check',
)

const sysctl = mapping(
  {
    ns: nsRef,
    key: checked('a sysctl key', (v) => checkSysctlKey(v)),
    value: z.union([z.string(), z.number()], expecting('a sysctl value (a number)')),
  },
  'a sysctl check',
).superRefine((v, ctx) => {
  if (!checkSysctlKey(v.key).ok) return
  const c = checkSysctlValue(v.key, v.value)
  if (!c.ok) ctx.addIssue({ code: 'custom', message: c.message, path: ['value'] })
})

const nat = mapping(
  {
    ns: nsRef,
    masquerade: mapping(
      {
        source: checked('a source network (IPv4 CIDR)', (v) => {
          const c = checkCidr(v, 'Source network')
          if (!c.ok) return c
          if (ipFamily(v.split('/')[0]!) !== 'inet')
            return { ok: false, message: 'NAT checks read IPv4 rules only.' }
          return isNetwork(v)
            ? { ok: true }
            : { ok: false, message: `Source network ${v} has host bits set; write the network.` }
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
                message: `"${v}" must be an IPv4 address and a port, like 10.0.0.2:80.`,
              },
        ),
      },
      'a port forward',
    ).optional(),
  },
  'a NAT check',
).superRefine((v, ctx) => {
  if (!v.masquerade === !v.forward)
    ctx.addIssue({
      code: 'custom',
      message: 'A NAT check has exactly one of masquerade or forward.',
    })
})

const reach = mapping(
  {
    from: nsRef,
    to: address('Destination').optional(),
    toNs: nsRef.optional().meta({
      description:
        "Ping this namespace's first address as the kernel shows it: global scope, not on lo, IPv4 first.",
    }),
    count: checkedNumber('a count', (v) =>
      Number.isInteger(v) && v >= 1 && v <= CHECK_LIMITS.pingCount
        ? { ok: true }
        : { ok: false, message: `Count must be 1–${CHECK_LIMITS.pingCount}; got ${v}.` },
    ).optional(),
    expect: z.enum(['reachable', 'unreachable'], expecting('reachable or unreachable')).optional(),
  },
  'a reach check',
).superRefine((v, ctx) => {
  if ((v.to === undefined) === (v.toNs === undefined))
    ctx.addIssue({
      code: 'custom',
      message: 'A reach check has exactly one of to (an address) or toNs (a namespace).',
    })
})

const port = mapping(
  {
    from: nsRef,
    to: address('Destination'),
    port: checkedNumber('a port number', (v) =>
      Number.isInteger(v) && v >= 1 && v <= 65535
        ? { ok: true }
        : { ok: false, message: `Port must be 1–65535; got ${v}.` },
    ),
    protocol: z.enum(['tcp', 'udp'], expecting('tcp or udp')).optional(),
    expect: z.enum(['open', 'closed'], expecting('open or closed')).optional().meta({
      description: 'open (default): it answers; closed: it does not answer.',
    }),
    timeoutS: seconds.optional(),
    local: bool(
      'to must be an address of from itself; when the kernel shows none there, nothing is sent',
    ).optional(),
  },
  'a port check',
)

const namespace = mapping(
  { ns: nsRef, exists: bool('the namespace exists; default true').optional() },
  'a namespace check',
)

const command = mapping(
  {
    ns: nsRef,
    argv: z
      .array(z.string(expecting('an argument (text)')), expecting('a list (program and arguments)'))
      .superRefine((v, ctx) => {
        const p = argvProblem(v)
        if (p) ctx.addIssue({ code: 'custom', message: p })
      })
      .meta({
        description:
          'Program and arguments, run without a shell as root; the program is an allowed name or an absolute path.',
      }),
    exit: checkedNumber('an exit code', (v) =>
      Number.isInteger(v) && v >= 0 && v <= 255
        ? { ok: true }
        : { ok: false, message: `An exit code is 0–255; got ${v}.` },
    ).optional(),
    output: text('the expected output', CHECK_LIMITS.output).optional(),
    match: text('the expected pattern', CHECK_LIMITS.output)
      .superRefine((v, ctx) => {
        try {
          new RegExp(v)
        } catch (e) {
          ctx.addIssue({
            code: 'custom',
            message: `Not a regular expression: ${(e as Error).message}`,
          })
        }
      })
      .optional(),
    timeoutS: seconds.optional(),
  },
  'a command check',
)

const check = mapping(
  {
    name: text('a check name', CHECK_LIMITS.name),
    pass: text('the pass text', CHECK_LIMITS.text).optional(),
    fail: text('the fail text', CHECK_LIMITS.text).optional(),
    hint: text('the hint', CHECK_LIMITS.text).optional(),
    interface: iface.optional(),
    address: addressCheck.optional(),
    route: route.optional(),
    neighbour: neighbour.optional(),
    sysctl: sysctl.optional(),
    nat: nat.optional(),
    reach: reach.optional(),
    port: port.optional(),
    namespace: namespace.optional(),
    command: command.optional(),
  },
  'a check',
)
  .superRefine((v, ctx) => {
    const kinds = CHECK_KINDS.filter((k) => v[k] !== undefined)
    if (kinds.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message:
          kinds.length === 0
            ? `A check has one kind: one of ${CHECK_KINDS.join(', ')}.`
            : `A check has one kind; this one has ${kinds.join(' and ')}.`,
      })
  })
  .meta({ description: 'A check: name, optional pass/fail/hint texts, and exactly one kind.' })

/** The `checks` list: at most CHECK_LIMITS.checks, names unique. */
export const checkListSchema = list(check, 'checks', CHECK_LIMITS.checks)
  .superRefine((v, ctx) => {
    const seen = new Map<string, number>()
    v.forEach((c, i) => {
      const prev = seen.get(c.name)
      if (prev !== undefined)
        ctx.addIssue({
          code: 'custom',
          message: `checks[${prev}] is already called "${c.name}"; check names are unique.`,
          path: [i, 'name'],
        })
      else seen.set(c.name, i)
    })
  })
  .meta({
    description:
      'Checks run against the live kernel (netns-studio check LAB): interface, address, route, neighbour, sysctl, nat, reach, port, namespace or command.',
  })

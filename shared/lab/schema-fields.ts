// The pieces the lab file's schemas are built from (zod): strict mappings whose errors list the
// allowed keys, text and numbers checked by the same shared/net checks the forms use, and the
// messages that say what was expected and what was found. Used by schema.ts and checks-schema.ts.

import { z } from 'zod'
import type { Check } from '../net/validate'
import { checkIfName, checkNamespaceName } from '../net/validate'

/** How a value is shown in a message. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing'
  if (v === null) return 'an empty value'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'object') return 'a mapping'
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v)
  return typeof v
}

/** The error option of a schema: what was expected, and what was found. */
export function expecting(what: string): { error: (iss: { input?: unknown }) => string } {
  return {
    error: (iss) =>
      iss.input === undefined
        ? `${what} is required.`
        : `Expected ${what}, got ${show(iss.input)}.`,
  }
}

/** Text checked by one of the shared checks, with JSON Schema hints for editors. */
export function checked(
  what: string,
  check: (v: string) => Check,
  meta: Record<string, unknown> = {},
) {
  return z
    .string(expecting(what))
    .superRefine((v, ctx) => {
      const c = check(v)
      if (!c.ok) ctx.addIssue({ code: 'custom', message: c.message, input: v })
    })
    .meta(meta)
}

/** A number checked by `check`. */
export function checkedNumber(
  what: string,
  check: (v: number) => Check,
  meta: Record<string, unknown> = {},
) {
  return z
    .number(expecting(what))
    .superRefine((v, ctx) => {
      const c = check(v)
      if (!c.ok) ctx.addIssue({ code: 'custom', message: c.message, input: v })
    })
    .meta(meta)
}

/** A strict mapping: a key not in `shape` is an error that lists the allowed keys. */
export function mapping<S extends z.ZodRawShape>(shape: S, what: string) {
  const keys = Object.keys(shape).join(', ')
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `${what} has only these keys: ${keys}.`
        : iss.input === undefined
          ? `${what} is required.`
          : `Expected ${what} (a mapping), got ${show(iss.input)}.`,
  })
}

export function list<T extends z.ZodType>(item: T, what: string, max: number) {
  return z.array(item, expecting(`a list of ${what}`)).superRefine((v, ctx) => {
    if (v.length > max)
      ctx.addIssue({
        code: 'custom',
        message: `At most ${max} ${what}; this list has ${v.length}.`,
      })
  })
}

export const NAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$'

export const ifname = checked('an interface name', (v) => checkIfName(v), {
  description:
    'Interface name: 1–15 of letters, digits, "_", "." and "-", not starting with "-" or ".".',
  pattern: NAME_PATTERN,
})

export const nsRef = checked(
  'a namespace name',
  (v) => (v === 'host' ? { ok: true } : checkNamespaceName(v)),
  {
    description: 'A namespace of this lab, or "host" (the root namespace).',
    pattern: NAME_PATTERN,
  },
)

/** true or false, saying what it switches. */
export const bool = (what: string) => z.boolean(expecting(`true or false (${what})`))

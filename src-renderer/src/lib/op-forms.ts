// Form definitions for every engine operation: the fields, how form values become a NetOp, which
// operations are destructive. Validation and command preview come from shared/net/ops.ts.

import { HOST_NS } from '@shared/net/model'
import type { NatBackend, NetOp, NetOpName } from '@shared/net/ops'
import { OP_TITLES, opChecks, opCommands } from '@shared/net/ops'
import { toShellLine } from '@shared/net/shell'

/** How a field is entered. `link`/`bridge` suggest the links of the namespace in `nsField`. */
export type FieldType = 'text' | 'ns' | 'link' | 'bridge' | 'bool' | 'number' | 'choice'

export interface FieldSpec {
  key: string
  label: string
  type: FieldType
  placeholder?: string
  /** Optional fields are left out of the operation when empty. */
  optional?: boolean
  /** For `ns` fields: may the user pick the host (root namespace)? Default true. */
  allowHost?: boolean
  /** For `link`/`bridge` fields: the key of the namespace field they belong to. */
  nsField?: string
  /** For `choice` fields. */
  choices?: Array<{ value: string; label: string }>
  /** A short hint under the field. */
  help?: string
}

/** Values as the form holds them. */
export type FormValues = Record<string, string | boolean>

export interface OpForm {
  op: NetOpName
  title: string
  /** One line on what it does. */
  summary: string
  fields: FieldSpec[]
  /** Deletes something: ask before running. */
  destructive?: boolean
  /** Initial values. */
  defaults: FormValues
}

const ns = (key = 'ns', label = 'Namespace', allowHost = true): FieldSpec => ({
  key,
  label,
  type: 'ns',
  allowHost,
})
const link = (nsField = 'ns', key = 'ifname', label = 'Interface'): FieldSpec => ({
  key,
  label,
  type: 'link',
  nsField,
  placeholder: 'veth0',
})

function form(
  op: NetOpName,
  summary: string,
  fields: FieldSpec[],
  defaults: FormValues,
  destructive = false,
): OpForm {
  return { op, title: OP_TITLES[op], summary, fields, defaults, destructive }
}

const routeFields: FieldSpec[] = [
  ns(),
  { key: 'dst', label: 'Destination', type: 'text', placeholder: 'default or 10.0.0.0/24' },
  { key: 'via', label: 'Gateway (via)', type: 'text', optional: true, placeholder: '10.0.0.1' },
  {
    key: 'dev',
    label: 'Device',
    type: 'link',
    nsField: 'ns',
    optional: true,
    placeholder: 'veth0',
  },
  { key: 'table', label: 'Table', type: 'text', optional: true, placeholder: 'main' },
]

/** Every operation's form, in menu order. */
export const OP_FORMS: OpForm[] = [
  form(
    'ns.add',
    'A new, empty network namespace with only a loopback interface.',
    [{ key: 'name', label: 'Name', type: 'text', placeholder: 'ns1' }],
    { name: '' },
  ),
  form(
    'veth.add',
    'A virtual cable: two interfaces, each end optionally in a namespace.',
    [
      { key: 'name', label: 'This end', type: 'text', placeholder: 'veth0' },
      ns('ns', 'Put this end in'),
      { key: 'peer', label: 'Other end', type: 'text', placeholder: 'veth1' },
      ns('peerNs', 'Put the other end in'),
      { key: 'up', label: 'Bring both ends up', type: 'bool' },
    ],
    { name: '', ns: HOST_NS, peer: '', peerNs: HOST_NS, up: false },
  ),
  form(
    'bridge.add',
    'A virtual switch; attach interfaces to it as ports.',
    [
      ns(),
      { key: 'name', label: 'Bridge name', type: 'text', placeholder: 'br0' },
      { key: 'up', label: 'Bring it up', type: 'bool' },
    ],
    { ns: HOST_NS, name: '', up: true },
  ),
  form(
    'link.set-master',
    'Attach an interface to a bridge as a port, or detach it (leave Bridge empty).',
    [
      ns(),
      link(),
      {
        key: 'bridge',
        label: 'Bridge',
        type: 'bridge',
        nsField: 'ns',
        optional: true,
        placeholder: 'br0',
      },
    ],
    { ns: HOST_NS, ifname: '', bridge: '' },
  ),
  form(
    'link.move',
    'Move an interface into another namespace (its addresses are lost).',
    [ns('ns', 'From'), link(), ns('toNs', 'To')],
    { ns: HOST_NS, ifname: '', toNs: '' },
  ),
  form(
    'link.set-state',
    'Bring an interface up or down.',
    [
      ns(),
      link(),
      {
        key: 'up',
        label: 'State',
        type: 'choice',
        choices: [
          { value: 'up', label: 'up' },
          { value: 'down', label: 'down' },
        ],
      },
    ],
    { ns: HOST_NS, ifname: '', up: 'up' },
  ),
  form(
    'addr.add',
    'Give an interface an IP address with its prefix length.',
    [
      ns(),
      link(),
      { key: 'cidr', label: 'Address/prefix', type: 'text', placeholder: '10.10.10.1/28' },
    ],
    { ns: HOST_NS, ifname: '', cidr: '' },
  ),
  form('route.add', 'Tell a namespace where to send packets for a destination.', routeFields, {
    ns: HOST_NS,
    dst: '',
    via: '',
    dev: '',
    table: '',
  }),
  form(
    'forwarding.set',
    'Let a namespace route packets between its interfaces (a router).',
    [ns(), { key: 'enabled', label: 'Forward IPv4 packets', type: 'bool' }],
    { ns: HOST_NS, enabled: true },
  ),
  form(
    'nat.masquerade',
    'Rewrite the source of packets from a network leaving through an interface.',
    [
      ns(),
      { key: 'source', label: 'Source network', type: 'text', placeholder: '10.0.0.0/24' },
      {
        key: 'outIf',
        label: 'Out interface',
        type: 'link',
        nsField: 'ns',
        optional: true,
        placeholder: 'eth0',
      },
      { key: 'remove', label: 'Remove this rule instead', type: 'bool' },
    ],
    { ns: HOST_NS, source: '', outIf: '', remove: false },
  ),
  form(
    'nat.port-forward',
    'Forward a port of this namespace to an address and port behind it.',
    [
      ns(),
      {
        key: 'protocol',
        label: 'Protocol',
        type: 'choice',
        choices: [
          { value: 'tcp', label: 'tcp' },
          { value: 'udp', label: 'udp' },
        ],
      },
      { key: 'port', label: 'Port', type: 'number', placeholder: '8080' },
      { key: 'toAddr', label: 'To address', type: 'text', placeholder: '10.0.0.2' },
      { key: 'toPort', label: 'To port', type: 'number', placeholder: '80' },
      { key: 'remove', label: 'Remove this rule instead', type: 'bool' },
    ],
    { ns: HOST_NS, protocol: 'tcp', port: '', toAddr: '', toPort: '', remove: false },
  ),
  form(
    'sysctl.set',
    'Set one of the kernel settings a lab may change, in a namespace.',
    [
      ns(),
      {
        key: 'key',
        label: 'Setting',
        type: 'text',
        placeholder: 'net.ipv4.conf.all.rp_filter',
        help: 'e.g. net.ipv4.ip_forward, net.ipv4.conf.veth0.proxy_arp',
      },
      { key: 'value', label: 'Value', type: 'text', placeholder: '0' },
    ],
    { ns: HOST_NS, key: '', value: '' },
  ),
  form(
    'netem.set',
    'Impair an interface: delay, jitter, loss or a rate limit on what it sends.',
    [
      ns(),
      link(),
      { key: 'delayMs', label: 'Delay (ms)', type: 'number', optional: true, placeholder: '100' },
      { key: 'jitterMs', label: 'Jitter (ms)', type: 'number', optional: true, placeholder: '10' },
      { key: 'lossPct', label: 'Loss (%)', type: 'number', optional: true, placeholder: '5' },
      {
        key: 'rateKbit',
        label: 'Rate (kbit/s)',
        type: 'number',
        optional: true,
        placeholder: '1000',
      },
    ],
    { ns: HOST_NS, ifname: '', delayMs: '', jitterMs: '', lossPct: '', rateKbit: '' },
  ),
  form('netem.clear', "Remove an interface's impairment.", [ns(), link()], {
    ns: HOST_NS,
    ifname: '',
  }),
  form(
    'addr.delete',
    'Remove an address from an interface.',
    [
      ns(),
      link(),
      { key: 'cidr', label: 'Address/prefix', type: 'text', placeholder: '10.10.10.1/28' },
    ],
    { ns: HOST_NS, ifname: '', cidr: '' },
    true,
  ),
  form(
    'route.delete',
    'Remove a route.',
    routeFields,
    { ns: HOST_NS, dst: '', via: '', dev: '', table: '' },
    true,
  ),
  form(
    'link.delete',
    'Delete an interface (for a veth, both ends go).',
    [ns(), link()],
    { ns: HOST_NS, ifname: '' },
    true,
  ),
  form(
    'ns.delete',
    'Delete a namespace and every interface in it.',
    [ns('name', 'Namespace', false)],
    { name: '' },
    true,
  ),
]

/** The form of an operation. */
export function formOf(op: NetOpName): OpForm {
  const f = OP_FORMS.find((x) => x.op === op)
  if (!f) throw new Error(`no form for ${op}`)
  return f
}

function str(v: string | boolean | undefined): string {
  return typeof v === 'string' ? v.trim() : ''
}

function num(v: string | boolean | undefined): number {
  const s = str(v)
  return s === '' ? NaN : Number(s)
}

/** Build the operation from form values; optional empty fields are left out. */
export function buildOp(op: NetOpName, v: FormValues): NetOp {
  const opt = (k: string): Record<string, string> => (str(v[k]) ? { [k]: str(v[k]) } : {})
  const optNum = (k: string): Record<string, number> => (str(v[k]) ? { [k]: num(v[k]) } : {})
  switch (op) {
    case 'ns.add':
    case 'ns.delete':
      return { op, name: str(v.name) }
    case 'veth.add':
      return {
        op,
        name: str(v.name),
        peer: str(v.peer),
        ns: str(v.ns) || HOST_NS,
        peerNs: str(v.peerNs) || HOST_NS,
        up: v.up === true,
      }
    case 'bridge.add':
      return { op, ns: str(v.ns), name: str(v.name), up: v.up !== false }
    case 'link.delete':
      return { op, ns: str(v.ns), ifname: str(v.ifname) }
    case 'link.set-state':
      return { op, ns: str(v.ns), ifname: str(v.ifname), up: v.up === 'up' || v.up === true }
    case 'link.move':
      return { op, ns: str(v.ns), ifname: str(v.ifname), toNs: str(v.toNs) }
    case 'link.set-master':
      return { op, ns: str(v.ns), ifname: str(v.ifname), bridge: str(v.bridge) || null }
    case 'addr.add':
    case 'addr.delete':
      return { op, ns: str(v.ns), ifname: str(v.ifname), cidr: str(v.cidr) }
    case 'route.add':
    case 'route.delete':
      return { op, ns: str(v.ns), dst: str(v.dst), ...opt('via'), ...opt('dev'), ...opt('table') }
    case 'forwarding.set':
      return { op, ns: str(v.ns), enabled: v.enabled === true }
    case 'nat.masquerade':
      return {
        op,
        ns: str(v.ns),
        source: str(v.source),
        ...opt('outIf'),
        ...(v.remove === true ? { remove: true } : {}),
      }
    case 'nat.port-forward':
      return {
        op,
        ns: str(v.ns),
        protocol: str(v.protocol) === 'udp' ? 'udp' : 'tcp',
        port: num(v.port),
        toAddr: str(v.toAddr),
        toPort: num(v.toPort),
        ...(v.remove === true ? { remove: true } : {}),
      }
    case 'sysctl.set':
      return { op, ns: str(v.ns), key: str(v.key), value: str(v.value) }
    case 'netem.set':
      return {
        op,
        ns: str(v.ns),
        ifname: str(v.ifname),
        ...optNum('delayMs'),
        ...optNum('jitterMs'),
        ...optNum('lossPct'),
        ...optNum('rateKbit'),
      }
    case 'netem.clear':
      return { op, ns: str(v.ns), ifname: str(v.ifname) }
  }
}

/** Field key → first problem, from the shared rules. */
export function fieldProblems(op: NetOp): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [field, c] of opChecks(op)) if (!c.ok && !(field in out)) out[field] = c.message
  return out
}

/** Does the operation's command depend on the target's firewall tool (iptables or nft)? */
export function needsNatBackend(op: NetOpName): boolean {
  return op === 'nat.masquerade' || op === 'nat.port-forward'
}

/**
 * The exact shell lines an operation will run, built as main builds them: with the firewall tool
 * main detected on the target (`nat`, from `netns:nat-backend`). Null for a NAT operation while
 * that tool is not known yet: a guess would show commands that do not run.
 */
export function previewLines(op: NetOp, nat: NatBackend | null): string[] | null {
  if (needsNatBackend(op.op) && nat === null) return null
  return opCommands(op, nat ?? undefined).map((s) => toShellLine(s.argv))
}

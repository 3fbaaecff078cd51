// The snapshot as one text: a block per namespace (`@@NS name`, or `@@NS` for the root), each
// holding the JSON lines of one `ip -j -d -batch -` run, and an `@@INODES` block of `stat -L -c
// '%i %n'` lines. Parsed here into the model, with veth peers resolved across namespaces through
// nsids and link indexes.

import { HOST_NS, nsFromKernel, type NetNamespace, type Snapshot } from './model'
import {
  parseAddresses,
  parseIpForward,
  parseJsonLine,
  parseLink,
  parseNeighbour,
  parseNsids,
  parseRoute,
} from './ip-json'

/** The `ip -batch` lines every namespace is read with, in this order. */
export const SNAPSHOT_QUERIES = [
  'addr show',
  'route show table all',
  'neigh show',
  'netns list-id',
  'netconf show',
]

/** The marker line that opens a namespace's block. */
export const NS_MARK = '@@NS'

/** The marker line that opens the block of `stat -L -c '%i %n'` lines (one per namespace file). */
export const INODES_MARK = '@@INODES'

/** The file the root namespace's inode is read from (see the snapshot script). */
export const ROOT_NS_FILE = '/proc/self/ns/net'

const NETNS_DIR = '/run/netns/'

interface Block {
  name: string
  lines: string[]
}

function splitBlocks(text: string): { blocks: Block[]; statLines: string[] } {
  const blocks: Block[] = []
  const statLines: string[] = []
  let into: string[] | null = null
  for (const line of text.split('\n')) {
    if (line === NS_MARK || line.startsWith(`${NS_MARK} `)) {
      // `@@NS` alone is the root; `@@NS host` is a kernel namespace called "host", not the root.
      const name = line === NS_MARK ? HOST_NS : nsFromKernel(line.slice(NS_MARK.length + 1))
      blocks.push({ name, lines: [] })
      into = blocks[blocks.length - 1]!.lines
    } else if (line === INODES_MARK) {
      into = statLines
    } else if (line.trim() && into) {
      into.push(line)
    }
  }
  return { blocks, statLines }
}

/**
 * Each namespace's inode from `stat -L -c '%i %n'` lines. A name seen twice (only a name with a
 * newline in it could do that) is ambiguous and left out: an inode is never guessed.
 */
export function parseInodes(lines: string[]): Map<string, number> {
  const found = new Map<string, number | null>()
  for (const line of lines) {
    const m = /^(\d+) (.+)$/.exec(line)
    if (!m) continue
    const inode = Number(m[1])
    const path = m[2]!
    const name =
      path === ROOT_NS_FILE
        ? HOST_NS
        : path.startsWith(NETNS_DIR) && path.length > NETNS_DIR.length
          ? nsFromKernel(path.slice(NETNS_DIR.length))
          : null
    if (name === null || !Number.isSafeInteger(inode)) continue
    found.set(name, found.has(name) ? null : inode)
  }
  return new Map([...found].filter((e): e is [string, number] => e[1] !== null))
}

interface Parsed {
  ns: NetNamespace
  nsids: Map<number, string | null>
}

function parseBlock(b: Block): Parsed | null {
  // A namespace that vanished between listing and reading prints nothing.
  if (b.lines.length === 0) return null
  const [addr = '', route = '', neigh = '', ids = '', netconf = ''] = b.lines
  const addrItems = parseJsonLine(addr)
  return {
    nsids: parseNsids(parseJsonLine(ids)),
    ns: {
      name: b.name,
      isHost: b.name === HOST_NS,
      nsid: null,
      links: addrItems.map(parseLink),
      addresses: addrItems.flatMap(parseAddresses),
      routes: parseJsonLine(route).map(parseRoute),
      neighbours: parseJsonLine(neigh).map(parseNeighbour),
      ipForward: parseIpForward(parseJsonLine(netconf)),
    },
  }
}

/** Resolve every veth's peer: the namespace its link-netnsid names (relative to it), and the link there. */
function resolvePeers(all: Parsed[]): void {
  const byName = new Map(all.map((p) => [p.ns.name, p]))
  for (const p of all) {
    const named = new Set([...p.nsids.values()].filter((n): n is string => n !== null))
    for (const link of p.ns.links) {
      if (link.kind !== 'veth') continue
      if (link.linkIndex === null) {
        const same = link.linkName ? p.ns.links.find((l) => l.ifname === link.linkName) : undefined
        link.peer = same
          ? { namespace: p.ns.name, ifname: same.ifname, ifindex: same.ifindex }
          : { namespace: null, ifname: null, ifindex: null }
        continue
      }
      let candidates: Parsed[]
      if (link.linkNetnsid === null) candidates = [p]
      else {
        const name = p.nsids.get(link.linkNetnsid)
        // An nsid without a name is a namespace with no name from here: usually the root.
        candidates = name
          ? [byName.get(name)].filter((x): x is Parsed => !!x)
          : all.filter((q) => !named.has(q.ns.name) && q !== p)
      }
      const match = candidates
        .map((q) => ({
          q,
          l: q.ns.links.find((l) => l.ifindex === link.linkIndex && l.kind === 'veth'),
        }))
        .find((m) => m.l && (m.l.linkIndex === link.ifindex || m.l.linkIndex === null))
      link.peer = match?.l
        ? { namespace: match.q.ns.name, ifname: match.l.ifname, ifindex: match.l.ifindex }
        : { namespace: null, ifname: null, ifindex: link.linkIndex }
    }
  }
}

/** Parse the whole snapshot text. `listed` are the namespace names that were expected (for `vanished`). */
export function parseSnapshot(
  text: string,
  meta: { takenAt: number; durationMs: number },
): Snapshot {
  const { blocks, statLines } = splitBlocks(text)
  const inodes = parseInodes(statLines)
  const parsed: Parsed[] = []
  const vanished: string[] = []
  for (const b of blocks) {
    const p = parseBlock(b)
    if (p) {
      const inode = inodes.get(p.ns.name)
      if (inode !== undefined) p.ns.inode = inode
      parsed.push(p)
    } else if (b.name !== HOST_NS) vanished.push(b.name)
  }
  resolvePeers(parsed)
  const root = parsed.find((p) => p.ns.isHost)
  if (root) {
    const idOf = new Map([...root.nsids].filter(([, n]) => n !== null).map(([id, n]) => [n!, id]))
    for (const p of parsed) p.ns.nsid = p.ns.isHost ? null : (idOf.get(p.ns.name) ?? null)
  }
  const namespaces = parsed
    .map((p) => p.ns)
    .sort((a, b) =>
      a.isHost ? -1 : b.isHost ? 1 : a.name.localeCompare(b.name, 'en', { numeric: true }),
    )
  return { takenAt: meta.takenAt, durationMs: meta.durationMs, namespaces, vanished }
}

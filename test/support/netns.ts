// Test helpers for real namespaces: a per-run name prefix and cleanup of everything under it.

import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'

/** A short per-run prefix like "t3f9a-" (6 bytes), leaving 9 bytes for the rest of a name. */
export function runPrefix(): string {
  return `t${randomBytes(2).toString('hex')}-`
}

/** Run a command on this host (as root) and return stdout. */
export function sh(argv: string[], input?: string): string {
  return execFileSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
}

/** Namespaces on this host whose names start with prefix. */
export function namespacesWithPrefix(prefix: string): string[] {
  const out = sh(['ip', '-j', 'netns', 'list'])
  const list = out.trim() ? (JSON.parse(out) as Array<{ name: string }>) : []
  return list.map((n) => n.name).filter((n) => n.startsWith(prefix))
}

/** Links in the root namespace whose names start with prefix. */
export function hostLinksWithPrefix(prefix: string): string[] {
  const list = JSON.parse(sh(['ip', '-j', 'link', 'show'])) as Array<{ ifname: string }>
  return list.map((l) => l.ifname).filter((n) => n.startsWith(prefix))
}

/** Remove every namespace and root-namespace link under prefix. */
export function cleanupPrefix(prefix: string): void {
  for (const ns of namespacesWithPrefix(prefix)) {
    try {
      sh(['ip', 'netns', 'delete', ns])
    } catch {
      // already gone
    }
  }
  for (const l of hostLinksWithPrefix(prefix)) {
    try {
      sh(['ip', 'link', 'delete', 'dev', l])
    } catch {
      // already gone (a veth's peer went with its namespace)
    }
  }
}

/** MAC address of an interface in a namespace (or the host when ns is null). */
export function macOf(ns: string | null, ifname: string): string {
  const argv = ns
    ? ['ip', '-n', ns, '-j', 'link', 'show', 'dev', ifname]
    : ['ip', '-j', 'link', 'show', 'dev', ifname]
  const [link] = JSON.parse(sh(argv)) as Array<{ address: string }>
  return link!.address
}

// Parser for `vagrant ssh-config` output (OpenSSH client config blocks): where and as whom the
// engine connects to the VM with ssh2, instead of going through `vagrant ssh`.

/** One `Host` block of `vagrant ssh-config`. */
export interface VagrantSshConfig {
  /** The `Host` alias (the machine name, e.g. "default"). */
  alias: string
  hostName: string
  port: number
  user: string
  /** Private key files, in the order given (Vagrant lists its generated key first). */
  identityFiles: string[]
  /** Every option as given, keys lower-cased (last value wins). */
  options: Record<string, string>
}

/** Undo OpenSSH-style double quoting of one value. */
function unquote(v: string): string {
  const t = v.trim()
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1)
  return t
}

/** Parse every `Host` block; blocks missing HostName, Port or User are left out. */
export function parseSshConfig(text: string): VagrantSshConfig[] {
  const out: VagrantSshConfig[] = []
  let cur: { alias: string; options: Record<string, string>; identityFiles: string[] } | null = null
  const close = (): void => {
    if (!cur) return
    const o = cur.options
    const port = Number(o.port)
    if (o.hostname && o.user && Number.isInteger(port) && port > 0 && port < 65536)
      out.push({
        alias: cur.alias,
        hostName: o.hostname,
        port,
        user: o.user,
        identityFiles: cur.identityFiles,
        options: o,
      })
    cur = null
  }
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').trim()
    if (line === '' || line.startsWith('#')) continue
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line)
    if (!m) continue
    const key = (m[1] ?? '').toLowerCase()
    const value = unquote(m[2] ?? '')
    if (key === 'host') {
      close()
      cur = { alias: value, options: {}, identityFiles: [] }
      continue
    }
    if (!cur) continue
    if (key === 'identityfile') cur.identityFiles.push(value)
    cur.options[key] = value
  }
  close()
  return out
}

/** The block for `machine` (or the first), or null. */
export function sshConfigFor(text: string, machine?: string): VagrantSshConfig | null {
  const all = parseSshConfig(text)
  return (machine ? all.find((c) => c.alias === machine) : all[0]) ?? null
}

// The listening sockets of a namespace, read in one round trip: the namespace list (so a name that
// does not exist is refused by name, never handed to `ip netns exec`) and `ss` inside it.

import { AppError } from '../../shared/errors'
import { HOST_NS } from '../../shared/net/model'
import type { SocketTable } from '../../shared/net/sockets'
import { netnsListNames, parseSockets, socketsArgv } from '../../shared/net/sockets'
import type { CommandResult, Target } from '../target/target'

const LIST_NETNS = ['ip', '-j', 'netns', 'list']

/** INVALID_ARGUMENT naming the namespace when `ns` is not in the `ip -j netns list` result. */
export function requireNamespace(ns: string, list: CommandResult | undefined): void {
  if (ns === HOST_NS) return
  const names = list && list.exitCode === 0 ? netnsListNames(list.stdout) : null
  if (!names)
    throw new AppError('COMMAND_FAILED', 'Could not list the namespaces on the target.', {
      detail: list?.stderr.trim(),
    })
  if (!names.includes(ns))
    throw new AppError('INVALID_ARGUMENT', `There is no namespace "${ns}" on the target.`, {
      data: { field: 'ns' },
    })
}

/** The commands that list the namespaces before a command in `ns` (none for the root). */
export function namespaceCheck(ns: string): string[][] {
  return ns === HOST_NS ? [] : [LIST_NETNS]
}

/** Read the listening TCP and bound UDP sockets of `ns`, with the processes that hold them. */
export async function readSockets(target: Target, ns: string): Promise<SocketTable> {
  const takenAt = Date.now()
  const pre = namespaceCheck(ns)
  const results = await target.run([...pre, socketsArgv(ns)], { timeoutMs: 15_000 })
  if (pre.length) requireNamespace(ns, results[0])
  const ss = results[pre.length]
  if (!ss || ss.exitCode !== 0)
    throw new AppError('COMMAND_FAILED', `Reading the sockets of ${ns} failed.`, {
      detail: ss?.stderr.trim() || `ss exited with ${String(ss?.exitCode)}`,
    })
  return { ns, ...parseSockets(ss.stdout), takenAt }
}

// Notices that a target restarted: on every connect and reconnect it reads the kernel's boot id
// and, when the same target (by label) comes back with a different one this session, tells the
// renderers (`target:rebooted`): its namespaces and links are gone, an open lab may need applying.

import type { EventSink } from '../ipc/types'
import { logger } from '../log'
import type { Target } from '../target/target'

const log = logger('reboot-watch')

/** The kernel's id of this boot: a new random UUID every time the machine starts. */
export const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** What the watch needs of the connection: its target as it changes. */
export interface TargetSource {
  on(event: 'target-changed', fn: (target: Target | null) => void): unknown
}

export class RebootWatch {
  private readonly bootIds = new Map<string, string>()
  private watched: { target: Target; onReconnect: () => void } | null = null
  private last: Promise<void> = Promise.resolve()
  private readonly reads = new Map<string, number>()

  constructor(
    source: TargetSource,
    private readonly events: Pick<EventSink, 'send'>,
  ) {
    source.on('target-changed', (t) => this.follow(t))
  }

  /** The boot id last read from the target called `label` this session. */
  bootId(label: string): string | undefined {
    return this.bootIds.get(label)
  }

  /** How many boot ids were read from the target called `label` this session (tests, logs). */
  readCount(label: string): number {
    return this.reads.get(label) ?? 0
  }

  /** Resolves when the boot id reads started so far have finished (tests). */
  settled(): Promise<void> {
    return this.last
  }

  private follow(target: Target | null): void {
    if (this.watched) this.watched.target.off('reconnected', this.watched.onReconnect)
    this.watched = null
    if (!target) return
    const onReconnect = (): void => this.check(target)
    target.on('reconnected', onReconnect)
    this.watched = { target, onReconnect }
    this.check(target)
  }

  private check(target: Target): void {
    const label = target.label
    this.last = Promise.all([this.last, this.read(target)]).then(([, id]) => {
      if (id === null) return
      this.reads.set(label, (this.reads.get(label) ?? 0) + 1)
      const before = this.bootIds.get(label)
      this.bootIds.set(label, id)
      if (before !== undefined && before !== id) {
        log.info({ label }, 'target restarted since it was last seen')
        this.events.send('target:rebooted', { label })
      }
    })
  }

  /** The target's boot id, or null when it cannot be read (then nothing is concluded). */
  private async read(target: Target): Promise<string | null> {
    try {
      const [r] = await target.run([['cat', BOOT_ID_FILE]])
      const id = r?.exitCode === 0 ? r.stdout.trim() : ''
      if (UUID.test(id)) return id.toLowerCase()
      log.warn({ label: target.label, exitCode: r?.exitCode }, 'no boot id on the target')
    } catch (err) {
      log.debug({ err, label: target.label }, 'reading the boot id failed')
    }
    return null
  }
}

/** Watch `source`'s targets for restarts, reporting them through `events`. */
export function watchReboots(source: TargetSource, events: Pick<EventSink, 'send'>): RebootWatch {
  return new RebootWatch(source, events)
}

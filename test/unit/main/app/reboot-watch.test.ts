// Restart detection. The target here is a TEST DOUBLE (FakeTarget): a real machine cannot be
// rebooted under a test, so the double answers `cat /proc/sys/kernel/random/boot_id` with the ids
// the test queues. The integration test checks the real sshd's id stays the same on a reconnect.
import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import type { TargetRebooted } from '../../../../shared/ipc/domains/lab'
import { BOOT_ID_FILE, RebootWatch } from '../../../../src-main/app/reboot-watch'
import type { CommandResult, Target } from '../../../../src-main/target/target'

const BOOT_A = '6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab'
const BOOT_B = '0a9b8c7d-6e5f-4a3b-9c2d-fedcba987654'

/** TEST DOUBLE of a Target: only `label`, `run` (the boot id) and its connection events. */
class FakeTarget extends EventEmitter {
  readonly asked: string[][] = []
  constructor(
    readonly label: string,
    private readonly answers: Array<Partial<CommandResult> | Error>,
  ) {
    super()
  }
  run(commands: string[][]): Promise<CommandResult[]> {
    this.asked.push(...commands)
    const a = this.answers.shift() ?? new Error('no answer queued')
    if (a instanceof Error) return Promise.reject(a)
    return Promise.resolve([
      { argv: commands[0]!, stdout: '', stderr: '', exitCode: 0, durationMs: 1, ...a },
    ])
  }
}
const boot = (id: string): Partial<CommandResult> => ({ stdout: `${id}\n` })

function setup(): {
  source: EventEmitter<{ 'target-changed': [Target | null] }>
  watch: RebootWatch
  seen: TargetRebooted[]
  connect(t: FakeTarget): Promise<void>
} {
  const source = new EventEmitter<{ 'target-changed': [Target | null] }>()
  const seen: TargetRebooted[] = []
  const watch = new RebootWatch(source, {
    send: (channel, ...args) => {
      if (channel === 'target:rebooted') seen.push(args[0] as TargetRebooted)
    },
  })
  return {
    source,
    watch,
    seen,
    async connect(t) {
      source.emit('target-changed', t as unknown as Target)
      await watch.settled()
    },
  }
}

describe('RebootWatch', () => {
  it('reads the boot id with one argv command on connect and says nothing the first time', async () => {
    const { watch, seen, connect } = setup()
    const t = new FakeTarget('root@10.0.0.1:22', [boot(BOOT_A)])
    await connect(t)
    expect(t.asked).toEqual([['cat', BOOT_ID_FILE]])
    expect(watch.bootId('root@10.0.0.1:22')).toBe(BOOT_A)
    expect(seen).toEqual([])
  })

  it('reports a restart when a reconnect finds another boot id, and not when it finds the same', async () => {
    const { watch, seen, connect } = setup()
    const t = new FakeTarget('vm', [boot(BOOT_A), boot(BOOT_A), boot(BOOT_B)])
    await connect(t)
    t.emit('reconnected')
    await watch.settled()
    expect(seen).toEqual([])
    t.emit('reconnected')
    await watch.settled()
    expect(seen).toEqual([{ label: 'vm' }])
    expect(watch.bootId('vm')).toBe(BOOT_B)
  })

  it('compares a new connection with the last one to the same label, never across labels', async () => {
    const { source, seen, connect } = setup()
    await connect(new FakeTarget('a', [boot(BOOT_A)]))
    source.emit('target-changed', null)
    await connect(new FakeTarget('b', [boot(BOOT_B)]))
    expect(seen).toEqual([])
    await connect(new FakeTarget('a', [boot(BOOT_B)]))
    expect(seen).toEqual([{ label: 'a' }])
  })

  it('concludes nothing when the boot id cannot be read', async () => {
    const { watch, seen, connect } = setup()
    const t = new FakeTarget('x', [
      boot(BOOT_A),
      { exitCode: 1, stderr: 'No such file' },
      new Error('channel closed'),
      { stdout: 'not-a-uuid\n' },
      boot(BOOT_A),
    ])
    await connect(t)
    for (let i = 0; i < 4; i++) {
      t.emit('reconnected')
      await watch.settled()
    }
    expect(seen).toEqual([])
    expect(watch.bootId('x')).toBe(BOOT_A)
  })

  it('stops listening to a target once the connection moved on', async () => {
    const { watch, seen, connect } = setup()
    const old = new FakeTarget('a', [boot(BOOT_A), boot(BOOT_B)])
    await connect(old)
    await connect(new FakeTarget('b', [boot(BOOT_A)]))
    old.emit('reconnected')
    await watch.settled()
    expect(old.asked).toHaveLength(1)
    expect(seen).toEqual([])
  })
})

// The log service over the real command log: appends batched into one `log:appended` event,
// listing sends what is batched first (nothing twice), clear drops what is pending, export heads
// the script with where it ran.
import { describe, expect, it } from 'vitest'
import type { EventArgs, EventChannel } from '../../../../shared/ipc/contract'
import { LogService } from '../../../../src-main/app/log-service'
import { CommandLog, type NewEntry } from '../../../../src-main/netns/command-log'

const entry = (argv: string[], exitCode = 0): NewEntry => ({
  at: Date.now(),
  argv,
  source: 'test',
  mutating: true,
  exitCode,
  durationMs: 1,
  stderr: '',
})

function setup(batchMs = 30) {
  const sent: Array<[EventChannel, unknown[]]> = []
  const log = new CommandLog()
  const service = new LogService({
    events: {
      send: <C extends EventChannel>(ch: C, ...a: EventArgs<C>) => void sent.push([ch, a]),
      sendTo: () => undefined,
    },
    log,
    batchMs,
  })
  return { sent, log, service }
}

describe('LogService', () => {
  it('batches appends into one log:appended event', async () => {
    const { sent, log, service } = setup()
    log.append([entry(['ip', 'netns', 'add', 'a'])])
    log.append([entry(['ip', 'netns', 'add', 'b'])])
    expect(sent).toEqual([])
    await expect.poll(() => sent.length).toBe(1)
    const [channel, [batch]] = sent[0] as [EventChannel, [Array<{ line: string }>]]
    expect(channel).toBe('log:appended')
    expect(batch.map((e) => e.line)).toEqual(['ip netns add a', 'ip netns add b'])
    service.dispose()
  })

  it('listing sends the pending batch first; clear drops what is pending', () => {
    const { sent, log, service } = setup(60_000)
    log.append([entry(['ip', 'netns', 'add', 'a'])])
    expect(service.entries().map((e) => e.line)).toEqual(['ip netns add a'])
    expect(sent).toHaveLength(1)
    log.append([entry(['ip', 'netns', 'add', 'b'])])
    service.clear()
    service.flush()
    expect(sent).toHaveLength(1)
    expect(service.entries()).toEqual([])
    service.dispose()
    log.append([entry(['ip', 'netns', 'add', 'c'])])
    service.flush()
    expect(sent).toHaveLength(1)
  })

  it('exports the successful changes as a script headed with the target', () => {
    const { log, service } = setup()
    log.append([entry(['ip', 'netns', 'add', 'a']), entry(['ip', 'netns', 'add', 'a'], 1)])
    const script = service.exportScript('root@10.0.0.2:22')
    expect(script).toContain('netns-studio session on root@10.0.0.2:22')
    expect(script.match(/ip netns add a/g)).toHaveLength(1)
    expect(service.exportScript(null)).toContain('# netns-studio session: the commands')
    service.dispose()
  })
})

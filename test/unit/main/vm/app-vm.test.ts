// The app's VM backend (createAppVm) without Electron or IPC: typed events from the driver, the
// app's connection closed before an operation that stops the guest (and only then), and refusals
// while an operation runs. Vagrant is a STAND-IN here (a shell script answering status and the
// lifecycle verbs): no provider can boot a guest in the unit project.
import {
  appendFileSync,
  chmodSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { VmInfo } from '../../../../shared/vm/info'
import { MemoryHostKeyStore } from '../../../../src-main/target/host-keys'
import { createAppVm, defaultTemplatePath } from '../../../../src-main/vm/app-vm'

const REPO = join(import.meta.dirname, '../../../..')
const dir = mkdtempSync(join(tmpdir(), 'nss-appvm-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const calls = join(dir, 'calls')
const block = join(dir, 'block')
const standIn = join(dir, 'vagrant-standin')
writeFileSync(
  standIn,
  `#!/bin/sh
case "$1" in
  --version) echo "Vagrant 2.4.9";;
  status) echo "1790000000,default,state,running"; echo "1790000000,default,provider-name,libvirt";;
  *) echo "vagrant $1" >> ${calls}; while [ -e ${block} ]; do sleep 0.05; done;;
esac
`,
)
chmodSync(standIn, 0o755)
const seq = (): string[] => readFileSync(calls, 'utf8').trim().split('\n')

describe('createAppVm: the VM backend over the Vagrant driver', () => {
  const vm = createAppVm({
    dataDir: join(dir, 'data'),
    hostKeys: new MemoryHostKeyStore(),
    env: { NETNS_STUDIO_VAGRANT: standIn },
    beforeStop: () => Promise.resolve(appendFileSync(calls, 'close the VM connection\n')),
  })
  afterAll(() => vm.dispose())

  it('finds the stock Vagrantfile from src-main/vm/ and reports state changes as typed events', async () => {
    expect(defaultTemplatePath({})).toBe(join(REPO, 'Vagrantfile'))
    const seen: VmInfo[] = []
    vm.on('state-changed', (i) => void seen.push(i))
    expect((await vm.refresh()).state).toBe('running')
    expect(seen.at(-1)).toMatchObject({ state: 'running', provider: 'libvirt' })
    expect(vm.info().folder).toBe(join(dir, 'data', 'vms', 'default'))
  })

  it("halt closes the app's VM connection first; resume does not", async () => {
    writeFileSync(calls, '')
    expect(await vm.run('halt')).toMatchObject({ outcome: 'done' })
    expect(await vm.run('resume')).toMatchObject({ outcome: 'done' })
    expect(seq()).toEqual(['close the VM connection', 'vagrant halt', 'vagrant resume'])
  })

  it('while an operation runs, a stopping one is refused with VM_BUSY and closes nothing; so are settings', async () => {
    writeFileSync(calls, '')
    writeFileSync(block, '')
    const resume = vm.run('resume')
    expect(vm.busy).toBe('resume')
    await expect(vm.run('destroy')).rejects.toMatchObject({ code: 'VM_BUSY' })
    expect(() => vm.setSettings({ ...vm.settings(), memoryMiB: 2048 })).toThrow(
      expect.objectContaining({ code: 'VM_BUSY' }),
    )
    await expect.poll(seq).toEqual(['vagrant resume'])
    rmSync(block)
    expect(await resume).toMatchObject({ outcome: 'done' })
    expect(vm.setSettings({ ...vm.settings(), memoryMiB: 2048 }).memoryMiB).toBe(2048)
    expect(JSON.parse(readFileSync(join(dir, 'data', 'vm-settings.json'), 'utf8'))).toMatchObject({
      memoryMiB: 2048,
    })
    expect(seq()).toEqual(['vagrant resume'])
  })
})

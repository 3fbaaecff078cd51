// The welcome as a first-time user sees it, in the whole window (jsdom) against the fake preload:
// preflight results with each problem's fix, the box download said before it starts, percent
// during it, steps with elapsed time after, Cancel at every stage (preflight included), failures
// with Retry and Destroy, and the other two targets leading to the target bar.
// Mock, named: window.api (the preload bridge) cannot exist in jsdom; test/unit/renderer/support.

import type { AppInfo } from '@shared/ipc/domains/app'
import type { PreflightReport } from '@shared/vm/preflight'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from '../../../src-renderer/src/App.vue'
import { downloadEstimate } from '../../../src-renderer/src/lib/download'
import { type FakeApi, FakeIpcError, flush, installFakeApi } from './support/fake-api'
import { boxChoice, failure, progressAt, report, vmInfo } from './support/vm'

let fake: FakeApi
let pinia: ReturnType<typeof createPinia>
let wrappers: VueWrapper[] = []

const linux: AppInfo = {
  name: 'netns-studio',
  version: '0.1.0',
  platform: 'linux',
  arch: 'x64',
  packaged: false,
  versions: { electron: null, node: '20.19.0', chrome: null },
}
const connectedToVm = {
  state: 'connected' as const,
  label: 'vagrant@127.0.0.1:2222',
  kind: 'vm' as const,
}

beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
  fake = installFakeApi()
  fake.handle('log:list', () => [])
  fake.handle('target:status', () => ({ state: 'disconnected', label: null, kind: null }))
  fake.handle('app:info', () => linux)
  fake.handle('vm:state', () => vmInfo())
  fake.handle('vm:settings', () => ({ provider: null, box: null, memoryMiB: 1024, cpus: 1 }))
  fake.handle('vm:preflight', () => report())
  fake.handle('vm:cancel', () => true)
})
afterEach(() => {
  for (const w of wrappers) w.unmount()
  wrappers = []
  fake.uninstall()
  document.body.innerHTML = ''
  vi.useRealTimers()
})

async function mountApp(): Promise<VueWrapper> {
  const w = mount(App, { global: { plugins: [pinia] }, attachTo: document.body })
  wrappers.push(w)
  await flushPromises()
  await flush()
  return w
}

const welcome = (w: VueWrapper) => w.get('[data-test=welcome]')
const byText = (w: VueWrapper, text: string) => w.findAll('button').find((b) => b.text() === text)
const startButton = (w: VueWrapper) => w.get('[data-test=start-vm]')
const stepTexts = (w: VueWrapper): string[] =>
  w
    .get('[data-test=vm-progress]')
    .findAll('.steps li')
    .map((li) => `${li.find('.label').text()}:${li.classes().join(' ')}`)

describe('welcome', () => {
  it('says what the app does, explains the three targets, and runs preflight by itself', async () => {
    const w = await mountApp()
    const text = welcome(w).text()
    expect(text).toContain('network namespaces')
    expect(text).toMatch(/veth pairs, bridges,\s+routes and NAT/)
    expect(text).toContain('Every command the app runs is shown')
    expect(w.get('[data-test=target-vm]').text()).toContain('Recommended')
    expect(w.get('[data-test=target-vm]').text()).toContain('Works on macOS, Windows and Linux')
    expect(w.get('[data-test=target-ssh]').text()).toContain('Connect to an SSH host')
    expect(w.get('[data-test=target-local]').text()).toContain('Use this machine')
    // The namespace list and tables are not there without a target.
    expect(w.find('[role=listbox]').exists()).toBe(false)
    expect(fake.callsOf('vm:preflight')).toHaveLength(1)
    expect(w.get('[data-test=provider]').text()).toContain('libvirt (KVM) 7.2.22')
    expect(w.get('[data-test=provider]').text()).toContain('chosen automatically')
    expect(w.get('[data-test=box]').text()).toContain('generic/debian12')
  })

  it('leaves "this machine" out where the app does not run on Linux', async () => {
    fake.handle('app:info', () => ({ ...linux, platform: 'darwin', arch: 'arm64' }))
    const w = await mountApp()
    expect(w.find('[data-test=target-local]').exists()).toBe(false)
    expect(
      w
        .get('#target-kind')
        .findAll('option')
        .map((o) => o.text()),
    ).toEqual(['Vagrant VM', 'SSH host'])
  })

  it('lists preflight errors and warnings apart, each with its fix, commands as code', async () => {
    fake.handle('vm:preflight', () =>
      report({
        provider: null,
        box: null,
        providers: report().providers.map((p) =>
          p.name === 'libvirt'
            ? {
                ...p,
                usable: false,
                version: null,
                detail: 'libvirtd is not running (virsh -c qemu:///system cannot connect)',
              }
            : p,
        ),
        problems: [
          {
            code: 'no-provider',
            severity: 'error',
            message:
              'No VM provider was found (VirtualBox, VMware, Parallels, libvirt, Hyper-V or QEMU).',
            action:
              'Install VirtualBox (https://www.virtualbox.org/wiki/Downloads), or libvirt with `vagrant plugin install vagrant-libvirt` on Linux.',
          },
          {
            code: 'vagrant-old',
            severity: 'warning',
            message: 'Vagrant 2.1.0 is old; the app is tested with 2.3 and later.',
            action: 'Update Vagrant from https://developer.hashicorp.com/vagrant/install.',
          },
        ],
      }),
    )
    const w = await mountApp()
    const items = w.findAll('[data-test=problem]')
    expect(items.map((i) => i.attributes('data-severity'))).toEqual(['error', 'warning'])
    expect(items[0]!.get('.sev').text()).toBe('Error')
    expect(items[0]!.text()).toContain('No VM provider was found')
    expect(items[0]!.get('.fix').text()).toContain('Fix: Install VirtualBox')
    expect(items[0]!.get('code').text()).toBe('vagrant plugin install vagrant-libvirt')
    expect(items[1]!.get('.sev').text()).toBe('Warning')
    expect(items[1]!.get('.fix').text()).toContain('Update Vagrant')
    // Why the providers that are installed do not work.
    const provider = w.get('[data-test=provider]')
    expect(provider.get('.bad').text()).toBe('none usable')
    expect(provider.findAll('.found li').map((l) => l.text())).toEqual([
      'VirtualBox: VBoxManage not found',
      'libvirt (KVM): libvirtd is not running (virsh -c qemu:///system cannot connect)',
    ])
    expect(w.find('[data-test=ready]').exists()).toBe(false)

    // Start checks again; the errors are still there, so nothing boots.
    await startButton(w).trigger('click')
    await flushPromises()
    expect(fake.callsOf('vm:preflight')).toHaveLength(2)
    expect(fake.callsOf('vm:up')).toEqual([])
    expect(w.findAll('[data-test=problem]')).toHaveLength(2)
  })

  it('says the download size and time before the download, percent during it, steps after', async () => {
    expect(downloadEstimate(550)).toBe('about 550 MB, ~4 min at 20 Mbit/s')
    expect(downloadEstimate(30)).toBe('about 30 MB, under a minute at 20 Mbit/s')
    expect(downloadEstimate(4800)).toBe('about 4.8 GB, ~32 min at 20 Mbit/s')
    fake.handle('vm:preflight', () =>
      report({
        problems: [
          {
            code: 'box-download',
            severity: 'warning',
            message: 'The box "generic/debian12" will be downloaded first (several hundred MB).',
            action: 'Stay online during the first boot.',
          },
        ],
      }),
    )
    const up = fake.hold('vm:up')
    fake.handle('target:connect', () => connectedToVm)
    fake.handle('netns:snapshot', () => {
      throw new Error('not read in this test')
    })
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] })
    const at = Date.now()
    const w = await mountApp()
    // Before anything starts: size and time next to the box.
    expect(w.get('[data-test=box-where]').text()).toBe(
      '· downloaded first: about 550 MB, ~4 min at 20 Mbit/s',
    )
    expect(w.get('[data-test=problem]').attributes('data-severity')).toBe('warning')

    await startButton(w).trigger('click')
    await flushPromises()
    expect(fake.callsOf('vm:up')).toHaveLength(1)
    const booting = vmInfo({ op: 'up', progress: progressAt('up', ['preparing'], { at }) })
    fake.emit('vm:state-changed', booting)
    fake.emit('vm:progress', booting.progress!)
    await flushPromises()
    expect(w.get('[data-test=download-ahead]').text()).toBe(
      'The box generic/debian12 is downloaded first: about 550 MB, ~4 min at 20 Mbit/s.',
    )
    expect(w.find('[data-test=start-vm]').exists()).toBe(false)
    expect(w.get('[data-test=cancel]').text()).toBe('Cancel')

    // The download: a progress bar with Vagrant's percent.
    fake.emit(
      'vm:progress',
      progressAt('up', ['preparing', 'box-download'], { at, percent: 34, elapsedMs: 9_000 }),
    )
    await flushPromises()
    expect(w.find('[data-test=download-ahead]').exists()).toBe(false)
    const bar = w.get('[role=progressbar]')
    expect(bar.attributes('aria-valuenow')).toBe('34')
    expect(bar.get('.fill').attributes('style')).toContain('width: 34%')
    expect(w.get('[data-test=percent]').text()).toBe('34% of about 550 MB')
    expect(w.get('[data-test=vm-step]').text()).toBe('Downloading the box')

    // After it: the steps, each done one marked, the running one with its own elapsed time.
    fake.emit(
      'vm:progress',
      progressAt('up', ['preparing', 'box-download', 'box-import', 'creating', 'starting'], {
        at,
        stepStartedAt: at + 150_000,
        elapsedMs: 150_000,
      }),
    )
    vi.setSystemTime(at + 162_000)
    vi.advanceTimersByTime(1000)
    await flushPromises()
    expect(w.find('[role=progressbar]').exists()).toBe(false)
    const steps = stepTexts(w)
    expect(steps.slice(0, 4)).toEqual([
      'Downloading the box:done',
      'Importing the box:done',
      'Creating the VM:done',
      'Starting the VM:running',
    ])
    expect(steps.at(-1)).toMatch(/:pending$/)
    expect(w.get('[data-test=elapsed]').text()).toBe('2:43')
    expect(w.get('.steps li.running .took').text()).toBe('0:13')

    // Done: the welcome connects to the VM, and the workspace takes its place.
    fake.emit('vm:state-changed', vmInfo({ state: 'running', providerState: 'running' }))
    up.resolve({ outcome: 'done', state: 'running', failure: null, durationMs: 170_000 })
    await flushPromises()
    expect(fake.callsOf('target:connect')).toEqual([[{ kind: 'vm' }]])
    await flush()
    expect(w.find('[data-test=welcome]').exists()).toBe(false)
  })

  it('cancels a running preflight: main is told, its late answer is ignored, nothing boots', async () => {
    const w = await mountApp()
    const pre = fake.hold('vm:preflight')
    await startButton(w).trigger('click')
    await flushPromises()
    expect(w.get('[data-test=checking]').text()).toContain('Checking Vagrant')
    expect(w.text()).toContain('Checking Vagrant and the VM provider…') // the bar says it too
    await w.get('[data-test=cancel]').trigger('click')
    await flushPromises()
    expect(fake.callsOf('vm:cancel')).toHaveLength(1)
    expect(w.find('[data-test=checking]').exists()).toBe(false)
    expect(w.get('[data-test=check-cancelled]').text()).toContain('The check was cancelled')
    // Main answers anyway (an older main that cannot abort its check): still no boot.
    pre.resolve(report())
    await flushPromises()
    expect(fake.callsOf('vm:up')).toEqual([])
    expect(w.find('[data-test=start-vm]').attributes('disabled')).toBeUndefined()

    // A main that aborts answers CANCELLED: the same.
    await startButton(w).trigger('click')
    await flushPromises()
    pre.reject({ code: 'CANCELLED', message: 'Preflight was cancelled.' })
    await flushPromises()
    expect(w.find('[data-test=check-cancelled]').exists()).toBe(true)
    expect(fake.callsOf('vm:up')).toEqual([])
  })

  it('cancels a running boot with vm:cancel', async () => {
    fake.handle('vm:state', () =>
      vmInfo({ op: 'up', progress: progressAt('up', ['preparing', 'starting']) }),
    )
    const w = await mountApp()
    // A boot already running (e.g. started from the bar): no new preflight, its progress shown.
    expect(fake.callsOf('vm:preflight')).toEqual([])
    expect(w.get('[data-test=vm-step]').text()).toBe('Starting the VM')
    await w.get('[data-test=cancel]').trigger('click')
    await flushPromises()
    expect(fake.callsOf('vm:cancel')).toHaveLength(1)
  })

  it('shows a failed boot with step, error, hint and last lines; Retry boots again, Destroy asks first', async () => {
    const failed = vmInfo({
      state: 'stopped',
      providerState: 'shutoff',
      failure: failure({
        hint: {
          code: 'virtualization-disabled',
          text: 'Hardware virtualization looks unavailable. Turn on VT-x/AMD-V in the firmware, or run `kvm-ok`.',
        },
      }),
    })
    fake.handle('vm:state', () => failed)
    fake.handle('vm:up', () => ({
      outcome: 'failed',
      state: 'stopped',
      failure: null,
      durationMs: 1,
    }))
    fake.handle('vm:destroy', () => ({
      outcome: 'done',
      state: 'not_created',
      failure: null,
      durationMs: 1,
    }))
    const w = await mountApp()
    const box = w.get('[data-test=vm-failure]')
    expect(box.attributes('role')).toBe('alert')
    expect(box.get('.title').text()).toBe('The VM could not start')
    expect(box.get('.message').text()).toContain('Call to virDomainCreateWithFlags failed')
    // Retry is the one primary action now.
    expect(w.find('[data-test=start-vm]').exists()).toBe(false)
    expect(w.findAll('[data-test=welcome] button.primary').map((b) => b.text())).toEqual(['Retry'])
    expect(box.get('.meta').text()).toBe(
      'Step: Starting the VM · exit code 1 · Vagrant::Errors::VagrantError',
    )
    expect(box.get('[data-test=hint]').text()).toContain('What to do: Hardware virtualization')
    expect(box.get('[data-test=hint] code').text()).toBe('kvm-ok')
    expect(box.get('details pre').text()).toContain('Error while activating network')

    await byText(w, 'Retry')!.trigger('click')
    await flushPromises()
    expect(fake.callsOf('vm:preflight')).toHaveLength(2)
    expect(fake.callsOf('vm:up')).toHaveLength(1)

    await byText(w, 'Destroy the VM')!.trigger('click')
    await flushPromises()
    const dialog = w.get('[role=alertdialog]')
    expect(dialog.text()).toContain('deletes the VM and its disk')
    await dialog
      .findAll('button')
      .find((b) => b.text() === 'Cancel')!
      .trigger('click')
    await flushPromises()
    expect(fake.callsOf('vm:destroy')).toEqual([])
    await byText(w, 'Destroy the VM')!.trigger('click')
    await flushPromises()
    await w
      .get('[role=alertdialog]')
      .findAll('button')
      .find((b) => b.text() === 'Destroy')!
      .trigger('click')
    await flushPromises()
    expect(fake.callsOf('vm:destroy')).toHaveLength(1)
    // Then preflight again, for the VM that is to be created anew.
    expect(fake.callsOf('vm:preflight')).toHaveLength(3)
  })

  it('offers Retry and Destroy after a cancelled boot, and says why', async () => {
    fake.handle('vm:state', () =>
      vmInfo({ failure: failure({ cancelled: true, hint: null, errorMessage: null }) }),
    )
    const w = await mountApp()
    const box = w.get('[data-test=vm-failure]')
    expect(box.get('.title').text()).toBe('Boot was cancelled.')
    expect(box.text()).toContain('A cancelled boot can leave a half-made VM behind')
    expect(byText(w, 'Retry')).toBeDefined()
    expect(byText(w, 'Destroy the VM')).toBeDefined()
  })

  it("after a failure, restores the app's Vagrantfile when the user confirms, then checks again", async () => {
    fake.handle('vm:state', () => vmInfo({ state: 'not_created', failure: failure({}) }))
    fake.handle('vm:reset-vagrantfile', () => undefined)
    const w = await mountApp()
    const checks = fake.callsOf('vm:preflight').length
    await byText(w, "Restore the app's Vagrantfile")!.trigger('click')
    await flushPromises()
    const dialog = w.get('[role=alertdialog]')
    expect(dialog.text()).toContain("puts the app's own Vagrantfile back")
    await dialog
      .findAll('button')
      .find((b) => b.text() === 'Cancel')!
      .trigger('click')
    await flushPromises()
    expect(fake.callsOf('vm:reset-vagrantfile')).toEqual([])
    await byText(w, "Restore the app's Vagrantfile")!.trigger('click')
    await flushPromises()
    await w
      .get('[role=alertdialog]')
      .findAll('button')
      .find((b) => b.text() === 'Restore')!
      .trigger('click')
    await flushPromises()
    expect(fake.callsOf('vm:reset-vagrantfile')).toHaveLength(1)
    expect(fake.callsOf('vm:preflight').length).toBe(checks + 1)
  })

  it('connects at once when the VM runs already (no preflight, no boot)', async () => {
    fake.handle('vm:state', () => vmInfo({ state: 'running', providerState: 'running' }))
    fake.handle('target:connect', () => connectedToVm)
    fake.handle('netns:snapshot', () => {
      throw new Error('not read in this test')
    })
    const w = await mountApp()
    expect(w.get('[data-test=vm-state]').text()).toBe('VM running')
    expect(w.get('[data-test=target-vm]').text()).toContain(
      'The VM is running: this connects to it.',
    )
    const before = fake.callsOf('vm:preflight').length
    await startButton(w).trigger('click')
    await flushPromises()
    expect(fake.callsOf('target:connect')).toEqual([[{ kind: 'vm' }]])
    expect(fake.callsOf('vm:preflight')).toHaveLength(before)
    expect(fake.callsOf('vm:up')).toEqual([])
  })

  it('comes back after a disconnect and checks again unless the last check is fresh', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    fake.handle('vm:state', () => vmInfo({ state: 'running', providerState: 'running' }))
    fake.handle('target:connect', () => connectedToVm)
    fake.handle('netns:snapshot', () => {
      throw new Error('not read in this test')
    })
    const w = await mountApp()
    expect(fake.callsOf('vm:preflight')).toHaveLength(1)
    const disconnectAfter = async (ms: number): Promise<void> => {
      await startButton(w).trigger('click')
      await flushPromises()
      expect(w.find('[data-test=welcome]').exists()).toBe(false)
      vi.setSystemTime(Date.now() + ms)
      fake.emit('target:status-changed', { state: 'disconnected', label: null, kind: null })
      await flushPromises()
      await flush()
      expect(w.find('[data-test=welcome]').exists()).toBe(true)
    }
    await disconnectAfter(10_000)
    expect(fake.callsOf('vm:preflight')).toHaveLength(1)
    await disconnectAfter(31_000)
    expect(fake.callsOf('vm:preflight')).toHaveLength(2)
  })

  it('shows a failed connect in the welcome, with what to try', async () => {
    fake.handle('vm:state', () => vmInfo({ state: 'running', providerState: 'running' }))
    fake.handle('target:connect', () => {
      throw new FakeIpcError({
        code: 'TARGET_UNREACHABLE',
        message: 'Could not reach 127.0.0.1:2222.',
      })
    })
    const w = await mountApp()
    await startButton(w).trigger('click')
    await flushPromises()
    const alert = w.get('[data-test=welcome] .error-notice')
    expect(alert.text()).toContain('Could not connect')
    expect(alert.text()).toContain('Could not reach 127.0.0.1:2222.')
    expect(alert.text()).toContain('Check the host and port')
  })

  it('leads to the SSH form and to this machine in the target bar', async () => {
    const w = await mountApp()
    await byText(w, 'Connect to an SSH host')!.trigger('click')
    await flush()
    expect((w.get('#target-kind').element as HTMLSelectElement).value).toBe('ssh')
    expect(document.activeElement?.id).toBe('target-user')
    await byText(w, 'Use this machine')!.trigger('click')
    await flush()
    expect((w.get('#target-kind').element as HTMLSelectElement).value).toBe('local')
    expect(document.activeElement?.id).toBe('target-connect')
  })

  it('shows a box that is here, or a custom box, without a download', async () => {
    const reports: PreflightReport[] = [
      report({ box: boxChoice({ present: true }) }),
      report({ box: boxChoice({ name: 'me/my-box', custom: true, present: null }) }),
    ]
    fake.handle('vm:preflight', () => reports.shift()!)
    const w = await mountApp()
    expect(w.get('[data-test=box]').text()).toMatch(
      /generic\/debian12 \(recommended for libvirt \(KVM\), amd64\)\s*· on this computer/,
    )
    expect(w.get('[data-test=ready]').text()).toContain('Everything the VM needs is here.')
    await byText(w, 'Check again')!.trigger('click')
    await flushPromises()
    expect(w.get('[data-test=box]').text()).toMatch(
      /me\/my-box \(your choice\)\s*· in the VM already/,
    )
  })
})

// Services and the sockets table over the TEST DOUBLE of the preload (window.api; jsdom has no
// Electron main): the store follows a service's events (also those that arrive before the start
// reply) and reads the namespace's sockets again when one starts or ends; the form validates the
// port and shows main's reason when the port is taken; the table shows "—" for an unknown process.

import type { SocketTable } from '@shared/net/sockets'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import ServiceView from '../../../src-renderer/src/components/live/ServiceView.vue'
import SocketsTable from '../../../src-renderer/src/components/tables/SocketsTable.vue'
import { useServicesStore } from '../../../src-renderer/src/stores/services'
import { useTargetStore } from '../../../src-renderer/src/stores/target'
import { type FakeApi, FakeIpcError, flush, installFakeApi } from './support/fake-api'

let fake: FakeApi
let listening: number[]

const table = (ns: string): SocketTable => ({
  ns,
  truncated: false,
  takenAt: 1_700_000_000_000,
  rows: [
    {
      proto: 'tcp',
      state: 'LISTEN',
      address: '127.0.0.1',
      iface: null,
      port: 22,
      processes: [{ name: 'sshd', pid: 7, fd: 3 }],
    },
    { proto: 'tcp', state: 'LISTEN', address: '0.0.0.0', iface: null, port: 2024, processes: [] },
    ...listening.map((port) => ({
      proto: 'tcp' as const,
      state: 'LISTEN',
      address: '0.0.0.0',
      iface: null,
      port,
      processes: [{ name: 'socat', pid: 100 + port, fd: 5 }],
    })),
  ],
})

beforeEach(() => {
  setActivePinia(createPinia())
  fake = installFakeApi()
  listening = []
  fake.handle('live:sockets', (ns) => table(ns))
})
afterEach(() => fake.uninstall())

describe('services store', () => {
  it('keeps events that come before the start reply, counts clients, and re-reads sockets on start and end', async () => {
    fake.handle('live:service-start', async (req) => {
      fake.emit('live:service-data', 's1', [
        { kind: 'listening', address: `0.0.0.0:${req.port}`, at: 1 },
      ])
      fake.emit('live:service-data', 's1', [{ kind: 'connection', from: '10.0.0.2:5000', at: 2 }])
      await flush()
      listening.push(req.port)
      return { id: 's1', listening: `0.0.0.0:${req.port}`, reply: `netns-studio red:${req.port}` }
    })
    const store = useServicesStore()
    await store.start({ ns: 'red', protocol: 'tcp', port: 8080 })
    await flush()
    const [s] = store.servicesOf('red')
    expect(s).toMatchObject({ served: 1, lastFrom: '10.0.0.2:5000', running: true })
    expect(fake.callsOf('live:sockets')).toEqual([['red']])
    expect(store.sockets.get('red')?.table?.rows.map((r) => r.port)).toEqual([22, 2024, 8080])

    listening = []
    fake.emit('live:service-ended', 's1', { reason: 'stopped' })
    await flush()
    expect(store.servicesOf('red')[0]?.running).toBe(false)
    expect(fake.callsOf('live:sockets')).toHaveLength(2)
    expect(store.sockets.get('red')?.table?.rows.map((r) => r.port)).toEqual([22, 2024])
    store.forget('s1')
    expect(store.servicesOf('red')).toEqual([])
  })

  it('forgets every service and table on disconnect', async () => {
    fake.handle('live:service-start', () => ({ id: 's2', listening: '0.0.0.0:1', reply: 'x' }))
    const target = useTargetStore()
    const store = useServicesStore()
    target.status = { ...target.status, state: 'connected' }
    await flush()
    await store.start({ ns: 'red', protocol: 'tcp', port: 1 })
    await flush()
    expect(store.services.size).toBe(1)
    target.status = { ...target.status, state: 'disconnected' }
    await flush()
    expect(store.services.size).toBe(0)
    expect(store.sockets.size).toBe(0)
  })
})

describe('SocketsTable', () => {
  it('lists what listens with its process, "—" when ss cannot tell; Refresh reads again', async () => {
    const w = mount(SocketsTable, { props: { ns: 'red' } })
    await flush()
    const rows = w
      .findAll('[role=row]')
      .slice(1)
      .map((r) => r.text())
    expect(rows).toHaveLength(2)
    expect(rows[0]).toMatch(/tcp\s*127\.0\.0\.1\s*22\s*LISTEN\s*sshd \(pid 7\)/)
    expect(rows[1]).toContain('—')
    expect(w.get('[data-test=sockets-read-at]').text()).toMatch(/^2 sockets · read at /)
    await w.get('button[aria-label="Refresh the sockets of red"]').trigger('click')
    await flush()
    expect(fake.callsOf('live:sockets')).toHaveLength(2)
    w.unmount()
  })

  it('says why when reading fails', async () => {
    fake.handle('live:sockets', (ns) => {
      throw new FakeIpcError({
        code: 'INVALID_ARGUMENT',
        message: `There is no namespace "${ns}" on the target.`,
      })
    })
    const w = mount(SocketsTable, { props: { ns: 'gone' } })
    await flush()
    expect(w.get('[role=alert]').text()).toContain('There is no namespace "gone" on the target.')
    w.unmount()
  })
})

describe('ServiceView', () => {
  it('validates the port before anything is sent and previews the exact command', async () => {
    const w = mount(ServiceView, { props: { ns: 'red' } })
    const start = w.get('button[type=submit]')
    expect(w.get('.cmd').text()).toContain(
      "ip netns exec red env 'NETNS_STUDIO_REPLY=netns-studio red:8080' socat -d -d -U TCP4-LISTEN:8080,reuseaddr,fork 'EXEC:printenv NETNS_STUDIO_REPLY'",
    )
    for (const [text, message] of [
      ['0', 'Port 0 is out of range (1–65535).'],
      ['70000', 'Port 70000 is out of range (1–65535).'],
      ['80a', 'Port must be a whole number.'],
      ['', 'Enter a port (1–65535).'],
    ]) {
      await w.get('input[aria-label="Service port"]').setValue(text)
      expect(w.get('.problem').text()).toBe(message)
      expect(start.attributes('disabled')).toBeDefined()
    }
    await w.get('form').trigger('submit')
    expect(fake.callsOf('live:service-start')).toEqual([])
    w.unmount()
  })

  it("starts a UDP service, lists it with Stop; a taken port shows main's reason", async () => {
    fake.handle('live:service-start', (req) => {
      if (req.port === 53)
        throw new FakeIpcError({
          code: 'COMMAND_FAILED',
          message: 'Port 53/udp is already in use in red: stop what listens there.',
          data: { reason: 'port-in-use' },
        })
      return { id: 'u1', listening: `0.0.0.0:${req.port}`, reply: 'hi' }
    })
    fake.handle('live:service-stop', () => undefined)
    const w = mount(ServiceView, { props: { ns: 'red' } })
    await w.get('select[aria-label="Service protocol"]').setValue('udp')
    await w.get('input[aria-label="Service port"]').setValue('53')
    await w.get('form').trigger('submit')
    await flush()
    expect(w.get('[role=alert]').text()).toContain('Port 53/udp is already in use in red')
    expect(w.get('[role=alert]').text()).toContain('The Sockets table below shows which process')
    expect(w.findAll('[data-service]')).toHaveLength(0)

    await w.get('input[aria-label="Service port"]').setValue('5353')
    await w.get('input[aria-label="Service reply"]').setValue('hi')
    await w.get('form').trigger('submit')
    await flush()
    expect(fake.callsOf('live:service-start').at(-1)).toEqual([
      { ns: 'red', protocol: 'udp', port: 5353, reply: 'hi' },
    ])
    const item = w.get('[data-service="udp/5353"]')
    expect(item.text()).toContain('listening')
    expect(item.text()).toContain('0 datagrams')
    await item.get('button[aria-label="Stop the udp service on port 5353"]').trigger('click')
    await flush()
    expect(fake.callsOf('live:service-stop')).toEqual([['u1']])
    w.unmount()
  })
})

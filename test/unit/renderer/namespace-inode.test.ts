// The namespace panel's header shows the namespace's identity (the inode of its namespace file)
// with a tooltip saying what it means, and nothing when the snapshot could not read it.
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import NamespacePanel from '../../../src-renderer/src/components/NamespacePanel.vue'
import { type FakeApi, installFakeApi } from './support/fake-api'
import { ns } from './support/snapshot'

let fake: FakeApi
let pinia: ReturnType<typeof createPinia>
beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
  fake = installFakeApi()
})
afterEach(() => fake.uninstall())

const header = (n: ReturnType<typeof ns>, compact = false) =>
  mount(NamespacePanel, { props: { ns: n, compact }, global: { plugins: [pinia] } }).get('.phead')

describe('NamespacePanel inode badge', () => {
  it('shows "inode N" next to the nsid, explained in its tooltip', () => {
    const h = header(ns('blue', { nsid: 4, inode: 4026532281 }))
    expect(h.text()).toContain('nsid 4')
    const badge = h.get('[data-test="ns-inode"]')
    expect(badge.text()).toBe('inode 4026532281')
    expect(badge.attributes('title')).toMatch(/identity: the inode of its namespace file/)
    expect(badge.attributes('title')).toMatch(
      /share a network namespace when they see the same inode/,
    )
  })

  it('shows the root namespace its inode too, also side by side', () => {
    const h = header(ns('host', { inode: 4026531833 }), true)
    expect(h.text()).toContain('root namespace')
    expect(h.get('[data-test="ns-inode"]').text()).toBe('inode 4026531833')
  })

  it('shows no badge when the inode could not be read', () => {
    const h = header(ns('blue', { nsid: 4 }))
    expect(h.find('[data-test="ns-inode"]').exists()).toBe(false)
    expect(h.text()).not.toContain('inode')
  })
})

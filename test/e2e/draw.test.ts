// Drawing a lab on the topology, in real Chromium on the built renderer with window.api bridged to
// the real router over a real SshTarget to a real sshd here: add two namespaces with the canvas
// toolbar, connect them by dragging, give each end an address, move a node and save the lab,
// delete a namespace. Every edit shows its commands in the plan dialog before it runs; the result
// is read back from the kernel, not from the app.

import { existsSync, readFileSync, rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { labRecordFile } from '../../shared/lab/owned'
import { parseLab } from '../../shared/lab/parse'
import { bridgeNodeId, nsNodeId } from '../../shared/net/topology'
import {
  cleanupPrefix,
  hostLinksWithPrefix,
  namespacesWithPrefix,
  runPrefix,
  sh,
} from '../support/netns'
import { startSshd, type SshdFixture } from '../support/sshd'
import { AppPage, STEP_MS } from './pages/app-page'
import { TopologyPage, type DrawnEdge } from './pages/topology-page'
import { e2eSkipReason, openApp, type OpenedApp } from './support/app'

const skip = e2eSkipReason()
if (skip) console.warn(`[e2e draw] skipped: ${skip}`)

/** The interface name the drawing gives the end that faces `peer` (shared/lab/edit.ts's rule). */
const facing = (peer: string): string => `veth-${peer}`.slice(0, 15)

/** Global addresses of an interface in a namespace, as the kernel lists them. */
function addressesOf(ns: string, dev: string): string[] {
  const out = JSON.parse(sh(['ip', '-n', ns, '-j', 'addr', 'show', 'dev', dev])) as Array<{
    addr_info: Array<{ local: string; prefixlen: number; scope: string }>
  }>
  return out.flatMap((l) =>
    l.addr_info.filter((a) => a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`),
  )
}

/** Whether a namespace has the interface (and, for a veth, where its peer is). */
function linkIn(ns: string, dev: string): { kind: string } | null {
  try {
    const [l] = JSON.parse(sh(['ip', '-n', ns, '-j', '-d', 'link', 'show', 'dev', dev])) as Array<{
      linkinfo?: { info_kind?: string }
    }>
    return { kind: l?.linkinfo?.info_kind ?? '' }
  } catch {
    return null
  }
}

describe.skipIf(skip !== null)('draw a lab on the topology (Chromium bridge)', () => {
  let sshd: SshdFixture
  let app: OpenedApp
  let ui: AppPage
  let topo: TopologyPage
  const p = runPrefix()
  const labName = `${p}draw`
  const red = `${p}red`
  const green = `${p}green`

  beforeAll(async () => {
    sshd = await startSshd()
    app = await openApp({ sshd, viewport: { width: 1280, height: 800 } })
    ui = new AppPage(app.page)
    topo = new TopologyPage(app.page)
  })

  afterAll(async () => {
    await app?.close()
    await sshd?.stop()
    cleanupPrefix(p)
    rmSync(labRecordFile(labName), { force: true })
  })

  it('starts a lab and adds two namespaces from the canvas toolbar, each after its commands', async () => {
    await ui.nsItem('host').waitFor({ timeout: STEP_MS })
    await ui.view('Topology')
    await topo.ready()
    const bar = app.page.getByRole('region', { name: 'Lab' })
    await bar.getByRole('button', { name: 'New', exact: true }).click()
    const dialog = app.page.getByRole('dialog', { name: 'New lab' })
    await dialog.getByLabel('Lab name').fill(labName)
    await dialog.getByRole('button', { name: 'Create' }).click()
    await expect.poll(() => bar.locator('[data-test=lab-ident]').innerText()).toContain(labName)

    // The name is checked as it is typed, with the forms' rules: nothing can be sent.
    const prompt = await topo.typeName('namespace', `${p}a;b`)
    await expect.poll(() => prompt.getByRole('alert').innerText()).toMatch(/shell character ";"/)
    expect(await prompt.getByRole('button', { name: 'Add' }).isDisabled()).toBe(true)
    await prompt.getByRole('button', { name: 'Cancel' }).click()

    await topo.addNamespace(red)
    expect(await topo.planCommands()).toEqual([
      `ip netns add ${red}`,
      `ip -n ${red} link set dev lo up`,
    ])
    await app.screenshot('40-draw-plan-namespace')
    await topo.confirm()
    await expect.poll(() => namespacesWithPrefix(p), { timeout: STEP_MS }).toEqual([red])
    await topo.idle()

    await topo.addNamespace(green)
    expect(await topo.planCommands()).toContain(`ip netns add ${green}`)
    await topo.confirm()
    await expect
      .poll(() => namespacesWithPrefix(p).sort(), { timeout: STEP_MS })
      .toEqual([green, red].sort())
    await topo.idle()
    await topo.waitNode(nsNodeId(red))
    await topo.waitNode(nsNodeId(green))
  })

  it('connects them by dragging from one to the other: a veth pair, after its commands', async () => {
    await topo.connect(nsNodeId(red), nsNodeId(green))
    const commands = await topo.planCommands()
    expect(commands).toContain(
      `ip -n ${red} link add ${facing(green)} type veth peer name ${facing(red)} netns ${green}`,
    )
    await app.screenshot('41-draw-plan-connect')
    await topo.confirm()
    await topo.endConnect()
    await expect
      .poll(() => linkIn(red, facing(green)), { timeout: STEP_MS })
      .toEqual({
        kind: 'veth',
      })
    expect(linkIn(green, facing(red))).toEqual({ kind: 'veth' })
    await topo.idle()
  })

  it('sets an address on each end; the kernel has them and the link ends show them', async () => {
    // Other tests on this machine may have links too: ours joins red and green.
    const ours = [nsNodeId(red), nsNodeId(green)].sort().join()
    const vethEdge = async (): Promise<DrawnEdge | undefined> =>
      (await topo.edges()).find(
        (e) => e.id.startsWith('veth:') && [e.source, e.target].sort().join() === ours,
      )
    await expect.poll(vethEdge, { timeout: STEP_MS }).toBeTruthy()
    const edge = (await vethEdge())!
    const editor = await topo.openLink(edge.id)
    const redField = editor.getByLabel(`Addresses of ${red}:${facing(green)}`)
    const greenField = editor.getByLabel(`Addresses of ${green}:${facing(red)}`)
    // A bad address is refused as it is typed, with the address form's words.
    await redField.fill('10.77.0.300/24')
    await expect.poll(() => editor.getByRole('alert').innerText()).toMatch(/not a valid IPv4/)
    expect(await editor.getByRole('button', { name: 'Apply addresses' }).isDisabled()).toBe(true)
    await redField.fill('10.77.0.1/24')
    await greenField.fill('10.77.0.2/24, fd77::2/64')
    await editor.getByRole('button', { name: 'Apply addresses' }).click()
    const commands = await topo.planCommands()
    expect(commands).toEqual(
      expect.arrayContaining([
        `ip -n ${red} addr add 10.77.0.1/24 dev ${facing(green)}`,
        `ip -n ${green} addr add 10.77.0.2/24 dev ${facing(red)}`,
        `ip -n ${green} addr add fd77::2/64 dev ${facing(red)}`,
      ]),
    )
    await topo.confirm()
    await expect
      .poll(() => addressesOf(red, facing(green)), { timeout: STEP_MS })
      .toEqual(['10.77.0.1/24'])
    await expect
      .poll(() => addressesOf(green, facing(red)).sort(), { timeout: STEP_MS })
      .toEqual(['10.77.0.2/24', 'fd77::2/64'])
    await topo.idle()

    // Drawn at the ends they belong to (the edge's source is the end in its source node).
    await expect
      .poll(async () => {
        const e = (await topo.edges()).find((x) => x.id === edge.id)!
        const at = (node: string): string => (e.source === node ? e.srcAddr : e.tgtAddr)
        return [at(nsNodeId(red)), at(nsNodeId(green))]
      })
      .toEqual(['10.77.0.1/24', '10.77.0.2/24\nfd77::2/64'])
    await expect
      .poll(() => topo.connectionsText())
      .toMatch(
        edge.source === nsNodeId(red)
          ? '10.77.0.1/24 ↔ 10.77.0.2/24, fd77::2/64'
          : '10.77.0.2/24, fd77::2/64 ↔ 10.77.0.1/24',
      )
    await app.page.keyboard.press('Escape')
    await app.screenshot('42-draw-addresses-light')
    await app.page.emulateMedia({ colorScheme: 'dark' })
    await app.screenshot('43-draw-addresses-dark')
    await app.page.emulateMedia({ colorScheme: 'light' })
  })

  it('adds a bridge and connects a namespace to it: the host end becomes its port', async () => {
    const br = `${p}br`
    const prompt = await topo.typeName('bridge', br)
    await prompt.getByRole('button', { name: 'Add' }).click()
    expect(await topo.planCommands()).toContain(`ip link add name ${br} type bridge`)
    await topo.confirm()
    await expect.poll(() => hostLinksWithPrefix(p), { timeout: STEP_MS }).toContain(br)
    await topo.idle()
    // Two clicks instead of a drag: the first node, then the second.
    await topo.connectByClicks(nsNodeId(red), bridgeNodeId('host', br))
    const commands = await topo.planCommands()
    expect(commands).toContain(
      `ip link add ${facing(red)} type veth peer name ${facing(br)} netns ${red}`,
    )
    expect(commands).toContain(`ip link set dev ${facing(red)} master ${br}`)
    await app.screenshot('45-draw-plan-bridge-port')
    await topo.confirm()
    await topo.endConnect()
    const masterOf = (dev: string): string | null => {
      try {
        const [l] = JSON.parse(sh(['ip', '-j', 'link', 'show', 'dev', dev])) as Array<{
          master?: string
        }>
        return l?.master ?? null
      } catch {
        return null
      }
    }
    await expect.poll(() => masterOf(facing(red)), { timeout: STEP_MS }).toBe(br)
    expect(linkIn(red, facing(br))).toEqual({ kind: 'veth' })
    await topo.idle()
  })

  it('keeps a dragged node’s position in the lab file', async () => {
    const from = await topo.waitNode(nsNodeId(green))
    const before = (await topo.nodeModelPosition(nsNodeId(green)))!
    await topo.drag(from, { x: from.x + 60, y: from.y + 40 })
    const after = (await topo.nodeModelPosition(nsNodeId(green)))!
    expect(after.x).toBeGreaterThan(before.x + 10)
    expect(after.y).toBeGreaterThan(before.y + 5)
    const file = `${app.saveDialog.dir}/${labName}.yaml`
    app.saveDialog.answer = () => file
    const bar = app.page.getByRole('region', { name: 'Lab' })
    await bar.getByRole('button', { name: 'Save as…' }).click()
    await expect.poll(() => existsSync(file), { timeout: STEP_MS }).toBe(true)
    const r = parseLab(readFileSync(file, 'utf8'))
    expect(r.ok ? [] : r.errors).toEqual([])
    if (!r.ok) return
    expect(Object.keys(r.lab.namespaces).sort()).toEqual([green, red].sort())
    expect(r.lab.links).toHaveLength(2)
    expect(r.lab.layout?.[green]).toEqual({ x: Math.round(after.x), y: Math.round(after.y) })
    // A new automatic layout moves what the lab does not place, never what it does.
    await topo.region.getByRole('button', { name: 'Re-layout' }).click()
    const again = (await topo.nodeModelPosition(nsNodeId(green)))!
    expect({ x: Math.round(again.x), y: Math.round(again.y) }).toEqual(r.lab.layout?.[green])
    expect(r.lab.layout?.[red]).toBeDefined()
  })

  it('deletes a namespace from the canvas: its commands, then it is gone from the kernel', async () => {
    await topo.idle()
    await topo.clickNode(nsNodeId(green))
    await topo.canvas.press('Delete')
    const commands = await topo.planCommands()
    expect(commands).toContain(`ip netns delete ${green}`)
    await app.screenshot('44-draw-plan-delete')
    await topo.confirm()
    await expect.poll(() => namespacesWithPrefix(p), { timeout: STEP_MS }).toEqual([red])
    await expect.poll(() => linkIn(red, facing(green)), { timeout: STEP_MS }).toBeNull()
    await topo.idle()
    expect(app.errors).toEqual([])
  })
})

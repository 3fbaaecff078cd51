// Page object of the topology view for end-to-end tests: drawing is done as a user does it (the
// canvas toolbar, the name prompt, dragging with the mouse from node to node, clicking an edge, the
// Delete key). The canvas has no DOM per node, so where a node or edge is drawn is read from the
// cytoscape instance that the library registers on its container (`container._cyreg.cy`); every
// action is still a real mouse or keyboard event on the page.

import type { Locator, Page } from 'playwright-core'
import { STEP_MS } from './app-page'

/** What cytoscape draws for an edge: its end labels (the addresses shown beside each end). */
export interface DrawnEdge {
  id: string
  source: string
  target: string
  srcAddr: string
  tgtAddr: string
}

export class TopologyPage {
  constructor(readonly page: Page) {}

  get region(): Locator {
    return this.page.getByRole('region', { name: 'Topology' })
  }
  get canvas(): Locator {
    return this.region.locator('[data-test=topology-canvas]')
  }
  get toolbar(): Locator {
    return this.region.getByRole('toolbar', { name: 'Draw the lab' })
  }
  /** The plan dialog every edit opens (the lab store's proposeEdit). */
  get plan(): Locator {
    return this.page.locator('[data-test=plan-dialog]')
  }
  /** Why the last edit was refused before anything ran. */
  get refusal(): Locator {
    return this.region.locator('.refused')
  }

  /** Wait until the canvas is drawn. */
  async ready(): Promise<void> {
    await this.canvas.locator('canvas').first().waitFor({ timeout: STEP_MS })
  }

  /** Open the name prompt of "+ Namespace" or "+ Bridge" and type a name (not submitted). */
  async typeName(kind: 'namespace' | 'bridge', name: string): Promise<Locator> {
    await this.toolbar
      .getByRole('button', { name: kind === 'namespace' ? '+ Namespace' : '+ Bridge' })
      .click()
    const prompt = this.region.getByRole('dialog', {
      name: kind === 'namespace' ? 'New namespace' : 'New bridge',
    })
    await prompt.getByLabel(kind === 'namespace' ? 'Namespace name' : 'Bridge name').fill(name)
    return prompt
  }

  /** Add a namespace through the toolbar; the plan dialog opens (not confirmed here). */
  async addNamespace(name: string): Promise<void> {
    const prompt = await this.typeName('namespace', name)
    await prompt.getByRole('button', { name: 'Add' }).click()
  }

  /** The plan dialog's commands, one per line, once it is shown. */
  async planCommands(): Promise<string[]> {
    // The lab bar shows what went wrong in planning (the store's error).
    const labError = this.page.getByRole('region', { name: 'Lab' }).locator('.error-notice')
    await this.plan.or(this.refusal).or(labError).first().waitFor({ timeout: STEP_MS })
    if (await this.refusal.isVisible())
      throw new Error(`the edit was refused: ${await this.refusal.innerText()}`)
    if (await labError.isVisible())
      throw new Error(`planning failed: ${await labError.innerText()}`)
    const blocks = await this.plan.locator('pre.cmd').allInnerTexts()
    return blocks.flatMap((b) => b.split('\n')).filter(Boolean)
  }

  /** Press Apply in the plan dialog (the edit then runs; see idle()). */
  async confirm(): Promise<void> {
    await this.plan.getByRole('button', { name: 'Apply', exact: true }).click()
    await this.plan.waitFor({ state: 'hidden', timeout: STEP_MS })
  }

  /** Wait until no edit is running (the drawing tools are enabled again). */
  async idle(): Promise<void> {
    const add = this.toolbar.getByRole('button', { name: '+ Namespace' })
    const end = Date.now() + STEP_MS
    while (!(await add.isEnabled())) {
      if (Date.now() > end) throw new Error('the drawing tools stayed disabled')
      await this.page.waitForTimeout(100)
    }
  }

  /** Where a graph node is drawn, in page coordinates (null until it is drawn). */
  async nodePoint(id: string): Promise<{ x: number; y: number } | null> {
    return this.canvas.evaluate((el, nodeId) => {
      type Cy = {
        getElementById(id: string): {
          empty(): boolean
          renderedPosition(): { x: number; y: number }
        }
      }
      const cy = (el as unknown as { _cyreg?: { cy?: Cy } })._cyreg?.cy
      const n = cy?.getElementById(nodeId)
      if (!n || n.empty()) return null
      const r = el.getBoundingClientRect()
      const p = n.renderedPosition()
      return { x: r.left + p.x, y: r.top + p.y }
    }, id)
  }

  /** Where a node is in the graph's own (model) coordinates, as a lab's layout keeps it. */
  async nodeModelPosition(id: string): Promise<{ x: number; y: number } | null> {
    return this.canvas.evaluate((el, nodeId) => {
      type Cy = {
        getElementById(id: string): { empty(): boolean; position(): { x: number; y: number } }
      }
      const n = (el as unknown as { _cyreg?: { cy?: Cy } })._cyreg?.cy?.getElementById(nodeId)
      return !n || n.empty() ? null : { ...n.position() }
    }, id)
  }

  /** Whether the point is on the canvas itself (not under a tool or dialog floating over it). */
  async onCanvas(p: { x: number; y: number }): Promise<boolean> {
    return this.canvas.evaluate((el, q) => el.contains(document.elementFromPoint(q.x, q.y)), p)
  }

  /** Wait until a node is drawn where the mouse can reach it and return where. */
  async waitNode(id: string): Promise<{ x: number; y: number }> {
    const end = Date.now() + STEP_MS
    for (;;) {
      const p = await this.nodePoint(id)
      if (p && (await this.onCanvas(p))) return p
      if (Date.now() > end)
        throw new Error(
          `node ${id} is not drawn where the mouse can reach it (${JSON.stringify(p)})`,
        )
      await this.page.waitForTimeout(100)
    }
  }

  /** The drawn edges (what cytoscape holds: ids, ends and the address labels at each end). */
  async edges(): Promise<DrawnEdge[]> {
    return this.canvas.evaluate((el) => {
      type Edge = { data(k: string): string | undefined }
      type Cy = { edges(): { map<T>(f: (e: Edge) => T): T[] } }
      const cy = (el as unknown as { _cyreg?: { cy?: Cy } })._cyreg?.cy
      if (!cy) return []
      return cy.edges().map((e) => ({
        id: String(e.data('id')),
        source: String(e.data('source')),
        target: String(e.data('target')),
        srcAddr: String(e.data('srcAddr') ?? ''),
        tgtAddr: String(e.data('tgtAddr') ?? ''),
      }))
    })
  }

  /** The text list that mirrors the graph (opened first when it is folded). */
  async connectionsText(): Promise<string> {
    const details = this.region.locator('details.textual')
    if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open)))
      await details.locator('summary').click()
    return this.region.getByRole('list', { name: 'Topology connections' }).innerText()
  }

  /** Where an edge's middle is drawn, in page coordinates. */
  async edgePoint(id: string): Promise<{ x: number; y: number }> {
    const p = await this.canvas.evaluate((el, edgeId) => {
      type Cy = {
        getElementById(id: string): {
          empty(): boolean
          renderedMidpoint(): { x: number; y: number }
        }
      }
      const cy = (el as unknown as { _cyreg?: { cy?: Cy } })._cyreg?.cy
      const e = cy?.getElementById(edgeId)
      if (!e || e.empty()) return null
      const r = el.getBoundingClientRect()
      const m = e.renderedMidpoint()
      return { x: r.left + m.x, y: r.top + m.y }
    }, id)
    if (!p) throw new Error(`edge ${id} is not drawn`)
    return p
  }

  /** Drag with the mouse from one point to another in small steps, as a hand does. */
  async drag(from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
    await this.page.mouse.move(from.x, from.y)
    await this.page.mouse.down()
    await this.page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 8 })
    await this.page.mouse.move(to.x, to.y, { steps: 8 })
    await this.page.mouse.up()
  }

  /** Turn Connect on, drag from node `a` to node `b`, and turn it off again (the plan opens). */
  async connect(a: string, b: string): Promise<void> {
    const connectBtn = this.toolbar.getByRole('button', { name: 'Connect' })
    await connectBtn.click()
    await this.drag(await this.waitNode(a), await this.waitNode(b))
  }

  /** Turn Connect on and click node `a`, then node `b` (the other way to connect; the plan opens). */
  async connectByClicks(a: string, b: string): Promise<void> {
    await this.toolbar.getByRole('button', { name: 'Connect' }).click()
    const p = await this.waitNode(a)
    await this.page.mouse.click(p.x, p.y)
    const q = await this.waitNode(b)
    await this.page.mouse.click(q.x, q.y)
  }

  async endConnect(): Promise<void> {
    const connectBtn = this.toolbar.getByRole('button', { name: 'Connect' })
    if ((await connectBtn.getAttribute('aria-pressed')) === 'true') await connectBtn.click()
  }

  /** Click a node (selects it). */
  async clickNode(id: string): Promise<void> {
    const p = await this.waitNode(id)
    await this.page.mouse.click(p.x, p.y)
  }

  /** Click an edge: the link editor opens. */
  async openLink(id: string): Promise<Locator> {
    const p = await this.edgePoint(id)
    if (!(await this.onCanvas(p))) throw new Error(`edge ${id} is under a tool on the canvas`)
    await this.page.mouse.click(p.x, p.y)
    const editor = this.region.getByRole('dialog', { name: 'Link' })
    await editor.waitFor({ timeout: STEP_MS })
    return editor
  }
}

// Render benchmark: the BUILT renderer in Debian's Chromium showing a recorded-shape snapshot of
// 200 namespaces and 5,000 rows: time to the first full render, and per panel switch.
// The data comes from a stand-in for the preload (window.api answering from the snapshot), so the
// figures are the renderer's own: no SSH, no target, no Electron (the lead's bench measures those).

import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { chromium } from 'playwright-core'
import { serveStatic } from '../e2e/support/static-server'
import { largeLab } from '../unit/renderer/support/snapshot'

const CHROMIUM = '/usr/bin/chromium'
const RENDERER = resolve('out/renderer')
/** Namespaces, and the routes of the one long table (plus ~7 rows in each namespace). */
const NAMESPACES = 200
const BIG_TABLE = 5000
const LOADS = 3

/** Figures reported in the BENCH line. */
export interface RenderFigures {
  /** Median ms from navigation start to the list (of 201) and the host panel painted. */
  render_200ns_ms: number
  /** Median ms from a click (namespace in the list, or a panel tab) to the new panel painted. */
  panel_switch_ms: number
}

/**
 * The page-side stand-in for the preload: window.api answers target:status (connected),
 * netns:snapshot (the recorded snapshot, parsed from JSON on each call) and log:list, and notes
 * when the snapshot was first asked for.
 * A MutationObserver notes when the list shows every namespace and the first panel is there.
 */
const PAGE_SETUP = `(() => {
  // A JSON string, parsed when asked for: like the snapshot arriving over IPC (deserialized then).
  const json = __SNAPSHOT__;
  const expected = __COUNT__;
  const b = (window.__bench = { snapAt: 0, renderedAt: 0, paintedAt: 0 });
  const values = {
    'target:status': { state: 'connected', label: 'bench (recorded snapshot)', kind: 'local' },
    'log:list': [],
  };
  window.api = Object.freeze({
    invoke(channel) {
      if (channel === 'netns:snapshot') {
        if (!b.snapAt) b.snapAt = performance.now();
        return Promise.resolve({ ok: true, value: JSON.parse(json) });
      }
      if (channel in values) return Promise.resolve({ ok: true, value: values[channel] });
      return Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: 'not in the bench: ' + channel } });
    },
    on() { return () => undefined; },
  });
  // The list holds every namespace (virtualized: the visible ones are in the page, each knows
  // the total) and the first panel shows its first table.
  const done = () =>
    document.querySelector('[role=option][aria-setsize="' + expected + '"]') &&
    document.querySelector('section.panel [role=row][aria-rowindex]');
  const obs = new MutationObserver(() => {
    if (b.renderedAt || !done()) return;
    b.renderedAt = performance.now();
    obs.disconnect();
    requestAnimationFrame(() => setTimeout(() => (b.paintedAt = performance.now())));
  });
  obs.observe(document, { childList: true, subtree: true });
})()`

/**
 * Page-side: click each target in turn and time until its panel is painted. A target is a
 * namespace name (click it in the list) or "tab:LABEL" (click that tab of the shown panel);
 * `names` is the list's order, to scroll an entry of the virtualized list into the page first.
 */
const SWITCHES = `async (targets, names) => {
  const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
  const until = async (ok, what) => {
    for (let i = 0; i < 2000 && !ok(); i++) await new Promise((r) => setTimeout(r));
    if (!ok()) throw new Error('timed out waiting for ' + what);
  };
  const out = [];
  for (const t of targets) {
    let t0 = performance.now();
    if (t.startsWith('tab:')) {
      const label = t.slice(4);
      const tab = [...document.querySelectorAll('section.panel [role=tab]')].find((e) => e.textContent.trim().startsWith(label));
      tab.click();
      await until(() => tab.getAttribute('aria-selected') === 'true', t);
    } else {
      // The list is virtualized: scroll the entry into the page first (not timed).
      const find = () => [...document.querySelectorAll('[role=option]')].find((e) => e.dataset.name === t);
      if (!find()) {
        document.querySelector('[role=listbox]').scrollTop = names.indexOf(t) * 30 - 60;
        await until(find, 'list entry ' + t);
        await painted();
        t0 = performance.now();
      }
      find().click();
      await until(() => document.querySelector('section.panel[data-ns="' + t + '"] [role=tabpanel]'), t);
    }
    await painted();
    out.push({ target: t, ms: performance.now() - t0 });
  }
  return out;
}`

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

const round = (x: number): number => Math.round(x * 10) / 10

/** Run the render benchmark (needs `electron-vite build` and Debian's chromium). */
export async function benchRender(): Promise<RenderFigures> {
  if (!existsSync(CHROMIUM)) throw new Error(`the render benchmark needs ${CHROMIUM}`)
  if (!existsSync(resolve(RENDERER, 'index.html')))
    throw new Error('out/renderer is missing: run `npx electron-vite build` first')
  const snap = largeLab(NAMESPACES, BIG_TABLE)
  const rows = snap.namespaces.reduce(
    (n, s) => n + s.links.length + s.addresses.length + s.routes.length + s.neighbours.length,
    0,
  )
  const big = snap.namespaces[1]!.name
  console.log(
    `render: ${snap.namespaces.length - 1} namespaces + host, ${rows} table rows, ${big} has ${snap.namespaces[1]!.routes.length} routes`,
  )
  const server = await serveStatic(RENDERER)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
    await context.addInitScript(
      PAGE_SETUP.replace('__SNAPSHOT__', JSON.stringify(JSON.stringify(snap))).replace(
        '__COUNT__',
        String(snap.namespaces.length),
      ),
    )
    const firsts: Array<{ painted: number; fromData: number }> = []
    const switches: number[] = []
    for (let load = 0; load < LOADS; load++) {
      const page = await context.newPage()
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      await page.goto(`${server.origin}/index.html`)
      // (waitForFunction would eval a string, which the app's CSP forbids; poll instead.)
      for (let i = 0; i < 600; i++) {
        if (await page.evaluate<number>('window.__bench.paintedAt')) break
        await new Promise((r) => setTimeout(r, 50))
      }
      if (!(await page.evaluate<number>('window.__bench.paintedAt')))
        throw new Error(`the app did not show the lab within 30 s: ${errors.join('; ')}`)
      const b = await page.evaluate<{ snapAt: number; paintedAt: number }>('window.__bench')
      firsts.push({ painted: b.paintedAt, fromData: b.paintedAt - b.snapAt })
      // Namespaces across the list (the far end scrolls into view), the 5,000-route table, back.
      const targets = [
        'lab100',
        'lab199',
        'lab001',
        big,
        'tab:Routes',
        'tab:Interfaces',
        'tab:Routes',
        'lab150',
        'tab:Addresses',
        'lab050',
        'tab:ARP',
        'host',
        'tab:Interfaces',
      ]
      const r = await page.evaluate<Array<{ target: string; ms: number }>>(
        `(${SWITCHES})(${JSON.stringify(targets)}, ${JSON.stringify(snap.namespaces.map((x) => x.name))})`,
      )
      if (load === 0)
        console.log(`render: switches ${r.map((x) => `${x.target} ${round(x.ms)}`).join(', ')} ms`)
      switches.push(...r.map((x) => x.ms))
      if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`)
      await page.close()
    }
    const first = median(firsts.map((f) => f.painted))
    console.log(
      `render: first full render ${firsts.map((f) => round(f.painted)).join(' / ')} ms from navigation ` +
        `(${firsts.map((f) => round(f.fromData)).join(' / ')} ms from the snapshot request); ` +
        `switch median ${round(median(switches))} ms, max ${round(Math.max(...switches))} ms`,
    )
    return { render_200ns_ms: round(first), panel_switch_ms: round(median(switches)) }
  } finally {
    await browser.close().catch(() => undefined)
    await server.close()
  }
}

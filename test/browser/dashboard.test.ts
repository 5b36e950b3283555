import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, Verdict } from '../../src/core/types.js';
import { DashboardState } from '../../src/server/dashboard-state.js';
import { renderReportHtml } from '../../src/server/page/document.js';
import { serveDashboard, type DashboardServer } from '../../src/server/serve-dashboard.js';
import { analyzedRun, feedDashboard } from '../support/dashboard-feed.js';
import { launchChromium } from './chromium.js';

const HOSTILE_IMG = '<img src=x onerror=window.__pwned=1>';
const HOSTILE_SCRIPT = '<script>window.__pwned=2</script>';
const HOSTILE = `${HOSTILE_IMG} and ${HOSTILE_SCRIPT} <!-- </script>`;

let browser: Browser;
let dashboard: DashboardServer | undefined;
let page: Page | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
});
afterEach(async () => {
  await page?.close();
  page = undefined;
  await dashboard?.close();
  dashboard = undefined;
  pageErrors.length = 0;
});

async function open(url: string): Promise<Page> {
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url);
  return page;
}

/** Per chart: how many x values it holds and whether its canvas has any painted pixel. */
function chartsDrawn(p: Page): Promise<{ id: string; points: number; painted: boolean }[]> {
  return p.evaluate(() => {
    const g = (globalThis as any).__goodhart;
    return g.charts.map((c: any) => {
      const canvas = c.plot.ctx.canvas;
      const pixels = c.plot.ctx.getImageData(0, 0, canvas.width, canvas.height).data as Uint8ClampedArray;
      let painted = false;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) { painted = true; break; }
      return { id: c.id, points: c.plot.data[0].length, painted };
    });
  });
}

function bannerClass(p: Page, channel: string): Promise<string | null> {
  return p.locator(`section.run[data-channel="${channel}"] .banner`).getAttribute('class');
}

const hostileAlert: Alert = {
  id: 'formatGaming:reward:12',
  detector: 'formatGaming',
  metric: 'reward',
  severity: 'critical',
  signal: 'exploit',
  step: 14,
  message: `paid for junk like ${HOSTILE_IMG}`,
  value: 0.7,
  threshold: 0.2,
  since: 12,
  state: 'onset',
  evidence: {
    stats: { rate: 0.7 },
    samples: [
      { step: 13, group: 'g1', reward: 1.1, components: { format: 0.1, correct: 1 }, length: 40, response: HOSTILE },
      { step: 14, group: 'g2', reward: 1.1, response: 'plain evidence text' },
    ],
  },
};
const hostileVerdict: Verdict = {
  status: 'hacking',
  current: 'hacking',
  reasons: [{ detector: 'formatGaming', metric: 'reward', severity: 'critical', signal: 'exploit', since: 12, message: `exploit ${HOSTILE_SCRIPT}` }],
  currentReasons: [{ detector: 'formatGaming', metric: 'reward', severity: 'critical', signal: 'exploit', since: 12, message: `exploit ${HOSTILE_SCRIPT}` }],
  firstFlaggedStep: 12,
  worstSince: 12,
  step: 14,
};

describe('live dashboard in chromium', () => {
  it('loads, draws every chart with data points, and keeps its state across a reload', async () => {
    dashboard = await serveDashboard();
    dashboard.setLengthCap('demo', 1024);
    await lastValueFrom(analyzedRun({ seed: 5, steps: 40 }).pipe(toArray())).then((items) => {
      for (const item of items) dashboard!.publish(item, { channel: 'demo' });
    });
    const p = await open(dashboard.url);
    await p.waitForFunction(() => (globalThis as any).__goodhart.charts.length > 0);
    const charts = await chartsDrawn(p);
    expect(charts.map((c) => c.id)).toEqual(expect.arrayContaining(['reward', 'components', 'groups', 'length', 'm:length/clip_ratio', 'm:length/drift_ks', 'm:kl', 'm:entropy']));
    for (const chart of charts) {
      expect(chart.points, chart.id).toBe(40);
      expect(chart.painted, chart.id).toBe(true);
    }
    await expect(bannerClass(p, 'demo')).resolves.toBe('banner healthy');
    // The user's controls and the data both survive a reload.
    await p.locator('#smoothing').fill('0.9');
    const before = await p.evaluate(() => (globalThis as any).__goodhart.exportCsv());
    await p.reload();
    await p.waitForFunction(() => (globalThis as any).__goodhart.charts.length > 0);
    expect(await p.evaluate(() => (globalThis as any).__goodhart.exportCsv())).toBe(before);
    expect(await p.locator('#smoothing').inputValue()).toBe('0.9');
    expect((await chartsDrawn(p)).every((c) => c.points === 40)).toBe(true);
    // CSV export of the view: a header, then one line per step on screen.
    const csv = before.trimEnd().split('\r\n');
    expect(csv[0]).toMatch(/^channel,step,time,.*reward\/mean/);
    expect(csv).toHaveLength(41);
    expect(csv[1]).toMatch(/^demo,0,\d{4}-\d\d-\d\dT/);
    // x-axis by wall time: the charts are rebuilt on the rows' timestamps (seconds for uPlot).
    await p.locator('#x-axis').selectOption('time');
    const xs = await p.evaluate(() => {
      const g = (globalThis as any).__goodhart;
      const rows = [...g.channels.get('demo').rows.values()].sort((a: any, b: any) => a.step - b.step);
      return { x: g.charts[0].plot.data[0].slice(0, 3), t: rows.slice(0, 3).map((r: any) => r.t / 1000), time: g.charts[0].plot.scales.x.time };
    });
    expect(xs.x).toEqual(xs.t);
    expect(xs.time).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('turns the banner from healthy to hacking while a simulated hack streams in', async () => {
    dashboard = await serveDashboard({ flushMs: 50 });
    const p = await open(dashboard.url);
    const feed = feedDashboard(dashboard, { seed: 3, steps: 110, hack: { pattern: 'format-gaming', atStep: 60 }, pace: 25, channel: 'demo' });
    try {
      // Healthy while the run is healthy: well into the run, before the hack starts.
      await p.waitForFunction(() => {
        const rows = (globalThis as any).__goodhart.channels.get('demo')?.rows;
        return rows !== undefined && rows.size >= 40;
      }, undefined, { timeout: 30_000 });
      expect(await bannerClass(p, 'demo')).toBe('banner healthy');
      await p.locator('section.run[data-channel="demo"] .banner.hacking').waitFor({ timeout: 30_000 });
      const steps = await p.evaluate(() => (globalThis as any).__goodhart.channels.get('demo').rows.size);
      expect(steps).toBeGreaterThan(60);
      const reasons = await p.locator('section.run[data-channel="demo"] .banner li').allTextContents();
      expect(reasons.length).toBeGreaterThan(0);
      expect(reasons.join(' ')).toMatch(/started at step \d+/);
      expect(await p.locator('section.run[data-channel="demo"] .banner .headline').textContent()).toContain('Likely reward hacking');
    } finally {
      feed.unsubscribe();
    }
    expect(pageErrors).toEqual([]);
  });

  it('shows an alert\'s evidence samples when the alert is clicked, and renders hostile text as text', async () => {
    dashboard = await serveDashboard({ flushMs: 20 });
    const p = await open(dashboard.url);
    dashboard.publish({ step: 14, metrics: { 'reward/mean': 1.1, 'reward/std': 0 } }, { channel: 'demo' });
    dashboard.publish({ step: 9, reward: 0, response: 'an ordinary flagged sample' }, { channel: 'demo' });
    dashboard.publish(hostileAlert, { channel: 'demo' });
    dashboard.publish(hostileVerdict, { channel: 'demo' });
    const section = p.locator('section.run[data-channel="demo"]');
    await section.locator('tr.alert-row').waitFor();
    expect(await section.locator('tr.sample-row').count()).toBe(3);
    await section.locator('tr.alert-row').first().click();
    const texts = await section.locator('tr.sample-row .text').allTextContents();
    expect(texts).toEqual([HOSTILE, 'plain evidence text']);
    await expect(section.locator('.evidence').textContent()).resolves.toContain('rate=0.7');
    // Hostile text shows verbatim and runs nothing, in the table, the alert log and the banner.
    expect(await p.evaluate(() => (globalThis as any).__pwned)).toBeUndefined();
    expect(await section.locator('img').count()).toBe(0);
    await expect(section.locator('.banner li').first().textContent()).resolves.toContain(HOSTILE_SCRIPT);
    await expect(section.locator('tr.alert-row td').nth(5).textContent()).resolves.toContain(HOSTILE_IMG);
    await p.waitForTimeout(200);
    expect(await p.evaluate(() => (globalThis as any).__pwned)).toBeUndefined();
    // Clicking again shows every flagged sample.
    await section.locator('tr.alert-row').first().click();
    expect(await section.locator('tr.sample-row').count()).toBe(3);
    expect(pageErrors).toEqual([]);
  });

  it('shows several channels side by side', async () => {
    dashboard = await serveDashboard({ flushMs: 20 });
    for (const channel of ['run-a', 'run-b']) {
      for (let step = 0; step < 10; step++) dashboard.publish({ step, metrics: { 'reward/mean': step / 10, kl: 0.01 * step } }, { channel });
    }
    const p = await open(dashboard.url);
    await p.waitForFunction(() => (globalThis as any).__goodhart.charts.length >= 4);
    const boxes: { name: string | null; x: number; y: number; width: number }[] = await p.locator('section.run').evaluateAll((sections) => sections.map((s) => ({ name: s.getAttribute('data-channel'), x: s.getBoundingClientRect().x, y: s.getBoundingClientRect().y, width: s.getBoundingClientRect().width })));
    expect(boxes.map((b) => b.name)).toEqual(['run-a', 'run-b']);
    expect(boxes[1]!.x).toBeGreaterThan(boxes[0]!.x + boxes[0]!.width - 1);
    expect(boxes[1]!.y).toBe(boxes[0]!.y);
    // Pause freezes the charts while data keeps arriving; Follow catches up.
    await p.locator('#pause').click();
    for (let step = 10; step < 20; step++) dashboard.publish({ step, metrics: { 'reward/mean': step / 10, kl: 0.01 * step } }, { channel: 'run-a' });
    await p.waitForFunction(() => (globalThis as any).__goodhart.channels.get('run-a').rows.size === 20);
    await p.waitForTimeout(400);
    const points = (): Promise<number> => p.evaluate(() => (globalThis as any).__goodhart.charts.find((c: any) => c.channel === 'run-a').plot.data[0].length);
    expect(await points()).toBe(10);
    await p.locator('#pause').click();
    await p.waitForFunction(() => (globalThis as any).__goodhart.charts.find((c: any) => c.channel === 'run-a').plot.data[0].length === 20);
    expect(await p.locator('#pause').textContent()).toBe('Pause');
  });

  it('smooths with TensorBoard\'s debiased EMA', async () => {
    dashboard = await serveDashboard();
    const p = await open(dashboard.url);
    // TensorBoard: last = last*w + (1-w)*v; smoothed = last / (1 - w^n). For w = 0.6 and 1, 2, 3:
    // 0.4/0.4 = 1; (0.24 + 0.8)/0.64 = 1.625; (0.624 + 1.2)/0.784 = 2.326530612...
    const smoothed = await p.evaluate(() => (globalThis as any).__goodhart.ema([1, 2, 3], 0.6));
    expect(smoothed[0]).toBeCloseTo(1, 12);
    expect(smoothed[1]).toBeCloseTo(1.625, 12);
    expect(smoothed[2]).toBeCloseTo(1.824 / 0.784, 12);
    // Against a plain recomputation on a longer series with a gap (non-finite passes through).
    const values = Array.from({ length: 50 }, (_, i) => (i === 7 ? null : Math.sin(i) + i / 10));
    const page_ = await p.evaluate((v) => (globalThis as any).__goodhart.ema(v, 0.85), values);
    let last = 0;
    let n = 0;
    values.forEach((v, i) => {
      if (v === null) {
        expect(page_[i]).toBeNull();
        return;
      }
      last = last * 0.85 + 0.15 * v;
      n++;
      expect(page_[i]).toBeCloseTo(last / (1 - 0.85 ** n), 12);
    });
    // A constant series is left as is (TensorBoard's special case).
    expect(await p.evaluate(() => (globalThis as any).__goodhart.ema([2, 2, 2], 0.9))).toEqual([2, 2, 2]);
  });
});

describe('axis labels in chromium', () => {
  it('writes tick labels that tell ticks apart at any scale', async () => {
    dashboard = await serveDashboard();
    const p = await open(dashboard.url);
    const labels = (splits: (number | null)[], incr: number): Promise<string[]> =>
      p.evaluate(([s, i]) => (globalThis as any).__goodhart.axisLabels(s, i), [splits, incr] as const);
    // A learning rate: one shared exponent, the decimals the spacing needs (uPlot's default said 0).
    expect(await labels([0, 5e-7, 1e-6, 1.5e-6], 5e-7)).toEqual(['0', '0.5e-6', '1.0e-6', '1.5e-6']);
    expect(await labels([2e-5, 4e-5, 6e-5], 2e-5)).toEqual(['2e-5', '4e-5', '6e-5']);
    expect(await labels([-2e5, 0, 2e5, 4e5], 2e5)).toEqual(['-2e5', '0', '2e5', '4e5']);
    // Ordinary magnitudes stay plain, with the decimals of the spacing; a gap is an empty label.
    expect(await labels([0, 0.25, 0.5, null], 0.25)).toEqual(['0.00', '0.25', '0.50', '']);
    expect(await labels([0, 200, 400], 200)).toEqual(['0', '200', '400']);
    expect(await labels([0.1, 0.2, 0.3], 0.1)).toEqual(['0.1', '0.2', '0.3']);
  });
});

describe('static report in chromium', () => {
  it('renders the same page from inlined data, offline, and runs no model text', async () => {
    const state = new DashboardState();
    const items = await lastValueFrom(analyzedRun({ seed: 3, steps: 90, hack: { pattern: 'format-gaming', atStep: 50 } }).pipe(toArray()));
    for (const item of items) state.add(item, { channel: 'report-run' });
    state.add(hostileAlert, { channel: 'report-run' });
    state.add({ step: 3, metrics: { 'reward/mean': 0.1 } }, { channel: HOSTILE_SCRIPT });
    const dir = mkdtempSync(join(tmpdir(), 'goodhart-report-'));
    try {
      const file = join(dir, 'report.html');
      writeFileSync(file, renderReportHtml(state.snapshot()));
      const p = await browser.newPage();
      page = p;
      p.on('pageerror', (error) => pageErrors.push(error.message));
      const requests: string[] = [];
      p.on('request', (request) => {
        if (!request.url().startsWith('file:')) requests.push(request.url());
      });
      await p.goto(pathToFileURL(file).href);
      await p.waitForFunction(() => (globalThis as any).__goodhart.charts.length > 0);
      expect(await p.evaluate(() => (globalThis as any).__goodhart.staticMode)).toBe(true);
      expect(await bannerClass(p, 'report-run')).toBe('banner hacking');
      const drawn = await chartsDrawn(p);
      expect(drawn.filter((c) => c.points > 0).length).toBe(drawn.length);
      expect(await p.evaluate(() => (globalThis as any).__pwned)).toBeUndefined();
      await expect(p.locator('section.run').nth(1).locator('h2 span').first().textContent()).resolves.toBe(HOSTILE_SCRIPT);
      expect(requests).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('labels a learning rate of 1e-6 readably on its axis and shows the title as the heading', async () => {
    const state = new DashboardState();
    for (let step = 0; step < 50; step++) state.add({ step, metrics: { 'reward/mean': step / 50, learning_rate: 2e-6 * (1 - step / 50) } }, { channel: 'run' });
    const dir = mkdtempSync(join(tmpdir(), 'goodhart-report-'));
    try {
      const file = join(dir, 'report.html');
      writeFileSync(file, renderReportHtml(state.snapshot(), { title: HOSTILE_SCRIPT }));
      const p = await browser.newPage();
      page = p;
      p.on('pageerror', (error) => pageErrors.push(error.message));
      await p.goto(pathToFileURL(file).href);
      await p.waitForFunction(() => (globalThis as any).__goodhart.charts.length > 0);
      const ticks: string[] = await p.evaluate(() => (globalThis as any).__goodhart.charts.find((c: any) => c.id === 'm:learning_rate').plot.axes[1]._values);
      expect(ticks.length).toBeGreaterThan(2);
      expect(new Set(ticks).size).toBe(ticks.length);
      // 0, 1e-6, 2e-6 at this height; uPlot's default labelled every tick 0.
      for (const tick of ticks) expect(tick).toMatch(/^(0|\d(\.\d+)?e-6)$/);
      await expect(p.locator('header.top h1').textContent()).resolves.toBe(HOSTILE_SCRIPT);
      expect(await p.evaluate(() => (globalThis as any).__pwned)).toBeUndefined();
      expect(pageErrors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

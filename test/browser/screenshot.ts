/**
 * Regenerates docs/dashboard.png: the live dashboard mid-hack. A simulated GRPO run streams
 * through the default pipeline into a dashboard; when the banner has turned to hacking the page is
 * captured.
 *
 *   npx tsx test/browser/screenshot.ts [out.png]
 */
import { resolve } from 'node:path';
import { serveDashboard } from '../../src/server/serve-dashboard.js';
import { feedDashboard } from '../support/dashboard-feed.js';
import { launchChromium } from './chromium.js';

const out = resolve(process.argv[2] ?? 'docs/dashboard.png');
const dashboard = await serveDashboard({ flushMs: 50 });
dashboard.setLengthCap('grpo-run', 1024);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 1700 }, deviceScaleFactor: 1 });
  await page.goto(dashboard.url);
  const feed = feedDashboard(dashboard, {
    seed: 3,
    steps: 160,
    hack: { pattern: 'format-gaming', atStep: 90 },
    pace: 20,
    channel: 'grpo-run',
  });
  await page.locator('.banner.hacking').waitFor({ timeout: 60_000 });
  // A few more steps so the hack shows on the charts, then freeze the stream and the page.
  await page.waitForTimeout(400);
  feed.unsubscribe();
  await page.waitForTimeout(400);
  await page.locator('tr.alert-row').filter({ hasText: 'formatGaming' }).first().click();
  await page.evaluate(() => {
    (globalThis as unknown as { scrollTo: (x: number, y: number) => void }).scrollTo(0, 0);
  });
  await page.waitForTimeout(200);
  await page.screenshot({ path: out, fullPage: false });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await dashboard.close();
}

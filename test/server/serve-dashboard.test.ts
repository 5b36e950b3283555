import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Alert, StepRecord } from '../../src/core/types.js';
import { serveDashboard, type DashboardServer } from '../../src/server/serve-dashboard.js';
import { DASHBOARD_SCRIPT } from '../../src/server/page/script.js';

let dashboard: DashboardServer | undefined;
afterEach(async () => {
  await dashboard?.close();
  dashboard = undefined;
});

interface HttpResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function get(port: number, path: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a websocket; resolves with the socket and its messages, or rejects with the HTTP status. */
function connect(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; messages: any[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const messages: any[] = [];
    ws.on('message', (data) => messages.push(JSON.parse((data as Buffer).toString())));
    ws.on('open', () => {
      resolve({ ws, messages });
    });
    ws.on('unexpected-response', (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode}`));
    });
    ws.on('error', reject);
  });
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const record = (step: number, metrics: Record<string, number>): StepRecord => ({ step, metrics, t: 1000 * step });

const alert = (step: number, state: Alert['state']): Alert => ({
  id: 'meanShift:reward/mean:3',
  detector: 'meanShift',
  metric: 'reward/mean',
  severity: 'warning',
  signal: 'proxy-rise',
  step,
  message: 'reward up',
  value: 1,
  threshold: 0.5,
  since: 3,
  state,
  evidence: { stats: {} },
});

describe('serveDashboard', () => {
  it('serves the page, its assets (uPlot from the installed package) and a strict CSP', async () => {
    dashboard = await serveDashboard();
    expect(dashboard.url).toBe(`http://127.0.0.1:${dashboard.port}/`);
    const page = await get(dashboard.port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<script src="/assets/dashboard.js"></script>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const uplot = await get(dashboard.port, '/assets/uplot.js');
    const require = createRequire(import.meta.url);
    expect(uplot.body).toBe(readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'));
    expect((await get(dashboard.port, '/assets/dashboard.js')).body).toBe(DASHBOARD_SCRIPT);
    expect((await get(dashboard.port, '/assets/uplot.css')).status).toBe(200);
    expect((await get(dashboard.port, '/assets/dashboard.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await get(dashboard.port, '/', { method: 'HEAD' });
    expect([head.status, head.body]).toEqual([200, '']);
  });

  it('refuses other methods, unknown paths, long URLs and foreign Host headers (DNS rebinding)', async () => {
    dashboard = await serveDashboard();
    expect((await get(dashboard.port, '/', { method: 'POST' })).status).toBe(405);
    expect((await get(dashboard.port, '/etc/passwd')).status).toBe(404);
    expect((await get(dashboard.port, '/assets/../package.json')).status).toBe(404);
    expect((await get(dashboard.port, `/?${'a'.repeat(3000)}`)).status).toBe(414);
    expect((await get(dashboard.port, '/', { headers: { host: `evil.example:${dashboard.port}` } })).status).toBe(403);
    expect((await get(dashboard.port, '/', { headers: { host: `localhost:${dashboard.port}` } })).status).toBe(200);
    await expect(connect(`ws://127.0.0.1:${dashboard.port}/ws`, { host: `evil.example:${dashboard.port}` })).rejects.toThrow('HTTP 403');
  });

  it('rejects bad config at call time; binding off loopback requires a token', () => {
    expect(() => serveDashboard({ host: '0.0.0.0' })).toThrow(RangeError);
    expect(() => serveDashboard({ token: '' })).toThrow(RangeError);
    expect(() => serveDashboard({ port: 70000 })).toThrow(RangeError);
    expect(() => serveDashboard({ maxPendingUpdates: 0 })).toThrow(RangeError);
    expect(() => serveDashboard({ flushMs: 1.5 })).toThrow(RangeError);
  });

  it('checks the websocket Origin against the page, and the path', async () => {
    dashboard = await serveDashboard({ allowedOrigins: ['http://trusted.example'] });
    const url = `ws://127.0.0.1:${dashboard.port}/ws`;
    await expect(connect(url, { origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(connect(url, { origin: `http://localhost:${dashboard.port}` })).rejects.toThrow('HTTP 403');
    await expect(connect(`ws://127.0.0.1:${dashboard.port}/other`)).rejects.toThrow('HTTP 404');
    const same = await connect(url, { origin: `http://127.0.0.1:${dashboard.port}` });
    const trusted = await connect(url, { origin: 'http://trusted.example' });
    const tool = await connect(url);
    for (const client of [same, trusted, tool]) client.ws.close();
    expect(dashboard.stats().refused).toBe(3);
  });

  it('requires the token when one is set, and puts it in the URL it prints', async () => {
    dashboard = await serveDashboard({ token: 's3cret/+' });
    expect(dashboard.url).toBe(`http://127.0.0.1:${dashboard.port}/?token=s3cret%2F%2B`);
    const base = `ws://127.0.0.1:${dashboard.port}/ws`;
    await expect(connect(base)).rejects.toThrow('HTTP 401');
    await expect(connect(`${base}?token=wrong`)).rejects.toThrow('HTTP 401');
    const ok = await connect(`${base}?token=${encodeURIComponent('s3cret/+')}`);
    const bearer = await connect(base, { authorization: 'Bearer s3cret/+' });
    await until(() => ok.messages.length > 0 && bearer.messages.length > 0);
    ok.ws.close();
    bearer.ws.close();
  });

  it('closes a browser that sends a frame over maxPayload', async () => {
    dashboard = await serveDashboard({ maxPayload: 64 });
    const { ws } = await connect(`ws://127.0.0.1:${dashboard.port}/ws`);
    const code = await new Promise<number>((resolve) => {
      ws.on('close', (c) => {
        resolve(c);
      });
      ws.send('x'.repeat(65));
    });
    expect(code).toBe(1009);
  });

  it('gives a late browser the current state and recent history at once, then live updates', async () => {
    dashboard = await serveDashboard({ flushMs: 10, history: { historySteps: 5 } });
    for (let step = 0; step < 8; step++) dashboard.publish(record(step, { 'reward/mean': step }), { channel: 'a' });
    dashboard.publish(alert(4, 'onset'), { channel: 'a' });
    dashboard.publish({ step: 1, metrics: { kl: 0.1 } }, { channel: 'b' });
    const { ws, messages } = await connect(`ws://127.0.0.1:${dashboard.port}/ws`);
    await until(() => messages.length >= 1);
    expect(messages[0].type).toBe('snapshot');
    const [a, b] = messages[0].snapshot.channels;
    expect(a.channel).toBe('a');
    expect(a.rows.map((r: StepRecord) => r.step)).toEqual([3, 4, 5, 6, 7]);
    expect(a.totals.steps).toBe(8);
    expect(a.alerts).toHaveLength(1);
    expect(b.rows).toEqual([{ step: 1, t: b.rows[0].t, metrics: { kl: 0.1 } }]);
    dashboard.publish(record(8, { 'reward/mean': 8 }), { channel: 'a' });
    dashboard.publish(alert(9, 'resolved'), { channel: 'a' });
    await until(() => messages.length >= 2);
    expect(messages[1]).toEqual({
      type: 'updates',
      updates: [
        { channel: 'a', kind: 'row', row: { step: 8, t: 8000, metrics: { 'reward/mean': 8 } } },
        { channel: 'a', kind: 'alert', alert: alert(9, 'resolved') },
      ],
    });
    ws.close();
  });

  it('coalesces queued rows of one step and verdicts of one channel between flushes', async () => {
    dashboard = await serveDashboard({ flushMs: 200 });
    const { ws, messages } = await connect(`ws://127.0.0.1:${dashboard.port}/ws`);
    await until(() => messages.length === 1);
    dashboard.publish(record(1, { 'reward/mean': 0.5 }));
    dashboard.publish(record(1, { kl: 0.2 }));
    dashboard.publish({ status: 'warning', reasons: [], step: 1 });
    dashboard.publish({ status: 'hacking', reasons: [], step: 1 });
    expect(dashboard.stats().perClient[0]!.pending).toBe(2);
    await until(() => messages.length === 2);
    expect(messages[1].updates).toEqual([
      { channel: 'run', kind: 'row', row: { step: 1, t: 1000, metrics: { 'reward/mean': 0.5, kl: 0.2 } } },
      { channel: 'run', kind: 'verdict', verdict: { status: 'hacking', reasons: [], step: 1 } },
    ]);
    ws.close();
  });

  it('drops an overflowing client queue for one fresh snapshot', async () => {
    dashboard = await serveDashboard({ flushMs: 10_000, maxPendingUpdates: 100 });
    const { ws, messages } = await connect(`ws://127.0.0.1:${dashboard.port}/ws`);
    await until(() => messages.length === 1);
    for (let step = 0; step < 250; step++) dashboard.publish(record(step, { 'reward/mean': step }));
    const stats = dashboard.stats().perClient[0]!;
    expect(stats.overflows).toBe(1);
    expect(stats.maxPending).toBeLessThanOrEqual(100);
    expect(stats.pending).toBe(0);
    ws.close();
  });
});

import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dashboardSeam } from '../../src/server/dashboard-seam.js';

describe('dashboardSeam', () => {
  it('serves the CLI analysis stream (summaries charted, run samples not flagged) until closed', async () => {
    const items = new Subject<unknown>();
    const handle = await dashboardSeam({ channel: 'demo', lengthCap: 512, flushMs: 10 })({ items });
    expect(handle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    items.next({ kind: 'event', event: { step: 1, reward: 1, response: 'every sample' } });
    items.next({ kind: 'summary', record: { step: 1, metrics: { 'reward/mean': 0.5 } } });
    items.next({ kind: 'verdict', verdict: { status: 'warning', reasons: [], step: 1 } });
    const ws = new WebSocket(`${handle.url.replace('http', 'ws')}ws`);
    const first = await new Promise<any>((resolve) => ws.once('message', (data) => {
      resolve(JSON.parse((data as Buffer).toString()));
    }));
    const [channel] = first.snapshot.channels;
    expect(channel.channel).toBe('demo');
    expect(channel.lengthCap).toBe(512);
    expect(channel.rows.map((r: any) => r.metrics)).toEqual([{ 'reward/mean': 0.5 }]);
    expect(channel.samples).toEqual([]);
    expect(channel.verdict.status).toBe('warning');
    const closed = new Promise((resolve) => ws.once('close', resolve));
    await handle.close();
    await closed;
    expect(items.observed).toBe(false);
  });

  it('takes the port and length cap of each run from the feed', async () => {
    const probe = await dashboardSeam()({ items: new Subject() });
    const port = Number(new URL(probe.url).port);
    await probe.close();
    const handle = await dashboardSeam({ lengthCap: 100 })({ items: new Subject(), port, lengthCap: 2048 });
    try {
      expect(handle.url).toBe(`http://127.0.0.1:${port}/`);
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      const first = await new Promise<any>((resolve) => ws.once('message', (data) => {
        resolve(JSON.parse((data as Buffer).toString()));
      }));
      expect(first.snapshot.channels[0].lengthCap).toBe(2048);
      ws.close();
    } finally {
      await handle.close();
    }
  });

  it('rejects a bad length cap', async () => {
    expect(() => dashboardSeam({ lengthCap: 0 })).toThrow(RangeError);
    await expect(dashboardSeam()({ items: new Subject(), lengthCap: -1 })).rejects.toThrow(RangeError);
  });
});

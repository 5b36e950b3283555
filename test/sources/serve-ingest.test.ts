import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import type { RewardEvent } from '../../src/core/types.js';
import type { Ingested } from '../../src/sources/ingested.js';
import { serveIngest, type IngestServer, type ServeIngestConfig } from '../../src/sources/serve-ingest.js';

const open: IngestServer[] = [];
const sockets: WebSocket[] = [];

async function start(config: ServeIngestConfig = {}): Promise<IngestServer> {
  const server = await serveIngest({ host: '127.0.0.1', port: 0, ...config });
  open.push(server);
  return server;
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await Promise.all(open.splice(0).map((server) => server.close()));
});

/** Opens a client; rejects with the HTTP status when the upgrade is refused. */
function connect(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    sockets.push(socket);
    socket.once('open', () => {
      resolve(socket);
    });
    socket.once('unexpected-response', (_request, response) => {
      reject(new Error(`refused ${String(response.statusCode)}`));
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

function event(client: number, seq: number): Record<string, unknown> {
  return { step: seq >> 6, reward: (seq % 10) / 10, group: `g${seq >> 3}`, meta: { client, seq } };
}

/** Sends `count` events as frames of 1..maxFrame events (some as bare objects), all queued at once. */
function sendAll(socket: WebSocket, client: number, count: number, maxFrame = 200): void {
  let seq = 0;
  let size = 1;
  while (seq < count) {
    const take = Math.min(size, count - seq);
    const batch = Array.from({ length: take }, (_, index) => event(client, seq + index));
    socket.send(JSON.stringify(take === 1 && seq % 2 === 0 ? batch[0] : batch));
    seq += take;
    size = (size * 7 + 3) % maxFrame || 1;
  }
}

function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = (): void => {
      if (condition()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error('condition not met in time'));
      else setTimeout(check, 5);
    };
    check();
  });
}

function events(items: readonly Ingested[]): RewardEvent[] {
  return items.flatMap((item) => (item.kind === 'event' ? [item.event] : []));
}

/** Per client, the `seq` numbers in arrival order. */
function sequences(items: readonly Ingested[]): Map<number, number[]> {
  const byClient = new Map<number, number[]>();
  for (const received of events(items)) {
    const meta = received.meta as { client: number; seq: number };
    const list = byClient.get(meta.client) ?? [];
    list.push(meta.seq);
    byClient.set(meta.client, list);
  }
  return byClient;
}

/** A masked client text frame header announcing `length` payload bytes (RFC 6455 5.2). */
function maskedFrame(payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const header = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const body = Buffer.from(payload.map((byte, index) => byte ^ mask[index & 3]!));
  return Buffer.concat([header, mask, body]);
}

const CLIENTS = 5;
const PER_CLIENT = 20_000;

describe('serveIngest', () => {
  it('receives 100,000 events from several real clients: every one, in order per client, none lost when a client dies mid-frame', async () => {
    const server = await start();
    const items: Ingested[] = [];
    server.items$.subscribe((item) => items.push(item));
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connect(server.url)));

    // A worker that sends 10 whole events, then dies half-way through its next frame.
    const doomed = await connect(server.url);
    doomed.send(JSON.stringify(Array.from({ length: 10 }, (_, seq) => event(99, seq))));
    await until(() => events(items).some((received) => (received.meta as { client: number }).client === 99));

    clients.forEach((socket, client) => {
      sendAll(socket, client, PER_CLIENT);
    });
    const frame = maskedFrame(Buffer.from(JSON.stringify(Array.from({ length: 20 }, (_, seq) => event(99, 10 + seq)))));
    const raw = (doomed as unknown as { _socket: import('node:net').Socket })._socket;
    raw.write(frame.subarray(0, frame.length >> 1));
    raw.destroy();

    await until(() => events(items).length >= CLIENTS * PER_CLIENT + 10);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const byClient = sequences(items);
    for (let client = 0; client < CLIENTS; client++) {
      expect(byClient.get(client)).toEqual(Array.from({ length: PER_CLIENT }, (_, seq) => seq));
    }
    expect(byClient.get(99)).toEqual(Array.from({ length: 10 }, (_, seq) => seq));
    expect(events(items)).toHaveLength(CLIENTS * PER_CLIENT + 10);
    expect(items.filter((item) => item.kind === 'problem')).toEqual([]);
    expect(server.stats()).toMatchObject({ received: CLIENTS * PER_CLIENT + 10, delivered: CLIENTS * PER_CLIENT + 10, dropped: 0, queued: 0, problems: 0 });
    await until(() => server.stats().clients === CLIENTS);
  });

  it('decodes step records and reports bad frames as problems with the frame number, keeping the good records', async () => {
    const server = await start();
    const items: Ingested[] = [];
    server.items$.subscribe((item) => items.push(item));
    const socket = await connect(server.url);
    socket.send('{"step": 1, "reward": 0.5}');
    socket.send('not json');
    socket.send('[{"step": 2, "reward": NaN}, {"step": 2, "reward": "high"}, 7, {"step": 3, "metrics": {"reward": 0.25}}]');
    socket.send(Buffer.from('{"step": 4}'), { binary: true });
    await until(() => items.length >= 6);
    const source = `${server.url} client#1`;
    expect(items.map((item) => item.kind)).toEqual(['event', 'problem', 'event', 'problem', 'problem', 'step', 'problem']);
    expect(items[2]).toEqual({ kind: 'event', event: { step: 2 } });
    expect(items[5]).toMatchObject({ kind: 'step', record: { step: 3, metrics: { 'reward/mean': 0.25 } } });
    const problems = items.flatMap((item) => (item.kind === 'problem' ? [item.problem] : []));
    expect(problems.map((problem) => [problem.source, problem.line])).toEqual([[source, 2], [source, 3], [source, 3], [source, 4]]);
    expect(problems[0]?.reason).toMatch(/^frame is not JSON/);
    expect(problems[1]?.reason).toBe('item 1: field "reward": expected a finite number or null, got string "high"');
    expect(problems[2]?.reason).toBe('item 2: expected a record');
    expect(problems[3]?.reason).toBe('binary frame: send JSON text frames');
    expect(server.stats().problems).toBe(4);
  });

  it('refuses connections without the token (401) and accepts it as a bearer header or a query parameter', async () => {
    const server = await start({ token: 's3cret' });
    await expect(connect(server.url)).rejects.toThrow('refused 401');
    await expect(connect(server.url, { headers: { authorization: 'Bearer wrong' } })).rejects.toThrow('refused 401');
    await expect(connect(server.url, { headers: { authorization: 'Bearer s3cret' } })).resolves.toBeInstanceOf(WebSocket);
    await expect(connect(`${server.url}/?token=s3cret`)).resolves.toBeInstanceOf(WebSocket);
    expect(server.stats().clients).toBe(2);
  });

  it('refuses browser origins unless allowed (403)', async () => {
    const server = await start({ allowedOrigins: ['http://127.0.0.1:8080'] });
    await expect(connect(server.url, { origin: 'https://evil.example' })).rejects.toThrow('refused 403');
    await expect(connect(server.url, { origin: 'http://127.0.0.1:8080' })).resolves.toBeInstanceOf(WebSocket);
    const strict = await start();
    await expect(connect(strict.url, { origin: 'http://127.0.0.1:8080' })).rejects.toThrow('refused 403');
    await expect(connect(strict.url)).resolves.toBeInstanceOf(WebSocket);
  });

  it('closes a connection whose frame exceeds maxPayload (1009), reports it, and keeps serving others', async () => {
    const server = await start({ maxPayload: 1024, maxClients: 2 });
    const items: Ingested[] = [];
    server.items$.subscribe((item) => items.push(item));
    const big = await connect(server.url);
    const closed = new Promise<number>((resolve) => big.once('close', resolve));
    big.send(JSON.stringify({ step: 1, response: 'x'.repeat(2000) }));
    expect(await closed).toBe(1009);
    const other = await connect(server.url);
    other.send('{"step": 5, "reward": 1}');
    await until(() => items.some((item) => item.kind === 'event'));
    expect(items[0]).toMatchObject({ kind: 'problem', problem: { source: `${server.url} client#1`, line: 1, reason: 'frame 1 exceeds maxPayload (1024 bytes); connection closed' } });
    expect(events(items)).toEqual([{ step: 5, reward: 1 }]);
  });

  it('refuses connections past maxClients (503)', async () => {
    const server = await start({ maxClients: 1 });
    await connect(server.url);
    await expect(connect(server.url)).rejects.toThrow('refused 503');
  });

  it('pauses workers while nobody consumes: the queue stays under its cap, and nothing is lost', async () => {
    const highWaterMark = 1000;
    const server = await start({ highWaterMark });
    const socket = await connect(server.url);
    const total = 30_000;
    sendAll(socket, 0, total, 100);
    await until(() => server.stats().paused);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const held = server.stats();
    // Soft cap: the high-water mark plus the frames already read from the socket when it paused
    // (one 64 KiB read); an event here is ~60 bytes of JSON.
    const oneRead = Math.ceil((64 * 1024) / JSON.stringify(event(0, 0)).length);
    expect(held.queued).toBeGreaterThanOrEqual(highWaterMark);
    expect(held.queued).toBeLessThanOrEqual(highWaterMark + oneRead);
    expect(held.received).toBe(held.queued);
    expect(held.received).toBeLessThan(total);

    const items: Ingested[] = [];
    server.items$.subscribe((item) => items.push(item));
    await until(() => items.length === total);
    expect(sequences(items).get(0)).toEqual(Array.from({ length: total }, (_, seq) => seq));
    expect(server.stats()).toMatchObject({ queued: 0, dropped: 0, paused: false });
  });

  it('in manual ack mode holds workers back until a slow asynchronous consumer catches up', async () => {
    const highWaterMark = 500;
    const server = await start({ highWaterMark, ack: 'manual' });
    const inbox: Ingested[] = [];
    const processed: Ingested[] = [];
    let maxQueued = 0;
    let pauses = 0;
    let wasPaused = false;
    const sample = (): void => {
      const stats = server.stats();
      maxQueued = Math.max(maxQueued, stats.queued);
      if (stats.paused && !wasPaused) pauses++;
      wasPaused = stats.paused;
    };
    server.items$.subscribe((item) => {
      inbox.push(item);
      sample();
    });
    // The consumer works later, 100 items every 2 ms, and acknowledges what it finished.
    const worker = setInterval(() => {
      sample();
      const batch = inbox.splice(0, 100);
      processed.push(...batch);
      server.ack(batch.length);
    }, 2);
    try {
      const socket = await connect(server.url);
      const total = 20_000;
      sendAll(socket, 0, total, 100);
      await until(() => processed.length === total);
      const oneRead = Math.ceil((64 * 1024) / JSON.stringify(event(0, 0)).length);
      expect(maxQueued).toBeLessThanOrEqual(highWaterMark + oneRead);
      expect(pauses).toBeGreaterThan(0);
      expect(sequences(processed).get(0)).toEqual(Array.from({ length: total }, (_, seq) => seq));
      expect(server.stats()).toMatchObject({ queued: 0, dropped: 0 });
    } finally {
      clearInterval(worker);
    }
  });

  it('close() closes workers with 1001, completes items$, and counts queued items it had to drop', async () => {
    const server = await start();
    const socket = await connect(server.url);
    socket.send('[{"step": 1}, {"step": 2}]');
    await until(() => server.stats().received === 2);
    const closedWith = new Promise<number>((resolve) => socket.once('close', resolve));
    await server.close();
    expect(await closedWith).toBe(1001);
    expect(server.stats()).toMatchObject({ dropped: 2, queued: 0, clients: 0 });
    let completed = false;
    server.items$.subscribe({
      complete: () => {
        completed = true;
      },
    });
    expect(completed).toBe(true);
  });

  it('rejects unsafe or impossible config at call time', () => {
    expect(() => serveIngest({ host: '0.0.0.0' })).toThrow(RangeError);
    expect(() => serveIngest({ port: 70_000 })).toThrow(RangeError);
    expect(() => serveIngest({ highWaterMark: 10, lowWaterMark: 10 })).toThrow(RangeError);
    expect(() => serveIngest({ token: '' })).toThrow(RangeError);
  });
});

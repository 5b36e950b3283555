import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AddressInfo } from 'node:net';
import { firstValueFrom, take, toArray } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Ingested } from '../../src/sources/ingested.js';
import { backoffDelay, fromWebSocket, WebSocketClosedError } from '../../src/sources/from-websocket.js';
import { serveIngest } from '../../src/sources/serve-ingest.js';

const servers: WebSocketServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map(stop));
});

/** A server that runs `onConnection` for every client. */
function listen(port: number, onConnection: (socket: WebSocket) => void): Promise<WebSocketServer> {
  return new Promise((resolve, reject) => {
    const server = new WebSocketServer({ host: '127.0.0.1', port }, () => {
      resolve(server);
    });
    server.once('error', reject);
    server.on('connection', onConnection);
    servers.push(server);
  });
}

/** Stops a server abruptly: every client sees its connection drop (1006). */
function stop(server: WebSocketServer): Promise<void> {
  for (const client of server.clients) client.terminate();
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

const portOf = (server: WebSocketServer): number => (server.address() as AddressInfo).port;

describe('fromWebSocket', () => {
  it('decodes pushed frames into items, reports bad frames, and completes on a normal close', async () => {
    const server = await listen(0, (socket) => {
      socket.send('[{"step": 1, "reward": 0.5}, {"step": 1, "metrics": {"kl": 0.01}}]');
      socket.send('{oops');
      socket.send('{"step": 2, "reward": 1}', () => {
        socket.close(1000);
      });
    });
    const url = `ws://127.0.0.1:${portOf(server)}`;
    const items = await firstValueFrom(fromWebSocket(`${url}/?token=abc`).pipe(toArray()));
    expect(items.map((item) => item.kind)).toEqual(['event', 'step', 'problem', 'event']);
    expect(items[3]).toEqual({ kind: 'event', event: { step: 2, reward: 1 } });
    expect(items[2]).toMatchObject({ kind: 'problem', problem: { source: url, line: 2 } });
  });

  it('reconnects with backoff after the server restarts, numbering frames across connections', async () => {
    let connections = 0;
    const serve = (socket: WebSocket): void => {
      connections++;
      socket.send(JSON.stringify({ step: connections, reward: connections / 10 }));
      socket.send('not json');
    };
    const first = await listen(0, serve);
    const port = portOf(first);
    const received: Ingested[] = [];
    const subscription = fromWebSocket(`ws://127.0.0.1:${port}`, { backoff: { initialMs: 20, maxMs: 100 } }).subscribe({
      next: (item) => received.push(item),
    });
    await until(() => received.length === 2);
    await stop(first);
    servers.splice(servers.indexOf(first), 1);
    await new Promise((resolve) => setTimeout(resolve, 150)); // down for a while: attempts fail and back off
    await listen(port, serve);
    await until(() => received.length === 4);
    subscription.unsubscribe();
    expect(received.map((item) => (item.kind === 'event' ? item.event.step : item.kind === 'problem' ? `problem@${item.problem.line}` : item.kind))).toEqual([
      1,
      'problem@2',
      2,
      'problem@4',
    ]);
    expect(connections).toBe(2);
  });

  it('errors at once when the server refuses the token (401)', async () => {
    const ingest = await serveIngest({ token: 'right' });
    try {
      const error = await firstValueFrom(fromWebSocket(ingest.url, { token: 'wrong', backoff: { initialMs: 1 } })).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WebSocketClosedError);
      expect((error as WebSocketClosedError).status).toBe(401);
    } finally {
      await ingest.close();
    }
  });

  it('sends the token and reads what an authorised server pushes', async () => {
    let authorization: string | undefined;
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    server.on('connection', (socket, request) => {
      authorization = request.headers.authorization;
      socket.send('{"step": 3, "reward": 0.1}');
    });
    const item = await firstValueFrom(fromWebSocket(`ws://127.0.0.1:${portOf(server)}`, { token: 't0k' }).pipe(take(1)));
    expect(item).toEqual({ kind: 'event', event: { step: 3, reward: 0.1 } });
    expect(authorization).toBe('Bearer t0k');
  });

  it('gives up after maxRetries failed attempts in a row', async () => {
    const server = await listen(0, () => undefined);
    const port = portOf(server);
    await stop(server);
    servers.length = 0;
    const started = Date.now();
    const error = await firstValueFrom(fromWebSocket(`ws://127.0.0.1:${port}`, { maxRetries: 3, backoff: { initialMs: 10, maxMs: 40 }, random: () => 0 })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error & { code?: string }).code).toBe('ECONNREFUSED');
    // three delays with jitter 0.5: 5 + 10 + 20 ms
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
  });

  it('closes the socket when unsubscribed', async () => {
    let closedWith: number | undefined;
    const server = await listen(0, (socket) => {
      socket.on('close', (code) => (closedWith = code));
      socket.send('{"step": 1}');
    });
    await firstValueFrom(fromWebSocket(`ws://127.0.0.1:${portOf(server)}`).pipe(take(1)));
    await until(() => closedWith !== undefined);
    expect(closedWith).toBe(1000);
  });

  it('rejects bad config at call time', () => {
    expect(() => fromWebSocket('http://x')).toThrow(TypeError);
    expect(() => fromWebSocket('ws://x', { backoff: { initialMs: 100, maxMs: 10 } })).toThrow(RangeError);
    expect(() => fromWebSocket('ws://x', { backoff: { factor: 0.5 } })).toThrow(RangeError);
    expect(() => fromWebSocket('ws://x', { maxRetries: -1 })).toThrow(RangeError);
  });
});

describe('backoffDelay', () => {
  it('doubles from initialMs up to maxMs, scaled by a jitter in [0.5, 1)', () => {
    const none = (): number => 0;
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, 100, 1000, 2, none))).toEqual([50, 100, 200, 400, 500, 500]);
    expect(backoffDelay(3, 100, 1000, 2, () => 0.5)).toBe(300);
  });

  it('stays within [0.5, 1) of the capped exponential (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.double({ min: 1, max: 4, noNaN: true }), (attempt, jitter, factor) => {
        const capped = Math.min(30_000, 250 * factor ** (attempt - 1));
        const delay = backoffDelay(attempt, 250, 30_000, factor, () => jitter);
        expect(delay).toBeGreaterThanOrEqual(capped * 0.5);
        expect(delay).toBeLessThanOrEqual(capped);
      }),
    );
  });
});

function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
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

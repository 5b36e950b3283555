import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Observable, Subject } from 'rxjs';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { digest, isLoopback, tokenMatches } from './http-auth.js';
import type { Ingested } from './ingested.js';
import { decodeFrame, problemItem, rawText } from './ws-frame.js';

export interface ServeIngestConfig {
  /** Port to listen on. Default `0`: any free port (read it from `url` / `port`). */
  readonly port?: number;
  /** Interface to bind. Default `'127.0.0.1'`. Any non-loopback address requires `token`. */
  readonly host?: string;
  /**
   * Shared secret. When set, a worker must send `Authorization: Bearer <token>` (or `?token=` in
   * the URL, for clients that cannot set headers); others are refused with 401.
   */
  readonly token?: string;
  /**
   * Browser origins allowed to connect. Default: none, so any upgrade that carries an `Origin`
   * header (that is, any web page) is refused with 403; training workers send no Origin.
   */
  readonly allowedOrigins?: readonly string[];
  /** Largest accepted frame in bytes; a bigger one closes its connection (1009). Default 16 MiB. */
  readonly maxPayload?: number;
  /** Most simultaneous connections; more are refused with 503. Default 1024. */
  readonly maxClients?: number;
  /** Outstanding items at which every socket stops being read. Default 10,000. */
  readonly highWaterMark?: number;
  /** Outstanding items at which reading resumes. Default half the high-water mark. */
  readonly lowWaterMark?: number;
  /**
   * `'auto'` (default): an item stops being outstanding once handed to the subscribers.
   * `'manual'`: it stays outstanding until `ack()` is called for it, so a consumer that
   * finishes its work later (after `observeOn`, inside `concatMap`) still holds the workers back.
   */
  readonly ack?: 'auto' | 'manual';
}

export interface IngestStats {
  /** Open connections. */
  readonly clients: number;
  /** Frames received. */
  readonly frames: number;
  /** Items (events, step records, problems) decoded from frames. */
  readonly received: number;
  /** Items handed to subscribers. */
  readonly delivered: number;
  /** Items discarded: only those still queued, unsubscribed, when the server closes. */
  readonly dropped: number;
  /** Outstanding items: queued for delivery, plus delivered but unacknowledged in `'manual'` mode. */
  readonly queued: number;
  /** Problems reported (bad frames, oversize frames, socket errors). */
  readonly problems: number;
  /** Whether sockets are paused because `queued` reached the high-water mark. */
  readonly paused: boolean;
}

export interface IngestServer {
  /** `ws://host:port`: where workers connect. */
  readonly url: string;
  readonly port: number;
  /**
   * Every connection's items merged, in arrival order (each connection's in its send order).
   * Hot: items that arrive while nobody subscribes wait in the bounded queue (workers are paused
   * when it fills) and go to the first subscriber. Completes when the server closes.
   */
  readonly items$: Observable<Ingested>;
  readonly stats: () => IngestStats;
  /** `'manual'` ack mode: marks `count` delivered items (default 1) as processed. */
  readonly ack: (count?: number) => void;
  /** Closes every connection (1001 going away) and the listener, then completes `items$`. */
  readonly close: () => Promise<void>;
}

const MIB = 1024 * 1024;

/**
 * Serves websocket ingest: training workers connect and push goodhart records as JSON text
 * frames (one record or an array per frame); `items$` merges them into one stream of
 * `Ingested` items, with bad frames as `problem` items (`source` = `ws://host:port client#id`,
 * `line` = the frame number on that connection).
 *
 * Backpressure (nothing is dropped while the server runs): items a subscriber has not taken yet
 * wait in one queue per server. A synchronous subscriber takes each frame's items as it arrives,
 * so nothing queues (and while it works, the event loop reads no more frames). When the
 * outstanding count (queued, plus unacknowledged in `'manual'` ack mode) reaches `highWaterMark`,
 * every socket is paused, so TCP flow control holds the workers back; reading resumes at
 * `lowWaterMark`. The cap is soft by at most the frames already read from a socket when it was
 * paused (one read, typically 64 KiB per connection). Items still queued with no subscriber
 * when the server closes are dropped and counted.
 *
 * Security: binds 127.0.0.1 by default; a non-loopback `host` requires a `token`; upgrades with
 * a wrong token (401), a foreign `Origin` (403) or past `maxClients` (503) are refused before the
 * websocket is accepted; frames over `maxPayload` close their connection.
 *
 * @example
 * const ingest = await serveIngest({ port: 7070, token: process.env.GOODHART_TOKEN });
 * ingest.items$.subscribe((item) => console.log(item));
 * // a worker: new WebSocket('ws://127.0.0.1:7070', { headers: { authorization: `Bearer ${token}` } })
 * //           .send(JSON.stringify([{ step: 1, reward: 0.5 }]))
 */
export function serveIngest(config: ServeIngestConfig = {}): Promise<IngestServer> {
  const host = config.host ?? '127.0.0.1';
  const port = config.port ?? 0;
  const token = config.token;
  const allowedOrigins = new Set(config.allowedOrigins ?? []);
  const maxPayload = config.maxPayload ?? 16 * MIB;
  const maxClients = config.maxClients ?? 1024;
  const highWaterMark = config.highWaterMark ?? 10_000;
  const lowWaterMark = config.lowWaterMark ?? Math.floor(highWaterMark / 2);
  const manualAck = (config.ack ?? 'auto') === 'manual';
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`serveIngest: port must be an integer in [0, 65535], got ${String(port)}`);
  if (token !== undefined && token.length === 0) throw new RangeError('serveIngest: token must not be empty');
  if (token === undefined && !isLoopback(host)) throw new RangeError(`serveIngest: binding ${host} (not loopback) requires a token`);
  if (!Number.isInteger(maxPayload) || maxPayload < 1) throw new RangeError(`serveIngest: maxPayload must be a positive integer, got ${String(maxPayload)}`);
  if (!Number.isInteger(maxClients) || maxClients < 1) throw new RangeError(`serveIngest: maxClients must be a positive integer, got ${String(maxClients)}`);
  if (!Number.isInteger(highWaterMark) || highWaterMark < 1) throw new RangeError(`serveIngest: highWaterMark must be a positive integer, got ${String(highWaterMark)}`);
  if (!Number.isInteger(lowWaterMark) || lowWaterMark < 0 || lowWaterMark >= highWaterMark) {
    throw new RangeError(`serveIngest: lowWaterMark must be an integer in [0, highWaterMark), got ${String(lowWaterMark)}`);
  }
  const tokenDigest = token === undefined ? undefined : digest(token);

  const subject = new Subject<Ingested>();
  const clients = new Set<WebSocket>();
  let queue: Ingested[] = [];
  let head = 0;
  let unacked = 0;
  let frames = 0;
  let received = 0;
  let delivered = 0;
  let dropped = 0;
  let problems = 0;
  let paused = false;
  let draining = false;
  let closed = false;
  let nextClientId = 1;
  let base = '';

  const queued = (): number => queue.length - head;
  const outstanding = (): number => queued() + unacked;

  const pauseAll = (): void => {
    paused = true;
    for (const client of clients) client.pause();
  };
  const resumeIfLow = (): void => {
    if (!paused || outstanding() > lowWaterMark) return;
    paused = false;
    for (const client of clients) client.resume();
  };

  /** Hands queued items to the subscribers, in order, while anyone listens. */
  const drain = (): void => {
    if (draining) return;
    draining = true;
    try {
      while (head < queue.length && subject.observed) {
        const item = queue[head]!;
        head++;
        delivered++;
        if (manualAck) unacked++;
        subject.next(item);
      }
      if (head === queue.length) {
        queue = [];
        head = 0;
      } else if (head > 1024 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
    } finally {
      draining = false;
    }
    resumeIfLow();
  };

  const accept = (items: readonly Ingested[]): void => {
    received += items.length;
    for (const item of items) {
      if (item.kind === 'problem') problems++;
      queue.push(item);
    }
    drain();
    if (!paused && outstanding() >= highWaterMark) pauseAll();
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload, clientTracking: false });
  const server = createServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain', connection: 'close' });
    response.end('goodhart ingest: connect with a websocket\n');
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = closed ? [503, 'Service Unavailable'] as const : refuse(request);
    if (refusal !== undefined) {
      socket.end(`HTTP/1.1 ${refusal[0]} ${refusal[1]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      connected(ws);
    });
  });

  const refuse = (request: IncomingMessage): readonly [number, string] | undefined => {
    if (tokenDigest !== undefined && !tokenMatches(request, tokenDigest)) return [401, 'Unauthorized'];
    const origin = request.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin)) return [403, 'Forbidden'];
    if (clients.size >= maxClients) return [503, 'Service Unavailable'];
    return undefined;
  };

  const connected = (ws: WebSocket): void => {
    const source = `${base} client#${nextClientId++}`;
    let frame = 0;
    clients.add(ws);
    if (paused) ws.pause();
    ws.on('message', (data: RawData, isBinary: boolean) => {
      frame++;
      frames++;
      if (isBinary) {
        accept([problemItem(source, frame, 'binary frame: send JSON text frames', '')]);
        return;
      }
      accept(decodeFrame(rawText(data), source, frame));
    });
    ws.on('error', (error: Error & { code?: string }) => {
      const reason =
        error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
          ? `frame ${frame + 1} exceeds maxPayload (${maxPayload} bytes); connection closed`
          : `connection error: ${error.message}`;
      accept([problemItem(source, frame + 1, reason, '')]);
    });
    ws.on('close', () => {
      clients.delete(ws);
    });
  };

  const items$ = new Observable<Ingested>((subscriber) => {
    const subscription = subject.subscribe(subscriber);
    // Hand over what queued while nobody listened, once the subscriber is fully set up.
    setImmediate(drain);
    return subscription;
  });

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    const closing = [...clients].map(
      (ws) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            ws.terminate();
          }, 1000);
          ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          ws.close(1001, 'server closing');
        }),
    );
    await Promise.all(closing);
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    });
    drain();
    dropped += queued();
    queue = [];
    head = 0;
    subject.complete();
  };

  return new Promise<IngestServer>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      base = `ws://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
      resolve({
        url: base,
        port: address.port,
        items$,
        stats: () => ({ clients: clients.size, frames, received, delivered, dropped, queued: outstanding(), problems, paused }),
        ack: (count = 1) => {
          unacked = Math.max(0, unacked - count);
          resumeIfLow();
        },
        close,
      });
    });
  });
}


import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { digest, isLoopback, tokenMatches } from '../sources/http-auth.js';
import {
  DashboardState,
  type DashboardItem,
  type DashboardSnapshot,
  type DashboardStateConfig,
  type DashboardUpdate,
  type DashboardRoute,
} from './dashboard-state.js';
import { livePageHtml, uplotAssets } from './page/document.js';
import { DASHBOARD_SCRIPT } from './page/script.js';
import { DASHBOARD_CSS } from './page/style.js';

export interface ServeDashboardConfig {
  /** Port to listen on. Default `0`: any free port (read it from `port` / `url`). */
  readonly port?: number;
  /** Interface to bind. Default `'127.0.0.1'`. Any non-loopback address requires `token`. */
  readonly host?: string;
  /**
   * Shared secret. When set, the websocket requires it (`?token=` in the page URL, which the page
   * passes on, or `Authorization: Bearer`); `url` carries it. Required off loopback.
   */
  readonly token?: string;
  /** Extra browser origins allowed to open the websocket, besides the page's own. Default none. */
  readonly allowedOrigins?: readonly string[];
  /** Most simultaneous browsers; more are refused with 503. Default 64. */
  readonly maxClients?: number;
  /** Largest frame a browser may send (it has nothing to send); bigger closes it (1009). Default 4096. */
  readonly maxPayload?: number;
  /** Bytes queued in a client's socket above which nothing more is sent to it. Default 4 MiB. */
  readonly maxBufferedBytes?: number;
  /** Updates queued per client before the queue is dropped for a fresh snapshot. Default 10,000. */
  readonly maxPendingUpdates?: number;
  /** Interval at which queued updates are sent, in ms. Default 100. */
  readonly flushMs?: number;
  /** History kept per channel (what a late browser receives). */
  readonly history?: DashboardStateConfig;
  /** Page title. Default `'goodhart dashboard'`. */
  readonly title?: string;
}

export interface DashboardClientStats {
  readonly id: number;
  /** Updates queued for this client now. */
  readonly pending: number;
  /** Most updates ever queued for this client at once (bounded by `maxPendingUpdates`). */
  readonly maxPending: number;
  /** Bytes written to the socket but not yet flushed to the network. */
  readonly bufferedAmount: number;
  /** Flushes skipped because `bufferedAmount` was over the cap. */
  readonly skippedFlushes: number;
  /** Snapshots sent (the first, plus one after each queue overflow). */
  readonly snapshots: number;
  /** Queue overflows: updates dropped for a fresh snapshot. */
  readonly overflows: number;
  readonly framesSent: number;
  readonly bytesSent: number;
}

export interface DashboardStats {
  readonly clients: number;
  /** Items piped in (including ignored ones). */
  readonly published: number;
  /** Upgrades refused (bad token, origin, host, path, or too many clients). */
  readonly refused: number;
  readonly perClient: readonly DashboardClientStats[];
}

/** Anything that takes dashboard items: the live server, or a test double. */
export interface DashboardSink {
  readonly publish: (item: DashboardItem, route?: DashboardRoute) => void;
}

export interface DashboardServer extends DashboardSink {
  /** `http://host:port/`, with `?token=` when a token is set: the address to open. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Sets the completion length cap drawn on a channel's length chart. */
  readonly setLengthCap: (channel: string, lengthCap: number) => void;
  /** The state a browser connecting now would receive. */
  readonly snapshot: () => DashboardSnapshot;
  readonly stats: () => DashboardStats;
  /** Closes every browser connection (1001) and the listener. */
  readonly close: () => Promise<void>;
}

const MIB = 1024 * 1024;
const MAX_URL_LENGTH = 2048;

interface Client {
  readonly id: number;
  readonly ws: WebSocket;
  pending: DashboardUpdate[];
  /** Position in `pending` of the coalescable updates (a step's row, a channel's verdict). */
  slots: Map<string, number>;
  resync: boolean;
  maxPending: number;
  skippedFlushes: number;
  snapshots: number;
  overflows: number;
  framesSent: number;
  bytesSent: number;
}

/**
 * Serves the live dashboard: the page at `/`, its assets (uPlot from the installed package, no
 * CDN) under `/assets/`, and a websocket at `/ws` that streams the state of every channel.
 * `publish` (or the `toWebSocket` operator) feeds it step records, alerts, verdicts and flagged
 * samples; several channels (runs, tagged pipelines) show side by side.
 *
 * A browser that connects gets a snapshot of the recent history (bounded per channel, see
 * `DashboardStateConfig`), then batches of updates every `flushMs`.
 *
 * Backpressure policy (a slow or stalled browser never grows memory without bound and never
 * slows ingestion): `publish` only updates the bounded state and appends to each client's queue,
 * O(1) per client, and never waits for a socket. Queued updates coalesce: a step's row replaces
 * the queued row of the same step, a verdict the queued verdict of its channel. Every `flushMs`
 * a client whose socket holds more than `maxBufferedBytes` unsent is skipped; a client whose
 * queue reaches `maxPendingUpdates` has it dropped and is sent one fresh snapshot instead once
 * its socket drains. So a client costs at most `maxPendingUpdates` queued updates plus
 * `maxBufferedBytes` (plus one frame) of socket buffer, whatever the event rate.
 *
 * Security: binds 127.0.0.1 by default and refuses a non-loopback `host` without a `token`; on
 * loopback, requests whose `Host` header is not a loopback name are refused (DNS rebinding);
 * websocket upgrades must come from the page's own origin (or `allowedOrigins`), carry the token
 * when one is set, stay under `maxClients`; browser frames over `maxPayload` close the socket;
 * only GET/HEAD of known paths with URLs under 2 KiB are served; pages carry a strict
 * Content-Security-Policy (no inline script) and the page renders model text with `textContent`.
 *
 * @example
 * const dashboard = await serveDashboard({ port: 7777 });
 * console.log(`dashboard: ${dashboard.url}`);
 * alerts$.pipe(toWebSocket(dashboard, { channel: 'run-a' })).subscribe();
 */
export function serveDashboard(config: ServeDashboardConfig = {}): Promise<DashboardServer> {
  const host = config.host ?? '127.0.0.1';
  const port = config.port ?? 0;
  const token = config.token;
  const maxClients = config.maxClients ?? 64;
  const maxPayload = config.maxPayload ?? 4096;
  const maxBufferedBytes = config.maxBufferedBytes ?? 4 * MIB;
  const maxPendingUpdates = config.maxPendingUpdates ?? 10_000;
  const flushMs = config.flushMs ?? 100;
  const allowedOrigins = new Set(config.allowedOrigins ?? []);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`serveDashboard: port must be an integer in [0, 65535], got ${String(port)}`);
  if (token !== undefined && token.length === 0) throw new RangeError('serveDashboard: token must not be empty');
  const loopback = isLoopback(host);
  if (token === undefined && !loopback) throw new RangeError(`serveDashboard: binding ${host} (not loopback) requires a token`);
  positive('maxClients', maxClients);
  positive('maxPayload', maxPayload);
  positive('maxBufferedBytes', maxBufferedBytes);
  positive('maxPendingUpdates', maxPendingUpdates);
  positive('flushMs', flushMs);
  const state = new DashboardState(config.history);
  const tokenDigest = token === undefined ? undefined : digest(token);
  const page = livePageHtml(config.title);
  const uplot = uplotAssets();
  const assets = new Map<string, readonly [string, string]>([
    ['/assets/uplot.js', ['text/javascript; charset=utf-8', uplot.js]],
    ['/assets/uplot.css', ['text/css; charset=utf-8', uplot.css]],
    ['/assets/dashboard.js', ['text/javascript; charset=utf-8', DASHBOARD_SCRIPT]],
    ['/assets/dashboard.css', ['text/css; charset=utf-8', DASHBOARD_CSS]],
  ]);

  const clients = new Set<Client>();
  let nextClientId = 1;
  let published = 0;
  let refused = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let actualPort = port;

  const enqueue = (client: Client, update: DashboardUpdate): void => {
    if (client.resync) return;
    const slot = slotKey(update);
    if (slot !== undefined) {
      const index = client.slots.get(slot);
      if (index !== undefined) {
        client.pending[index] = update;
        return;
      }
      client.slots.set(slot, client.pending.length);
    }
    client.pending.push(update);
    if (client.pending.length > client.maxPending) client.maxPending = client.pending.length;
    if (client.pending.length >= maxPendingUpdates) {
      client.pending = [];
      client.slots = new Map();
      client.resync = true;
      client.overflows++;
    }
  };

  const broadcast = (updates: readonly DashboardUpdate[]): void => {
    if (clients.size === 0) return;
    for (const client of clients) for (const update of updates) enqueue(client, update);
  };

  const send = (client: Client, text: string): void => {
    client.ws.send(text);
    client.framesSent++;
    client.bytesSent += Buffer.byteLength(text);
  };

  const flushClient = (client: Client): void => {
    if (client.ws.readyState !== client.ws.OPEN) return;
    if (client.ws.bufferedAmount > maxBufferedBytes) {
      client.skippedFlushes++;
      return;
    }
    if (client.resync) {
      client.resync = false;
      client.pending = [];
      client.slots = new Map();
      client.snapshots++;
      send(client, JSON.stringify({ type: 'snapshot', snapshot: state.snapshot() }));
      return;
    }
    if (client.pending.length === 0) return;
    const updates = client.pending;
    client.pending = [];
    client.slots = new Map();
    send(client, JSON.stringify({ type: 'updates', updates }));
  };

  const flushAll = (): void => {
    for (const client of clients) flushClient(client);
  };

  const startTimer = (): void => {
    if (timer !== undefined) return;
    timer = setInterval(flushAll, flushMs);
    timer.unref();
  };
  const stopTimerIfIdle = (): void => {
    if (clients.size > 0 || timer === undefined) return;
    clearInterval(timer);
    timer = undefined;
  };

  const hostAllowed = (request: IncomingMessage): boolean => {
    if (!loopback) return true;
    const hostHeader = request.headers.host;
    if (hostHeader === undefined) return false;
    const allowed = [`127.0.0.1:${actualPort}`, `localhost:${actualPort}`, `[::1]:${actualPort}`, `${host}:${actualPort}`];
    return allowed.includes(hostHeader.toLowerCase());
  };

  const originAllowed = (request: IncomingMessage): boolean => {
    const origin = request.headers.origin;
    if (origin === undefined) return true; // not a browser: the token (if any) and the bind address guard it
    if (allowedOrigins.has(origin)) return true;
    try {
      const parsed = new URL(origin);
      return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.host === request.headers.host?.toLowerCase();
    } catch {
      return false;
    }
  };

  /** What to answer an HTTP request: status, content type, body and extra headers. */
  const answer = (request: IncomingMessage): readonly [number, string, string, Record<string, string>] => {
    const url = request.url ?? '/';
    if (url.length > MAX_URL_LENGTH) return [414, 'text/plain', 'URI too long\n', {}];
    if (request.method !== 'GET' && request.method !== 'HEAD') return [405, 'text/plain', 'method not allowed\n', { allow: 'GET, HEAD' }];
    if (!hostAllowed(request)) return [403, 'text/plain', 'unexpected Host header\n', {}];
    const path = url.split('?')[0] ?? '/';
    if (path === '/' || path === '/index.html') {
      const wsOrigin = `ws://${request.headers.host ?? ''}`;
      const csp = [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        `connect-src 'self' ${wsOrigin} ${wsOrigin.replace('ws://', 'wss://')}`,
        "img-src 'self' data: blob:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].join('; ');
      return [200, 'text/html; charset=utf-8', page, { 'content-security-policy': csp, 'x-frame-options': 'DENY' }];
    }
    const asset = assets.get(path);
    if (asset !== undefined) return [200, asset[0], asset[1], {}];
    return [404, 'text/plain', 'not found\n', {}];
  };

  const serveHttp = (request: IncomingMessage, response: ServerResponse): void => {
    const [status, type, body, extra] = answer(request);
    response.writeHead(status, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      ...extra,
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload, clientTracking: false });
  const server = createServer({ maxHeaderSize: 16 * 1024 }, serveHttp);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  const refusal = (request: IncomingMessage): readonly [number, string] | undefined => {
    if (closed) return [503, 'Service Unavailable'];
    const url = request.url ?? '';
    if (url.length > MAX_URL_LENGTH) return [414, 'URI Too Long'];
    if (url.split('?')[0] !== '/ws') return [404, 'Not Found'];
    if (!hostAllowed(request)) return [403, 'Forbidden'];
    if (tokenDigest !== undefined && !tokenMatches(request, tokenDigest)) return [401, 'Unauthorized'];
    if (!originAllowed(request)) return [403, 'Forbidden'];
    if (clients.size >= maxClients) return [503, 'Service Unavailable'];
    return undefined;
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refused_ = refusal(request);
    if (refused_ !== undefined) {
      refused++;
      socket.end(`HTTP/1.1 ${refused_[0]} ${refused_[1]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const client: Client = {
        id: nextClientId++,
        ws,
        pending: [],
        slots: new Map(),
        resync: true,
        maxPending: 0,
        skippedFlushes: 0,
        snapshots: 0,
        overflows: 0,
        framesSent: 0,
        bytesSent: 0,
      };
      clients.add(client);
      ws.on('error', () => {
        ws.terminate();
      });
      ws.on('close', () => {
        clients.delete(client);
        stopTimerIfIdle();
      });
      // Browsers have nothing to say; frames are read (and size-capped) but ignored.
      flushClient(client);
      startTimer();
    });
  });

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    await Promise.all(
      [...clients].map(
        (client) =>
          new Promise<void>((resolve) => {
            const kill = setTimeout(() => {
              client.ws.terminate();
            }, 1000);
            client.ws.once('close', () => {
              clearTimeout(kill);
              resolve();
            });
            client.ws.close(1001, 'server closing');
          }),
      ),
    );
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    });
  };

  return new Promise<DashboardServer>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      actualPort = address.port;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
      resolve({
        url: `http://${shownHost}:${address.port}/${query}`,
        port: address.port,
        host,
        publish: (item, route) => {
          published++;
          broadcast(state.add(item, route));
        },
        setLengthCap: (channel, lengthCap) => {
          broadcast([state.setLengthCap(channel, lengthCap)]);
        },
        snapshot: () => state.snapshot(),
        stats: () => ({
          clients: clients.size,
          published,
          refused,
          perClient: [...clients].map((client) => ({
            id: client.id,
            pending: client.pending.length,
            maxPending: client.maxPending,
            bufferedAmount: client.ws.bufferedAmount,
            skippedFlushes: client.skippedFlushes,
            snapshots: client.snapshots,
            overflows: client.overflows,
            framesSent: client.framesSent,
            bytesSent: client.bytesSent,
          })),
        }),
        close,
      });
    });
  });
}

/** Key under which an update replaces a queued one, or undefined when updates must all be kept. */
function slotKey(update: DashboardUpdate): string | undefined {
  switch (update.kind) {
    case 'row':
      return `r\u0000${update.channel}\u0000${update.row.step}`;
    case 'verdict':
      return `v\u0000${update.channel}`;
    case 'meta':
      return `m\u0000${update.channel}`;
    default:
      return undefined;
  }
}

function positive(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`serveDashboard: ${name} must be a positive integer, got ${String(value)}`);
}


import { asyncScheduler, defer, Observable, retry, throwError, timer, type SchedulerLike } from 'rxjs';
import WebSocket, { type RawData } from 'ws';
import type { Ingested } from './ingested.js';
import { decodeFrame, problemItem, rawText } from './ws-frame.js';

export interface BackoffConfig {
  /** Delay before the first reconnection, ms. Default 250. */
  readonly initialMs?: number;
  /** Longest delay between attempts, ms. Default 30,000. */
  readonly maxMs?: number;
  /** Growth of the delay per failed attempt. Default 2. */
  readonly factor?: number;
}

export interface FromWebSocketConfig {
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  readonly backoff?: BackoffConfig;
  /** Reconnection attempts in a row before the stream errors. Default: unlimited. */
  readonly maxRetries?: number;
  /** Largest accepted frame in bytes. Default 16 MiB. */
  readonly maxPayload?: number;
  /** Scheduler of the backoff timers (for virtual-time tests). Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Jitter source in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

/**
 * Why a connection ended abnormally: `code` is the websocket close code (1006 when the
 * connection dropped); `status` is the HTTP status when the server refused the upgrade.
 */
export class WebSocketClosedError extends Error {
  constructor(
    readonly url: string,
    readonly code: number,
    reason: string,
    readonly status?: number,
  ) {
    super(`${url} ${status === undefined ? `closed with code ${code}` : `refused the connection with HTTP ${status}`}${reason === '' ? '' : ` (${reason})`}`);
    this.name = 'WebSocketClosedError';
  }
}

/**
 * Reads goodhart records that a websocket server pushes (JSON text frames holding one record or
 * an array), as a cold stream of `Ingested` items: each subscription opens its own connection.
 * Bad frames become `problem` items (`source` = the URL, `line` = the frame number, counted
 * across reconnections).
 *
 * Reconnection: when the connection fails or ends with any code but 1000, it reconnects after
 * `min(maxMs, initialMs * factor^(attempt-1))` ms scaled by a jitter in [0.5, 1) ("equal
 * jitter", so many clients do not reconnect in lockstep); a connection that delivered a frame
 * resets the attempt count. After `maxRetries` failed attempts in a row the stream errors with
 * the last error. A refusal with HTTP 401 or 403 (wrong or missing token, origin) errors at once,
 * since retrying cannot fix it. A normal close (1000) completes the stream: the server said it is
 * done. Unsubscribing closes the socket.
 *
 * @example
 * fromWebSocket('ws://trainer-host:7071', { token, backoff: { initialMs: 500 } })
 *   .subscribe((item) => { if (item.kind === 'event') console.log(item.event.reward); });
 */
export function fromWebSocket(url: string, config: FromWebSocketConfig = {}): Observable<Ingested> {
  const initialMs = config.backoff?.initialMs ?? 250;
  const maxMs = config.backoff?.maxMs ?? 30_000;
  const factor = config.backoff?.factor ?? 2;
  const maxRetries = config.maxRetries ?? Infinity;
  const maxPayload = config.maxPayload ?? 16 * 1024 * 1024;
  const scheduler = config.scheduler ?? asyncScheduler;
  const random = config.random ?? Math.random;
  if (!/^wss?:\/\//.test(url)) throw new TypeError(`fromWebSocket: url must start with ws:// or wss://, got ${JSON.stringify(url)}`);
  if (!(initialMs >= 0) || !(maxMs >= initialMs)) throw new RangeError(`fromWebSocket: need 0 <= backoff.initialMs <= backoff.maxMs, got ${initialMs} and ${maxMs}`);
  if (!(factor >= 1)) throw new RangeError(`fromWebSocket: backoff.factor must be >= 1, got ${factor}`);
  if (!(maxRetries >= 0)) throw new RangeError(`fromWebSocket: maxRetries must be >= 0, got ${maxRetries}`);
  const source = withoutToken(url);
  const headers = config.token === undefined ? undefined : { authorization: `Bearer ${config.token}` };

  return defer(() => {
    let frame = 0; // per subscription, across reconnections
    const connection = new Observable<Ingested>((subscriber) => {
      const socket = new WebSocket(url, headers === undefined ? { maxPayload } : { maxPayload, headers });
      let failure: Error | undefined;
      let refusedWith: number | undefined;
      socket.on('unexpected-response', (_request, response) => {
        refusedWith = response.statusCode;
        socket.terminate();
      });
      socket.on('message', (data: RawData, isBinary: boolean) => {
        frame++;
        const items = isBinary ? [problemItem(source, frame, 'binary frame: expected JSON text frames', '')] : decodeFrame(rawText(data), source, frame);
        for (const item of items) subscriber.next(item);
      });
      socket.on('error', (error) => {
        failure = error;
      });
      socket.on('close', (code: number, reason: Buffer) => {
        if (code === 1000) subscriber.complete();
        else if (refusedWith !== undefined) subscriber.error(new WebSocketClosedError(source, code, '', refusedWith));
        else subscriber.error(failure ?? new WebSocketClosedError(source, code, reason.toString('utf8')));
      });
      return () => {
        socket.removeAllListeners();
        socket.on('error', () => undefined); // a late error after teardown must not crash the process
        if (socket.readyState === WebSocket.OPEN) socket.close(1000);
        else socket.terminate();
      };
    });
    return connection.pipe(
      retry({
        count: maxRetries,
        resetOnSuccess: true,
        delay: (error: unknown, attempt: number) =>
          error instanceof WebSocketClosedError && (error.status === 401 || error.status === 403)
            ? throwError(() => error)
            : timer(backoffDelay(attempt, initialMs, maxMs, factor, random), scheduler),
      }),
    );
  });
}

/** Delay before reconnection `attempt` (1-based): exponential, capped, with equal jitter. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, factor: number, random: () => number): number {
  const exponential = Math.min(maxMs, initialMs * factor ** (attempt - 1));
  return exponential * (0.5 + random() / 2);
}

function withoutToken(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.searchParams.delete('token');
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

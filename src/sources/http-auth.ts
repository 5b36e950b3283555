/**
 * The access checks both goodhart servers (websocket ingest and the dashboard) apply before they
 * accept a connection: which hosts count as loopback, and a shared-secret token compared in
 * constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** True for names and addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** SHA-256 of a secret: tokens are compared as fixed-length digests. */
export function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/**
 * Whether the request offers the token (an `Authorization: Bearer` header, else a `?token=`
 * query parameter). Compares digests in constant time, so response timing does not reveal it.
 */
export function tokenMatches(request: IncomingMessage, expected: Buffer): boolean {
  const header = request.headers.authorization;
  let offered: string | undefined;
  if (header?.startsWith('Bearer ') === true) offered = header.slice('Bearer '.length).trim();
  else {
    const query = (request.url ?? '').split('?')[1];
    if (query !== undefined) offered = new URLSearchParams(query).get('token') ?? undefined;
  }
  return offered !== undefined && timingSafeEqual(digest(offered), expected);
}

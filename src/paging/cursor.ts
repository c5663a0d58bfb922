import { createHash } from 'node:crypto';

/**
 * Connection cursors: opaque to clients, versioned, and bound to the list they were issued for.
 *
 * A v1 cursor names an item's offset in one sorted, filtered upstream list. It carries a short
 * fingerprint of that list's upstream query (filter and sort), so a cursor sent back with another
 * filter or order is refused instead of silently pointing into a different list.
 *
 * Format: base64url("v1:" + offset + ":" + fingerprint).
 */

const VERSION = 'v1';

/** 12 hex digits of SHA-256 over the list's canonical query key: computed once per connection. */
export function listFingerprint(listKey: string): string {
  return createHash('sha256').update(listKey).digest('hex').slice(0, 12);
}

export function encodeCursor(offset: number, fingerprint: string): string {
  return Buffer.from(`${VERSION}:${offset}:${fingerprint}`).toString('base64url');
}

export type CursorDecodeResult =
  | { ok: true; offset: number }
  | { ok: false; reason: 'malformed' | 'other-list' };

export function decodeCursor(cursor: string, fingerprint: string): CursorDecodeResult {
  if (cursor.length === 0 || cursor.length > 64 || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    return { ok: false, reason: 'malformed' };
  }
  const match = /^v1:(0|[1-9]\d{0,14}):([0-9a-f]{12})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!match) return { ok: false, reason: 'malformed' };
  if (match[2] !== fingerprint) return { ok: false, reason: 'other-list' };
  return { ok: true, offset: Number(match[1]) };
}

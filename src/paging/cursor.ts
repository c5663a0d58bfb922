import { hash } from 'node:crypto';
import { compareTimestamps, instantOf } from './start-time';

/**
 * Connection cursors: opaque to clients, versioned, and bound to the list they were issued for.
 *
 * A cursor names a position in the list's order, not an offset, so it stays exact while backups
 * are added and expire: the boundary item's `start_timestamp` and identity, and where the item sat
 * among the items sharing that start time. Clumio sorts by start time only and orders ties its own
 * way; the ranks and the neighbours' identities let the gateway find the boundary among its ties
 * again (keyset.ts explains how each field is used). It also remembers the item's offset in the
 * list when it was issued, so the next page can be read where the item probably still is, from the
 * caller's own list (offset-seek.ts). Everything but the start time and identity is a hint, checked
 * against what Clumio returns before it is relied on.
 *
 * Each cursor also carries a short fingerprint of the list's upstream query (filter and sort), so a
 * cursor sent back with another filter or order is refused instead of pointing into another list.
 *
 * Format v3: base64url("v3|" + fingerprint + "|" + startTimestamp + "|" + floor + "|" + rankFromStart
 *   + "|" + rankFromEnd + "|" + offset + "|" + identity + "|" + tiedBefore + "|" + tiedAfter),
 * lists comma-separated, floor "" when unknown and "~" when nothing lay below, offset "" when
 * unknown. At most ~260 characters, whatever the IDs and however many items tie.
 *
 * v2 cursors (issued before offsets were remembered) are still read: their `lengthHint` (where the
 * list up to the item's last tie ended) gives the offset when the item's rank from the end is known.
 * v1 cursors (bare offsets) are recognised and refused: an offset may have moved since it was
 * issued, and serving from it alone is exactly the repeat-or-skip positions exist to prevent.
 */

const VERSION = 'v3';
const IDENTITY = /^[0-9a-f]{10}$/;
const COUNT = /^(0|[1-9]\d{0,8})$/;
/** How many tied neighbours a cursor remembers on each side of its boundary item. */
export const TIED_NEIGHBOURS = 2;
const MAX_CURSOR_LENGTH = 320;

/** A position in a sorted list, as a cursor carries it. */
export interface CursorPosition {
  /** The boundary item's `start_timestamp`, exactly as Clumio sent it. */
  startTimestamp: string;
  /** The boundary item's identity: see identityOf. */
  identity: string;
  /** 1-based rank of the boundary among the items sharing its start time, from the first of them in the list's order; 0 when not known. */
  rankFromStart: number;
  /** The same rank counted from the last of them; 0 when not known. */
  rankFromEnd: number;
  /**
   * The latest start time below the boundary's in the list when the cursor was issued, so that
   * `$gt floor` selects all of the boundary's ties and nothing earlier. null: nothing lay below it;
   * undefined: not known.
   */
  floor: string | null | undefined;
  /** Identities of up to TIED_NEIGHBOURS tied items just before the boundary, nearest last. */
  tiedBefore: string[];
  /** Identities of up to TIED_NEIGHBOURS tied items just after the boundary, nearest first. */
  tiedAfter: string[];
  /** The boundary item's offset in the list (filter and order) when the cursor was issued, if known. */
  offset: number | undefined;
}

/** 12 hex digits of SHA-256 over the list's canonical query key: computed once per connection. */
export function listFingerprint(listKey: string): string {
  return hash('sha256', listKey, 'hex').slice(0, 12);
}

/** 40 bits of SHA-256 of a Clumio ID: enough to tell apart the few items that share a start time. */
export function identityOf(id: string | null | undefined): string {
  return hash('sha256', `id:${id ?? ''}`, 'hex').slice(0, 10);
}

export function encodeCursor(position: CursorPosition, fingerprint: string): string {
  const floor = position.floor === undefined ? '' : position.floor === null ? '~' : position.floor;
  const fields = [
    VERSION,
    fingerprint,
    position.startTimestamp,
    floor,
    position.rankFromStart,
    position.rankFromEnd,
    position.offset ?? '',
    position.identity,
    position.tiedBefore.join(','),
    position.tiedAfter.join(','),
  ];
  return Buffer.from(fields.join('|')).toString('base64url');
}

export type CursorDecodeResult =
  | { ok: true; position: CursorPosition }
  | { ok: false; reason: 'malformed' | 'other-list' | 'outdated' };

const MALFORMED = { ok: false, reason: 'malformed' } as const;

export function decodeCursor(cursor: string, fingerprint: string): CursorDecodeResult {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return MALFORMED;
  const text = Buffer.from(cursor, 'base64url').toString('latin1');
  if (/^v1:(0|[1-9]\d{0,14}):[0-9a-f]{12}$/.test(text)) return { ok: false, reason: 'outdated' };
  const fields = text.split('|');
  if (fields.length !== 10) return MALFORMED;
  const [version, mintedFor, startTimestamp, floorText, fromStart, fromEnd, hint, identity, before, after] = fields as [
    string, string, string, string, string, string, string, string, string, string,
  ];
  if ((version !== VERSION && version !== 'v2') || !/^[0-9a-f]{12}$/.test(mintedFor)) return MALFORMED;
  if (!instantOf(startTimestamp) || !COUNT.test(fromStart) || !COUNT.test(fromEnd)) return MALFORMED;
  // v3: the offset or ""; v2: the list's length up to the item's last tie (0 when not known).
  if (!(COUNT.test(hint) || (version === VERSION && hint === ''))) return MALFORMED;
  if (!IDENTITY.test(identity)) return MALFORMED;
  const tiedBefore = identities(before);
  const tiedAfter = identities(after);
  if (!tiedBefore || !tiedAfter) return MALFORMED;
  let floor: string | null | undefined;
  if (floorText === '~') floor = null;
  else if (floorText !== '') {
    // A floor must lie below the start time, or `$gt floor` would drop the boundary's own ties.
    if (!instantOf(floorText) || compareTimestamps(floorText, startTimestamp) >= 0) return MALFORMED;
    floor = floorText;
  }
  if (mintedFor !== fingerprint) return { ok: false, reason: 'other-list' };
  const rankFromEnd = Number(fromEnd);
  let offset: number | undefined;
  if (version === VERSION) offset = hint === '' ? undefined : Number(hint);
  else if (Number(hint) > 0 && rankFromEnd > 0 && Number(hint) >= rankFromEnd) offset = Number(hint) - rankFromEnd;
  return {
    ok: true,
    position: {
      startTimestamp,
      identity,
      rankFromStart: Number(fromStart),
      rankFromEnd,
      floor,
      tiedBefore,
      tiedAfter,
      offset,
    },
  };
}

function identities(text: string): string[] | undefined {
  if (text === '') return [];
  const list = text.split(',');
  return list.length <= TIED_NEIGHBOURS && list.every((id) => IDENTITY.test(id)) ? list : undefined;
}

import { BadUserInputError } from '../errors';
import { decodeCursor } from './cursor';
import type { CursorPosition } from './cursor';
import { compareTimestamps, oneSecondBefore } from './start-time';

/**
 * Relay connection arguments → what to read and which slice of it to serve. Pure; validates
 * everything before any upstream call.
 *
 * Cursors become `start_timestamp` bounds on the list Clumio is asked for, so the list read begins
 * with the ties of `after`'s item and ends with the ties of `before`'s (Clumio offers only `$lte`
 * and `$gt`):
 *
 *   newest first (DESC): after T → `$lte T`;       before T → `$gt floor`
 *   oldest first (ASC):  after T → `$gt floor`;    before T → `$lte T`
 *
 * where floor is the latest start time below T when the cursor was issued, so `$gt floor` still
 * selects every item that starts at T. (When the cursor does not know it, one second before T:
 * exact for whole-second start times, and anything else it lets in is recognised by its start time.)
 * The bounds are intersected with the caller's own filter: the later `$gt` and earlier `$lte` win.
 * keyset.ts then finds the cursor's item among its ties and serves the items past it.
 */

export const MAX_PAGE_ITEMS = 100;
export const DEFAULT_PAGE_ITEMS = 10;

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export type Direction = 'ASC' | 'DESC';

/** `start_timestamp` bounds of a list: `$lte` and `$gt`, RFC 3339 text. */
export interface StartTimeBounds {
  lte?: string | undefined;
  gt?: string | undefined;
}

export interface ConnectionPlan {
  direction: Direction;
  /** Serve items after this position... */
  after?: CursorPosition | undefined;
  /** ...and before this one. */
  before?: CursorPosition | undefined;
  /** Serve the first or the last `count` items between them. */
  take: 'first' | 'last';
  count: number;
  /** The caller's own bounds (its filter): the caller's list. */
  callerBounds: StartTimeBounds;
  /** The caller's bounds narrowed by both cursors: the list to read. */
  bounds: StartTimeBounds;
  /** The caller's bounds narrowed by `after` alone / `before` alone (for pageInfo's "anything outside?"). */
  afterBounds: StartTimeBounds;
  beforeBounds: StartTimeBounds;
}

function checkCount(name: 'first' | 'last', value: number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_ITEMS) {
    throw new BadUserInputError(`\`${name}\` must be an integer from 0 to ${MAX_PAGE_ITEMS}; got ${value}.`, name);
  }
  return value;
}

const REFUSALS = {
  malformed: (name: string) =>
    `\`${name}\` is not a cursor this API issued: pass an edge \`cursor\`, \`startCursor\` or \`endCursor\` unchanged.`,
  'other-list': (name: string) =>
    `\`${name}\` was issued for a different filter or order: send it with the filter and orderBy it came from, or restart paging without a cursor.`,
  outdated: (name: string) =>
    `\`${name}\` comes from an earlier version of this API whose cursors could repeat or skip backups while the list changed: restart paging without a cursor.`,
};

function checkCursor(name: 'after' | 'before', cursor: string | null | undefined, fingerprint: () => string): CursorPosition | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const decoded = decodeCursor(cursor, fingerprint());
  if (decoded.ok) return decoded.position;
  throw new BadUserInputError(REFUSALS[decoded.reason](name), name);
}

/** The `$gt` bound that keeps all of a position's ties; undefined when nothing lies below them. */
function floorBound(position: CursorPosition): string | undefined {
  if (position.floor === null) return undefined;
  return position.floor ?? oneSecondBefore(position.startTimestamp);
}

const earlier = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : compareTimestamps(b, a) < 0 ? b : a;
const later = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : compareTimestamps(b, a) > 0 ? b : a;

/** The caller's bounds narrowed so the list begins with `after`'s ties and ends with `before`'s. */
export function boundsFor(
  caller: StartTimeBounds,
  direction: Direction,
  after: CursorPosition | undefined,
  before: CursorPosition | undefined,
): StartTimeBounds {
  let { lte, gt } = caller;
  // Newest first, the list's start is its upper end; oldest first, its lower end.
  const [upper, lower] = direction === 'DESC' ? [after, before] : [before, after];
  if (upper) lte = earlier(lte, upper.startTimestamp);
  if (lower) gt = later(gt, floorBound(lower));
  return { ...(lte === undefined ? {} : { lte }), ...(gt === undefined ? {} : { gt }) };
}

export function planConnection(
  args: ConnectionArgs,
  caller: StartTimeBounds,
  direction: Direction,
  /** The list's fingerprint (cursor.ts), asked for only when there is a cursor to check. */
  fingerprint: () => string,
): ConnectionPlan {
  const first = checkCount('first', args.first);
  const last = checkCount('last', args.last);
  if (first !== undefined && last !== undefined) {
    throw new BadUserInputError(
      '`first` and `last` cannot be combined: page forward with `first`/`after` or backward with `last`/`before`.',
      'first',
    );
  }
  const after = checkCursor('after', args.after, fingerprint);
  const before = checkCursor('before', args.before, fingerprint);

  // Neither count: the first 10, or with only `before`, the 10 before it.
  const backward = last !== undefined || (first === undefined && before !== undefined && after === undefined);
  return {
    direction,
    after,
    before,
    take: backward ? 'last' : 'first',
    count: first ?? last ?? DEFAULT_PAGE_ITEMS,
    callerBounds: boundsFor(caller, direction, undefined, undefined),
    bounds: boundsFor(caller, direction, after, before),
    afterBounds: boundsFor(caller, direction, after, undefined),
    beforeBounds: boundsFor(caller, direction, undefined, before),
  };
}

import type { ConnectionPlan } from './connection-window';
import type { CursorPosition } from './cursor';
import { isPositionAt } from './keyset';
import type { KeyedItem, ListView, ResolvedWindow, Step } from './keyset';
import { planPages, unloadedRanges } from './page-planner';
import type { OffsetRange } from './page-planner';

/**
 * The page next to a cursor, read from the caller's own list at the offset the cursor remembers.
 * Pure: no I/O; the caller fetches what a step asks for and calls again.
 *
 * Keyset paging (keyset.ts) reads a list cut at the cursor's start time, which Clumio counts on its
 * own: a page that also shows `totalCount` then costs a second call, for the caller's whole list.
 * Here the page is read from the caller's list itself, whose `total_count` is the answer, in one
 * call: a slice around where the cursor's item was when the cursor was issued, with room for it to
 * have moved. The item is recognised there by its start time and identity, exactly as keyset paging
 * recognises it, and the page is cut next to it: the same exact answer, whatever arrived or expired,
 * provided the item is still inside the slice. When it is not there (it moved further, or it is
 * gone), the step says `lost` and the caller pages by keyset as before, with the count already read.
 *
 * The room is lopsided because lists change at their ends: newest first, backups arriving ahead of
 * the cursor move its item to higher offsets; oldest first, backups expiring ahead of it move it to
 * lower ones. Items removed or inserted on the other side of it (a deleted backup, a late insert)
 * are rarer and get a little room.
 */

/**
 * Items the cursor's item may have moved the way its list usually changes, and still be found at
 * once. Room costs parsing: with 10, a 20-item page reads about 39 items on average (aligned pages
 * often hold more), with 20 about 49, against 26 with none; 10 covers the backups that land while a
 * person reads a page, and a busier list pays one more call, not a wrong page.
 */
export const USUAL_SHIFT = 10;
/** ...and the other way. */
export const UNUSUAL_SHIFT = 2;

/** The cursor a seek starts from, when the plan can be served that way at all. */
function seekCursor(plan: ConnectionPlan): CursorPosition | undefined {
  if (plan.after && plan.before) return undefined;
  const cursor = plan.take === 'first' ? plan.after : plan.before;
  return cursor?.offset === undefined ? undefined : cursor;
}

/**
 * Whether to read the page by offset from the caller's list. `before`: always when the cursor knows
 * its offset (keyset paging must learn where the list before the cursor ends, and aims at the same
 * offset without room to move). `after`: only when the operation also asks for `totalCount`, since
 * keyset paging after a cursor costs one call under any change, and reads fewer items.
 */
export function seeksByOffset(plan: ConnectionPlan, totalCountSelected: boolean): boolean {
  const cursor = seekCursor(plan);
  if (!cursor) return false;
  return plan.take === 'last' || totalCountSelected;
}

/** The same plan without the cursors' offsets: what keyset paging gets once a seek lost the item. */
export function withoutOffsets(plan: ConnectionPlan): ConnectionPlan {
  const drop = (p: CursorPosition | undefined) => (p === undefined ? undefined : { ...p, offset: undefined });
  return { ...plan, after: drop(plan.after), before: drop(plan.before) };
}

/**
 * The slice to read: the cursor's item and the page next to it at their remembered offsets, with
 * room on both sides; less room when the full room would take more upstream pages than none.
 */
export function seekRange(plan: ConnectionPlan, maxPageSize: number): OffsetRange {
  const cursor = seekCursor(plan);
  if (!cursor) throw new Error('seekRange: the plan has no cursor with an offset');
  const at = cursor.offset as number;
  const required = plan.take === 'first' ? { from: at, to: at + 1 + plan.count } : { from: Math.max(0, at - plan.count), to: at + 1 };
  const [up, down] = plan.direction === 'DESC' ? [USUAL_SHIFT, UNUSUAL_SHIFT] : [UNUSUAL_SHIFT, USUAL_SHIFT];
  const fewest = planPages([required], maxPageSize).length;
  for (const share of [1, 0.5, 0.25]) {
    const range = { from: Math.max(0, required.from - Math.round(down * share)), to: required.to + Math.round(up * share) };
    if (planPages([range], maxPageSize).length <= fewest) return range;
  }
  return required;
}

/** One step: the offsets of the caller's list to fetch, the page, or `lost` (page by keyset instead). */
export function seekByOffset<T extends KeyedItem>(plan: ConnectionPlan, view: ListView<T>, maxPageSize: number): Step<T> | { kind: 'lost' } {
  const cursor = seekCursor(plan) as CursorPosition;
  const range = seekRange(plan, maxPageSize);
  const total = view.total;
  if (total === undefined) return { kind: 'fetch', ranges: [range] };
  const unread = unloadedRanges(range.from, Math.min(range.to, total), (offset) => view.item(offset) !== undefined);
  if (unread.length > 0) return { kind: 'fetch', ranges: unread };

  // Everything fetched is searched (an aligned page often holds more than the range).
  let found: number | undefined;
  const end = Math.min(total, range.to + maxPageSize);
  for (let offset = Math.max(0, range.from - maxPageSize); offset < end && found === undefined; offset++) {
    if (isPositionAt(view.item(offset), cursor)) found = offset;
  }
  if (found === undefined) return { kind: 'lost' };

  const forward = plan.take === 'first';
  const from = forward ? found + 1 : Math.max(0, found - plan.count);
  const to = forward ? Math.min(total, found + 1 + plan.count) : found;
  const missing = unloadedRanges(from, to, (offset) => view.item(offset) !== undefined);
  if (missing.length > 0) return { kind: 'fetch', ranges: missing };

  const items: T[] = [];
  for (let offset = from; offset < to; offset++) items.push(view.item(offset) as T);
  const window: ResolvedWindow = {
    from,
    to,
    total,
    afterAt: forward ? found : undefined,
    beforeAt: forward ? undefined : found,
    readFrom: 'caller',
    // The cursor's own item lies on its side of the page.
    hasPreviousPage: forward || from > 0,
    hasNextPage: !forward || to < total,
  };
  return { kind: 'page', window, items };
}

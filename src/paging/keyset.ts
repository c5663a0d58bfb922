import { BadUserInputError } from '../errors';
import type { ConnectionPlan } from './connection-window';
import { identityOf, TIED_NEIGHBOURS } from './cursor';
import type { CursorPosition } from './cursor';
import { mergeRanges, unloadedRanges } from './page-planner';
import type { OffsetRange } from './page-planner';
import { compareInstants, instantOf } from './start-time';
import type { Instant } from './start-time';

/**
 * Keyset paging over Clumio's page-numbered list. Pure: no I/O; the caller fetches what a step asks
 * for and calls again.
 *
 * The list read (connection-window.ts) is the caller's list cut by start time so that it begins with
 * the ties of `after`'s item T and ends with the ties of `before`'s. In it:
 *
 *   after:  [items before T, only if the floor was a guess] [ties of T: …, a, …] [items past T …]
 *   before: [… items before T] [ties of T: …, b, …] [items past T, only if the floor was a guess]
 *
 * `a` is expected at offset rankFromStart − 1 and `b` at length − rankFromEnd. The step fetches that
 * one item together with the page next to it, in one request whenever a page size holds both. When
 * the item found there is the cursor's own (same identity and start time), everything before it in
 * the list was before it when the cursor was issued and everything after it was after: the page is
 * exact. This relies on one property of Clumio: it orders items with equal start times the same way
 * in every response for the same sort (whatever the start-time bounds), and adding or removing other
 * items does not reorder them, as any fixed tie-break does. It does not rely on what that order is
 * (the emulator orders ties by ID; Clumio may not) nor on ASC being DESC reversed.
 *
 * When the item is not there (ties of T were added or removed, or the floor was a guess that let in
 * earlier items), the step reads the whole run of T's ties, recognises items by start time and
 * identity, and cuts just past the cursor's item, or, if it is gone, just past the nearest surviving
 * tied neighbour the cursor remembers (or just before the nearest one after it). If none survives,
 * the ties left are all unserved when the cursor remembers every tie already served with it;
 * otherwise the cursor is refused with BAD_USER_INPUT: a refusal, never a page that repeats or skips.
 */

/** What the paging code reads of an item. */
export interface KeyedItem {
  id?: string | null;
  start_timestamp?: string | null;
}

/**
 * An item's start time as an instant, and its identity (cursor.ts), each computed once per item: a
 * page's cursors compare every item with its neighbours. Kept beside the item itself (a WeakMap:
 * they go when the request's items go).
 */
const startInstants = new WeakMap<KeyedItem, Instant | null>();
const identities = new WeakMap<KeyedItem, string>();

function startOf(item: KeyedItem | undefined): Instant | undefined {
  if (item === undefined) return undefined;
  let instant = startInstants.get(item);
  if (instant === undefined) startInstants.set(item, (instant = instantOf(item.start_timestamp) ?? null));
  return instant ?? undefined;
}

function identityOfItem(item: KeyedItem | undefined): string {
  if (item === undefined) return identityOf(undefined);
  let identity = identities.get(item);
  if (identity === undefined) identities.set(item, (identity = identityOf(item.id)));
  return identity;
}

/** What is known so far of the list being read. */
export interface ListView<T extends KeyedItem> {
  /** Items in the list (Clumio's total_count), once any page has been fetched. */
  readonly total: number | undefined;
  /** The item at an offset, or undefined when not fetched (or past the end). */
  item(offset: number): T | undefined;
}

/** The slice to serve, and what pageInfo needs. */
export interface ResolvedWindow {
  /** Served offsets, [from, to). */
  from: number;
  to: number;
  total: number;
  /** Offsets of the cursors' own items where they were found (for minting cursors next to them). */
  afterAt?: number | undefined;
  beforeAt?: number | undefined;
  /**
   * Which list the offsets are of: the list read cut by the cursors (keyset paging) or the caller's
   * own list (offset-seek.ts).
   */
  readFrom: 'cut' | 'caller';
  /**
   * Whether the caller's list holds items before / after the page (whatever the arguments, as the
   * gateway has always answered), or 'outside' when the list read holds none on that side and the
   * answer is "does the caller's list hold items beyond the list read?", which only a count tells.
   * With the cursor's own item found, it is itself such an item: no count is needed.
   */
  hasPreviousPage: boolean | 'outside';
  hasNextPage: boolean | 'outside';
}

/** Fetch `ranges` of the list read (none: just learn its length), or serve the page. */
export type Step<T extends KeyedItem> =
  | { kind: 'fetch'; ranges: OffsetRange[] }
  | { kind: 'page'; window: ResolvedWindow; items: T[] };

/**
 * Where the served stretch begins or ends (undefined: not known yet), where the cursor's own item
 * was found, and what to fetch before `at` is certain.
 */
interface Edge {
  at: number | undefined;
  anchor?: number | undefined;
  needs: OffsetRange[];
}

class KeysetReader<T extends KeyedItem> {
  constructor(
    private readonly plan: ConnectionPlan,
    private readonly view: ListView<T>,
    private readonly scanSize: number,
  ) {}

  /** < 0, 0, > 0 as the item comes before, with, or after start time `t` in the list's order. */
  relation(offset: number, t: Instant): number {
    const instant = startOf(this.view.item(offset));
    if (!instant) return 1;
    const c = compareInstants(instant, t);
    return this.plan.direction === 'ASC' ? c : -c;
  }

  isAt(offset: number, position: CursorPosition): boolean {
    return isPositionAt(this.view.item(offset), position);
  }

  /** Start of the stretch: just past `after`'s item. */
  start(): Edge {
    const a = this.plan.after;
    if (!a) return { at: 0, needs: [] };
    const total = this.view.total;
    const expected = a.rankFromStart - 1;
    if (expected >= 0 && (total === undefined || expected < total)) {
      if (this.view.item(expected) === undefined) {
        return { at: expected + 1, needs: [{ from: expected, to: expected + 1 }] };
      }
      if (this.isAt(expected, a)) return { at: expected + 1, anchor: expected, needs: [] };
    }
    // Read the run of T's ties from the list's start (past any earlier items a guessed floor let in).
    const ties: number[] = [];
    let offset = 0;
    for (; total === undefined || offset < total; offset++) {
      if (this.view.item(offset) === undefined) return { at: undefined, needs: [this.chunk(offset, +1)] };
      const r = this.relation(offset, at(a));
      if (r > 0) break;
      if (r === 0) ties.push(offset);
    }
    return this.cut('after', a, ties, offset);
  }

  /** End of the stretch: `before`'s item (exclusive), or the list's end. */
  end(): Edge {
    const b = this.plan.before;
    const total = this.view.total;
    if (!b) return { at: total, needs: [] };
    if (total === undefined) {
      // A page before a cursor ends where the list ends, which only a response tells; the cursor's
      // offset lets the first request aim at it (the list read begins where the caller's does, so
      // the offset is the same in both; valid while nothing before the cursor changed).
      if (b.offset !== undefined && !this.plan.after) return { at: b.offset, needs: [{ from: b.offset, to: b.offset + 1 }] };
      return { at: undefined, needs: [] };
    }
    const expected = total - b.rankFromEnd;
    if (b.rankFromEnd > 0 && expected >= 0) {
      if (this.view.item(expected) === undefined) return { at: expected, needs: [{ from: expected, to: expected + 1 }] };
      if (this.isAt(expected, b)) return { at: expected, anchor: expected, needs: [] };
    }
    const ties: number[] = [];
    let offset = total - 1;
    for (; offset >= 0; offset--) {
      if (this.view.item(offset) === undefined) return { at: undefined, needs: [this.chunk(offset, -1)] };
      const r = this.relation(offset, at(b));
      if (r < 0) break;
      if (r === 0) ties.unshift(offset);
    }
    return this.cut('before', b, ties, offset + 1);
  }

  /**
   * Where to cut the run of T's ties (`ties`, offsets in list order) once the cursor's item was not
   * where expected. `past` is where the run would be if no tie survives: the first item past T for
   * `after`, the first item at or past T for `before`.
   */
  private cut(name: 'after' | 'before', p: CursorPosition, ties: number[], past: number): Edge {
    const tieIdentities = ties.map((offset) => identityOfItem(this.view.item(offset)));
    const own = tieIdentities.indexOf(p.identity);
    // The cursor's item itself, then its nearest surviving neighbours: ties keep their order.
    let cutAt: number | undefined;
    if (own >= 0) cutAt = name === 'after' ? (ties[own] as number) + 1 : ties[own];
    else {
      const before = lastIndexWhere(tieIdentities, (id) => p.tiedBefore.includes(id));
      const after = tieIdentities.findIndex((id) => p.tiedAfter.includes(id));
      if (before >= 0) cutAt = (ties[before] as number) + 1;
      else if (after >= 0) cutAt = ties[after];
      else if (ties.length === 0) cutAt = past;
      else if (knowsServedSide(name, p)) {
        // Every tie already served with the cursor's item is gone: those left were not served yet, or
        // arrived since. Serve them.
        cutAt = name === 'after' ? ties[0] : (ties[ties.length - 1] as number) + 1;
      }
    }
    if (cutAt === undefined) {
      throw new BadUserInputError(
        `The backups that started at ${p.startTimestamp} changed too much since \`${name}\` was issued to find its place among them: restart paging without a cursor.`,
        name,
      );
    }
    return { at: cutAt, anchor: own >= 0 ? ties[own] : undefined, needs: [] };
  }

  /** The next scan request from `offset`, going forward (+1) or backward (−1). */
  private chunk(offset: number, step: 1 | -1): OffsetRange {
    const total = this.view.total ?? Infinity;
    return step > 0
      ? { from: offset, to: Math.min(offset + this.scanSize, total) }
      : { from: Math.max(0, offset - this.scanSize + 1), to: offset + 1 };
  }

  missing(from: number, to: number): OffsetRange[] {
    return unloadedRanges(from, Math.min(to, this.view.total ?? Infinity), (offset) => this.view.item(offset) !== undefined);
  }
}

/** A cursor's start time as an instant (valid: decodeCursor checked it), computed once per cursor. */
const positionInstants = new WeakMap<CursorPosition, Instant>();
function at(position: CursorPosition): Instant {
  let instant = positionInstants.get(position);
  if (instant === undefined) positionInstants.set(position, (instant = instantOf(position.startTimestamp) as Instant));
  return instant;
}

/** Is `item` the cursor's own item: the same start time (as an instant) and the same identity? */
export function isPositionAt(item: KeyedItem | undefined, position: CursorPosition): boolean {
  if (item === undefined) return false;
  // The same text is the same instant; other texts are compared as instants.
  if (item.start_timestamp !== position.startTimestamp) {
    const start = startOf(item);
    if (start === undefined || compareInstants(start, at(position)) !== 0) return false;
  }
  return identityOfItem(item) === position.identity;
}

/** Does the cursor remember every tie on its served side (before it for `after`, after it for `before`)? */
function knowsServedSide(name: 'after' | 'before', p: CursorPosition): boolean {
  return name === 'after'
    ? p.rankFromStart > 0 && p.tiedBefore.length === p.rankFromStart - 1
    : p.rankFromEnd > 0 && p.tiedAfter.length === p.rankFromEnd - 1;
}

function lastIndexWhere<T>(items: T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i] as T)) return i;
  return -1;
}

/**
 * One step: either the offsets to fetch next, or the page. `scanSize` is the largest upstream page
 * (used to read runs of ties and to probe a list's length).
 */
export function resolveWindow<T extends KeyedItem>(plan: ConnectionPlan, view: ListView<T>, scanSize: number): Step<T> {
  const reader = new KeysetReader(plan, view, scanSize);
  const start = reader.start();
  const end = reader.end();
  const needs = [...start.needs, ...end.needs];

  let from: number | undefined;
  let to: number | undefined;
  if (start.at !== undefined) {
    const lo = start.at;
    if (plan.take === 'first') {
      from = lo;
      to = end.at === undefined ? lo + plan.count : Math.max(lo, Math.min(lo + plan.count, end.at));
    } else if (end.at !== undefined) {
      to = Math.max(lo, end.at);
      from = Math.max(lo, to - plan.count);
    }
  }
  if (from !== undefined && to !== undefined) needs.push(...reader.missing(from, to));

  const total = view.total;
  if (needs.length > 0 || total === undefined || from === undefined || to === undefined) {
    if (needs.length === 0 && total === undefined && (plan.take === 'last' || plan.before)) {
      // A tail with nothing else to fetch: the first full page tells the length and may hold it all.
      return { kind: 'fetch', ranges: [{ from: 0, to: scanSize }] };
    }
    return { kind: 'fetch', ranges: mergeRanges(needs) };
  }

  const items: T[] = [];
  for (let offset = from; offset < Math.min(to, total); offset++) items.push(view.item(offset) as T);
  to = from + items.length;
  const window: ResolvedWindow = {
    from,
    to,
    total,
    afterAt: start.anchor,
    beforeAt: end.anchor,
    readFrom: 'cut',
    hasPreviousPage: from > 0 || (plan.after ? 'outside' : false),
    hasNextPage: to < total || (plan.before ? 'outside' : false),
  };
  return { kind: 'page', window, items };
}

/**
 * The position of the item at `offset` (inside the served window), as its cursor carries it: its
 * start time and identity, and what the fetched items show of its ties and of the start time below
 * them. Where the fetched items stop short, the cursors this page was read from fill in (an item
 * tied with a cursor's item shares its floor, and its rank follows from the cursor's).
 */
export function positionAt<T extends KeyedItem>(
  plan: ConnectionPlan,
  view: ListView<T>,
  window: ResolvedWindow,
  offset: number,
): CursorPosition | undefined {
  const item = view.item(offset);
  const t = startOf(item);
  if (!item || !t) return undefined;
  const total = window.total;
  const tied = (o: number): boolean => {
    const other = startOf(view.item(o));
    return other !== undefined && compareInstants(other, t) === 0;
  };
  const sameRun = (anchor: number | undefined, p: CursorPosition | undefined): p is CursorPosition =>
    anchor !== undefined && p !== undefined && compareInstants(at(p), t) === 0;

  // Walk to the first and last fetched tie around the item.
  let first = offset;
  while (first > 0 && tied(first - 1)) first--;
  let last = offset;
  while (last + 1 < total && tied(last + 1)) last++;
  const startKnown = first === 0 || view.item(first - 1) !== undefined;
  const endKnown = last === total - 1 || view.item(last + 1) !== undefined;

  let rankFromStart = startKnown ? offset - first + 1 : 0;
  if (!startKnown && sameRun(window.afterAt, plan.after) && plan.after.rankFromStart > 0) {
    rankFromStart = offset - (window.afterAt as number) + plan.after.rankFromStart;
  }
  let rankFromEnd = endKnown ? last - offset + 1 : 0;
  if (!endKnown && sameRun(window.beforeAt, plan.before) && plan.before.rankFromEnd > 0) {
    rankFromEnd = (window.beforeAt as number) - offset + plan.before.rankFromEnd;
  }

  // The start time just below the run: before it oldest first, after it newest first. At the list
  // read's own lower end, that list's `$gt` bound (or none) selects the run and nothing below.
  const ascending = plan.direction === 'ASC';
  const [lowerKnown, below, atLowerEnd] = ascending ? [startKnown, first - 1, first === 0] : [endKnown, last + 1, last === total - 1];
  let floor: string | null | undefined;
  if (atLowerEnd) floor = (window.readFrom === 'caller' ? plan.callerBounds : plan.bounds).gt ?? null;
  else if (lowerKnown) floor = belowOrUndefined(view.item(below)?.start_timestamp, t);
  else floor = inheritedFloor(plan, window, t);

  return {
    startTimestamp: item.start_timestamp as string,
    identity: identityOfItem(item),
    rankFromStart,
    rankFromEnd,
    floor,
    tiedBefore: rangeIds(view, Math.max(first, offset - TIED_NEIGHBOURS), offset),
    tiedAfter: rangeIds(view, offset + 1, Math.min(last, offset + TIED_NEIGHBOURS) + 1),
    offset: offsetInCallerList(plan, window, offset),
  };
}

/**
 * Where an offset of the list read lies in the caller's list. The list read begins where the
 * caller's does unless `after` cut it; then `after`'s own remembered offset, where its item was found,
 * carries over (a hint, like every offset a cursor remembers).
 */
function offsetInCallerList(plan: ConnectionPlan, window: ResolvedWindow, offset: number): number | undefined {
  if (window.readFrom === 'caller' || !plan.after) return offset;
  const { afterAt } = window;
  const afterOffset = plan.after.offset;
  return afterAt === undefined || afterOffset === undefined ? undefined : afterOffset + (offset - afterAt);
}

/** An item tied with a cursor's item shares its floor (same start time, same caller's list). */
function inheritedFloor(plan: ConnectionPlan, window: ResolvedWindow, t: Instant): string | null | undefined {
  // The run continues, on its lower side, towards `after`'s item oldest first and `before`'s newest first.
  const [anchor, p] = plan.direction === 'ASC' ? [window.afterAt, plan.after] : [window.beforeAt, plan.before];
  return anchor !== undefined && p !== undefined && compareInstants(at(p), t) === 0 ? p.floor : undefined;
}

function belowOrUndefined(text: string | null | undefined, t: Instant): string | undefined {
  const instant = instantOf(text);
  return instant && compareInstants(instant, t) < 0 ? (text as string) : undefined;
}

function rangeIds<T extends KeyedItem>(view: ListView<T>, from: number, to: number): string[] {
  const ids: string[] = [];
  for (let o = from; o < to; o++) ids.push(identityOfItem(view.item(o)));
  return ids;
}

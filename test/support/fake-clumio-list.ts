import { planConnection } from '../../src/paging/connection-window';
import type { ConnectionArgs, Direction, StartTimeBounds } from '../../src/paging/connection-window';
import { encodeCursor } from '../../src/paging/cursor';
import { positionAt } from '../../src/paging/keyset';
import { seeksByOffset } from '../../src/paging/offset-seek';
import { pageSteps } from '../../src/paging/page-steps';
import type { KeyedItem, ListView, ResolvedWindow } from '../../src/paging/keyset';
import { pageRange, planPages } from '../../src/paging/page-planner';

/**
 * A pure stand-in for Clumio's list, for paging tests without I/O. Items with equal start times are
 * ordered by a per-direction key drawn at random when the item is added, so the tie order is
 * consistent between calls (as the gateway requires) but is neither by ID nor the same reversed
 * between ASC and DESC (which the gateway must not assume).
 */

export interface FakeItem extends KeyedItem {
  id: string;
  start_timestamp: string;
  ascTie: number;
  descTie: number;
}

export const FINGERPRINT = '0123456789ab';
export const MAX_PAGE = 100;

export class FakeClumioList {
  readonly items = new Map<string, FakeItem>();
  constructor(private readonly random: () => number) {}

  add(id: string, startTimestamp: string): FakeItem {
    const item = { id, start_timestamp: startTimestamp, ascTie: this.random(), descTie: this.random() };
    this.items.set(id, item);
    return item;
  }

  remove(id: string): boolean {
    return this.items.delete(id);
  }

  /** The list as Clumio would page it: filtered by start time and sorted. */
  list(direction: Direction, bounds: StartTimeBounds): FakeItem[] {
    // Test data are whole milliseconds at most, so Date.parse compares them exactly.
    const lte = bounds.lte === undefined ? Infinity : Date.parse(bounds.lte);
    const gt = bounds.gt === undefined ? -Infinity : Date.parse(bounds.gt);
    const sign = direction === 'ASC' ? 1 : -1;
    const keyed = [...this.items.values()]
      .map((item) => ({ item, ms: Date.parse(item.start_timestamp) }))
      .filter(({ ms }) => ms <= lte && ms > gt);
    keyed.sort((x, y) => {
      if (x.ms !== y.ms) return sign * (x.ms - y.ms);
      return direction === 'ASC' ? x.item.ascTie - y.item.ascTie : x.item.descTie - y.item.descTie;
    });
    return keyed.map((k) => k.item);
  }
}

export interface ServedPage {
  ids: string[];
  /** Every edge's cursor (only when asked for: they cost a hash each). */
  cursors: string[];
  startCursor: string | null;
  endCursor: string | null;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  /** Upstream page requests this page cost (the caller-list count for pageInfo included). */
  calls: number;
  window: ResolvedWindow;
  /** The `start_timestamp` bounds of the list read. */
  bounds: StartTimeBounds;
}

/**
 * Serves one connection page the way the loaders do: page-steps.ts driven to the end, each step's
 * ranges fetched with the page planner from a snapshot of the list asked for (nothing changes
 * within one GraphQL request). With `totalCount`, the page is served as for an operation that also
 * asks for the caller's totalCount: read by offset where the plan allows, and the count costs a
 * call of its own unless the caller's list was read anyway.
 */
export function servePage(
  fake: FakeClumioList,
  caller: StartTimeBounds,
  direction: Direction,
  args: ConnectionArgs,
  allCursors = false,
  options: { totalCount?: boolean } = {},
): ServedPage {
  const plan = planConnection(args, caller, direction, () => FINGERPRINT);
  const snapshots = { caller: fake.list(direction, plan.callerBounds), cut: fake.list(direction, plan.bounds) };
  const views = { caller: snapshotView(), cut: snapshotView() };
  let calls = 0;
  const steps = pageSteps<FakeItem>(plan, seeksByOffset(plan, options.totalCount === true), MAX_PAGE);
  let next = steps.next();
  while (!next.done) {
    const { list, ranges } = next.value;
    const snapshot = snapshots[list];
    const fetch = (from: number, to: number): void => {
      calls++;
      views[list].load(snapshot, from, to);
    };
    if (ranges.length === 0) fetch(0, 1);
    for (const page of planPages(ranges, MAX_PAGE)) {
      const range = pageRange(page);
      fetch(range.from, range.to);
    }
    next = steps.next(views[list].view);
  }
  const { window, items, view } = next.value;
  // A count of the caller's list: free when it was read, or when the cut list is the caller's list.
  if (options.totalCount && views.caller.view.total === undefined && !(plan.after === undefined && plan.before === undefined)) calls++;
  const cursorAt = (offset: number): string => encodeCursor(positionAt(plan, view, window, offset)!, FINGERPRINT);
  const cursors = allCursors ? items.map((_, i) => cursorAt(window.from + i)) : [];
  const edge = (i: number): string | null => (items.length === 0 ? null : (cursors[i] ?? cursorAt(window.from + i)));
  // 'outside': compare with the caller's list, as the pageInfo resolver does (one more call).
  const outside = (bounds: StartTimeBounds): boolean => {
    calls++;
    return snapshots.caller.length > fake.list(direction, bounds).length;
  };
  return {
    ids: items.map((item) => item.id),
    cursors,
    startCursor: edge(0),
    endCursor: edge(items.length - 1),
    hasPreviousPage: window.hasPreviousPage === 'outside' ? outside(plan.afterBounds) : window.hasPreviousPage,
    hasNextPage: window.hasNextPage === 'outside' ? outside(plan.beforeBounds) : window.hasNextPage,
    calls,
    window,
    bounds: window.readFrom === 'caller' ? plan.callerBounds : plan.bounds,
  };
}

/** What a request has loaded of one list: items by offset, and the length once any page came. */
function snapshotView(): { view: ListView<FakeItem>; load(snapshot: FakeItem[], from: number, to: number): void } {
  const loaded = new Map<number, FakeItem>();
  let total: number | undefined;
  return {
    view: { get total() { return total; }, item: (offset) => loaded.get(offset) },
    load(snapshot, from, to) {
      total = snapshot.length;
      for (let o = from; o < Math.min(to, snapshot.length); o++) loaded.set(o, snapshot[o] as FakeItem);
    },
  };
}

import { BadUserInputError } from '../errors';
import type { ConnectionPlan } from './connection-window';
import { resolveWindow } from './keyset';
import type { KeyedItem, ListView, ResolvedWindow } from './keyset';
import { seekByOffset, withoutOffsets } from './offset-seek';
import type { OffsetRange } from './page-planner';

/**
 * The steps of finding one connection page, as a generator: it yields what to fetch next (ranges of
 * one of two lists; no range: just the list's length), is sent back everything known of that list
 * so far, and returns the page. Pure: the loaders drive it with upstream calls, the paging tests
 * with a stand-in list.
 *
 * With `seek`, the page is first looked for by the cursor's offset in the caller's own list
 * (offset-seek.ts); when the cursor's item is not found there, and always without `seek`, by keyset
 * in the caller's list cut by the cursors (keyset.ts).
 */

export interface PageRead {
  /** `caller`: the caller's list (filter and order); `cut`: that list cut by the cursors. */
  list: 'caller' | 'cut';
  ranges: OffsetRange[];
}

export interface FoundPage<T extends KeyedItem> {
  window: ResolvedWindow;
  items: T[];
  /** What was loaded of the list the window's offsets are of (for minting cursors). */
  view: ListView<T>;
}

/**
 * Steps one page may take: usually one or two; more only while reading a run of tied start times
 * that changed around a cursor (each step reads up to a full upstream page of it).
 */
export const MAX_PAGE_STEPS = 12;

const NOTHING: ListView<never> = { total: undefined, item: () => undefined };

export function* pageSteps<T extends KeyedItem>(plan: ConnectionPlan, seek: boolean, maxPageSize: number): Generator<PageRead, FoundPage<T>, ListView<T>> {
  let keysetPlan = plan;
  if (seek) {
    let view: ListView<T> = NOTHING;
    for (let step = 1; step <= MAX_PAGE_STEPS; step++) {
      const next = seekByOffset(plan, view, maxPageSize);
      if (next.kind === 'page') return { window: next.window, items: next.items, view };
      if (next.kind === 'lost') break;
      view = yield { list: 'caller', ranges: next.ranges };
    }
    // The item was not where its cursor remembered it: find it by keyset, without aiming there again.
    keysetPlan = withoutOffsets(plan);
  }
  let view: ListView<T> = NOTHING;
  for (let step = 1; ; step++) {
    const next = resolveWindow(keysetPlan, view, maxPageSize);
    if (next.kind === 'page') return { window: next.window, items: next.items, view };
    if (step > MAX_PAGE_STEPS) {
      throw new BadUserInputError('The backups around this cursor changed too much to find its place: restart paging without a cursor.');
    }
    view = yield { list: 'cut', ranges: next.ranges };
  }
}

/**
 * Which upstream pages to fetch. Pure: no I/O, no GraphQL.
 *
 * Clumio pages by number: `limit=p&start=k` returns the items at offsets [(k−1)·p, k·p) of the sorted
 * list. Any page size from 1 to the maximum may be used, so a window of items can often be served by
 * one page whose size is larger than the window but aligned so that the window falls inside it.
 *
 * `planPages` finds the fewest such pages covering a set of offsets (several windows of one list
 * merged), and among plans of equal length the one fetching the fewest items.
 */

/** A page request: `limit` items, page number `start` (from 1). */
export interface PageFetch {
  limit: number;
  start: number;
}

/** Half-open range of list offsets, [from, to). */
export interface OffsetRange {
  from: number;
  to: number;
}

/** The offsets a page covers. */
export function pageRange(page: PageFetch): OffsetRange {
  return { from: (page.start - 1) * page.limit, to: page.start * page.limit };
}

/** The offsets of [from, to) that `isLoaded` rejects, as ranges. */
export function unloadedRanges(from: number, to: number, isLoaded: (offset: number) => boolean): OffsetRange[] {
  const gaps: OffsetRange[] = [];
  for (let offset = from; offset < to; offset++) {
    if (isLoaded(offset)) continue;
    const last = gaps[gaps.length - 1];
    if (last && last.to === offset) last.to++;
    else gaps.push({ from: offset, to: offset + 1 });
  }
  return gaps;
}

/** Sorted, merged (overlapping or touching) ranges, empty ones dropped. */
export function mergeRanges(ranges: readonly OffsetRange[]): OffsetRange[] {
  const sorted = ranges.filter((r) => r.to > r.from).sort((a, b) => a.from - b.from);
  const merged: OffsetRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.from <= last.to) last.to = Math.max(last.to, range.to);
    else merged.push({ ...range });
  }
  return merged;
}

/** The smallest page size that holds [from, to) in one aligned page, or undefined if none does. */
export function singlePageFor(range: OffsetRange, maxPageSize: number): PageFetch | undefined {
  const length = range.to - range.from;
  for (let limit = Math.max(1, length); limit <= maxPageSize; limit++) {
    const page = Math.floor(range.from / limit);
    if (page === Math.floor((range.to - 1) / limit)) return { limit, start: page + 1 };
  }
  return undefined;
}

/**
 * The fewest pages that together contain every offset of `ranges` (ties: fewest items fetched).
 * Gaps between ranges need not be covered.
 *
 * Dynamic programme over the offsets still to cover: from the lowest uncovered offset x, any page
 * size p gives exactly one aligned page containing x, ending at ⌈(x+1)/p⌉·p; the best plan from x is
 * one page plus the best plan from the next required offset at or after that end.
 */
export function planPages(ranges: readonly OffsetRange[], maxPageSize: number): PageFetch[] {
  const merged = mergeRanges(ranges);
  if (merged.length === 0) return [];
  const only = merged.length === 1 ? merged[0] : undefined;
  if (only) {
    const single = singlePageFor(only, maxPageSize);
    if (single) return [single];
  }

  // Required offsets, in order. Windows are at most a few hundred items, so this stays small.
  const required: number[] = [];
  for (const range of merged) for (let offset = range.from; offset < range.to; offset++) required.push(offset);

  const n = required.length;
  const calls = new Array<number>(n + 1).fill(0);
  const fetched = new Array<number>(n + 1).fill(0);
  const choice = new Array<PageFetch | undefined>(n + 1);
  const next = new Array<number>(n + 1).fill(n);
  // Index of the first required offset ≥ end (binary search from fromIndex).
  const firstAtOrAfter = (end: number, fromIndex: number): number => {
    let lo = fromIndex;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((required[mid] as number) < end) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  for (let i = n - 1; i >= 0; i--) {
    const x = required[i] as number;
    let bestCalls = Infinity;
    let bestFetched = Infinity;
    for (let limit = 1; limit <= maxPageSize; limit++) {
      const start = Math.floor(x / limit) + 1;
      const j = firstAtOrAfter(start * limit, i + 1);
      const c = 1 + (calls[j] as number);
      const f = limit + (fetched[j] as number);
      if (c < bestCalls || (c === bestCalls && f < bestFetched)) {
        bestCalls = c;
        bestFetched = f;
        choice[i] = { limit, start };
        next[i] = j;
      }
    }
    calls[i] = bestCalls;
    fetched[i] = bestFetched;
  }

  const plan: PageFetch[] = [];
  for (let i = 0; i < n; i = next[i] as number) plan.push(choice[i] as PageFetch);
  return plan;
}

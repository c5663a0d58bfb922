import fc from 'fast-check';
import { mergeRanges, pageRange, planPages, singlePageFor, unloadedRanges } from '../../src/paging/page-planner';
import type { OffsetRange, PageFetch } from '../../src/paging/page-planner';

function covers(plan: PageFetch[], ranges: OffsetRange[]): boolean {
  return ranges.every((r) => {
    for (let offset = r.from; offset < r.to; offset++) {
      if (!plan.some((p) => pageRange(p).from <= offset && offset < pageRange(p).to)) return false;
    }
    return true;
  });
}

/** Fewest pages covering `ranges`, by exhaustive search over every page touching them. */
function bruteForceMinimum(ranges: OffsetRange[], maxPageSize: number, limit = 4): number {
  const needed = new Set<number>();
  for (const r of ranges) for (let o = r.from; o < r.to; o++) needed.add(o);
  if (needed.size === 0) return 0;
  const candidates: PageFetch[] = [];
  const hi = Math.max(...needed);
  for (let size = 1; size <= maxPageSize; size++) {
    for (let start = 1; (start - 1) * size <= hi; start++) {
      const range = pageRange({ limit: size, start });
      if ([...needed].some((o) => range.from <= o && o < range.to)) candidates.push({ limit: size, start });
    }
  }
  const search = (chosen: PageFetch[], from: number, depth: number): boolean => {
    if (covers(chosen, ranges)) return true;
    if (depth === 0) return false;
    for (let i = from; i < candidates.length; i++) {
      if (search([...chosen, candidates[i] as PageFetch], i + 1, depth - 1)) return true;
    }
    return false;
  };
  for (let k = 1; k <= limit; k++) if (search([], 0, k)) return k;
  return Infinity;
}

describe('page planner', () => {
  it('serves a window with one page whenever some page size from its length to the maximum holds it', () => {
    expect(planPages([{ from: 0, to: 10 }], 100)).toEqual([{ limit: 10, start: 1 }]);
    expect(planPages([{ from: 10, to: 20 }], 100)).toEqual([{ limit: 10, start: 2 }]);
    // [5, 15) is not aligned to 10; the smallest page holding it is 15 items, page 1.
    expect(planPages([{ from: 5, to: 15 }], 100)).toEqual([{ limit: 15, start: 1 }]);
    // [95, 105): 15 items per page, page 7 = [90, 105).
    expect(planPages([{ from: 95, to: 105 }], 100)).toEqual([{ limit: 15, start: 7 }]);
    expect(singlePageFor({ from: 2395, to: 2405 }, 100)).toBeDefined();
  });

  it('uses two pages when no single page up to the maximum holds the window', () => {
    // 100 items starting at offset 1: only a 100-item page is large enough, and none is aligned.
    const plan = planPages([{ from: 1, to: 101 }], 100);
    expect(plan).toHaveLength(2);
    expect(covers(plan, [{ from: 1, to: 101 }])).toBe(true);
    // Whereas [99, 101) fits one 3-item page: page 34 = [99, 102).
    expect(planPages([{ from: 99, to: 101 }], 100)).toEqual([{ limit: 3, start: 34 }]);
  });

  it('merges overlapping and touching windows of one list and covers gaps only when that saves a call', () => {
    expect(mergeRanges([{ from: 10, to: 20 }, { from: 0, to: 10 }, { from: 15, to: 30 }, { from: 40, to: 40 }])).toEqual([
      { from: 0, to: 30 },
    ]);
    expect(planPages([{ from: 0, to: 10 }, { from: 0, to: 20 }], 100)).toEqual([{ limit: 20, start: 1 }]);
    expect(planPages([{ from: 0, to: 5 }, { from: 40, to: 45 }], 100)).toEqual([{ limit: 45, start: 1 }]);
    expect(planPages([{ from: 0, to: 1 }, { from: 1000, to: 1001 }], 100)).toHaveLength(2);
    expect(planPages([], 100)).toEqual([]);
  });

  it('lists the offsets still to load as ranges', () => {
    const loaded = new Set([2, 3, 6]);
    expect(unloadedRanges(0, 9, (o) => loaded.has(o))).toEqual([{ from: 0, to: 2 }, { from: 4, to: 6 }, { from: 7, to: 9 }]);
    expect(unloadedRanges(2, 4, (o) => loaded.has(o))).toEqual([]);
    expect(unloadedRanges(5, 5, () => false)).toEqual([]);
  });

  it('matches an exhaustive search over all page sizes and offsets (small cases)', () => {
    const maxPageSize = 7;
    let cases = 0;
    for (let from = 0; from < 22; from++) {
      for (let length = 1; length <= 12; length++) {
        const ranges = [{ from, to: from + length }];
        const plan = planPages(ranges, maxPageSize);
        expect(covers(plan, ranges)).toBe(true);
        expect(plan.every((p) => p.limit >= 1 && p.limit <= maxPageSize && p.start >= 1)).toBe(true);
        expect(plan.length).toBe(bruteForceMinimum(ranges, maxPageSize));
        cases++;
      }
    }
    for (let a = 0; a < 14; a += 3) {
      for (let b = a + 1; b < 24; b += 4) {
        const ranges = [{ from: a, to: a + 2 }, { from: b, to: b + 3 }];
        const plan = planPages(ranges, maxPageSize);
        expect(covers(plan, ranges)).toBe(true);
        expect(plan.length).toBe(bruteForceMinimum(ranges, maxPageSize));
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(250);
  });

  it('property: every plan covers the windows with valid pages, and no plan is longer than the exhaustive minimum', () => {
    // Seeded, so a failure reproduces; fast-check shrinks it to the smallest counterexample.
    const range = fc.record({ from: fc.nat(20), length: fc.integer({ min: 1, max: 6 }) }).map(({ from, length }) => ({ from, to: from + length }));
    fc.assert(
      fc.property(fc.array(range, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 6 }), (ranges, maxPageSize) => {
        const plan = planPages(ranges, maxPageSize);
        expect(covers(plan, ranges)).toBe(true);
        expect(plan.every((p) => Number.isInteger(p.limit) && p.limit >= 1 && p.limit <= maxPageSize && p.start >= 1)).toBe(true);
        expect(plan.length).toBe(bruteForceMinimum(ranges, maxPageSize, plan.length));
      }),
      { seed: 20_261_127, numRuns: 150 },
    );
  });

  it('property: one window of N items costs one call exactly when some page size from N to the maximum holds it', () => {
    fc.assert(
      fc.property(fc.nat(5_000), fc.integer({ min: 1, max: 100 }), (from, length) => {
        const window = { from, to: from + length };
        const holds = Array.from({ length: 101 - length }, (_, i) => length + i).some(
          (size) => Math.floor(from / size) === Math.floor((window.to - 1) / size),
        );
        expect(planPages([window], 100).length === 1).toBe(holds);
      }),
      { seed: 20_261_127, numRuns: 500 },
    );
  });
});

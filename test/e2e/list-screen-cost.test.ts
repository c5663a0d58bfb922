import type { WireEc2Backup } from '../../src/clumio/wire-types';
import { backupPage, listCalls, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * What a frontend's list screen costs in Clumio calls: every page with its `totalCount` ("41–60 of
 * 2,521") and pageInfo, walked forward and backward, while backups land at the newest end and
 * expire at the oldest between pages, as they do all day. Each page is checked against the list the
 * emulator holds at that moment, and the calls it cost are counted at the emulator.
 */

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

interface ScreenWalk {
  direction: 'ASC' | 'DESC';
  backward: boolean;
  size: number;
  /** Backups that land (newer than any) and expire (the oldest) between two pages. */
  arrive: number;
  expire: number;
  /** Which happens first between two pages. */
  expireFirst?: boolean;
  /** Stop after this many pages (a walk toward the newest end may never end while backups land). */
  maxPages?: number;
}

/** Walks the list (all of it, or `maxPages` pages); returns the calls each page cost. */
async function walkScreen(w: ScreenWalk): Promise<number[]> {
  const list = (): readonly WireEc2Backup[] => (w.direction === 'DESC' ? h.emulator.backups : [...h.emulator.backups].reverse());
  const orderBy = { field: 'START_TIMESTAMP', direction: w.direction };
  let newest = Date.parse(h.emulator.backups[0]!.start_timestamp!);
  const costs: number[] = [];
  let cursor: string | null = null;
  let cursorId: string | undefined;
  for (let pages = 1; ; pages++) {
    const now = list();
    h.resetUpstream();
    const page = await backupPage(h, { [w.backward ? 'last' : 'first']: w.size, [w.backward ? 'before' : 'after']: cursor, orderBy });
    costs.push(listCalls(h.upstream()).length);
    const ids: string[] = page.edges.map((e: any) => e.node.backupId);
    const context = JSON.stringify({ w, pages, cursor });
    expect([context, page.totalCount]).toEqual([context, now.length]);
    // Exactly the items next to the cursor's backup in the list as it is now.
    const at = cursor === null ? (w.backward ? now.length : -1) : now.findIndex((b) => b.id === cursorId);
    const expected = w.backward ? now.slice(Math.max(0, at - w.size), at) : now.slice(at + 1, at + 1 + w.size);
    expect([context, ids]).toEqual([context, expected.map((b) => b.id)]);
    const more = w.backward ? page.pageInfo.hasPreviousPage : page.pageInfo.hasNextPage;
    if (!more || pages === w.maxPages) return costs;
    if (pages > 1000) throw new Error(`walk does not end: ${context}`);
    cursor = w.backward ? page.pageInfo.startCursor : page.pageInfo.endCursor;
    cursorId = w.backward ? ids[0] : ids[ids.length - 1];

    const arrive = () => {
      for (let i = 0; i < w.arrive; i++) h.emulator.insertBackup({ start_timestamp: new Date((newest += 60_000)).toISOString().replace('.000Z', 'Z') });
    };
    const expire = () => {
      for (let i = 0; i < w.expire; i++) {
        const oldest = h.emulator.backups[h.emulator.backups.length - 1]!;
        // Never the cursor's own backup: its expiry is covered by the walks in changing-list.test.ts.
        if (oldest.id !== cursorId) h.emulator.removeBackup(oldest.id!);
      }
    };
    if (w.expireFirst) {
      expire();
      arrive();
    } else {
      arrive();
      expire();
    }
  }
}

const summary = (costs: number[]) => ({ pages: costs.length, calls: costs.reduce((a, b) => a + b, 0), max: Math.max(...costs) });

describe('a list screen with totalCount', () => {
  it('walks forward with first: 37 at one call a page', async () => {
    const costs = await walkScreen({ direction: 'DESC', backward: false, size: 37, arrive: 0, expire: 0 });
    expect(summary(costs)).toEqual({ pages: Math.ceil(h.emulator.backups.length / 37), calls: costs.length, max: 1 });
  });

  it('reads first: 10 after the 13th backup in one call', async () => {
    const ahead = await backupPage(h, { first: 13 });
    h.resetUpstream();
    const next = await backupPage(h, { first: 10, after: ahead.edges[12].cursor });
    expect(listCalls(h.upstream())).toHaveLength(1);
    expect(next.totalCount).toBe(h.emulator.backups.length);
    expect(next.edges.map((e: any) => e.node.backupId)).toEqual(h.emulator.backups.slice(13, 23).map((b) => b.id));
  });

  it.each(['DESC', 'ASC'] as const)('walks backward, %s, at one call a page after the first', async (direction) => {
    const costs = await walkScreen({ direction, backward: true, size: 20, arrive: 0, expire: 0 });
    // The first page has no cursor: a 100-item probe tells the length, then the tail is read.
    expect(costs[0]).toBe(2);
    expect(summary(costs.slice(1))).toEqual({ pages: costs.length - 1, calls: costs.length - 1, max: 1 });
  });

  it.each([1, 5, 10])('walks forward newest first at one call a page while %i backups arrive and as many expire between pages', async (n) => {
    for (const expireFirst of [false, true]) {
      const costs = await walkScreen({ direction: 'DESC', backward: false, size: 20, arrive: n, expire: n, expireFirst, maxPages: 25 });
      expect([expireFirst, summary(costs)]).toEqual([expireFirst, { pages: costs.length, calls: costs.length, max: 1 }]);
    }
  });

  it.each([1, 5, 10])('walks forward oldest first at one call a page while %i backups expire and as many arrive between pages', async (n) => {
    const costs = await walkScreen({ direction: 'ASC', backward: false, size: 20, arrive: n, expire: n, maxPages: 25 });
    expect(summary(costs)).toEqual({ pages: costs.length, calls: costs.length, max: 1 });
  });

  it.each([1, 5, 10])('walks backward newest first at one call a page after the first while %i backups arrive between pages', async (n) => {
    const costs = await walkScreen({ direction: 'DESC', backward: true, size: 20, arrive: n, expire: 0, maxPages: 25 });
    expect(summary(costs.slice(1))).toEqual({ pages: costs.length - 1, calls: costs.length - 1, max: 1 });
  });

  it.each([20, 30])(
    'falls back to the cursor\'s start time when %i backups arrived between pages, more than the read leaves room for: at most two calls, the same exact page',
    async (n) => {
      const costs = await walkScreen({ direction: 'DESC', backward: false, size: 20, arrive: n, expire: 0, maxPages: 25 });
      // A page after the first: the read around the old offset (where an aligned page sometimes
      // reaches far enough anyway), then the read from the cursor's start time on, which also gives
      // the page in one call.
      const later = costs.slice(1);
      console.log(`${n} arrivals between pages: calls per page ${JSON.stringify(summary(later))}`);
      expect(later.every((c) => c === 1 || c === 2)).toBe(true);
      expect(later.filter((c) => c === 2).length).toBeGreaterThan(later.length / 2);
    },
  );
});

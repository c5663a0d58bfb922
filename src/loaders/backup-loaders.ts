import DataLoader from 'dataloader';
import { ClumioClient } from '../clumio/clumio-client';
import type { ClumioCaller, ListPage } from '../clumio/clumio-client';
import { listQuery } from '../clumio/list-query';
import type { ListQuery } from '../clumio/list-query';
import type { WireEc2Backup } from '../clumio/wire-types';
import type { ListWindow } from '../paging/connection-window';
import { pageRange, planPages } from '../paging/page-planner';
import type { OffsetRange, PageFetch } from '../paging/page-planner';

/**
 * Per-request DataLoaders over the Clumio client. Built fresh for every GraphQL request (see
 * context.ts) and bound to that request's caller, so nothing loaded for one credential or
 * organizational unit is ever served to another.
 *
 * - `windows`: slices of sorted, filtered lists. All slices asked for in one tick are grouped by list,
 *   and each list is fetched with the fewest pages that cover every slice (page-planner.ts).
 * - `backupById`: GET /backups/aws/ec2-instances/{id}; primed with every backup a list page returned.
 * - `latestBackupByInstance`: an instance's newest backup, a one-item slice of its list, so it shares
 *   pages with `Ec2Instance.backups` asked for in the same operation.
 *
 * Below the loaders, every upstream page is fetched at most once per request (`pageFetches`), and
 * items already loaded for a list are reused by later batches: an operation pays once per offset.
 */

/** A slice of a list, or just the list's length (`total`). */
export interface WindowRequest {
  list: ListQuery;
  window: ListWindow | { kind: 'total' };
}

export interface WindowResult {
  /** The items of the slice, in list order. */
  items: WireEc2Backup[];
  /** The slice's offsets in the list, [from, to), clipped to the list's end. */
  from: number;
  to: number;
  /** Items in the whole list (Clumio's `total_count`). */
  total: number;
}

export interface BackupLoaders {
  windows: DataLoader<WindowRequest, WindowResult, string>;
  backupById: DataLoader<string, WireEc2Backup | null>;
  latestBackupByInstance: DataLoader<string, WireEc2Backup | null>;
  /** Upstream list-page requests made so far in this request (for tests and logs). */
  readonly pageFetchCount: () => number;
}

export interface BackupLoaderOptions {
  client: ClumioClient;
  /** The caller's upstream identity; throws (UNAUTHENTICATED) when the request has none. */
  caller: () => ClumioCaller;
  maxPageSize: number;
}

function windowKey(request: WindowRequest): string {
  const w = request.window;
  const where = w.kind === 'total' ? 'total' : w.kind === 'range' ? `${w.from}-${w.to}` : `tail${w.count}>=${w.from}`;
  return `${request.list.key}|${where}`;
}

export function createBackupLoaders(options: BackupLoaderOptions): BackupLoaders {
  const { client, caller, maxPageSize } = options;
  const pageFetches = new Map<string, Promise<ListPage>>();

  const backupById = new DataLoader<string, WireEc2Backup | null>(
    async (ids) => {
      const who = caller();
      return Promise.all(ids.map((id) => client.getBackup(who, id).catch((error: Error) => error)));
    },
    { name: 'backupById', maxBatchSize: 100 },
  );

  function fetchPage(list: ListQuery, page: PageFetch): Promise<ListPage> {
    const request = { ...page, sort: list.sort, filter: list.filter };
    const key = ClumioClient.listQueryString(request);
    let fetch = pageFetches.get(key);
    if (!fetch) {
      fetch = client.listBackups(caller(), request).then((result) => {
        for (const item of result.items) if (typeof item.id === 'string') backupById.prime(item.id, item);
        return result;
      });
      pageFetches.set(key, fetch);
    }
    return fetch;
  }

  /** What this request already holds of each list: items by offset, and the list's length. */
  const lists = new Map<string, { byOffset: Map<number, WireEc2Backup>; total?: number }>();

  /**
   * Serves every request on one list: known ranges first, then tails (which need the length). Only
   * offsets not already loaded earlier in this request are fetched.
   */
  async function serveList(list: ListQuery, requests: WindowRequest[]): Promise<WindowResult[]> {
    let state = lists.get(list.key);
    if (!state) lists.set(list.key, (state = { byOffset: new Map() }));
    const { byOffset } = state;
    const loaded = state;

    const fetchMissing = async (ranges: OffsetRange[]): Promise<void> => {
      const clipped = ranges.map((r) => ({ from: r.from, to: Math.min(r.to, loaded.total ?? Infinity) }));
      const plan = planPages(clipped.flatMap((r) => missing(r, byOffset)), maxPageSize);
      const pages = await Promise.all(plan.map((page) => fetchPage(list, page)));
      pages.forEach((page, i) => {
        loaded.total = page.totalCount;
        const base = pageRange(plan[i] as PageFetch).from;
        page.items.forEach((item, j) => byOffset.set(base + j, item));
      });
    };

    await fetchMissing(requests.flatMap((r) => (r.window.kind === 'range' ? [r.window] : [])));

    const tails = requests.flatMap((r) => (r.window.kind === 'tail' ? [r.window] : []));
    if (tails.length > 0) {
      // The length is unknown until one page is fetched: the first full page may already hold the tail.
      if (loaded.total === undefined) await fetchMissing([{ from: 0, to: maxPageSize }]);
      const length = loaded.total ?? 0;
      await fetchMissing(tails.map((t) => ({ from: Math.max(t.from, length - t.count), to: length })));
    }
    if (loaded.total === undefined && requests.some((r) => r.window.kind === 'total')) {
      // The smallest page tells the length.
      const page = await fetchPage(list, { limit: 1, start: 1 });
      loaded.total = page.totalCount;
      page.items.forEach((item) => byOffset.set(0, item));
    }

    const length = loaded.total ?? 0;
    return requests.map(({ window: w }) => {
      const from = w.kind === 'total' ? 0 : w.kind === 'tail' ? Math.max(w.from, length - w.count) : w.from;
      const to = w.kind === 'total' ? 0 : w.kind === 'tail' ? length : Math.max(from, Math.min(w.to, length));
      const items: WireEc2Backup[] = [];
      for (let offset = from; offset < to; offset++) {
        const item = byOffset.get(offset);
        if (item) items.push(item);
      }
      return { items, from, to, total: length };
    });
  }

  const windows = new DataLoader<WindowRequest, WindowResult, string>(
    async (requests) => {
      const byList = new Map<string, { list: ListQuery; indexes: number[] }>();
      requests.forEach((request, index) => {
        const entry = byList.get(request.list.key) ?? { list: request.list, indexes: [] };
        entry.indexes.push(index);
        byList.set(request.list.key, entry);
      });
      const results = new Array<WindowResult | Error>(requests.length);
      await Promise.all(
        [...byList.values()].map(async ({ list, indexes }) => {
          try {
            const served = await serveList(list, indexes.map((i) => requests[i] as WindowRequest));
            indexes.forEach((requestIndex, i) => (results[requestIndex] = served[i] as WindowResult));
          } catch (error) {
            for (const requestIndex of indexes) results[requestIndex] = error as Error;
          }
        }),
      );
      return results;
    },
    { name: 'windows', cacheKeyFn: windowKey, maxBatchSize: 1000 },
  );

  const latestBackupByInstance = new DataLoader<string, WireEc2Backup | null>(
    (instanceIds) =>
      Promise.all(
        instanceIds.map((instanceId) =>
          windows
            .load({ list: listQuery({ instanceId, direction: 'DESC' }), window: { kind: 'range', from: 0, to: 1 } })
            .then((result) => result.items[0] ?? null, (error: Error) => error),
        ),
      ),
    { name: 'latestBackupByInstance', maxBatchSize: 100 },
  );

  return { windows, backupById, latestBackupByInstance, pageFetchCount: () => pageFetches.size };
}

/** The parts of `range` whose offsets are not loaded yet. */
function missing(range: OffsetRange, loaded: Map<number, unknown>): OffsetRange[] {
  const gaps: OffsetRange[] = [];
  for (let offset = range.from; offset < range.to; offset++) {
    if (loaded.has(offset)) continue;
    const last = gaps[gaps.length - 1];
    if (last && last.to === offset) last.to++;
    else gaps.push({ from: offset, to: offset + 1 });
  }
  return gaps;
}

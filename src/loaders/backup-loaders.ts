import DataLoader from 'dataloader';
import { ClumioClient } from '../clumio/clumio-client';
import type { ClumioCaller, ListPage, UpstreamTrace } from '../clumio/clumio-client';
import { listQuery } from '../clumio/list-query';
import type { ListQuery } from '../clumio/list-query';
import type { WireEc2Backup } from '../clumio/wire-types';
import type { ConnectionPlan } from '../paging/connection-window';
import { pageSteps } from '../paging/page-steps';
import type { FoundPage } from '../paging/page-steps';
import type { ListView } from '../paging/keyset';
import { pageRange, planPages, unloadedRanges } from '../paging/page-planner';
import type { OffsetRange, PageFetch } from '../paging/page-planner';

/**
 * Per-request DataLoaders over the Clumio client. Built fresh for every GraphQL request (see
 * context.ts) and bound to that request's caller, so nothing loaded for one credential or
 * organizational unit is ever served to another.
 *
 * - `windows`: slices of sorted, filtered lists. All slices asked for in one tick are grouped by list,
 *   and each list is fetched with the fewest pages that cover every slice (page-planner.ts).
 * - `connectionPage`: one connection's page, found in steps (page-steps.ts: by the cursor's offset in
 *   the caller's list, else by keyset), each step's slices loaded through `windows` (so the first
 *   step of every connection in an operation shares one batch with `totalCount`).
 * - `backupById`: GET /backups/aws/ec2-instances/{id}, or none for a backup a list page of this request
 *   already returned.
 * - `latestBackupByInstance`: an instance's newest backup, a one-item slice of its list, so it shares
 *   pages with `Ec2Instance.backups` asked for in the same operation.
 *
 * Below the loaders, every upstream page is fetched at most once per request (`pageFetches`), and
 * items already loaded for a list are reused by later batches: an operation pays once per offset.
 */

/** A slice [from, to) of a list, or just the list's length (`total`). */
export interface WindowRequest {
  list: ListQuery;
  window: { kind: 'range'; from: number; to: number } | { kind: 'total' };
}

export interface WindowResult {
  /** The items of the slice, in list order. */
  items: WireEc2Backup[];
  /** The slice's offsets in the list, [from, to), clipped to the list's end. */
  from: number;
  to: number;
  /** Items in the whole list (Clumio's `total_count`). */
  total: number;
  /** Everything this request has loaded of the list so far, by offset (pages often hold more than the slice). */
  view: ListView<WireEc2Backup>;
}

/** A connection's page: the slice page-steps.ts settled on, and what was loaded of the list to find it. */
export type ConnectionPage = FoundPage<WireEc2Backup>;

export interface BackupLoaders {
  windows: DataLoader<WindowRequest, WindowResult, string>;
  /**
   * The page a connection serves under `plan`: read by keyset from `read` (the caller's list cut by
   * the cursors), or first by the cursor's offset from `seekIn` (the caller's own list) when given.
   */
  connectionPage(read: ListQuery, plan: ConnectionPlan, seekIn?: ListQuery): Promise<ConnectionPage>;
  backupById: DataLoader<string, WireEc2Backup | null>;
  latestBackupByInstance: DataLoader<string, WireEc2Backup | null>;
}

export interface BackupLoaderOptions {
  client: ClumioClient;
  /** The caller's upstream identity; throws (UNAUTHENTICATED) when the request has none. */
  caller: () => ClumioCaller;
  maxPageSize: number;
  /** The operation's telemetry: every Clumio call is traced and counted through it. */
  trace: LoaderTrace;
}

/** What the loaders report: the upstream client's trace, and each batch's size. */
export interface LoaderTrace extends UpstreamTrace {
  batch(loader: 'backupById' | 'windows', size: number): void;
}

function windowKey(request: WindowRequest): string {
  const w = request.window;
  return `${request.list.key}|${w.kind === 'total' ? 'total' : `${w.from}-${w.to}`}`;
}

export function createBackupLoaders(options: BackupLoaderOptions): BackupLoaders {
  const { client, caller, maxPageSize, trace } = options;
  const pageFetches = new Map<string, Promise<ListPage>>();
  /** Every backup this request's list pages returned, by ID: `backupById` answers from it without a call. */
  const listed = new Map<string, WireEc2Backup>();

  const backupById = new DataLoader<string, WireEc2Backup | null>(
    async (ids) => {
      trace.batch('backupById', ids.length);
      return Promise.all(
        ids.map((id) => {
          const known = listed.get(id);
          return known ? Promise.resolve(known) : client.getBackup(caller(), id, trace).catch((error: Error) => error);
        }),
      );
    },
    { name: 'backupById', maxBatchSize: 100 },
  );

  function fetchPage(list: ListQuery, page: PageFetch): Promise<ListPage> {
    const request = { ...page, sort: list.sort, filter: list.filter };
    const key = ClumioClient.listQueryString(request);
    let fetch = pageFetches.get(key);
    if (!fetch) {
      fetch = client.listBackups(caller(), request, trace).then((result) => {
        for (const item of result.items) if (typeof item.id === 'string') listed.set(item.id, item);
        return result;
      });
      pageFetches.set(key, fetch);
    }
    return fetch;
  }

  /** What this request already holds of each list: items by offset, and the list's length. */
  const lists = new Map<string, { byOffset: Map<number, WireEc2Backup>; total?: number }>();

  /** Serves every request on one list. Only offsets not already loaded earlier in this request are fetched. */
  async function serveList(list: ListQuery, requests: WindowRequest[]): Promise<WindowResult[]> {
    let state = lists.get(list.key);
    if (!state) lists.set(list.key, (state = { byOffset: new Map() }));
    const { byOffset } = state;
    const loaded = state;
    const view: ListView<WireEc2Backup> = { get total() { return loaded.total; }, item: (offset) => byOffset.get(offset) };

    const ranges = requests.flatMap((r) => (r.window.kind === 'range' ? [r.window] : []));
    const clipped = ranges.map((r) => ({ from: r.from, to: Math.min(r.to, loaded.total ?? Infinity) }));
    const plan = planPages(clipped.flatMap((r) => unloadedRanges(r.from, r.to, (offset) => byOffset.has(offset))), maxPageSize);
    const pages = await Promise.all(plan.map((page) => fetchPage(list, page)));
    pages.forEach((page, i) => {
      loaded.total = page.totalCount;
      const base = pageRange(plan[i] as PageFetch).from;
      page.items.forEach((item, j) => byOffset.set(base + j, item));
    });
    if (loaded.total === undefined && requests.some((r) => r.window.kind === 'total')) {
      // The smallest page tells the length.
      const page = await fetchPage(list, { limit: 1, start: 1 });
      loaded.total = page.totalCount;
      page.items.forEach((item) => byOffset.set(0, item));
    }

    const length = loaded.total ?? 0;
    return requests.map(({ window: w }) => {
      const from = w.kind === 'total' ? 0 : w.from;
      const to = w.kind === 'total' ? 0 : Math.max(from, Math.min(w.to, length));
      const items: WireEc2Backup[] = [];
      for (let offset = from; offset < to; offset++) {
        const item = byOffset.get(offset);
        if (item) items.push(item);
      }
      return { items, from, to, total: length, view };
    });
  }

  const windows = new DataLoader<WindowRequest, WindowResult, string>(
    async (requests) => {
      trace.batch('windows', requests.length);
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

  /** Loads `ranges` of `list` (none: just its length) through `windows`, and returns what is known of it. */
  async function loadRanges(list: ListQuery, ranges: OffsetRange[]): Promise<ListView<WireEc2Backup>> {
    const requests: WindowRequest[] =
      ranges.length > 0 ? ranges.map((range) => ({ list, window: { kind: 'range', ...range } })) : [{ list, window: { kind: 'total' } }];
    const results = await Promise.all(requests.map((request) => windows.load(request)));
    return (results[0] as WindowResult).view;
  }

  /**
   * Drives page-steps.ts through one connection's page. The first step's loads are issued
   * synchronously, so they join the same `windows` batch as every other field resolved in this tick
   * (`totalCount` of the same list included).
   */
  async function loadConnectionPage(read: ListQuery, plan: ConnectionPlan, seekIn: ListQuery | undefined): Promise<ConnectionPage> {
    const steps = pageSteps<WireEc2Backup>(plan, seekIn !== undefined, maxPageSize);
    let next = steps.next();
    while (!next.done) {
      const { list, ranges } = next.value;
      next = steps.next(await loadRanges(list === 'caller' ? (seekIn as ListQuery) : read, ranges));
    }
    return next.value;
  }

  const connectionPages = new Map<string, Promise<ConnectionPage>>();
  function connectionPage(read: ListQuery, plan: ConnectionPlan, seekIn?: ListQuery): Promise<ConnectionPage> {
    // Aliases with identical arguments resolve one page.
    const key = `${read.key}|${seekIn ? 'seek' : 'keyset'}|${plan.take}${plan.count}|${JSON.stringify(plan.after ?? null)}|${JSON.stringify(plan.before ?? null)}`;
    let page = connectionPages.get(key);
    if (!page) connectionPages.set(key, (page = loadConnectionPage(read, plan, seekIn)));
    return page;
  }

  return { windows, connectionPage, backupById, latestBackupByInstance };
}


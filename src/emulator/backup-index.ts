/**
 * Indexes over the emulator's backups, so that a list request costs a couple of binary searches plus
 * concatenating bytes.
 *
 * - One ascending run per scope: global, per organizational unit, per instance. A run holds the
 *   entries in the total order (start_timestamp, id) ascending; descending is its exact reverse.
 * - Each item's JSON is serialised and UTF-8 encoded once, when the item is added; a page is a
 *   Buffer.concat of those bytes (measured ~8x cheaper than concatenating strings, which V8 must
 *   flatten and encode per request).
 * - Backups can be added and removed while the emulator runs (tests, the admin endpoint); the runs
 *   are rebuilt on the next read after a change (a few milliseconds for the seeded 2,500 items), so
 *   every read sees every change made before it.
 */
import type { WireEc2Backup } from '../clumio/wire-types';
import { parseRfc3339 } from './list-query';
import type { OrganizationalUnit } from './seed-data';
import { stringifyWithUint64 } from './raw-json';

interface Entry {
  readonly backup: WireEc2Backup;
  readonly id: string;
  readonly instanceId: string;
  readonly accountNativeId: string;
  readonly startMs: number;
  readonly json: Buffer;
}

interface SortedRun {
  /** Entries ascending by (startMs, id). */
  readonly entries: readonly Entry[];
  /** startMs of each entry, for binary search. */
  readonly times: Float64Array;
}

interface Runs {
  readonly global: SortedRun;
  readonly byOu: ReadonlyMap<string, SortedRun>;
  readonly byInstance: ReadonlyMap<string, SortedRun>;
  readonly accountOfInstance: ReadonlyMap<string, string>;
}

/** A contiguous slice [lo, hi) of one ascending run: the items matching a list request. */
export interface Selection {
  readonly run: SortedRun;
  readonly lo: number;
  readonly hi: number;
}

export interface SelectionCriteria {
  /** null: the global OU (everything). */
  organizationalUnit: OrganizationalUnit | null;
  instanceId?: string | undefined;
  gtMs?: number | undefined;
  lteMs?: number | undefined;
}

export interface PageBytes {
  readonly parts: Buffer[];
  readonly byteLength: number;
  readonly count: number;
}

/** What an indexed backup must have: an id, its instance and account, and a start time. */
export type IndexableBackup = WireEc2Backup & { id: string; instance_id: string; account_native_id: string; start_timestamp: string };

const COMMA = Buffer.from(',');
const EMPTY_RUN: SortedRun = { entries: [], times: new Float64Array(0) };

export class BackupIndex {
  private readonly entries = new Map<string, Entry>();
  private runs: Runs | undefined;

  constructor(
    backups: readonly IndexableBackup[],
    private readonly organizationalUnits: readonly OrganizationalUnit[],
  ) {
    for (const backup of backups) this.add(backup);
  }

  /** Adds a backup; throws when its id is taken or its start time is not a date. */
  add(backup: IndexableBackup): void {
    if (this.entries.has(backup.id)) throw new Error(`duplicate backup id ${backup.id}`);
    const startMs = parseRfc3339(backup.start_timestamp);
    if (startMs === undefined) throw new Error(`backup ${backup.id} has no RFC-3339 start_timestamp`);
    this.entries.set(backup.id, {
      backup,
      id: backup.id,
      instanceId: backup.instance_id,
      accountNativeId: backup.account_native_id,
      startMs,
      json: Buffer.from(stringifyWithUint64(backup), 'utf8'),
    });
    this.runs = undefined;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Removes a backup; false when there is none with that id. */
  remove(id: string): boolean {
    const removed = this.entries.delete(id);
    if (removed) this.runs = undefined;
    return removed;
  }

  /** Every backup, newest first: descending (start_timestamp, id). */
  newestFirst(): WireEc2Backup[] {
    return this.indexes().global.entries.map((e) => e.backup).reverse();
  }

  /** The newest backup of an instance, or of all when `instanceId` is undefined. */
  newest(instanceId?: string): WireEc2Backup | undefined {
    const { global, byInstance } = this.indexes();
    const run = instanceId === undefined ? global : byInstance.get(instanceId);
    return run?.entries[run.entries.length - 1]?.backup;
  }

  /** The items matching the criteria, as a slice of an ascending run. */
  select(criteria: SelectionCriteria): Selection {
    const { global, byOu, byInstance, accountOfInstance } = this.indexes();
    const ou = criteria.organizationalUnit;
    let run: SortedRun;
    if (criteria.instanceId !== undefined) {
      run = byInstance.get(criteria.instanceId) ?? EMPTY_RUN;
      const account = accountOfInstance.get(criteria.instanceId);
      if (ou !== null && ou.accountNativeIds !== null && (account === undefined || !ou.accountNativeIds.includes(account))) {
        run = EMPTY_RUN;
      }
    } else {
      run = ou === null ? global : (byOu.get(ou.id) ?? EMPTY_RUN);
    }
    const lo = criteria.gtMs === undefined ? 0 : upperBound(run.times, criteria.gtMs);
    const hi = criteria.lteMs === undefined ? run.times.length : upperBound(run.times, criteria.lteMs);
    return { run, lo, hi: Math.max(lo, hi) };
  }

  /**
   * Page `start` (from 1) of `limit` items in the requested direction, as the JSON array's contents:
   * item bytes separated by commas, ready for Buffer.concat.
   */
  page(selection: Selection, start: number, limit: number, descending: boolean): PageBytes {
    const { run, lo, hi } = selection;
    const skip = (start - 1) * limit;
    const total = hi - lo;
    if (skip >= total) return { parts: [], byteLength: 0, count: 0 };
    const count = Math.min(limit, total - skip);
    const parts: Buffer[] = [];
    let byteLength = 0;
    for (let i = 0; i < count; i++) {
      const at = descending ? hi - 1 - skip - i : lo + skip + i;
      const json = (run.entries[at] as Entry).json;
      if (i > 0) parts.push(COMMA);
      parts.push(json);
      byteLength += json.length + (i > 0 ? 1 : 0);
    }
    return { parts, byteLength, count };
  }

  /** The backup when it exists and the OU may see it. */
  item(id: string, organizationalUnit: OrganizationalUnit | null): WireEc2Backup | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    const accounts = organizationalUnit?.accountNativeIds ?? null;
    return accounts !== null && !accounts.includes(entry.accountNativeId) ? undefined : entry.backup;
  }

  /** The item's JSON bytes when it exists and the OU may see it. */
  itemJson(id: string, organizationalUnit: OrganizationalUnit | null): Buffer | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    const accounts = organizationalUnit?.accountNativeIds ?? null;
    if (accounts !== null && !accounts.includes(entry.accountNativeId)) return undefined;
    return entry.json;
  }

  /** The runs, rebuilt after any change since they were last built. */
  private indexes(): Runs {
    if (this.runs !== undefined) return this.runs;
    const ascending = [...this.entries.values()].sort(compareEntries);
    const global = toRun(ascending);
    const byOu = new Map<string, SortedRun>();
    for (const ou of this.organizationalUnits) {
      const accounts = ou.accountNativeIds === null ? null : new Set(ou.accountNativeIds);
      byOu.set(ou.id, accounts === null ? global : toRun(ascending.filter((e) => accounts.has(e.accountNativeId))));
    }
    const perInstance = new Map<string, Entry[]>();
    const accountOfInstance = new Map<string, string>();
    for (const e of ascending) {
      const list = perInstance.get(e.instanceId);
      if (list === undefined) perInstance.set(e.instanceId, [e]);
      else list.push(e);
      accountOfInstance.set(e.instanceId, e.accountNativeId);
    }
    const byInstance = new Map<string, SortedRun>();
    for (const [id, list] of perInstance) byInstance.set(id, toRun(list));
    this.runs = { global, byOu, byInstance, accountOfInstance };
    return this.runs;
  }
}

function toRun(ascending: readonly Entry[]): SortedRun {
  return { entries: ascending, times: Float64Array.from(ascending, (e) => e.startMs) };
}

function compareEntries(a: Entry, b: Entry): number {
  if (a.startMs !== b.startMs) return a.startMs - b.startMs;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** First index whose time is greater than `t` (times ascending). */
function upperBound(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] ?? Infinity) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

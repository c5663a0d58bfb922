/**
 * Precomputed, read-only indexes over the seeded backups, built once at startup so that a list
 * request costs a couple of binary searches plus string concatenation.
 *
 * - One ascending run per scope: global, per organizational unit, per instance. A run holds the
 *   entries in the total order (start_timestamp, id) ascending; descending is its exact reverse.
 * - Each item's JSON is serialised and UTF-8 encoded once; a page is a Buffer.concat of those bytes
 *   (measured ~8x cheaper than concatenating strings, which V8 must flatten and encode per request).
 */
import type { OrganizationalUnit, SeededEc2Backup } from './seed-data';
import { stringifyWithUint64 } from './raw-json';

interface Entry {
  readonly id: string;
  readonly instanceId: string;
  readonly accountNativeId: string;
  readonly startMs: number;
  readonly json: Buffer;
}

interface SortedRun {
  /** Entry positions, ascending by (startMs, id). */
  readonly positions: Int32Array;
  /** startMs of each position, for binary search. */
  readonly times: Float64Array;
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

const COMMA = Buffer.from(',');
const EMPTY_RUN: SortedRun = { positions: new Int32Array(0), times: new Float64Array(0) };

export class BackupIndex {
  private readonly entries: Entry[];
  private readonly byId = new Map<string, number>();
  private readonly global: SortedRun;
  private readonly byOu = new Map<string, SortedRun>();
  private readonly byInstance = new Map<string, SortedRun>();
  private readonly accountOfInstance = new Map<string, string>();

  constructor(backups: readonly SeededEc2Backup[], organizationalUnits: readonly OrganizationalUnit[]) {
    this.entries = backups.map((b) => ({
      id: b.id,
      instanceId: b.instance_id,
      accountNativeId: b.account_native_id,
      startMs: Date.parse(b.start_timestamp),
      json: Buffer.from(stringifyWithUint64(b), 'utf8'),
    }));
    const ascending = this.entries.map((_, k) => k);
    ascending.sort((x, y) => compareEntries(this.entry(x), this.entry(y)));
    this.entries.forEach((e, k) => {
      if (this.byId.has(e.id)) throw new Error(`duplicate backup id ${e.id}`);
      this.byId.set(e.id, k);
      this.accountOfInstance.set(e.instanceId, e.accountNativeId);
    });

    this.global = this.toRun(ascending);
    for (const ou of organizationalUnits) {
      const accounts = ou.accountNativeIds === null ? null : new Set(ou.accountNativeIds);
      this.byOu.set(
        ou.id,
        accounts === null ? this.global : this.toRun(ascending.filter((k) => accounts.has(this.entry(k).accountNativeId))),
      );
    }
    const perInstance = new Map<string, number[]>();
    for (const k of ascending) {
      const id = this.entry(k).instanceId;
      const list = perInstance.get(id);
      if (list === undefined) perInstance.set(id, [k]);
      else list.push(k);
    }
    for (const [id, list] of perInstance) this.byInstance.set(id, this.toRun(list));
  }

  /** The items matching the criteria, as a slice of an ascending run. */
  select(criteria: SelectionCriteria): Selection {
    const ou = criteria.organizationalUnit;
    let run: SortedRun;
    if (criteria.instanceId !== undefined) {
      run = this.byInstance.get(criteria.instanceId) ?? EMPTY_RUN;
      const account = this.accountOfInstance.get(criteria.instanceId);
      if (ou !== null && ou.accountNativeIds !== null && (account === undefined || !ou.accountNativeIds.includes(account))) {
        run = EMPTY_RUN;
      }
    } else {
      run = ou === null ? this.global : (this.byOu.get(ou.id) ?? EMPTY_RUN);
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
      const json = this.entry(run.positions[at] ?? -1).json;
      if (i > 0) parts.push(COMMA);
      parts.push(json);
      byteLength += json.length + (i > 0 ? 1 : 0);
    }
    return { parts, byteLength, count };
  }

  /** The item's JSON bytes when it exists and the OU may see it. */
  itemJson(id: string, organizationalUnit: OrganizationalUnit | null): Buffer | undefined {
    const k = this.byId.get(id);
    if (k === undefined) return undefined;
    const entry = this.entry(k);
    const accounts = organizationalUnit?.accountNativeIds ?? null;
    if (accounts !== null && !accounts.includes(entry.accountNativeId)) return undefined;
    return entry.json;
  }

  private entry(k: number): Entry {
    const e = this.entries[k];
    if (e === undefined) throw new Error(`no entry at ${k}`);
    return e;
  }

  private toRun(ascending: readonly number[]): SortedRun {
    const positions = Int32Array.from(ascending);
    const times = Float64Array.from(ascending, (k) => this.entry(k).startMs);
    return { positions, times };
  }
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

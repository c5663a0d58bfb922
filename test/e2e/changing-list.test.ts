import type { WireEc2Backup } from '../../src/clumio/wire-types';
import { mulberry32 } from '../../src/emulator/seed-data';
import { backupPage, listCalls, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * Paging through the gateway while backups land and expire in the emulator between page requests:
 * added ahead of the cursor, added behind it, added with the very start time of the page's last
 * (or first) item, removed ahead and behind, the cursor's own item included. Every walk checks: no
 * backup served twice, every backup that was there throughout served, every backup added strictly
 * ahead served, pages in order, totalCount and pageInfo true at the moment of each page.
 *
 * Changes to the run of the cursor's own start time are one per step (the cursor's item or one of
 * its ties); the pure tests (test/unit/keyset-walks.test.ts) cover harsher churn, where a cursor
 * may have to be refused.
 */

interface Walk {
  name: string;
  direction: 'ASC' | 'DESC';
  backward: boolean;
  size: number;
  filter: 'none' | 'instance' | 'range';
}

const RANGE = { gt: '2025-06-01T00:00:00Z', lte: '2025-06-20T00:00:00Z' };
const SECOND = 1000;

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

async function walk(w: Walk): Promise<void> {
  const random = mulberry32(w.size * 31 + (w.backward ? 7 : 0) + (w.direction === 'ASC' ? 3 : 0) + w.filter.length);
  const int = (n: number): number => Math.floor(random() * n);
  const instanceId = h.emulator.backups[0]!.instance_id!;
  const inFilter = (b: WireEc2Backup): boolean =>
    w.filter === 'instance' ? b.instance_id === instanceId : w.filter === 'range' ? b.start_timestamp! > RANGE.gt && b.start_timestamp! <= RANGE.lte : true;
  // The emulator's own order (it breaks ties by ID; the gateway must not care).
  const current = (): WireEc2Backup[] => {
    const newestFirst = h.emulator.backups.filter(inFilter);
    return w.direction === 'DESC' ? newestFirst : [...newestFirst].reverse();
  };
  const add = (startTimestamp: string): WireEc2Backup =>
    h.emulator.insertBackup({ start_timestamp: startTimestamp, ...(w.filter === 'instance' ? { instance_id: instanceId } : {}) });

  if (w.filter === 'instance') {
    // One instance's backups never share a start time; give it runs of ties to cut pages through.
    for (const b of current().filter((_, i) => i % 5 === 2)) for (let n = 0; n < 1 + int(3); n++) add(b.start_timestamp!);
  }
  const stamps = current().map((b) => Date.parse(b.start_timestamp!));
  const [lowest, highest] = [Math.min(...stamps), Math.max(...stamps)];

  const initial = new Set(current().map((b) => b.id!));
  const removed = new Set<string>();
  const addedAhead = new Set<string>();
  const served: string[] = [];
  const seen = new Set<string>();
  const walkSign = (w.direction === 'ASC' ? 1 : -1) * (w.backward ? -1 : 1);
  const orderBy = { field: 'START_TIMESTAMP', direction: w.direction };
  const filter = w.filter === 'instance' ? { instanceId } : w.filter === 'range' ? { startTimestamp: RANGE } : undefined;
  let cursor: string | null = null;
  let boundariesInTies = 0;
  let pages = 0;

  for (;;) {
    const list = current();
    const page = await backupPage(h, { [w.backward ? 'last' : 'first']: w.size, [w.backward ? 'before' : 'after']: cursor, orderBy, filter });
    pages++;
    const ids: string[] = page.edges.map((e: any) => e.node.backupId);
    const context = () => JSON.stringify({ walk: w, page: pages, cursor, ids });
    expect([context(), page.totalCount]).toEqual([context(), list.length]);
    for (const id of ids) {
      if (seen.has(id)) throw new Error(`served ${id} twice: ${context()}`);
      seen.add(id);
    }
    served.push(...(w.backward ? [...ids].reverse() : ids));
    if (ids.length > 0) {
      const first = list.findIndex((b) => b.id === ids[0]);
      const last = list.findIndex((b) => b.id === ids[ids.length - 1]);
      expect([context(), list.slice(first, last + 1).map((b) => b.id)]).toEqual([context(), ids]);
      expect([context(), page.pageInfo.hasPreviousPage, page.pageInfo.hasNextPage]).toEqual([context(), first > 0, last < list.length - 1]);
    }
    const more = w.backward ? page.pageInfo.hasPreviousPage : page.pageInfo.hasNextPage;
    if (!more) break;
    if (pages > 2000) throw new Error(`walk does not end: ${context()}`);

    cursor = w.backward ? page.pageInfo.startCursor : page.pageInfo.endCursor;
    const boundaryId = (w.backward ? ids[0] : ids[ids.length - 1]) as string;
    const at = list.findIndex((b) => b.id === boundaryId);
    const boundary = list[at]!.start_timestamp!;
    if (list[at + (w.backward ? -1 : 1)]?.start_timestamp === boundary) boundariesInTies++;

    // Change the list before the next page: three changes, at most one in the boundary's run.
    let runTouched = false;
    for (let m = 0; m < 3; m++) {
      const kind = int(7);
      if (kind <= 2) {
        // Ahead of or behind the boundary, on an existing start time (a new tie) or a new second.
        const now = current();
        const ts = int(2) === 0 ? now[int(now.length)]!.start_timestamp! : iso(lowest + int((highest - lowest) / SECOND) * SECOND);
        if (ts === boundary) continue;
        const b = add(ts);
        if (walkSign * (Date.parse(ts) - Date.parse(boundary)) > 0) addedAhead.add(b.id!);
      } else if (kind === 3) {
        add(boundary);
      } else {
        const now = current();
        const tied = now.filter((b) => b.start_timestamp === boundary);
        const victim = kind === 4 && !runTouched ? boundaryId : kind === 5 && !runTouched ? tied[int(tied.length)]?.id : now[int(now.length)]?.id;
        if (victim == null || (runTouched && tied.some((b) => b.id === victim))) continue;
        if (tied.some((b) => b.id === victim)) runTouched = true;
        if (h.emulator.removeBackup(victim)) removed.add(victim);
      }
    }
  }

  const survivors = [...initial].filter((id) => !removed.has(id) && !seen.has(id));
  expect({ walk: w, skipped: survivors }).toEqual({ walk: w, skipped: [] });
  const missedNew = [...addedAhead].filter((id) => !removed.has(id) && !seen.has(id));
  expect({ walk: w, missedNew }).toEqual({ walk: w, missedNew: [] });
  // Pages in order: start times never step back in the walk's direction.
  const times = served.map((id) => Date.parse(h.emulator.backups.find((b) => b.id === id)?.start_timestamp ?? 'NaN'));
  const present = times.filter((t) => !Number.isNaN(t));
  expect(present.every((t, i) => i === 0 || walkSign * (t - present[i - 1]!) >= 0)).toBe(true);
  expect({ walk: w.name, boundariesInTies: boundariesInTies > 0, removed: removed.size > 0, addedAhead: addedAhead.size > 0 }).toEqual({
    walk: w.name,
    boundariesInTies: true,
    removed: true,
    addedAhead: true,
  });
}

const WALKS: Walk[] = [];
for (const direction of ['DESC', 'ASC'] as const) {
  for (const backward of [false, true]) {
    for (const [filter, size] of [['none', 97], ['instance', 3], ['range', 23]] as const) {
      WALKS.push({ name: `${direction} ${backward ? 'backward' : 'forward'}, filter ${filter}, pages of ${size}`, direction, backward, size, filter });
    }
  }
}

describe('walking a list that changes between pages', () => {
  it.each(WALKS.map((w) => [w.name, w] as const))('%s', async (_name, w) => {
    await walk(w);
  });

  it('finds its place when the cursor\'s backup is gone but a tie it remembers survives, and refuses when none does', async () => {
    // A run of at least five equal start times, newest first; the page ends on its fourth item, so
    // the cursor remembers the two ties before it but not the first.
    const list = h.emulator.backups;
    const start = list.findIndex((b, i) => i > 0 && list[i - 1]!.start_timestamp !== b.start_timestamp && list[i + 4]?.start_timestamp === b.start_timestamp);
    const run = list.slice(start, start + 5).map((b) => b.id!);
    const page = await backupPage(h, { first: start + 4 }, { totalCount: false });
    const cursor = page.pageInfo.endCursor;

    h.emulator.removeBackup(run[3]!);
    h.emulator.removeBackup(run[2]!);
    const next = await backupPage(h, { first: 3, after: cursor }, { totalCount: false });
    expect(next.edges.map((e: any) => e.node.backupId)).toEqual(h.emulator.backups.slice(start + 2, start + 5).map((b) => b.id));
    expect(next.edges[0].node.backupId).toBe(run[4]);

    h.emulator.removeBackup(run[1]!);
    h.resetUpstream();
    const response = await h.gql('query($after: String) { ec2InstanceBackups(first: 3, after: $after) { nodes { backupId } } }', { after: cursor });
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.message).toMatch(/changed too much since `after` was issued.*restart paging without a cursor/);
    expect(response.data?.ec2InstanceBackups?.nodes ?? null).toBeNull();
  });

  it('costs one upstream call a page forward, also while the list changes', async () => {
    let cursor: string | null = null;
    let pages = 0;
    h.resetUpstream();
    for (;;) {
      const page = await backupPage(h, { first: 50, after: cursor }, { totalCount: false });
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      cursor = page.pageInfo.endCursor;
      h.emulator.insertBackup({ start_timestamp: '2025-06-29T23:59:59Z' });
      h.emulator.removeBackup(h.emulator.backups[h.emulator.backups.length - 1]!.id!);
    }
    expect(listCalls(h.upstream())).toHaveLength(pages);
  });
});

import { DEFAULT_EMULATOR_TOKEN } from '../../src/emulator';
import { backupPage, startHarness, listCalls, expectNoErrors } from '../support/harness';
import type { Harness } from '../support/harness';

/** Every paging edge, checked against the list Clumio (the emulator) serves directly. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.resetUpstream());

const page = (variables: Record<string, unknown>, options?: { totalCount?: boolean }) => backupPage(h, variables, options);

/** The whole list in Clumio's order, read straight from the emulator's REST API. */
async function truth(sort: string, filter?: string): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 1; ; start++) {
    const query = new URLSearchParams({ limit: '100', start: String(start), sort, ...(filter ? { filter } : {}) });
    const response = await fetch(`${h.emulator.url}/backups/aws/ec2-instances?${query}`, {
      headers: { authorization: `Bearer ${DEFAULT_EMULATOR_TOKEN}` },
    });
    const body = (await response.json()) as { _embedded: { items: Array<{ id: string }> }; total_pages_count: number };
    ids.push(...body._embedded.items.map((item) => item.id));
    if (start >= body.total_pages_count) return ids;
  }
}

describe.each([
  ['DESC', '-start_timestamp'],
  ['ASC', 'start_timestamp'],
])('walking the whole list, %s', (direction, sort) => {
  const orderBy = { field: 'START_TIMESTAMP', direction };

  it('forward with first/after serves every item once, in order, ties included, one call a page', async () => {
    const expected = await truth(sort);
    h.resetUpstream();
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result = await page({ first: 50, after, orderBy }, { totalCount: false });
      pages++;
      seen.push(...result.edges.map((e: any) => e.node.backupId));
      expect(result.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    // After a cursor the list read begins with the k items tied with the cursor's item (k ≤ 13 in the
    // seed data); the cursor's own item and the next 50 are offsets [k−1, k+50): one page of k+50.
    expect(listCalls(h.upstream())).toHaveLength(pages);
  });

  it('backward with last/before serves every item once, in order, at most two calls a page', async () => {
    const expected = await truth(sort);
    const seen: string[] = [];
    const costs: number[] = [];
    let before: string | null = null;
    for (;;) {
      h.resetUpstream();
      const result = await page({ last: 100, before, orderBy }, { totalCount: false });
      costs.push(listCalls(h.upstream()).length);
      seen.unshift(...result.edges.map((e: any) => e.node.backupId));
      if (!result.pageInfo.hasPreviousPage) break;
      expect(result.pageInfo.hasNextPage).toBe(before !== null);
      before = result.pageInfo.startCursor;
    }
    expect(seen).toEqual(expected);
    // The first page needs the length: a 100-item probe, then a tail no aligned page holds. Each
    // cursor remembers where the list before it ends, so later pages skip the probe; the cursor's
    // item read with the 100 before it makes 101 items, two calls, until the list's start.
    expect(costs[0]).toBe(3);
    expect(costs.slice(1, -1).every((c) => c === 2)).toBe(true);
    expect(costs[costs.length - 1]).toBe(1);
  });
});

describe('paging edges', () => {
  it('crosses a group of equal start timestamps without losing or repeating an item', async () => {
    const expected = await truth('-start_timestamp');
    const all = await page({ first: 100 });
    const stamps: string[] = all.edges.map((e: any) => e.node.startTimestamp);
    // A page boundary (page size 10) inside a run of equal timestamps.
    const boundary = [...Array(9).keys()].map((k) => (k + 1) * 10).find((i) => stamps[i - 1] === stamps[i]);
    expect(boundary).toBeDefined();
    const a = await page({ first: boundary });
    const b = await page({ first: 10, after: a.pageInfo.endCursor });
    expect([...a.edges, ...b.edges].map((e: any) => e.node.backupId)).toEqual(expected.slice(0, boundary! + 10));
  });

  it('returns the last page short, with hasNextPage false', async () => {
    const total = (await page({ first: 0 })).totalCount as number;
    const expected = await truth('-start_timestamp');
    const tail = await page({ last: 5 });
    const result = await page({ first: 10, after: tail.edges[0].cursor });
    expect(result.edges.map((e: any) => e.node.backupId)).toEqual(expected.slice(total - 4));
    expect(result.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('answers first: 0 with no edges and a truthful hasNextPage', async () => {
    const result = await page({ first: 0 });
    expect(result.edges).toEqual([]);
    expect(result.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null });
  });

  it('answers an empty list', async () => {
    const result = await page({ filter: { startTimestamp: { gt: '2999-01-01T00:00:00Z' } } });
    expect(result).toEqual({
      totalCount: 0,
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
    const last = await page({ last: 5, filter: { startTimestamp: { gt: '2999-01-01T00:00:00Z' } } });
    expect(last.edges).toEqual([]);
  });

  it('answers after and before together with the items between them', async () => {
    const expected = await truth('-start_timestamp');
    const ahead = await page({ first: 20 });
    const result = await page({ after: ahead.edges[4].cursor, before: ahead.edges[9].cursor });
    expect(result.edges.map((e: any) => e.node.backupId)).toEqual(expected.slice(5, 9));
    expect(result.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it('gives `before` alone the 10 items before it', async () => {
    const expected = await truth('-start_timestamp');
    const ahead = await page({ first: 40 });
    const result = await page({ before: ahead.edges[35].cursor });
    expect(result.edges.map((e: any) => e.node.backupId)).toEqual(expected.slice(25, 35));
  });

  it('pages an instance\'s own backups with the same rules', async () => {
    const instanceId = h.emulator.backups[0]!.instance_id!;
    const filter = JSON.stringify({ instance_id: { $eq: instanceId } });
    const expected = await truth('-start_timestamp', filter);
    const query = `query($id: ID!, $after: String) { node(id: $id) { ... on Ec2Instance { backups(first: 7, after: $after) {
      pageInfo { hasNextPage endCursor } nodes { backupId } } } } }`;
    const direct = await h.gql('query($f: Ec2InstanceBackupFilter) { ec2InstanceBackups(first: 1, filter: $f) { nodes { instance { id } } } }', {
      f: { instanceId },
    });
    const instanceGlobalId = direct.data.ec2InstanceBackups.nodes[0].instance.id;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const response: any = await h.gql(query, { id: instanceGlobalId, after });
      expectNoErrors(response, h);
      const backups: any = response.data.node.backups;
      seen.push(...backups.nodes.map((n: any) => n.backupId));
      if (!backups.pageInfo.hasNextPage) break;
      after = backups.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
  });
});

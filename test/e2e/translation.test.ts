import { UNUSUAL_SHIFT, USUAL_SHIFT } from '../../src/paging/offset-seek';
import { planPages } from '../../src/paging/page-planner';
import { backupPage, startHarness, listCalls, expectNoErrors } from '../support/harness';
import type { Harness } from '../support/harness';

/** GraphQL arguments → the exact Clumio requests the emulator received. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.resetUpstream());

const page = (variables: Record<string, unknown>) => backupPage(h, variables);
/** The same page without totalCount (so a page after a cursor is read by keyset, from the cursor's start time on). */
const pageOnly = (variables: Record<string, unknown>) => backupPage(h, variables, { totalCount: false });

/** How many items up to and including `index` share its start time (the run starts inside `edges`). */
function tiesUpTo(edges: any[], index: number): number {
  let k = 1;
  while (index - k >= 0 && edges[index - k].node.startTimestamp === edges[index].node.startTimestamp) k++;
  expect(index - k).toBeGreaterThanOrEqual(0);
  return k;
}

describe('upstream translation', () => {
  it('asks for the first 10, newest first, with the versioned media type, the token and no filter', async () => {
    const result = await page({});
    expect(result.edges).toHaveLength(10);
    const requests = h.upstream();
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request).toMatchObject({ method: 'GET', path: '/backups/aws/ec2-instances' });
    expect(request!.query).toEqual({ limit: '10', start: '1', sort: '-start_timestamp' });
    expect(request!.headers.accept).toBe('application/api.clumio.backup-aws-ec2-instances=v1+json');
    expect(request!.headers.authorization).toBe('Bearer clumio-emulator-token');
    expect(request!.headers['x-clumio-organizationalunit-context']).toBeUndefined();
  });

  it('translates filter and orderBy into Clumio filter JSON and sort', async () => {
    const instanceId = h.emulator.backups[0]!.instance_id!;
    await page({
      first: 3,
      filter: { instanceId, startTimestamp: { lte: '2099-01-01T00:00:00Z', gt: '2000-01-01T00:00:00Z' } },
      orderBy: { field: 'START_TIMESTAMP', direction: 'ASC' },
    });
    expect(listCalls(h.upstream())).toEqual([
      {
        limit: '3',
        start: '1',
        sort: 'start_timestamp',
        filter: `{"instance_id":{"$eq":"${instanceId}"},"start_timestamp":{"$lte":"2099-01-01T00:00:00Z","$gt":"2000-01-01T00:00:00Z"}}`,
      },
    ]);
  });

  it('pages forward from a cursor with one call: the list from the cursor\'s start time on, past the cursor\'s ties', async () => {
    const ahead = await pageOnly({ first: 40 });
    const first = await pageOnly({ first: 10 });
    h.resetUpstream();
    const second = await pageOnly({ first: 10, after: first.pageInfo.endCursor });
    // `$lte` the cursor's start time: the list read begins with its k ties, the cursor's item at
    // offset k−1. That item (to check it is still there) and the 10 after it: one page of k+10.
    const t1 = first.edges[9].node.startTimestamp;
    const k1 = tiesUpTo(ahead.edges, 9);
    expect(listCalls(h.upstream())).toEqual([
      { limit: String(k1 + 10), start: '1', sort: '-start_timestamp', filter: `{"start_timestamp":{"$lte":"${t1}"}}` },
    ]);
    expect(second.edges.map((e: any) => e.node.backupId)).toEqual(ahead.edges.slice(10, 20).map((e: any) => e.node.backupId));
    h.resetUpstream();
    await pageOnly({ first: 7, after: second.pageInfo.endCursor });
    const t2 = second.edges[9].node.startTimestamp;
    const k2 = tiesUpTo(ahead.edges, 19);
    expect(listCalls(h.upstream())).toEqual([
      { limit: String(k2 + 7), start: '1', sort: '-start_timestamp', filter: `{"start_timestamp":{"$lte":"${t2}"}}` },
    ]);
  });

  it('pages forward oldest first with `$gt` the start time before the cursor\'s ties, intersected with the caller\'s filter', async () => {
    const orderBy = { field: 'START_TIMESTAMP', direction: 'ASC' };
    const filter = { startTimestamp: { gt: '2025-04-05T00:00:00Z', lte: '2025-06-01T00:00:00Z' } };
    const ahead = await pageOnly({ first: 60, orderBy, filter });
    // A page boundary inside a run of equal start times, with the run starting on the page.
    const cut = [...Array(50).keys()].map((i) => i + 5).find((i) => ahead.edges[i].node.startTimestamp === ahead.edges[i + 1].node.startTimestamp && tiesUpTo(ahead.edges, i) > 1)!;
    const k = tiesUpTo(ahead.edges, cut);
    const floor = ahead.edges[cut - k].node.startTimestamp;
    const first = await pageOnly({ first: cut + 1, orderBy, filter });
    h.resetUpstream();
    const next = await pageOnly({ first: 5, after: first.pageInfo.endCursor, orderBy, filter });
    expect(listCalls(h.upstream())).toEqual([
      {
        limit: String(k + 5),
        start: '1',
        sort: 'start_timestamp',
        filter: `{"start_timestamp":{"$lte":"2025-06-01T00:00:00Z","$gt":"${floor}"}}`,
      },
    ]);
    expect(next.edges.map((e: any) => e.node.backupId)).toEqual(ahead.edges.slice(cut + 1, cut + 6).map((e: any) => e.node.backupId));
  });

  it('needs two calls for 100 items after a cursor: with the cursor\'s own item that is 101', async () => {
    const one = await pageOnly({ first: 1 });
    h.resetUpstream();
    const result = await pageOnly({ first: 100, after: one.pageInfo.endCursor });
    expect(result.edges).toHaveLength(100);
    const filter = `{"start_timestamp":{"$lte":"${one.edges[0].node.startTimestamp}"}}`;
    expect(listCalls(h.upstream())).toEqual([
      { limit: '100', start: '1', sort: '-start_timestamp', filter },
      { limit: '1', start: '101', sort: '-start_timestamp', filter },
    ]);
  });

  it('reads a page after a cursor with its totalCount in one call: the caller\'s own list, around the cursor\'s offset', async () => {
    const first = await page({ first: 10 });
    h.resetUpstream();
    const second = await page({ first: 10, after: first.pageInfo.endCursor });
    expect(second.totalCount).toBe(h.emulator.backups.length);
    // The cursor's item was at offset 9: it and the page are [9, 20), read with room for the item to
    // have moved (newest first, backups arriving ahead of it move it up): [9 − 2, 20 + 20).
    const [plan] = planPages([{ from: 9 - UNUSUAL_SHIFT, to: 20 + USUAL_SHIFT }], 100);
    expect(listCalls(h.upstream())).toEqual([{ limit: String(plan!.limit), start: String(plan!.start), sort: '-start_timestamp' }]);
    const truth = await pageOnly({ first: 20 });
    expect(second.edges.map((e: any) => e.node.backupId)).toEqual(truth.edges.slice(10).map((e: any) => e.node.backupId));
    expect(second.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it('asks for the smallest page when only totalCount is selected', async () => {
    const response = await h.gql('{ ec2InstanceBackups { totalCount } }');
    expectNoErrors(response, h);
    expect(response.data.ec2InstanceBackups.totalCount).toBe(h.emulator.backups.length);
    expect(listCalls(h.upstream())).toEqual([{ limit: '1', start: '1', sort: '-start_timestamp' }]);
  });

  it('serves edges, nodes, pageInfo and totalCount of one connection from one call', async () => {
    const response = await h.gql('{ ec2InstanceBackups(first: 4) { totalCount nodes { backupId } edges { cursor } pageInfo { hasNextPage } } }');
    expectNoErrors(response, h);
    expect(listCalls(h.upstream())).toEqual([{ limit: '4', start: '1', sort: '-start_timestamp' }]);
  });

  it('pages backward from a cursor with one call: the caller\'s own list, around the cursor\'s offset', async () => {
    const ahead = await pageOnly({ first: 40 });
    const at = 30;
    h.resetUpstream();
    const back = await pageOnly({ last: 5, before: ahead.edges[at].cursor });
    // The 5 before the cursor's item and the item itself are offsets [at−5, at+1), read with room.
    const [plan] = planPages([{ from: at - 5 - UNUSUAL_SHIFT, to: at + 1 + USUAL_SHIFT }], 100);
    expect(listCalls(h.upstream())).toEqual([{ limit: String(plan!.limit), start: String(plan!.start), sort: '-start_timestamp' }]);
    expect(back.edges.map((e: any) => e.node.backupId)).toEqual(ahead.edges.slice(at - 5, at).map((e: any) => e.node.backupId));
    expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it('carries a cursor\'s offset over to the cursors of a page read by keyset after it', async () => {
    const forward = await pageOnly({ first: 100 });
    const second = await pageOnly({ first: 60, after: forward.pageInfo.endCursor });
    h.resetUpstream();
    // second.edges[50] is the 151st backup: its cursor knows offset 150 from the first cursor's 99.
    const back = await pageOnly({ last: 5, before: second.edges[50].cursor });
    const calls = listCalls(h.upstream());
    expect(calls).toHaveLength(1);
    expect(calls[0]!.filter).toBeUndefined();
    expect(back.edges.map((e: any) => e.node.backupId)).toEqual(second.edges.slice(45, 50).map((e: any) => e.node.backupId));
  });

  it('still reads cursors of the previous version; without an offset, a page before one takes two calls: the length, then the page', async () => {
    const forward = await pageOnly({ first: 100 });
    const second = await pageOnly({ first: 60, after: forward.pageInfo.endCursor });
    h.resetUpstream();
    // The 151st backup's position as the previous version wrote it when it knew no length ("0"):
    // the first call learns the length of the list before it (over 100), the second reads the page.
    const fields = Buffer.from(second.edges[50].cursor, 'base64url').toString('latin1').split('|');
    fields[0] = 'v2';
    fields[6] = '0';
    const v2 = Buffer.from(fields.join('|'), 'latin1').toString('base64url');
    const back = await pageOnly({ last: 5, before: v2 });
    const calls = listCalls(h.upstream());
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ limit: '100', start: '1' });
    expect(back.edges.map((e: any) => e.node.backupId)).toEqual(second.edges.slice(45, 50).map((e: any) => e.node.backupId));
  });

  it('needs the list length for `last` without a cursor: a 100-item probe, then the tail', async () => {
    const result = await page({ last: 3 });
    const total = h.emulator.backups.length;
    const calls = listCalls(h.upstream());
    expect(calls[0]).toEqual({ limit: '100', start: '1', sort: '-start_timestamp' });
    expect(calls).toHaveLength(2);
    expect(result.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(result.totalCount).toBe(total);
    expect(result.edges).toHaveLength(3);
  });

  it('serves `last` from the probe alone when the list is short', async () => {
    const instanceId = h.emulator.backups[0]!.instance_id!;
    const result = await page({ last: 2, filter: { instanceId } });
    expect(result.edges).toHaveLength(2);
    expect(listCalls(h.upstream())).toHaveLength(1);
  });

  it('forwards the caller\'s organizational unit', async () => {
    const response = await h.gql('{ ec2InstanceBackups(first: 1) { totalCount } }', undefined, {
      'X-Clumio-OrganizationalUnit-Context': 'not-a-known-ou',
    });
    expect(h.upstream()[0]!.headers['x-clumio-organizationalunit-context']).toBe('not-a-known-ou');
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(response.errors?.[0]?.extensions?.upstream).toMatchObject({ status: 403 });
  });
});

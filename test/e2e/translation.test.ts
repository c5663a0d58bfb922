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

  it('pages forward with one aligned call per page, even across Clumio page boundaries', async () => {
    const first = await page({ first: 10 });
    h.resetUpstream();
    const second = await page({ first: 10, after: first.pageInfo.endCursor });
    expect(listCalls(h.upstream())).toEqual([{ limit: '10', start: '2', sort: '-start_timestamp' }]);
    h.resetUpstream();
    // Offsets 20..26 (7 items): page size 9 holds them on page 3 = [18, 27).
    await page({ first: 7, after: second.pageInfo.endCursor });
    expect(listCalls(h.upstream())).toEqual([{ limit: '9', start: '3', sort: '-start_timestamp' }]);
  });

  it('uses two calls only when no page of at most 100 holds the window', async () => {
    const one = await page({ first: 1 });
    h.resetUpstream();
    // Offsets 1..100: no aligned page of ≤ 100 items holds all of them.
    const result = await page({ first: 100, after: one.pageInfo.endCursor });
    expect(result.edges).toHaveLength(100);
    expect(listCalls(h.upstream())).toHaveLength(2);
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

  it('pages backward from a cursor with one call', async () => {
    const ahead = await page({ first: 30 });
    h.resetUpstream();
    const back = await page({ last: 5, before: ahead.edges[25].cursor });
    // Offsets 20..24: page size 5, page 5.
    expect(listCalls(h.upstream())).toEqual([{ limit: '5', start: '5', sort: '-start_timestamp' }]);
    expect(back.edges.map((e: any) => e.node.backupId)).toEqual(ahead.edges.slice(20, 25).map((e: any) => e.node.backupId));
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

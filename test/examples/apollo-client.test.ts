import type { ApolloClient } from '@apollo/client';
import { filter, firstValueFrom, map, throwError, timeout } from 'rxjs';
import { createApolloClient } from '../../examples/web-client/src/apollo';
import { getFragmentData } from '../../examples/web-client/src/gql';
import { BackupDetailDocument, BackupRowFragment, BackupsListDocument } from '../../examples/web-client/src/operations';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { instanceToWalk } from '../support/instance-walk';

/**
 * The web-client example (examples/web-client) with real Apollo Client over HTTP: its generated
 * documents and its cache's relayStylePagination walk a whole list page by page, and the cache ends
 * up holding exactly that list.
 */

const LIST_PATH = '/backups/aws/ec2-instances';
const PAGE_SIZE = 7;

let h: Harness;
let client: ApolloClient;
let instanceId: string;
let expected: string[];
let totalCount: number;

beforeAll(async () => {
  h = await startHarness();
  client = createApolloClient(`${h.gateway.url}/graphql`);
  ({ instanceId, expected, totalCount } = await instanceToWalk(h));
});
afterAll(async () => {
  client.stop();
  await h.close();
});

/** The upstream list calls since the last reset, failing with everything the emulator saw if others came. */
function upstreamListGets(): number {
  const requests = h.upstream();
  expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(requests.map(() => `GET ${LIST_PATH}`));
  return requests.length;
}

it('walks every page with fetchMore, one upstream GET per page, and the cache holds the whole list in order', async () => {
  const variables = { first: PAGE_SIZE, filter: { instanceId } };
  h.resetUpstream();
  const query = client.watchQuery({ query: BackupsListDocument, variables });
  // What a screen does (useQuery): stay subscribed and render what the query emits. `rendered` is the
  // first emission (the latest is replayed) that is an error or a complete list with at least
  // `rows` rows; the timeout only bounds how long a failing test waits.
  const subscription = query.subscribe(() => undefined);
  const rendered = (rows: number) =>
    firstValueFrom(
      query.pipe(
        filter((r) => r.error !== undefined || (r.dataState === 'complete' && (r.data.ec2InstanceBackups?.edges?.length ?? 0) >= rows)),
        map((r) => {
          if (r.error) throw new Error(`the query failed: ${r.error.message}`);
          if (r.dataState !== 'complete') throw new Error(`the query emitted ${r.dataState} data`);
          return r.data;
        }),
        timeout({ first: 5000, with: () => throwError(() => new Error(`the query never emitted ${rows} rows`)) }),
      ),
    );
  try {
    const first = await rendered(1);
    expect(upstreamListGets()).toBe(1);

    const pages: string[][] = [];
    let connection = first.ec2InstanceBackups;
    for (;;) {
      if (!connection) throw new Error('no connection in the page');
      expect(connection.totalCount).toBe(totalCount);
      const rows = (connection.edges ?? []).map((edge) => getFragmentData(BackupRowFragment, edge.node));
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.length).toBeLessThanOrEqual(PAGE_SIZE);
      for (const row of rows) expect(row?.instance.instanceId).toBe(instanceId);
      pages.push(rows.map((row) => row!.backupId));
      if (!connection.pageInfo.hasNextPage) break;
      expect(pages.length).toBeLessThan(Math.ceil(totalCount / PAGE_SIZE)); // else hasNextPage never ends

      h.resetUpstream();
      const next = await query.fetchMore({ variables: { after: connection.pageInfo.endCursor } });
      expect(next.error).toBeUndefined();
      expect(upstreamListGets()).toBe(1);
      connection = next.data.ec2InstanceBackups;
    }
    expect(pages).toHaveLength(Math.ceil(totalCount / PAGE_SIZE));
    expect(pages.flat()).toEqual(expected);

    // relayStylePagination merged every page into the first query's field...
    h.resetUpstream();
    const cached = client.readQuery({ query: BackupsListDocument, variables });
    const cachedIds = (cached?.ec2InstanceBackups?.edges ?? []).map((edge) => getFragmentData(BackupRowFragment, edge.node)?.backupId);
    expect(new Set(cachedIds).size).toBe(cachedIds.length);
    expect(cachedIds).toEqual(expected);
    expect(cachedIds).toHaveLength(totalCount);
    expect(cached?.ec2InstanceBackups?.pageInfo.hasNextPage).toBe(false);

    // ...and the query emits it: what the screen renders.
    const merged = await rendered(totalCount);
    expect((merged.ec2InstanceBackups?.edges ?? []).map((edge) => getFragmentData(BackupRowFragment, edge.node)?.backupId)).toEqual(expected);

    // The first page's variables now read the whole list from the cache, with no request.
    const again = await client.query({ query: BackupsListDocument, variables, fetchPolicy: 'cache-first' });
    expect(again.data?.ec2InstanceBackups?.edges).toHaveLength(totalCount);
    expect(h.upstream()).toEqual([]);
  } finally {
    subscription.unsubscribe();
  }
});

it('keeps another filter or order as a list of its own', async () => {
  const oldestFirst = { first: PAGE_SIZE, filter: { instanceId }, orderBy: { field: 'START_TIMESTAMP', direction: 'ASC' } } as const;
  const result = await client.query({ query: BackupsListDocument, variables: oldestFirst, fetchPolicy: 'network-only' });
  const ids = (result.data?.ec2InstanceBackups?.edges ?? []).map((edge) => getFragmentData(BackupRowFragment, edge.node)?.backupId);
  expect(ids).toEqual([...expected].reverse().slice(0, PAGE_SIZE));
  // The newest-first list read by the walk above is untouched.
  const newestFirst = client.readQuery({ query: BackupsListDocument, variables: { first: PAGE_SIZE, filter: { instanceId } } });
  expect(newestFirst?.ec2InstanceBackups?.edges).toHaveLength(totalCount);
});

it('keeps each backup\'s volumes as of that backup, though volume ids repeat across backups', async () => {
  // Clumio's volume ID is the volume's, not the backup's: normalized by it, every backup would show
  // the last-read backup's utilizedSizeInBytes (apollo.ts keeps volumes inside their backup).
  const [newer, older] = expected;
  const wire = (backupId: string | undefined) => h.emulator.backups.find((b) => b.id === backupId);
  const newerVolumes = wire(newer)?.attached_backup_ebs_volumes ?? [];
  const olderVolumes = wire(older)?.attached_backup_ebs_volumes ?? [];
  expect(newerVolumes.length).toBeGreaterThan(0);
  expect(newerVolumes.map((v) => v.id)).toEqual(olderVolumes.map((v) => v.id));
  expect(newerVolumes.map((v) => v.utilized_size_in_bytes)).not.toEqual(olderVolumes.map((v) => v.utilized_size_in_bytes));

  for (const backupId of [newer!, older!]) {
    const result = await client.query({ query: BackupDetailDocument, variables: { backupId } });
    expect(result.error).toBeUndefined();
  }
  for (const [backupId, volumes] of [[newer!, newerVolumes], [older!, olderVolumes]] as const) {
    const cached = client.readQuery({ query: BackupDetailDocument, variables: { backupId } });
    expect(getFragmentData(BackupRowFragment, cached?.ec2InstanceBackup)?.backupId).toBe(backupId);
    expect(cached?.ec2InstanceBackup?.attachedBackupEbsVolumes?.map((v) => [v.id, String(v.utilizedSizeInBytes)])).toEqual(
      volumes.map((v) => [v.id, String(v.utilized_size_in_bytes)]),
    );
  }
});

it('reads a missing backup as null', async () => {
  const result = await client.query({ query: BackupDetailDocument, variables: { backupId: '00000000-0000-4000-8000-000000000000' } });
  expect(result.error).toBeUndefined();
  expect(result.data?.ec2InstanceBackup).toBeNull();
});

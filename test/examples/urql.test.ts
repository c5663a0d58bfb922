import { Client, fetchExchange } from '@urql/core';
import type { OperationResult } from '@urql/core';
import type { BackupsListQuery } from '../../examples/web-client/src/gql/graphql';
import { getFragmentData } from '../../examples/web-client/src/gql';
import { BackupDetailDocument, BackupRowFragment, BackupsListDocument } from '../../examples/web-client/src/operations';
import { createBackupsCacheExchange, createUrqlClient } from '../../examples/web-client/src/urql';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { instanceToWalk } from '../support/instance-walk';

/**
 * The web-client example (examples/web-client) with real urql and graphcache over HTTP:
 * relayPagination walks a whole list page by page into one cached list, and the client's one CSRF
 * setting is what lets urql's queries through at all.
 */

const LIST_PATH = '/backups/aws/ec2-instances';
const PAGE_SIZE = 7;
const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight', 'x-apollo-operation-name', 'graphql-preflight'];

let h: Harness;
let url: string;
let instanceId: string;
let expected: string[];
let totalCount: number;

interface Sent {
  method: string;
  contentType: string | null;
  preflight: string | null;
  status: number;
}

/** A fetch that records what urql sent and what came back. */
function recordingFetch(): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    fetch: async (input, init) => {
      const headers = new Headers(init?.headers);
      const response = await fetch(input, init);
      sent.push({ method: init?.method ?? 'GET', contentType: headers.get('content-type'), preflight: headers.get('graphql-preflight'), status: response.status });
      return response;
    },
  };
}

beforeAll(async () => {
  h = await startHarness();
  url = `${h.gateway.url}/graphql`;
  ({ instanceId, expected, totalCount } = await instanceToWalk(h));
});
afterAll(() => h.close());

/** The upstream list calls since the last reset, failing with everything the emulator saw if others came. */
function upstreamListGets(): number {
  const requests = h.upstream();
  expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(requests.map(() => `GET ${LIST_PATH}`));
  return requests.length;
}

it('walks every page with increasing `after`, one upstream GET per page, into one cached list in order', async () => {
  const recorder = recordingFetch();
  const client = createUrqlClient(url, { fetch: recorder.fetch });
  const variables = { first: PAGE_SIZE, filter: { instanceId } };

  let after: string | null = null;
  let pages = 0;
  for (;;) {
    h.resetUpstream();
    const result: OperationResult<BackupsListQuery> = await client.query(BackupsListDocument, { ...variables, after }).toPromise();
    expect(result.error).toBeUndefined();
    expect(upstreamListGets()).toBe(1);
    pages += 1;
    const connection = result.data?.ec2InstanceBackups;
    if (!connection) throw new Error('no connection in the page');
    expect(connection.totalCount).toBe(totalCount);
    // relayPagination answers every page's variables with all pages read so far, merged.
    const ids = (connection.edges ?? []).map((edge) => getFragmentData(BackupRowFragment, edge.node)?.backupId);
    expect(ids).toEqual(expected.slice(0, pages * PAGE_SIZE));
    if (!connection.pageInfo.hasNextPage) break;
    expect(pages).toBeLessThan(Math.ceil(totalCount / PAGE_SIZE)); // else hasNextPage never ends
    expect(connection.pageInfo.endCursor).not.toBe(after);
    after = connection.pageInfo.endCursor;
  }
  expect(pages).toBe(Math.ceil(totalCount / PAGE_SIZE));

  // The first page's variables now read the whole list from the cache alone.
  h.resetUpstream();
  const cached = await client.query(BackupsListDocument, variables, { requestPolicy: 'cache-only' }).toPromise();
  expect(cached.error).toBeUndefined();
  const cachedIds = (cached.data?.ec2InstanceBackups?.edges ?? []).map((edge) => getFragmentData(BackupRowFragment, edge.node)?.backupId);
  expect(new Set(cachedIds).size).toBe(cachedIds.length);
  expect(cachedIds).toEqual(expected);
  expect(cachedIds).toHaveLength(totalCount);
  expect(cached.data?.ec2InstanceBackups?.pageInfo.hasNextPage).toBe(false);
  expect(h.upstream()).toEqual([]);

  // Every request urql sent was a JSON POST (preferGetMethod: false), and each was answered 200.
  expect(recorder.sent).toHaveLength(pages);
  for (const sent of recorder.sent) expect(sent).toEqual({ method: 'POST', contentType: 'application/json', preflight: null, status: 200 });
});

it('without the setting, urql sends a bare GET, which the gateway refuses as a possible CSRF (403, BAD_REQUEST)', async () => {
  const recorder = recordingFetch();
  // createUrqlClient's exchanges, urql's defaults otherwise.
  const client = new Client({ url, exchanges: [createBackupsCacheExchange(), fetchExchange], fetch: recorder.fetch });
  h.resetUpstream();
  const result = await client.query(BackupsListDocument, { first: PAGE_SIZE, filter: { instanceId } }).toPromise();

  expect(recorder.sent).toEqual([{ method: 'GET', contentType: null, preflight: null, status: 403 }]);
  expect(result.data).toBeUndefined();
  expect(result.error?.graphQLErrors).toHaveLength(1);
  const [error] = result.error!.graphQLErrors;
  expect(error?.extensions.code).toBe('BAD_REQUEST');
  for (const header of CSRF_HEADERS) expect(error?.message).toContain(header);
  expect(error?.message).toContain('application/json');
  expect(h.upstream()).toEqual([]);
});

it('keeps GETs when every request carries a preflight header instead (the alternative in urql.ts)', async () => {
  const recorder = recordingFetch();
  const client = new Client({
    url,
    exchanges: [createBackupsCacheExchange(), fetchExchange],
    fetch: recorder.fetch,
    fetchOptions: { headers: { 'graphql-preflight': '1' } },
  });
  h.resetUpstream();
  const result = await client.query(BackupsListDocument, { first: PAGE_SIZE, filter: { instanceId } }).toPromise();

  expect(result.error).toBeUndefined();
  expect((result.data?.ec2InstanceBackups?.edges ?? []).map((edge) => getFragmentData(BackupRowFragment, edge.node)?.backupId)).toEqual(
    expected.slice(0, PAGE_SIZE),
  );
  expect(recorder.sent).toEqual([{ method: 'GET', contentType: null, preflight: '1', status: 200 }]);
  expect(upstreamListGets()).toBe(1);
});

it('keeps each backup\'s volumes as of that backup, though volume ids repeat across backups', async () => {
  // Clumio's volume ID is the volume's, not the backup's: keyed by it, every backup would show the
  // last-read backup's utilizedSizeInBytes (urql.ts stores volumes inside their backup).
  const client = createUrqlClient(url);
  const [newer, older] = expected;
  const wire = (backupId: string | undefined) => h.emulator.backups.find((b) => b.id === backupId);
  const newerVolumes = wire(newer)?.attached_backup_ebs_volumes ?? [];
  const olderVolumes = wire(older)?.attached_backup_ebs_volumes ?? [];
  expect(newerVolumes.length).toBeGreaterThan(0);
  expect(newerVolumes.map((v) => v.id)).toEqual(olderVolumes.map((v) => v.id));
  expect(newerVolumes.map((v) => v.utilized_size_in_bytes)).not.toEqual(olderVolumes.map((v) => v.utilized_size_in_bytes));

  for (const backupId of [newer!, older!]) {
    const result = await client.query(BackupDetailDocument, { backupId }).toPromise();
    expect(result.error).toBeUndefined();
  }
  h.resetUpstream();
  for (const [backupId, volumes] of [[newer!, newerVolumes], [older!, olderVolumes]] as const) {
    const cached = await client.query(BackupDetailDocument, { backupId }, { requestPolicy: 'cache-only' }).toPromise();
    expect(getFragmentData(BackupRowFragment, cached.data?.ec2InstanceBackup)?.backupId).toBe(backupId);
    expect(cached.data?.ec2InstanceBackup?.attachedBackupEbsVolumes?.map((v) => [v.id, String(v.utilizedSizeInBytes)])).toEqual(
      volumes.map((v) => [v.id, String(v.utilized_size_in_bytes)]),
    );
  }
  expect(h.upstream()).toEqual([]);
});

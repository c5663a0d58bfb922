import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOperationDescriptor, fetchQuery, getSelector } from 'relay-runtime';
import type { ConcreteRequest, Environment, ReaderFragment } from 'relay-runtime';
import BackupRowRefetchQuery from '../../examples/relay/src/__generated__/BackupRowRefetchQuery.graphql';
import BackupRowFragment from '../../examples/relay/src/__generated__/BackupRow_backup.graphql';
import BackupsListPaginationQuery from '../../examples/relay/src/__generated__/BackupsListPaginationQuery.graphql';
import BackupsListFragment from '../../examples/relay/src/__generated__/BackupsList_query.graphql';
import BackupsScreenQuery from '../../examples/relay/src/__generated__/BackupsScreenQuery.graphql';
import { createRelayEnvironment } from '../../examples/relay/src/network';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * The Relay example (examples/relay) with relay-runtime over HTTP, no React: its committed artifacts
 * and manifest, served by a gateway that runs only that manifest's documents. The screen query and
 * the pagination query fill one @connection in the store, page after page, as usePaginationFragment's
 * loadNext does; a row refetches itself through node(id:). The artifacts are imported directly: the
 * graphql`` tags in the sources are what babel-plugin-relay replaces with these imports in an app.
 */

const RELAY_DIR = join(__dirname, '..', '..', 'examples', 'relay');
const GENERATED_DIR = join(RELAY_DIR, 'src', '__generated__');
const MANIFEST_PATH = join(RELAY_DIR, 'persisted-documents.json');
const MANIFEST = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Record<string, string>;
const LIST_PATH = '/backups/aws/ec2-instances';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ env: { PERSISTED_DOCUMENTS: MANIFEST_PATH, PERSISTED_DOCUMENTS_ONLY: 'true' } });
});
afterAll(() => h.close());

/** The GraphQL bodies a Relay environment sent, through the example's network function. */
function relayEnvironment(): { environment: Environment; sent: Array<Record<string, unknown>> } {
  const sent: Array<Record<string, unknown>> = [];
  const recording: typeof fetch = async (input, init) => {
    sent.push(JSON.parse(init?.body as string) as Record<string, unknown>);
    return fetch(input, init);
  };
  return { environment: createRelayEnvironment(`${h.gateway.url}/graphql`, recording), sent };
}

/** The gateway's own answer to a persisted document, with plain fetch: the reference for the store. */
async function answer(request: ConcreteRequest, variables: Record<string, unknown>): Promise<any> {
  const response = await fetch(`${h.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ documentId: request.params.id, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown };
  if (response.status !== 200 || body.errors !== undefined) throw new Error(`${request.params.name} answered ${response.status}: ${JSON.stringify(body)}`);
  return body.data;
}

/** A fragment's data as the store holds it now, read through a fragment reference (useFragment without React). */
function readFragment(environment: Environment, fragment: ReaderFragment, ref: unknown): any {
  const selector = getSelector(fragment, ref);
  if (selector.kind !== 'SingularReaderSelector') throw new Error(`${fragment.name}: not a singular fragment reference`);
  const snapshot = environment.lookup(selector);
  expect(snapshot.isMissingData).toBe(false);
  return snapshot.data;
}

/**
 * A backup from a raw answer as BackupRow_backup reads it: without what relay-compiler adds for
 * normalization (`__typename`, and the volumes' `id`, which the reader does not expose).
 */
function asRow(node: any): any {
  const { __typename: _typename, attachedBackupEbsVolumes, ...fields } = node;
  return { ...fields, attachedBackupEbsVolumes: attachedBackupEbsVolumes?.map(({ __typename: _t, id: _id, ...volume }: any) => volume) ?? null };
}

/** The upstream requests since the last reset, as `METHOD path`. */
const upstreamCalls = () => h.upstream().map((r) => `${r.method} ${r.path}`);

/**
 * Loads the screen query's first page and then the next one with the pagination query, as
 * usePaginationFragment does (the fragment's own arguments, plus count and the connection's
 * endCursor), and returns what the connection holds afterwards, read from the store.
 */
async function twoPages(environment: Environment, variables: { count: number; filter?: { instanceId: string } }) {
  const operation = createOperationDescriptor(BackupsScreenQuery, variables);
  const retained = environment.retain(operation); // what useQueryLoader/useLazyLoadQuery do: keep it from garbage collection
  const connection = () => readFragment(environment, BackupsListFragment, environment.lookup(operation.fragment).data).ec2InstanceBackups;

  h.resetUpstream();
  await fetchQuery(environment, BackupsScreenQuery, variables).toPromise();
  const firstPage = connection();
  const firstPageCalls = upstreamCalls();

  h.resetUpstream();
  await fetchQuery(environment, BackupsListPaginationQuery, { ...variables, cursor: firstPage.pageInfo.endCursor }).toPromise();
  const secondPageCalls = upstreamCalls();
  return { firstPage, firstPageCalls, secondPageCalls, merged: connection(), retained };
}

describe('the committed manifest and artifacts', () => {
  const requests = readdirSync(GENERATED_DIR)
    .filter((file) => file.endsWith('.graphql.ts'))
    .map((file) => ({ file, text: readFileSync(join(GENERATED_DIR, file), 'utf8') }))
    .filter(({ text }) => /"kind": "Request"/.test(text));

  it('holds exactly the documents of the artifacts, each under the SHA-256 of its text, and the artifacts carry ids, no text', () => {
    // relay-compiler only ever adds to the manifest and `--validate` does not look at it, so a
    // stale or missing entry shows here (regenerate: echo '{}' > persisted-documents.json && relay-compiler --repersist).
    expect(requests.map(({ file }) => file).sort()).toEqual(['BackupRowRefetchQuery.graphql.ts', 'BackupsListPaginationQuery.graphql.ts', 'BackupsScreenQuery.graphql.ts']);
    const imported = [BackupsScreenQuery, BackupsListPaginationQuery, BackupRowRefetchQuery];
    expect(Object.keys(MANIFEST).sort()).toEqual(imported.map((request) => request.params.id).sort());
    for (const request of imported) {
      expect(request.params.text).toBeNull();
      expect(request.params.id).toMatch(/^[0-9a-f]{64}$/);
      expect(MANIFEST[request.params.id!]).toMatch(new RegExp(`^query ${request.params.name}\\b`));
    }
    for (const [id, text] of Object.entries(MANIFEST)) expect(id).toBe(sha256(text));
  });
});

describe('paging through the @connection', () => {
  it('merges the second page into the first in the store: the gateway\'s first 2N, in order, one upstream call per page, ids only on the wire', async () => {
    const N = 7;
    const reference = (await answer(BackupsListPaginationQuery, { count: 2 * N })).ec2InstanceBackups;
    const expected: string[] = reference.edges.map((e: any) => e.node.backupId);
    expect(new Set(expected).size).toBe(2 * N);

    const { environment, sent } = relayEnvironment();
    const { firstPage, firstPageCalls, secondPageCalls, merged, retained } = await twoPages(environment, { count: N });
    try {
      expect(firstPageCalls).toEqual([`GET ${LIST_PATH}`]);
      expect(firstPage.edges.map((e: any) => readFragment(environment, BackupRowFragment, e.node).backupId)).toEqual(expected.slice(0, N));
      expect(firstPage.pageInfo.hasNextPage).toBe(true);

      expect(secondPageCalls).toEqual([`GET ${LIST_PATH}`]);
      const rows = merged.edges.map((e: any) => readFragment(environment, BackupRowFragment, e.node));
      expect(rows.map((row: any) => row.backupId)).toEqual(expected);
      expect(rows).toEqual(reference.edges.map((e: any) => asRow(e.node)));
      expect(merged.totalCount).toBe(reference.totalCount);
      expect(merged.pageInfo.hasNextPage).toBe(reference.pageInfo.hasNextPage);
      expect(merged.pageInfo.hasNextPage).toBe(true);

      expect(sent).toEqual([
        // Relay sends every variable the operation declares, null when not given.
        { documentId: BackupsScreenQuery.params.id, operationName: 'BackupsScreenQuery', variables: { count: N, filter: null, orderBy: null } },
        {
          documentId: BackupsListPaginationQuery.params.id,
          operationName: 'BackupsListPaginationQuery',
          variables: { count: N, cursor: firstPage.pageInfo.endCursor, filter: null, orderBy: null },
        },
      ]);
    } finally {
      retained.dispose();
    }
  });

  it('keeps one list per filter, ends it with hasNextPage false, and keeps each backup\'s own volumes', async () => {
    const N = 4;
    // The first seeded instance (in ID order) whose backups fill a second page only partly.
    const counts = new Map<string, number>();
    for (const backup of h.emulator.backups) if (backup.instance_id) counts.set(backup.instance_id, (counts.get(backup.instance_id) ?? 0) + 1);
    const [found] = [...counts.entries()].filter(([, n]) => n > N && n < 2 * N).sort(([a], [b]) => a.localeCompare(b));
    if (!found) throw new Error(`the seed has no instance with ${N + 1} to ${2 * N - 1} backups`);
    const [instanceId, count] = found;
    const filter = { instanceId };
    const reference = (await answer(BackupsListPaginationQuery, { count: 2 * N, filter })).ec2InstanceBackups;
    expect(reference.edges).toHaveLength(count);
    expect(reference.pageInfo.hasNextPage).toBe(false);
    // The check below means something only when backups share a volume whose fields differ between them.
    const volumes = reference.edges.flatMap((e: any) => e.node.attachedBackupEbsVolumes ?? []);
    const sharedVolume = volumes.find((v: any) => volumes.some((w: any) => w !== v && w.id === v.id && w.utilizedSizeInBytes !== v.utilizedSizeInBytes));
    expect(sharedVolume).toBeDefined();

    const { environment, sent } = relayEnvironment();
    // An unfiltered list first: the filtered pages must neither join it nor disturb it.
    const unfiltered = createOperationDescriptor(BackupsScreenQuery, { count: N });
    const retainedUnfiltered = environment.retain(unfiltered);
    await fetchQuery(environment, BackupsScreenQuery, { count: N }).toPromise();
    const unfilteredIds = () =>
      readFragment(environment, BackupsListFragment, environment.lookup(unfiltered.fragment).data).ec2InstanceBackups.edges.map(
        (e: any) => readFragment(environment, BackupRowFragment, e.node).backupId,
      );
    const before = unfilteredIds();
    expect(before).toHaveLength(N);

    const { secondPageCalls, merged, retained } = await twoPages(environment, { count: N, filter });
    try {
      expect(secondPageCalls).toEqual([`GET ${LIST_PATH}`]);
      const rows = merged.edges.map((e: any) => readFragment(environment, BackupRowFragment, e.node));
      expect(rows).toEqual(reference.edges.map((e: any) => asRow(e.node)));
      expect(merged.pageInfo.hasNextPage).toBe(false);
      expect(merged.totalCount).toBe(count);
      expect(unfilteredIds()).toEqual(before);
      expect(sent.map((body) => body['variables'])).toEqual([
        { count: N, filter: null, orderBy: null },
        { count: N, filter, orderBy: null },
        { count: N, filter, orderBy: null, cursor: expect.any(String) },
      ]);
      for (const body of sent) expect(Object.keys(body).sort()).toEqual(['documentId', 'operationName', 'variables']);
    } finally {
      retained.dispose();
      retainedUnfiltered.dispose();
    }
  });
});

describe('refetching one backup through its @refetchable node query', () => {
  it('reads it by global id with one upstream read of that backup, into the record the list shows', async () => {
    const { environment, sent } = relayEnvironment();
    const { merged, retained } = await twoPages(environment, { count: 3 });
    try {
      const inList = merged.edges[4].node;
      const listed = readFragment(environment, BackupRowFragment, inList);
      const reference = await answer(BackupRowRefetchQuery, { id: listed.id });
      expect(reference.node.backupId).toBe(listed.backupId);

      h.resetUpstream();
      sent.length = 0;
      const refetched: any = await fetchQuery(environment, BackupRowRefetchQuery, { id: listed.id }).toPromise();
      expect(upstreamCalls()).toEqual([`GET ${LIST_PATH}/${encodeURIComponent(listed.backupId)}`]);
      expect(sent).toEqual([{ documentId: BackupRowRefetchQuery.params.id, operationName: 'BackupRowRefetchQuery', variables: { id: listed.id } }]);

      const row = readFragment(environment, BackupRowFragment, refetched.node);
      expect(row).toEqual(asRow(reference.node));
      expect(row).toEqual(listed);
      // One record: the list's edge and the refetched node are the same normalized backup.
      expect(getSelector(BackupRowFragment, refetched.node)).toMatchObject({ dataID: (getSelector(BackupRowFragment, inList) as { dataID: string }).dataID });
    } finally {
      retained.dispose();
    }
  });
});

describe('the network function', () => {
  it('says the gateway\'s manifest is older than the app when it does not know an id, and Clumio is not asked', async () => {
    const { environment } = relayEnvironment();
    const unknown: ConcreteRequest = { ...BackupRowRefetchQuery, params: { id: '0'.repeat(64), text: null, name: 'BackupRowRefetchQuery', operationKind: 'query', metadata: {} } };
    h.resetUpstream();
    await expect(fetchQuery(environment, unknown, { id: 'anything' }).toPromise()).rejects.toThrow(
      /BackupRowRefetchQuery: the gateway has no persisted document 0{64}; deploy this build's persisted-documents.json/,
    );
    expect(h.upstream()).toEqual([]);
  });
});

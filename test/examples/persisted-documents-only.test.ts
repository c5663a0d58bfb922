import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApolloClient } from '../../examples/web-client/src/apollo';
import { getFragmentData } from '../../examples/web-client/src/gql';
import { BackupDetailDocument, BackupRowFragment, BackupsListDocument } from '../../examples/web-client/src/operations';
import { expectNoErrors, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * The web-client example's committed manifest (examples/web-client/src/gql/persisted-documents.json,
 * written by graphql-codegen's client preset) served by a gateway that runs nothing else
 * (PERSISTED_DOCUMENTS_ONLY=true): the app's operations by id, in every spelling a client uses,
 * answer what their text answers elsewhere; text and unknown ids are refused before Clumio is asked.
 */

const MANIFEST_PATH = join(__dirname, '..', '..', 'examples', 'web-client', 'src', 'gql', 'persisted-documents.json');
const MANIFEST = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Record<string, string>;
const LIST_PATH = '/backups/aws/ec2-instances';
const UNKNOWN_ID = `sha256:${'0'.repeat(64)}`;

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The id codegen put in a generated document, `sha256:<hex>`: the manifest's key for it. */
function documentIdOf(document: object): string {
  const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  if (typeof hash !== 'string') throw new Error('a generated document without __meta__.hash: is persistedDocuments on in codegen.ts?');
  return hash;
}
const LIST_ID = documentIdOf(BackupsListDocument);
const DETAIL_ID = documentIdOf(BackupDetailDocument);

interface Answer {
  status: number;
  contentType: string;
  cacheControl: string | null;
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
}

async function post(harness: Harness, body: unknown): Promise<Answer> {
  const response = await fetch(`${harness.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json;q=0.9' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Answer['body'];
  try {
    parsed = JSON.parse(text) as Answer['body'];
  } catch {
    throw new Error(`the gateway answered ${response.status} with a non-JSON body: ${text.slice(0, 500)}`);
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', cacheControl: response.headers.get('cache-control'), body: parsed };
}

let h: Harness; // documents only
let textMode: Harness; // the same data, answering text: the reference
let instanceId: string;
let variables: { first: number; filter: { instanceId: string } };

beforeAll(async () => {
  [h, textMode] = await Promise.all([
    startHarness({ env: { PERSISTED_DOCUMENTS: MANIFEST_PATH, PERSISTED_DOCUMENTS_ONLY: 'true' } }),
    startHarness(),
  ]);
  const [backup] = h.emulator.backups;
  if (!backup?.instance_id) throw new Error('the seed has no backups');
  instanceId = backup.instance_id;
  variables = { first: 5, filter: { instanceId } };
});
afterAll(() => Promise.all([h.close(), textMode.close()]));

it('holds the app\'s operations under sha256:<hex> ids of their exact text, the ids the documents carry', () => {
  expect(Object.keys(MANIFEST).sort()).toEqual([LIST_ID, DETAIL_ID].sort());
  for (const [id, text] of Object.entries(MANIFEST)) expect(id).toBe(`sha256:${sha256(text)}`);
  expect(MANIFEST[LIST_ID]).toMatch(/\bquery BackupsList\b/);
  expect(MANIFEST[DETAIL_ID]).toMatch(/\bquery BackupDetail\b/);
});

const bare = (id: string) => id.replace(/^sha256:/, '');

describe('by id, with plain fetch', () => {
  it.each([
    ['documentId (GraphQL over HTTP), prefixed as in the manifest', (id: string) => ({ documentId: id })],
    ['documentId, bare hex', (id: string) => ({ documentId: bare(id) })],
    ['doc_id (Relay), bare hex', (id: string) => ({ doc_id: bare(id) })],
    // What @urql/exchange-persisted sends with generateHash returning the preset's __meta__.hash.
    ['extensions.persistedQuery, prefixed', (id: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } })],
  ])('%s: answers what the text answers, with one upstream call', async (_form, byId) => {
    const reference = await textMode.gql(MANIFEST[LIST_ID]!, variables);
    expectNoErrors(reference, textMode);
    expect(reference.data.ec2InstanceBackups.edges).toHaveLength(5);

    h.resetUpstream();
    const answer = await post(h, { ...byId(LIST_ID), variables });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data).toEqual(reference.data);
    expect(h.upstream().map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${LIST_PATH}`]);

    const backupId: string = reference.data.ec2InstanceBackups.edges[0].node.backupId;
    const detailReference = await textMode.gql(MANIFEST[DETAIL_ID]!, { backupId });
    expectNoErrors(detailReference, textMode);
    const detail = await post(h, { ...byId(DETAIL_ID), variables: { backupId } });
    expect(detail.body.errors).toBeUndefined();
    expect(detail.body.data).toEqual(detailReference.data);
    expect(detail.body.data.ec2InstanceBackup.backupId).toBe(backupId);
  });
});

describe('with Apollo Client and the example\'s persisted-document link (extensions.persistedQuery)', () => {
  it('runs the list, a next page and the detail by id, never sending text, with the text client\'s answers', async () => {
    const sent: Array<Record<string, unknown>> = [];
    const recording: typeof fetch = async (input, init) => {
      sent.push(JSON.parse(init?.body as string) as Record<string, unknown>);
      return fetch(input, init);
    };
    const persisted = createApolloClient(`${h.gateway.url}/graphql`, { persistedDocuments: true, fetch: recording });
    const reference = createApolloClient(`${textMode.gateway.url}/graphql`);
    try {
      const [byId, byText] = await Promise.all([
        persisted.query({ query: BackupsListDocument, variables }),
        reference.query({ query: BackupsListDocument, variables }),
      ]);
      expect(byId.error).toBeUndefined();
      expect(byText.error).toBeUndefined();
      expect(byId.data).toEqual(byText.data);
      const rows = (byId.data?.ec2InstanceBackups?.edges ?? []).map((edge) => getFragmentData(BackupRowFragment, edge.node));
      expect(rows).toHaveLength(5);
      for (const row of rows) expect(row?.instance.instanceId).toBe(instanceId);

      // Paging works the same: relayStylePagination appends the next page to the cached list.
      const watched = persisted.watchQuery({ query: BackupsListDocument, variables });
      const subscription = watched.subscribe(() => undefined);
      try {
        const next = await watched.fetchMore({ variables: { after: byId.data?.ec2InstanceBackups?.pageInfo.endCursor } });
        expect(next.error).toBeUndefined();
        expect(next.data.ec2InstanceBackups?.edges).toHaveLength(5);
      } finally {
        subscription.unsubscribe();
      }
      const merged = persisted.readQuery({ query: BackupsListDocument, variables });
      const whole = await textMode.gql('query($filter: Ec2InstanceBackupFilter) { ec2InstanceBackups(first: 10, filter: $filter) { edges { node { backupId } } } }', {
        filter: { instanceId },
      });
      expectNoErrors(whole, textMode);
      expect((merged?.ec2InstanceBackups?.edges ?? []).map((edge) => getFragmentData(BackupRowFragment, edge.node)?.backupId)).toEqual(
        whole.data.ec2InstanceBackups.edges.map((edge: any) => edge.node.backupId),
      );

      const backupId = rows[0]!.backupId;
      const [detail, detailByText] = await Promise.all([
        persisted.query({ query: BackupDetailDocument, variables: { backupId } }),
        reference.query({ query: BackupDetailDocument, variables: { backupId } }),
      ]);
      expect(detail.error).toBeUndefined();
      expect(detail.data).toEqual(detailByText.data);
      expect(getFragmentData(BackupRowFragment, detail.data?.ec2InstanceBackup)?.backupId).toBe(backupId);

      // On the wire: Apollo's persisted-query extension with the manifest's hex, and no text.
      expect(sent).toHaveLength(3);
      const persistedQuery = (id: string) => expect.objectContaining({ persistedQuery: { version: 1, sha256Hash: bare(id) } });
      expect(sent.map((body) => [body.operationName, 'query' in body, body.extensions])).toEqual([
        ['BackupsList', false, persistedQuery(LIST_ID)],
        ['BackupsList', false, persistedQuery(LIST_ID)],
        ['BackupDetail', false, persistedQuery(DETAIL_ID)],
      ]);
    } finally {
      persisted.stop();
      reference.stop();
    }
  });
});

describe('refusals, before any upstream call', () => {
  it('refuses query text, even a listed document\'s own, with PERSISTED_QUERY_ONLY', async () => {
    for (const body of [
      { query: MANIFEST[LIST_ID], variables },
      { query: 'query Other { ec2InstanceBackups(first: 1) { totalCount } }' },
      // An APQ registration: the listed text with its own hash.
      { query: MANIFEST[LIST_ID], variables, extensions: { persistedQuery: { version: 1, sha256Hash: bare(LIST_ID) } } },
    ]) {
      h.resetUpstream();
      const answer = await post(h, body);
      expect(answer.body.data ?? null).toBeNull();
      expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_ONLY']);
      expect(h.upstream()).toEqual([]);
    }
  });

  it.each([
    ['documentId', { documentId: UNKNOWN_ID, variables: {} }],
    ['a bare documentId', { documentId: '0'.repeat(64) }],
    ['extensions.persistedQuery', { extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }],
  ])('answers an unknown id (%s) with PersistedQueryNotFound, HTTP 200, JSON, not cached', async (_form, body) => {
    h.resetUpstream();
    const answer = await post(h, body);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json(;|$)/);
    expect(answer.cacheControl).toBe('private, no-cache, must-revalidate');
    expect(answer.body.errors).toEqual([{ message: 'PersistedQueryNotFound', extensions: expect.objectContaining({ code: 'PERSISTED_QUERY_NOT_FOUND' }) }]);
    expect(answer.body.data).toBeUndefined();
    expect(h.upstream()).toEqual([]);
  });

  it('is what Apollo Client sees for a document the manifest does not hold, and it does not fall back to text', async () => {
    const sent: Array<Record<string, unknown>> = [];
    const recording: typeof fetch = async (input, init) => {
      sent.push(JSON.parse(init?.body as string) as Record<string, unknown>);
      return fetch(input, init);
    };
    const client = createApolloClient(`${h.gateway.url}/graphql`, { persistedDocuments: true, fetch: recording });
    // A document of this build whose id the gateway's manifest lacks (an older deploy's manifest).
    const stale = { ...BackupsListDocument, __meta__: { hash: UNKNOWN_ID } } as typeof BackupsListDocument;
    h.resetUpstream();
    try {
      const result = await client.query({ query: stale, variables, errorPolicy: 'all' });
      expect(result.error?.message).toContain('PersistedQueryNotFound');
      expect(sent).toHaveLength(1);
      expect('query' in sent[0]!).toBe(false);
      expect(h.upstream()).toEqual([]);
    } finally {
      client.stop();
    }
  });
});

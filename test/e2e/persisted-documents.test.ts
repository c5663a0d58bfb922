import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { parseConfig } from '../../src/config';
import { startGateway } from '../../src/server';
import { quietTelemetry, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * Persisted documents (PERSISTED_DOCUMENTS, PERSISTED_DOCUMENTS_ONLY) and Apollo's automatic
 * persisted queries, over the wire: every way a client names a document, the answers Apollo Client
 * retries on, what is refused before parsing, and when a document is registered.
 */

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

const LISTED = 'query ListedPage($first: Int) { ec2InstanceBackups(first: $first) { totalCount nodes { backupId } } }';
const PREFIXED = 'query PrefixedCount { ec2InstanceBackups(first: 1) { totalCount } }';
const NOT_LISTED = 'query NotListed { ec2InstanceBackups(first: 1) { totalCount } }';
const NESTED = 'query Nested($n: Int) { ec2InstanceBackups(first: $n) { nodes { instance { backups(first: $n) { nodes { backupId } } } } } }';

function manifestFile(entries: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'persisted-'));
  const file = join(dir, 'persisted-documents.json');
  writeFileSync(file, JSON.stringify(entries, null, 2));
  return file;
}

// Relay writes bare hex ids; GraphQL Code Generator's client preset writes sha256:<hex>.
const MANIFEST = manifestFile({ [sha256(LISTED)]: LISTED, [`sha256:${sha256(PREFIXED)}`]: PREFIXED });

interface Answer {
  status: number;
  contentType: string;
  cacheControl: string | null;
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
}

async function post(h: Harness, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${h.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json;q=0.9', ...headers },
    body: JSON.stringify(body),
  });
  return answer(response);
}

async function get(h: Harness, params: Record<string, string>, headers: Record<string, string> = { 'graphql-preflight': '1' }): Promise<Answer> {
  const response = await fetch(`${h.gateway.url}/graphql?${new URLSearchParams(params).toString()}`, { headers: { accept: 'application/json', ...headers } });
  return answer(response);
}

async function answer(response: Response): Promise<Answer> {
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    cacheControl: response.headers.get('cache-control'),
    body: JSON.parse(await response.text()) as Answer['body'],
  };
}

const codes = (a: Answer): unknown[] => (a.body.errors ?? []).map((e) => e.extensions?.code);

function expectNotFound(a: Answer): void {
  expect(a.status).toBe(200);
  expect(a.contentType).toMatch(/^application\/json(;|$)/);
  expect(a.cacheControl).toBe('private, no-cache, must-revalidate');
  expect(a.body.errors).toEqual([{ message: 'PersistedQueryNotFound', extensions: expect.objectContaining({ code: 'PERSISTED_QUERY_NOT_FOUND' }) }]);
  expect(a.body.data).toBeUndefined();
}

describe('with a manifest (PERSISTED_DOCUMENTS)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { PERSISTED_DOCUMENTS: MANIFEST } });
  });
  afterAll(() => h.close());
  beforeEach(() => h.resetUpstream());

  const listedId = sha256(LISTED);
  const prefixedId = sha256(PREFIXED);

  it.each([
    ['documentId, bare hex', { documentId: listedId }],
    ['documentId, sha256: prefix', { documentId: `sha256:${listedId}` }],
    ['doc_id (Relay)', { doc_id: listedId }],
    ['extensions.persistedQuery (Apollo)', { extensions: { persistedQuery: { version: 1, sha256Hash: listedId } } }],
  ])('runs a listed document named by %s over POST, with its variables', async (_how, naming) => {
    const a = await post(h, { ...naming, variables: { first: 2 } });
    expect(a.status).toBe(200);
    expect(a.body.errors).toBeUndefined();
    expect(a.body.data.ec2InstanceBackups.nodes).toHaveLength(2);
    expect(h.upstream().map((r) => `${r.method} ${r.path} limit=${r.query.limit}`)).toEqual(['GET /backups/aws/ec2-instances limit=2']);
  });

  it('finds a document listed under sha256:<hex> by either spelling, over GET too', async () => {
    for (const documentId of [prefixedId, `sha256:${prefixedId}`]) {
      const a = await get(h, { documentId });
      expect(a.body).toEqual({ data: { ec2InstanceBackups: { totalCount: expect.any(Number) } } });
    }
    const apollo = await get(h, { extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: prefixedId } }) });
    expect(apollo.body.data.ec2InstanceBackups.totalCount).toEqual(expect.any(Number));
  });

  it('holds GET to the CSRF rule: without a preflight header a persisted GET is refused', async () => {
    const a = await get(h, { documentId: listedId }, {});
    expect(a.status).toBe(403);
    expect(codes(a)).toEqual(['BAD_REQUEST']);
    expect(h.upstream()).toEqual([]);
  });

  it('answers an unknown id as Apollo Server does (HTTP 200, JSON, not cached), at no upstream cost', async () => {
    for (const naming of [
      { documentId: sha256(NOT_LISTED) },
      { documentId: 'sha256:' + 'f'.repeat(64) },
      { documentId: 'd41d8cd98f00b204e9800998ecf8427e' }, // an MD5 names nothing
      { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(NOT_LISTED) } } },
    ]) {
      expectNotFound(await post(h, naming));
    }
    expectNotFound(await get(h, { doc_id: sha256(NOT_LISTED) }));
    expect(h.upstream()).toEqual([]);
  });

  it('still runs documents sent as text (not documents-only)', async () => {
    const a = await post(h, { query: NOT_LISTED });
    expect(a.body.data.ec2InstanceBackups.totalCount).toEqual(expect.any(Number));
  });

  it('refuses malformed ids with BAD_REQUEST saying what to send, at no upstream cost', async () => {
    for (const body of [
      { documentId: 42 },
      { doc_id: { id: listedId } },
      { extensions: { persistedQuery: { version: 2, sha256Hash: listedId } } },
      { extensions: { persistedQuery: { version: 1 } } },
      {},
    ]) {
      const a = await post(h, body);
      expect(a.status).toBe(400);
      expect(codes(a)).toEqual(['BAD_REQUEST']);
      expect(a.body.errors?.[0]?.message).toMatch(/documentId|persistedQuery/);
    }
    expect(h.upstream()).toEqual([]);
  });

  it('labels metrics with the manifest\'s operation names and no other', async () => {
    await post(h, { documentId: listedId, variables: { first: 1 } });
    await post(h, { query: NOT_LISTED });
    const metrics = await (await fetch(`${h.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/graphql_gateway_operations_total\{operation_name="ListedPage",operation_type="query",outcome="ok"\} \d+/);
    expect(metrics).not.toContain('operation_name="NotListed"');
    expect(metrics).toMatch(/graphql_gateway_operations_total\{operation_name="__other__",operation_type="query",outcome="ok"\} \d+/);
  });
});

describe('documents-only (PERSISTED_DOCUMENTS_ONLY=true)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { PERSISTED_DOCUMENTS: MANIFEST, PERSISTED_DOCUMENTS_ONLY: 'true' } });
  });
  afterAll(() => h.close());
  beforeEach(() => h.resetUpstream());

  it('runs the manifest\'s documents by id', async () => {
    const a = await post(h, { documentId: `sha256:${sha256(LISTED)}`, variables: { first: 3 } });
    expect(a.body.data.ec2InstanceBackups.nodes).toHaveLength(3);
  });

  it('refuses any query text before parsing it, listed text and APQ registrations included, at no upstream cost', async () => {
    for (const body of [
      { query: NOT_LISTED },
      { query: LISTED, variables: { first: 1 } },
      { query: LISTED, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(LISTED) } } },
      { query: LISTED, documentId: sha256(LISTED) },
      // Not a document at all: refused as text, never parsed (no GRAPHQL_PARSE_FAILED).
      { query: '{{{ not graphql' },
    ]) {
      const a = await post(h, body);
      expect(codes(a)).toEqual(['PERSISTED_QUERY_ONLY']);
      expect(a.body.errors?.[0]?.message).toMatch(/documentId/);
      expect(a.body.data).toBeUndefined();
    }
    const viaGet = await get(h, { query: NOT_LISTED });
    expect(codes(viaGet)).toEqual(['PERSISTED_QUERY_ONLY']);
    expect(h.upstream()).toEqual([]);
  });

  it('answers an unknown id with PERSISTED_QUERY_NOT_FOUND', async () => {
    expectNotFound(await post(h, { documentId: sha256(NOT_LISTED) }));
    expect(h.upstream()).toEqual([]);
  });

  it('counts refusals in the metrics, as anonymous operations', async () => {
    await post(h, { query: NOT_LISTED });
    const metrics = await (await fetch(`${h.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/graphql_gateway_operations_total\{operation_name="__anonymous__",operation_type="unknown",outcome="PERSISTED_QUERY_ONLY"\} \d+/);
  });
});

describe('automatic persisted queries (no manifest)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.resetUpstream());

  const apq = (query: string | undefined, hash: string, variables?: Record<string, unknown>) => ({
    ...(query === undefined ? {} : { query }),
    variables,
    extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
  });

  it('registers a document sent with its hash; the hash alone then runs it', async () => {
    const query = 'query Registered { ec2InstanceBackups(first: 4) { nodes { backupId } } }';
    expectNotFound(await post(h, apq(undefined, sha256(query))));
    expect((await post(h, apq(query, sha256(query)))).body.data.ec2InstanceBackups.nodes).toHaveLength(4);
    const byHash = await post(h, apq(undefined, sha256(query)));
    expect(byHash.body.data.ec2InstanceBackups.nodes).toHaveLength(4);
    expect(h.upstream()).toHaveLength(2);
  });

  it('refuses a hash that is not the SHA-256 of the query: nothing runs, nothing is registered', async () => {
    const query = 'query Mismatch { ec2InstanceBackups(first: 1) { totalCount } }';
    const wrong = sha256(query + ' ');
    const a = await post(h, apq(query, wrong));
    expect(a.status).toBe(400);
    expect(codes(a)).toEqual(['BAD_USER_INPUT']);
    expect(a.body.errors?.[0]?.message).toContain(sha256(query));
    expectNotFound(await post(h, apq(undefined, wrong)));
    expectNotFound(await post(h, apq(undefined, sha256(query))));
    expect(h.upstream()).toEqual([]);
  });

  it('registers only documents that validate and pass the query limits at the variables sent', async () => {
    const invalid = 'query Invalid { ec2InstanceBackups(first: 1) { noSuchField } }';
    expect(codes(await post(h, apq(invalid, sha256(invalid))))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expectNotFound(await post(h, apq(undefined, sha256(invalid))));

    const unparsable = 'query {';
    expect(codes(await post(h, apq(unparsable, sha256(unparsable))))).toEqual(['GRAPHQL_PARSE_FAILED']);
    expectNotFound(await post(h, apq(undefined, sha256(unparsable))));

    // 100 × 100 nested backups is over the cost limit; 2 × 2 is not.
    expect(codes(await post(h, apq(NESTED, sha256(NESTED), { n: 100 })))).toEqual(['QUERY_TOO_COMPLEX']);
    expectNotFound(await post(h, apq(undefined, sha256(NESTED), { n: 2 })));
    expect(h.upstream()).toEqual([]);
    expect((await post(h, apq(NESTED, sha256(NESTED), { n: 2 }))).body.errors).toBeUndefined();
    expect((await post(h, apq(undefined, sha256(NESTED), { n: 2 }))).body.errors).toBeUndefined();
  });

  it('works with Apollo Client\'s persisted-queries link: a miss is retried with the document, later calls send the hash alone', async () => {
    const sent: Array<Record<string, unknown>> = [];
    const recording: typeof fetch = async (input, init) => {
      sent.push(JSON.parse(init?.body as string) as Record<string, unknown>);
      return fetch(input, init);
    };
    const client = new ApolloClient({
      cache: new InMemoryCache(),
      link: ApolloLink.from([
        new PersistedQueryLink({ sha256: (text: string) => sha256(text) }),
        new HttpLink({ uri: `${h.gateway.url}/graphql`, fetch: recording }),
      ]),
      defaultOptions: { query: { fetchPolicy: 'network-only' } },
    });
    const query = gql`
      query ApolloApq($first: Int!) {
        ec2InstanceBackups(first: $first) {
          nodes {
            backupId
          }
        }
      }
    `;
    const first = await client.query({ query, variables: { first: 3 } });
    expect((first.data as any).ec2InstanceBackups.nodes).toHaveLength(3);
    const second = await client.query({ query, variables: { first: 5 } });
    expect((second.data as any).ec2InstanceBackups.nodes).toHaveLength(5);
    // Hash alone (miss), hash + document (registers), then the hash alone is enough.
    expect(sent.map((body) => 'query' in body)).toEqual([false, true, false]);
    expect(sent.every((body) => (body.extensions as any)?.persistedQuery?.version === 1)).toBe(true);
    expect(h.upstream()).toHaveLength(2);
  });
});

describe('a manifest that does not check out stops the start', () => {
  const start = (env: Record<string, string>) =>
    startGateway(parseConfig({ PORT: '0', HOST: '127.0.0.1', CLUMIO_API_URL: 'http://127.0.0.1:9', ...env }), { logger: quietTelemetry().logger });

  it('names a key that is not the SHA-256 of its document (an MD5, as Relay writes by default)', async () => {
    const file = manifestFile({ d41d8cd98f00b204e9800998ecf8427e: LISTED });
    await expect(start({ PERSISTED_DOCUMENTS: file })).rejects.toThrow(/key "d41d8cd98f00b204e9800998ecf8427e" is not the SHA-256 of its document/);
  });

  it('names a document that does not parse, and a file that is not a manifest', async () => {
    await expect(start({ PERSISTED_DOCUMENTS: manifestFile({ [sha256('query {')]: 'query {' }) })).rejects.toThrow(/does not parse/);
    await expect(start({ PERSISTED_DOCUMENTS: join(tmpdir(), 'no-such-manifest.json') })).rejects.toThrow(/cannot read/);
  });

  it('refuses documents-only mode without a manifest', () => {
    expect(() => parseConfig({ PERSISTED_DOCUMENTS_ONLY: 'true' })).toThrow(/PERSISTED_DOCUMENTS_ONLY: needs PERSISTED_DOCUMENTS/);
  });
});

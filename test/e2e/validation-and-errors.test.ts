import { listQuery } from '../../src/clumio/list-query';
import { listFingerprint } from '../../src/paging/cursor';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/** Bad input gets a typed error that says what to fix, and costs no upstream call. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.resetUpstream());

async function refused(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) {
  const response = await h.gql(query, variables, headers);
  expect(response.errors?.length).toBeGreaterThan(0);
  expect(h.upstream()).toEqual([]);
  return response.errors![0]!;
}

const LIST = 'query($first: Int, $last: Int, $after: String, $before: String, $filter: Ec2InstanceBackupFilter, $orderBy: Ec2InstanceBackupOrder) { ec2InstanceBackups(first: $first, last: $last, after: $after, before: $before, filter: $filter, orderBy: $orderBy) { edges { cursor } pageInfo { endCursor } } }';

describe('argument validation (no upstream call)', () => {
  it.each([
    [{ first: 101 }, /`first` must be an integer from 0 to 100; got 101/],
    [{ first: 2147483647 }, /`first` must be an integer from 0 to 100; got 2147483647/],
    [{ first: -1 }, /`first` must be an integer from 0 to 100/],
    [{ last: 1000 }, /`last` must be an integer from 0 to 100/],
    [{ first: 5, last: 5 }, /`first` and `last` cannot be combined/],
    [{ after: 'not-a-cursor' }, /`after` is not a cursor this API issued/],
    [{ before: 'djE6MTA6' }, /`before` is not a cursor this API issued/],
    [{ filter: { instanceId: '' } }, /`filter.instanceId` must be a Clumio ID/],
  ])('%j', async (variables, message) => {
    const error = await refused(LIST, variables);
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(message);
  });

  it('refuses a cursor minted for another filter or order', async () => {
    const desc = await h.gql(LIST, { first: 2 });
    h.resetUpstream();
    const cursor = desc.data.ec2InstanceBackups.pageInfo.endCursor;
    const error = await refused(LIST, { first: 2, after: cursor, orderBy: { field: 'START_TIMESTAMP', direction: 'ASC' } });
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/issued for a different filter or order/);
    const filtered = await refused(LIST, { first: 2, after: cursor, filter: { startTimestamp: { gt: '2020-01-01T00:00:00Z' } } });
    expect(filtered.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses an offset cursor from the previous version, asking to restart paging', async () => {
    // What the previous version issued for offset 9 of the default list: base64url("v1:9:" + fingerprint).
    const v1 = Buffer.from(`v1:9:${listFingerprint(listQuery({}).key)}`).toString('base64url');
    for (const argument of ['after', 'before'] as const) {
      const error = await refused(LIST, { first: 2, [argument]: v1 });
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.message).toBe(
        `\`${argument}\` comes from an earlier version of this API whose cursors could repeat or skip backups while the list changed: restart paging without a cursor.`,
      );
    }
  });

  it('refuses a timestamp that is not RFC 3339, as a variable or a literal', async () => {
    const variable = await refused(LIST, { filter: { startTimestamp: { lte: 'yesterday' } } });
    expect(variable.extensions?.code).toBe('BAD_USER_INPUT');
    expect(variable.message).toMatch(/RFC 3339/);
    const literal = await refused('{ ec2InstanceBackups(filter: { startTimestamp: { gt: "2026-13-01T00:00:00Z" } }) { totalCount } }');
    expect(literal.extensions?.code).toBe('BAD_USER_INPUT');
    expect(literal.message).toMatch(/RFC 3339/);
  });

  it('refuses a variable of the wrong type with BAD_USER_INPUT', async () => {
    const error = await refused(LIST, { first: 'ten' });
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses IDs this API did not issue, per position in nodes', async () => {
    const single = await refused('{ node(id: "bm9wZQ") { id } }');
    expect(single.extensions?.code).toBe('BAD_USER_INPUT');
    const response = await h.gql('{ nodes(ids: ["bm9wZQ"]) { id } }');
    expect(response.data).toEqual({ nodes: [null] });
    expect(response.errors?.[0]).toMatchObject({ path: ['nodes', 0], extensions: { code: 'BAD_USER_INPUT' } });
    const many = await refused('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: Array(101).fill('x') });
    expect(many.message).toMatch(/at most 100/);
  });

  it('tags parse and validation failures', async () => {
    const parse = await refused('{ ec2InstanceBackups(');
    expect(parse.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const validation = await refused('{ ec2InstanceBackups { noSuchField } }');
    expect(validation.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('upstream failures', () => {
  it('maps Clumio 401 to UNAUTHENTICATED with Clumio\'s error body, and leaks no token or URL', async () => {
    const other = await startHarness({ env: { CLUMIO_API_TOKEN: 'wrong-token' } });
    try {
      const response = await other.gql('{ ec2InstanceBackups(first: 2) { totalCount } }');
      // totalCount is nullable: the connection stays, the failed field is null with its error.
      expect(response.data).toEqual({ ec2InstanceBackups: { totalCount: null } });
      const error = response.errors![0]!;
      expect(error.path).toEqual(['ec2InstanceBackups', 'totalCount']);
      expect(error.extensions).toEqual({
        code: 'UNAUTHENTICATED',
        upstream: { status: 401, errorCode: 402, errorMessage: 'Unauthorized access' },
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      const text = JSON.stringify(response);
      expect(text).not.toContain('wrong-token');
      expect(text).not.toContain(other.emulator.url);
      expect(text).not.toContain('127.0.0.1');
      expect(text).not.toMatch(/at .*\.ts:\d+/);
    } finally {
      await other.close();
    }
  });

  it('forwards the caller\'s bearer token when the gateway has none, and refuses without one', async () => {
    const open = await startHarness({ env: { CLUMIO_API_TOKEN: '' } });
    try {
      const none = await open.gql('{ ec2InstanceBackups(first: 1) { totalCount } }');
      expect(none.errors![0]!.extensions?.code).toBe('UNAUTHENTICATED');
      expect(open.upstream()).toEqual([]);
      const mine = await open.gql('{ ec2InstanceBackups(first: 1) { totalCount } }', undefined, {
        authorization: 'Bearer clumio-emulator-token',
      });
      expect(mine.errors).toBeUndefined();
      expect(open.upstream()[0]!.headers.authorization).toBe('Bearer clumio-emulator-token');
    } finally {
      await open.close();
    }
  });

  it('answers null for a backup Clumio does not have (404), without an error', async () => {
    const response = await h.gql('{ ec2InstanceBackup(backupId: "00000000-0000-0000-0000-000000000000") { backupId } }');
    expect(response).toMatchObject({ data: { ec2InstanceBackup: null } });
    expect(response.errors).toBeUndefined();
    expect(h.upstream().map((r) => [r.path, r.status])).toEqual([['/backups/aws/ec2-instances/00000000-0000-0000-0000-000000000000', 404]]);
  });

  it('reports each failing field at its own path, with null data there only', async () => {
    const id = h.emulator.backups[0]!.id!;
    const response = await h.gql(`{ ok: ec2InstanceBackup(backupId: "${id}") { backupId } bad: ec2InstanceBackups(first: 1) { totalCount } }`, undefined, {
      'x-clumio-organizationalunit-context': 'unknown-ou',
    });
    // Both calls carry the unknown OU, so both fail upstream; each fails on its own path.
    expect(response.data).toEqual({ ok: null, bad: { totalCount: null } });
    expect(response.errors!.map((e) => e.path?.[0]).sort()).toEqual(['bad', 'ok']);
  });

  it('answers UPSTREAM_ERROR when Clumio cannot be reached', async () => {
    const down = await startHarness();
    await down.emulator.close();
    try {
      const response = await down.gql('{ ec2InstanceBackups(first: 1) { totalCount } }');
      expect(response.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstream: { status: null } });
      expect(JSON.stringify(response)).not.toContain('127.0.0.1');
    } finally {
      await down.gateway.close();
    }
  });
});

describe('client mistakes are client errors (no upstream call)', () => {
  it('refuses a request a browser could send cross-site with 403 BAD_REQUEST, naming every way to send it', async () => {
    h.resetUpstream();
    const query = encodeURIComponent('{ ec2InstanceBackups(first: 1) { totalCount } }');
    const refusals = [
      await fetch(`${h.gateway.url}/graphql?query=${query}`),
      await fetch(`${h.gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ __typename }' }) }),
    ];
    for (const refusal of refusals) {
      expect(refusal.status).toBe(403);
      const body = (await refusal.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
      for (const way of ['Content-Type: application/json', 'x-graphql-yoga-csrf', 'apollo-require-preflight', 'x-apollo-operation-name', 'graphql-preflight']) {
        expect(body.errors[0]!.message).toContain(way);
      }
    }
    expect(h.upstream()).toEqual([]);
    // Each way named is accepted.
    expect((await fetch(`${h.gateway.url}/graphql?query=${query}`, { headers: { 'graphql-preflight': '1' } })).status).toBe(200);
  });

  // What a careless or hostile client sends around the document: each is a 4xx with a contract code
  // and a message saying what to send, nothing internal, and no upstream call.
  const json = { 'content-type': 'application/json' };
  it.each<[string, RequestInit, number, string, RegExp]>([
    ['an empty batch', { body: '[]' }, 400, 'BAD_REQUEST', /batch is empty/],
    ['a body that is not an object', { body: '"{ __typename }"' }, 400, 'BAD_REQUEST', /expected to be object/],
    ['a batch item that is not an object', { body: '[5]' }, 200, 'BAD_REQUEST', /must be a JSON object/],
    ['a non-string operationName', { body: JSON.stringify({ query: '{ __typename }', operationName: 5 }) }, 400, 'BAD_REQUEST', /operationName must be a string/],
    ['an operationName the document lacks', { body: JSON.stringify({ query: 'query A { __typename }', operationName: 'B' }) }, 400, 'BAD_REQUEST', /"B" names no operation of the document; it defines A/],
    ['two operations and no operationName', { body: JSON.stringify({ query: 'query A { __typename } query B { __typename }' }) }, 400, 'BAD_REQUEST', /send operationName/],
    ['a document of fragments only', { body: JSON.stringify({ query: 'fragment F on Query { __typename }' }) }, 400, 'BAD_REQUEST', /defines no operation/],
    ['variables as a JSON string', { body: JSON.stringify({ query: '{ __typename }', variables: '{}' }) }, 400, 'BAD_REQUEST', /"variables" param to be empty or an object/],
    ['query as an array', { body: JSON.stringify({ query: ['{ __typename }'] }) }, 400, 'BAD_REQUEST', /"query" param to be a string/],
    ['no query at all', { body: JSON.stringify({ variables: {} }) }, 400, 'BAD_REQUEST', /Must provide a query string/],
    ['a __proto__ key in an input', { body: '{"query":"query($f: Ec2InstanceBackupFilter) { ec2InstanceBackups(first: 1, filter: $f) { totalCount } }","variables":{"f":{"__proto__":{"instanceId":"i-1"}}}}' }, 400, 'BAD_USER_INPUT', /__proto__/],
    ['an Int variable beyond 32 bits', { body: JSON.stringify({ query: 'query($n: Int) { ec2InstanceBackups(first: $n) { totalCount } }', variables: { n: 1e100 } }) }, 400, 'BAD_USER_INPUT', /non 32-bit signed integer/],
    ['a body that is not JSON', { body: '{"query": ' }, 400, 'BAD_REQUEST', /invalid JSON/],
    ['a method other than GET and POST', { method: 'PUT', body: '{}' }, 405, 'BAD_REQUEST', /GET and POST/],
  ])('refuses %s', async (_what, init, status, code, message) => {
    h.resetUpstream();
    const response = await fetch(`${h.gateway.url}/graphql`, { method: 'POST', headers: json, ...init, ...(init.method ? { headers: json } : {}) });
    const text = await response.text();
    expect(response.status).toBe(status);
    const body = JSON.parse(text) as { errors?: Array<{ message: string; extensions: Record<string, unknown> }> } | Array<{ errors: Array<{ message: string; extensions: Record<string, unknown> }> }>;
    const errors = Array.isArray(body) ? body.flatMap((one) => one.errors) : (body.errors ?? []);
    expect(errors.map((error) => error.extensions.code)).toEqual([code]);
    expect(errors[0]!.message).toMatch(message);
    expect(Object.keys(errors[0]!.extensions).sort()).toEqual(['code', 'requestId']);
    expect(text).not.toMatch(/originalError|stack|node_modules|127\.0\.0\.1/);
    expect(h.upstream()).toEqual([]);
  });
});

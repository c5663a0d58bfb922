import fc from 'fast-check';
import { listQuery } from '../../src/clumio/list-query';
import { encodeCursor, identityOf, listFingerprint } from '../../src/paging/cursor';
import { startHarness } from '../support/harness';
import type { GraphQLResponse, Harness } from '../support/harness';
import { DEFAULT_EMULATOR_TOKEN } from '../../src/emulator';
import type { RecordedRequest } from '../../src/emulator';

/**
 * Property-based fuzzing of the arguments, over real HTTP against a healthy emulator: random,
 * malformed and extreme `first`/`last`/`after`/`before`, filters, orderBy, backup IDs and node IDs,
 * as variables and as literals. Whatever comes in:
 *   - no HTTP 5xx, and a GraphQL body;
 *   - every error carries a contract `extensions.code`, never INTERNAL_SERVER_ERROR, and leaks no
 *     URL, token or stack;
 *   - no upstream failure (the emulator is healthy, so one would mean bad input was passed on);
 *   - a refused argument (BAD_USER_INPUT, parse, validation, cost) costs no upstream call, per
 *     position for `nodes`.
 * Fixed seed and run count, so it repeats and stays fast. Inputs that once hit gateway bugs are
 * in the generators and pinned by the regression tests at the end.
 */

const SEED = 20_260_301;
const RUNS = 300;

const CONTRACT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'QUERY_TOO_COMPLEX',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'RATE_LIMITED',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_ERROR',
]);
/** Codes of requests refused for what the caller sent: none of them may cost an upstream call. */
const REFUSALS = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'QUERY_TOO_COMPLEX']);

let h: Harness;
let backupIds: string[];
let instanceIds: string[];
let globalIds: string[];
let cursors: string[];

beforeAll(async () => {
  h = await startHarness();
  backupIds = h.emulator.backups.slice(0, 5).map((b) => b.id ?? '');
  instanceIds = [...new Set(h.emulator.backups.map((b) => b.instance_id ?? ''))].slice(0, 5);
  const sample = await h.gql(`{
    desc: ec2InstanceBackups(first: 3) { edges { cursor node { id instance { id } } } }
    asc: ec2InstanceBackups(first: 2, orderBy: { direction: ASC }) { edges { cursor } }
    one: ec2InstanceBackups(first: 2, filter: { instanceId: "${instanceIds[0]}" }) { edges { cursor } }
  }`);
  expect(sample.errors).toBeUndefined();
  const data = sample.data;
  globalIds = data.desc.edges.flatMap((e: any) => [e.node.id, e.node.instance.id]);
  cursors = [...data.desc.edges, ...data.asc.edges, ...data.one.edges].map((e: any) => e.cursor);
});
afterAll(() => h.close());

// ------------------------------------------------------------------------------------------
// Generators

/** Any UTF-16 string, lone surrogates included. */
const utf16 = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength });
/** Any well-formed string (whole code points). */
const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength });
/** Values of the wrong JSON type for a String or ID argument. */
const wrongType = fc.constantFrom<unknown>(5, 1.5, true, [], {}, ['a']);

const pageSize = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -2, max: 102 }) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(0, 1, 100, 101, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53, 1e20, 1.5, -0.5) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('10', '', null, true, [], {}) },
);

/** A well-formed cursor of the default list (newest first, unfiltered) at a made-up position. */
const forgedCursor = fc
  .tuple(
    fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }),
    fc.nat({ max: 20 }),
    fc.oneof(fc.nat({ max: 3_000 }), fc.constantFrom(0, 2 ** 31, 999_999_999_999_999)),
    fc.string({ maxLength: 12 }),
  )
  .map(([date, rank, offset, id]) =>
    encodeCursor(
      {
        startTimestamp: date.toISOString(),
        identity: identityOf(id),
        rankFromStart: rank,
        rankFromEnd: 0,
        floor: undefined,
        tiedBefore: [],
        tiedAfter: [],
        offset,
      },
      listFingerprint(listQuery({}).key),
    ),
  );

const cursorLike = fc.oneof(
  { weight: 6, arbitrary: fc.constant(null).chain(() => fc.constantFrom(...cursors)) },
  { weight: 2, arbitrary: forgedCursor },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constant(null).chain(() => fc.constantFrom(...cursors)), fc.nat(), fc.constantFrom('A', '_', '-', '=', ' ', '0'))
      .map(([cursor, at, char]) => cursor.slice(0, at % cursor.length) + char + cursor.slice((at % cursor.length) + 1)),
  },
  { weight: 1, arbitrary: fc.base64String({ maxLength: 40 }) },
  { weight: 1, arbitrary: utf16(30) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('', 'djE6MTA6', 'x'.repeat(5_000), null, ...[5, true]) },
);

/** RFC 3339 timestamps the gateway must take (years 1..9999; seconds 00..59: Clumio refuses leap seconds). */
const validTimestamp = fc
  .tuple(
    fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
    fc.constantFrom('Z', 'z', '+00:00', '-07:30', '+14:00', '+23:59', '-23:59'),
    fc.constantFrom('', '.5', '.123', '.123456789'),
    fc.boolean(),
  )
  .map(([date, zone, fraction, lowerT]) => {
    const iso = date.toISOString().slice(0, 19);
    return (lowerT ? iso.replace('T', 't') : iso) + fraction + zone;
  });

const badTimestamp = fc.oneof(
  fc.constantFrom<unknown>(
    'yesterday',
    '',
    '2026-13-01T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:60:00Z',
    '2026-01-01 00:00:00Z',
    '2026-01-01T00:00:00',
    '2026-01-01',
    '2026-06-30T23:59:60Z',
    '2026-01-01T00:00:00+24:00',
    '2026-01-01T00:00:00+05:60',
    '2026-01-01T00:00:00.Z',
    '2026-01-01T00:00:00.1234567890Z',
    '+02026-01-01T00:00:00Z',
    '2026-1-1T0:0:0Z',
    ' 2026-01-01T00:00:00Z',
    '2026-01-01T00:00:00Z\n',
    1_767_225_600,
    true,
    {},
    [],
  ),
  utf16(30),
);

const timestampLike = fc.oneof({ weight: 6, arbitrary: validTimestamp }, { weight: 2, arbitrary: badTimestamp }, fc.constant(null));

const instanceIdLike = fc.oneof(
  { weight: 8, arbitrary: fc.constant(null).chain(() => fc.constantFrom(...instanceIds)) },
  { weight: 2, arbitrary: utf16(40) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('', ' x', 'x ', 'x'.repeat(256), 'x'.repeat(257), '"}', '{"$ne":null}', null) },
  { weight: 1, arbitrary: wrongType },
);

const filterLike = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record(
      {
        instanceId: instanceIdLike,
        startTimestamp: fc.oneof(
          { weight: 5, arbitrary: fc.record({ lte: timestampLike, gt: timestampLike }, { requiredKeys: [] }) },
          { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'today', [], { eq: '2026-01-01T00:00:00Z' }) },
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'x', [], { instance_id: 'x' }, { startTimestamp: { lt: '2026-01-01T00:00:00Z' } }) },
);

const orderByLike = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record(
      {
        field: fc.oneof(
          { weight: 6, arbitrary: fc.constant('START_TIMESTAMP') },
          { weight: 1, arbitrary: fc.constantFrom<unknown>('start_timestamp', 'END_TIMESTAMP', null, 1) },
        ),
        direction: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom('ASC', 'DESC') },
          { weight: 1, arbitrary: fc.constantFrom<unknown>('asc', 'Desc', null, 0) },
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'DESC', [], { field: 'START_TIMESTAMP', direction: 'ASC', extra: 1 }) },
);

const base64url = (value: string): string => Buffer.from(value, 'utf8').toString('base64url');

const nodeIdLike = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null).chain(() => fc.constantFrom(...globalIds)) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('Ec2InstanceBackup', 'Ec2Instance', 'Other', 'ec2instance', ''), text(40)).map(([type, id]) => base64url(`${type}:${id}`)) },
  { weight: 1, arbitrary: fc.constant(null).chain(() => fc.constantFrom(...globalIds)).map((id) => `${id}=`) },
  { weight: 1, arbitrary: fc.constant(null).chain(() => fc.constantFrom(...globalIds)).map((id) => ` ${id}`) },
  { weight: 1, arbitrary: utf16(40) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('', 'x'.repeat(1_100), base64url(`Ec2InstanceBackup:${'y'.repeat(700)}`), 5, null) },
);

/** Backup IDs, lone surrogates included (they have no URL form). */
const backupIdLike = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null).chain(() => fc.constantFrom(...backupIds)) },
  { weight: 2, arbitrary: text(40) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('', ' x', 'x'.repeat(256), 'x'.repeat(257), '../x', 'a/b', '%', '?a=b', '#', 'a\ud800b', '\udc00', null, 5) },
);

type FuzzCase =
  | { kind: 'list'; literal: boolean; args: Record<string, unknown> }
  | { kind: 'backup'; backupId: unknown }
  | { kind: 'node'; id: unknown }
  | { kind: 'nodes'; ids: unknown };

/** `first: n`, or `last: n` half the time. */
const sized = (args: Record<string, unknown>) =>
  fc.tuple(fc.nat({ max: 100 }), fc.boolean()).map(([n, useLast]) => ({ ...args, [useLast ? 'last' : 'first']: n }));

/**
 * Arguments a client could well send: paging through the default list with its cursors (forged at
 * any offset, so pages past the end come up too), or a real filter and order without cursors.
 */
const plausibleListArgs: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc
    .record({ after: fc.oneof(forgedCursor, fc.constant(null).chain(() => fc.constantFrom(...cursors.slice(0, 3)))), before: forgedCursor }, { requiredKeys: [] })
    .chain(sized),
  fc
    .record(
      {
        filter: fc.record(
          {
            instanceId: fc.constant(null).chain(() => fc.constantFrom(...instanceIds)),
            startTimestamp: fc.record({ lte: validTimestamp, gt: validTimestamp }, { requiredKeys: [] }),
          },
          { requiredKeys: [] },
        ),
        orderBy: fc.record({ direction: fc.constantFrom('ASC', 'DESC') }),
      },
      { requiredKeys: [] },
    )
    .chain(sized),
);

const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('list' as const), literal: fc.boolean(), args: plausibleListArgs }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('list' as const),
      literal: fc.boolean(),
      args: fc.record(
        { first: pageSize, last: pageSize, after: cursorLike, before: cursorLike, filter: filterLike, orderBy: orderByLike },
        { requiredKeys: [] },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('backup' as const), backupId: backupIdLike }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('node' as const), id: nodeIdLike }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('nodes' as const),
      ids: fc.oneof(
        { weight: 5, arbitrary: fc.array(nodeIdLike, { maxLength: 6 }) },
        { weight: 1, arbitrary: fc.constantFrom<unknown>(Array(101).fill('x'), null, 'x') },
      ),
    }),
  },
);

// ------------------------------------------------------------------------------------------
// Operations

const LIST_SELECTION = 'totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { backupId } }';
const LIST_BY_VARIABLES = `query($first: Int, $last: Int, $after: String, $before: String, $filter: Ec2InstanceBackupFilter, $orderBy: Ec2InstanceBackupOrder) {
  ec2InstanceBackups(first: $first, last: $last, after: $after, before: $before, filter: $filter, orderBy: $orderBy) { ${LIST_SELECTION} }
}`;

/** A value as a GraphQL literal; upper-case names become enum values, as a client would write them. */
function literal(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return /^[A-Z][A-Z_]*$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries.map(([k, v]) => `${k}: ${literal(v)}`).join(', ')}}`;
}

function operation(c: FuzzCase): { query: string; variables?: Record<string, unknown> } {
  switch (c.kind) {
    case 'list': {
      if (!c.literal) return { query: LIST_BY_VARIABLES, variables: c.args };
      const args = Object.entries(c.args)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}: ${literal(v)}`);
      return { query: `{ ec2InstanceBackups${args.length > 0 ? `(${args.join(', ')})` : ''} { ${LIST_SELECTION} } }` };
    }
    case 'backup':
      return { query: 'query($id: ID!) { ec2InstanceBackup(backupId: $id) { backupId startTimestamp } }', variables: { id: c.backupId } };
    case 'node':
      return { query: 'query($id: ID!) { node(id: $id) { id ... on Ec2InstanceBackup { backupId } } }', variables: { id: c.id } };
    case 'nodes':
      return { query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', variables: { ids: c.ids } };
  }
}

/** The Clumio ID inside a global ID, as the gateway would decode it. */
const clumioIdOf = (globalId: unknown): string | undefined => {
  if (typeof globalId !== 'string') return undefined;
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
};

/** The Clumio IDs an upstream request is about: a read's backup ID, or a list's instance filter. */
function idsAskedFor(request: RecordedRequest): string[] {
  const prefix = '/backups/aws/ec2-instances/';
  if (request.path.startsWith(prefix)) return [decodeURIComponent(request.path.slice(prefix.length))];
  const filter = request.query.filter === undefined ? {} : (JSON.parse(request.query.filter) as { instance_id?: { $eq?: string } });
  return filter.instance_id?.$eq === undefined ? [] : [filter.instance_id.$eq];
}

/** Every property, for one case; throws with the case, the response and the upstream log. */
function check(c: FuzzCase, status: number, response: GraphQLResponse, upstream: RecordedRequest[]): void {
  const fail = (why: string): never => {
    throw new Error(
      `${why}\ncase: ${JSON.stringify(c)}\nstatus: ${status}\nresponse: ${JSON.stringify(response).slice(0, 2_000)}\n` +
        `upstream: ${JSON.stringify(upstream.map((r) => [r.path, r.query, r.status]))}`,
    );
  };
  if (status >= 500) fail('HTTP 5xx');
  if (response.data === undefined && response.errors === undefined) fail('neither data nor errors');
  const errors = response.errors ?? [];
  for (const error of errors) {
    const code = error.extensions?.code;
    if (typeof code !== 'string' || !CONTRACT_CODES.has(code)) fail(`error without a contract code: ${String(code)}`);
    if (error.extensions?.upstream !== undefined) fail('an upstream failure: invalid input reached Clumio');
    const leaks = [h.emulator.url, '127.0.0.1', DEFAULT_EMULATOR_TOKEN, 'node_modules', '/work/'].some((secret) => error.message.includes(secret));
    // A stack frame: "at fn (/path/file.js:1:2)" or a bare "    at /path/file.js:1:2".
    if (leaks || /\bat (?:.+ \()?(?:\/|file:|node:)[^\s)]*:\d+:\d+/.test(error.message)) {
      fail('the message leaks a URL, token or stack');
    }
  }
  const refusals = errors.filter((e) => REFUSALS.has(e.extensions?.code));
  if (c.kind === 'nodes' && Array.isArray(c.ids)) {
    // A bad ID nulls its own position only; the others may still go upstream, but no refused one.
    const wholeRequest = refusals.some((e) => e.path === undefined || e.path.length < 2);
    if (wholeRequest && upstream.length > 0) fail('a refused request made upstream calls');
    const refusedAt = new Set(refusals.map((e) => e.path?.[1]));
    const allowed = new Set(c.ids.filter((_, i) => !refusedAt.has(i)).map(clumioIdOf));
    for (const request of upstream) {
      for (const id of idsAskedFor(request)) if (!allowed.has(id)) fail(`a refused ID reached Clumio: ${JSON.stringify(id)}`);
    }
  } else if (refusals.length > 0 && upstream.length > 0) {
    fail('refused input made upstream calls');
  }
  if (c.kind === 'list' && errors.length === 0) {
    const connection = response.data?.ec2InstanceBackups;
    const first = c.args.first as number | null | undefined;
    const last = c.args.last as number | null | undefined;
    const size = first ?? last ?? 10;
    if (!connection || !Array.isArray(connection.edges) || connection.edges.length > size) fail(`not a page of at most ${size} items`);
  }
}

async function send(c: FuzzCase): Promise<{ status: number; response: GraphQLResponse }> {
  const { query, variables } = operation(c);
  const http = await fetch(`${h.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await http.text();
  try {
    return { status: http.status, response: JSON.parse(body) as GraphQLResponse };
  } catch {
    throw new Error(`not JSON (HTTP ${http.status}): ${body.slice(0, 300)}\ncase: ${JSON.stringify(c)}`);
  }
}

it(`keeps its contract for ${RUNS} random, malformed and extreme argument sets`, async () => {
  let tried = 0;
  const kinds: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  await fc.assert(
    fc.asyncProperty(fuzzCase, async (c) => {
      tried += 1;
      kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
      h.resetUpstream();
      const { status, response } = await send(c);
      const codes = [...new Set((response.errors ?? []).map((e) => e.extensions?.code as string))].sort();
      const outcome = codes.length === 0 ? 'data' : codes.join('+');
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      check(c, status, response, h.upstream());
    }),
    { seed: SEED, numRuns: RUNS },
  );
  console.log(`fuzz: ${tried} cases tried (seed ${SEED}); by kind ${JSON.stringify(kinds)}; outcomes ${JSON.stringify(outcomes)}`);
  expect(tried).toBeGreaterThanOrEqual(RUNS);
  // The generators reach both sides: accepted input answered with data, and refusals.
  expect(outcomes.data).toBeGreaterThan(0);
  expect(outcomes.BAD_USER_INPUT).toBeGreaterThan(0);
});

/** Regressions: gateway bugs this fuzzing found, now fixed. */
describe('fixed gateway bugs', () => {
  beforeEach(() => h.resetUpstream());

  it('a backup ID with a lone surrogate is refused as BAD_USER_INPUT', async () => {
    const response = await h.gql('query($id: ID!) { ec2InstanceBackup(backupId: $id) { backupId } }', { id: 'a\ud800b' });
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(h.upstream()).toEqual([]);
  });

  it('a leap-second timestamp is refused before Clumio, which refuses them', async () => {
    const response = await h.gql(LIST_BY_VARIABLES, { first: 1, filter: { startTimestamp: { lte: '2026-06-30T23:59:60Z' } } });
    expect(response.errors?.filter((e) => e.extensions?.upstream !== undefined) ?? []).toEqual([]);
  });

  it('29 February of year 0000 (a leap year) is a valid DateTime', async () => {
    const response = await h.gql(LIST_BY_VARIABLES, { first: 1, filter: { startTimestamp: { lte: '0000-02-29T00:00:00Z' } } });
    expect(response.errors).toBeUndefined();
  });
});

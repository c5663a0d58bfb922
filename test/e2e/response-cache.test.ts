import { MemoryResponseCacheStore } from '../../src/cache/response-cache-store';
import { ClumioClient } from '../../src/clumio/clumio-client';
import { createClumioEmulator, PRODUCTION_OU_ID } from '../../src/emulator';
import type { ResponseCacheEvent } from '../../src/plugins/use-response-cache';
import { createGateway } from '../../src/yoga';
import { expectNoErrors, quietTelemetry, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/** The operation-level response cache (RESPONSE_CACHE_TTL_MS), over real sockets, in process memory. */

const alice = { authorization: 'Bearer alice' };
const bob = { authorization: 'Bearer bob' };
const PAGE = 'query Page($first: Int) { ec2InstanceBackups(first: $first) { totalCount nodes { backupId } } }';

describe('response cache', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      emulator: { tokens: ['alice', 'bob'] },
      env: { CLUMIO_API_TOKEN: '', RESPONSE_CACHE_TTL_MS: '60000' },
    });
  });
  afterAll(() => h.close());
  beforeEach(() => h.resetUpstream());

  it('answers a repeated operation of the same caller from the cache, without calling Clumio', async () => {
    const first = await h.gql(PAGE, { first: 3 }, alice);
    expectNoErrors(first, h);
    expect(h.upstream()).toHaveLength(1);
    const again = await h.gql(PAGE, { first: 3 }, alice);
    expect(again).toEqual(first);
    expect(h.upstream()).toHaveLength(1);
  });

  it('keys by variables, credential and organizational unit: nothing is shared between callers', async () => {
    await h.gql(PAGE, { first: 4 }, alice);
    h.resetUpstream();
    await h.gql(PAGE, { first: 5 }, alice);
    await h.gql(PAGE, { first: 4 }, bob);
    await h.gql(PAGE, { first: 4 }, { ...alice, 'x-clumio-organizationalunit-context': PRODUCTION_OU_ID });
    const calls = h.upstream();
    expect(calls.map((r) => [r.query.limit, r.headers.authorization, r.headers['x-clumio-organizationalunit-context']])).toEqual([
      ['5', 'Bearer alice', undefined],
      ['4', 'Bearer bob', undefined],
      ['4', 'Bearer alice', PRODUCTION_OU_ID],
    ]);
  });

  it('never caches a response with errors', async () => {
    h.emulator.injectFault({ status: 500 });
    const failed = await h.gql(PAGE, { first: 6 }, alice);
    expect(failed.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    const retried = await h.gql(PAGE, { first: 6 }, alice);
    expectNoErrors(retried, h);
    expect(h.upstream()).toHaveLength(2);
  });

  it('does not cache what fails before execution, and serves nothing to a caller without a credential', async () => {
    const invalid = await h.gql('{ ec2InstanceBackups { nope } }', undefined, alice);
    expect(invalid.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    await h.gql(PAGE, { first: 7 }, alice);
    const anonymous = await h.gql(PAGE, { first: 7 });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(anonymous.data?.ec2InstanceBackups?.nodes ?? null).toBeNull();
  });
});

describe('RESPONSE_CACHE_TTL_MS=0', () => {
  it('turns the cache off: every operation calls Clumio', async () => {
    const h = await startHarness({ env: { RESPONSE_CACHE_TTL_MS: '0' } });
    try {
      await h.gql(PAGE, { first: 2 });
      await h.gql(PAGE, { first: 2 });
      expect(h.upstream()).toHaveLength(2);
    } finally {
      await h.close();
    }
  });
});

describe('coalescing', () => {
  it('runs identical concurrent operations of one caller once, and keeps other callers apart', async () => {
    const emulator = createClumioEmulator({ tokens: ['alice', 'bob'] });
    const client = new ClumioClient({ baseUrl: await emulator.listen(), timeoutMs: 10_000 });
    const events: ResponseCacheEvent[] = [];
    let coalesced!: () => void;
    const followerWaiting = new Promise<void>((resolve) => (coalesced = resolve));
    const yoga = createGateway({
      config: { clumioApiToken: null, graphiql: false, introspection: true },
      client,
      telemetry: quietTelemetry(),
      responseCache: {
        ttlMs: 60_000,
        store: new MemoryResponseCacheStore(),
        onEvent: (event) => {
          events.push(event);
          if (event === 'coalesced') coalesced();
        },
      },
    });
    const ask = async (headers: Record<string, string>): Promise<unknown> => {
      const response = await yoga.fetch('http://gateway/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: PAGE, variables: { first: 2 } }),
      });
      return response.json();
    };
    try {
      // Clumio holds the first answer until a second, identical operation is waiting for it.
      let upstreamArrived!: () => void;
      const arrived = new Promise<void>((resolve) => (upstreamArrived = resolve));
      emulator.injectFault({ match: () => (upstreamArrived(), true), release: followerWaiting });
      const leader = ask(alice);
      await arrived;
      const follower = ask(alice);
      const [a, b] = await Promise.all([leader, follower]);
      expect(b).toEqual(a);
      expect(events).toEqual(['miss', 'coalesced']);
      expect(emulator.requests).toHaveLength(1);

      // Another caller's identical operation is its own.
      await ask(bob);
      expect(emulator.requests).toHaveLength(2);
      expect(events).toEqual(['miss', 'coalesced', 'miss']);
    } finally {
      await client.close();
      await emulator.close();
    }
  });
});

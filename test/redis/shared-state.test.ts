import { RedisReservationStore } from '../../src/clumio/redis-reservation-store';
import { createClumioEmulator } from '../../src/emulator';
import type { ClumioEmulator } from '../../src/emulator';
import { connectRedis } from '../../src/redis';
import { expectNoErrors, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { startRedis } from '../support/redis-server';
import type { TestRedis } from '../support/redis-server';

/**
 * REDIS_URL against a real redis-server: replicas share the response cache and one upstream
 * rate-limit budget per caller; Redis holds no credential; an outage degrades to per-process state.
 */

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.close());

const alice = { authorization: 'Bearer alice' };
const bob = { authorization: 'Bearer bob' };
const PAGE = 'query Page($first: Int) { ec2InstanceBackups(first: $first) { totalCount nodes { backupId } } }';

async function replicas(emulator: ClumioEmulator, count: number, env: Record<string, string>): Promise<Harness[]> {
  return Promise.all(Array.from({ length: count }, () => startHarness({ sharedEmulator: emulator, env })));
}

describe('response cache in Redis', () => {
  let emulator: ClumioEmulator;
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    emulator = createClumioEmulator({ tokens: ['alice', 'bob'] });
    await emulator.listen();
    [a, b] = (await replicas(emulator, 2, { CLUMIO_API_TOKEN: '', RESPONSE_CACHE_TTL_MS: '60000', REDIS_URL: redis.url })) as [Harness, Harness];
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await emulator.close();
  });
  beforeEach(() => emulator.clearRequests());

  it('is shared by replicas: what one fetched, another serves without calling Clumio', async () => {
    const first = await a.gql(PAGE, { first: 3 }, alice);
    expectNoErrors(first, a);
    const second = await b.gql(PAGE, { first: 3 }, alice);
    expect(second).toEqual(first);
    expect(emulator.requests).toHaveLength(1);
  });

  it('is never shared between callers, and holds no credential in keys or values', async () => {
    await a.gql(PAGE, { first: 4 }, alice);
    await b.gql(PAGE, { first: 4 }, bob);
    expect(emulator.requests.map((r) => r.headers.authorization)).toEqual(['Bearer alice', 'Bearer bob']);

    const keys = await redis.client.keys('*');
    expect(keys.length).toBeGreaterThanOrEqual(3);
    const values = await Promise.all(keys.map((key) => redis.client.get(key)));
    for (const text of [...keys, ...values]) {
      expect(text).not.toMatch(/alice|bob/);
    }
  });

  it('never stores a response with errors', async () => {
    emulator.injectFault({ status: 500 });
    const failed = await a.gql(PAGE, { first: 5 }, alice);
    expect(failed.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expectNoErrors(await b.gql(PAGE, { first: 5 }, alice), b);
    expect(emulator.requests).toHaveLength(2);
  });
});

describe('rate limiter in Redis', () => {
  const NODES = 'query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id ... on Ec2InstanceBackup { backupId } } }';

  /** Three replicas each look up 15 backups at once, against a Clumio that allows 10 requests per second. */
  async function threeReplicasUnderLoad(env: Record<string, string>): Promise<{ statuses: number[]; codes: string[] }> {
    const emulator = createClumioEmulator({ rateLimitPerSecond: 10 });
    await emulator.listen();
    const gateways = await replicas(emulator, 3, { CLUMIO_RATE_LIMIT_RPS: '10', ...env });
    try {
      const ids = emulator.backups.slice(0, 45).map((backup) => Buffer.from(`Ec2InstanceBackup:${backup.id}`).toString('base64url'));
      const responses = await Promise.all(gateways.map((g, i) => g.gql(NODES, { ids: ids.slice(i * 15, i * 15 + 15) })));
      return {
        statuses: emulator.requests.map((r) => r.status),
        codes: responses.flatMap((r) => (r.errors ?? []).map((e) => String(e.extensions?.code))),
      };
    } finally {
      await Promise.all(gateways.map((g) => g.close()));
      await emulator.close();
    }
  }

  it('gives replicas one budget per caller: 45 calls from three gateways, no 429 from Clumio', async () => {
    const { statuses, codes } = await threeReplicasUnderLoad({ REDIS_URL: redis.url });
    expect(codes).toEqual([]);
    expect(statuses).toEqual(new Array(45).fill(200));
  });

  it('is what keeps them under the limit: per-process budgets together overshoot it', async () => {
    const { statuses } = await threeReplicasUnderLoad({ REDIS_URL: '' });
    // Clumio refused some calls: the overshoot. (The client's retries may still turn them into data.)
    expect(statuses).toContain(429);
  });

  it('reserves turns on Redis’s clock: a burst at once, then one every 1000/rps ms, refusing beyond the longest wait', async () => {
    const client = connectRedis(redis.url);
    try {
      const store = new RedisReservationStore(client, `test:${Date.now()}:`);
      const policy = { ratePerSecond: 1, burst: 2, maxWaitMs: 1_500 };
      const [r1, r2, r3, r4] = [await store.reserve('caller', policy), await store.reserve('caller', policy), await store.reserve('caller', policy), await store.reserve('caller', policy)];
      expect([r1, r2]).toEqual([{ ok: true, waitMs: 0 }, { ok: true, waitMs: 0 }]);
      // What is left of 1000 and 2000 ms once Redis's clock has moved on a little.
      expect(r3.ok && r3.waitMs > 0 && r3.waitMs <= 1_000).toBe(true);
      expect(!r4.ok && r4.retryAfterMs > 1_500 && r4.retryAfterMs <= 2_000).toBe(true);
    } finally {
      client.disconnect();
    }
  });
});

describe('Redis outage', () => {
  it('still answers: the cache misses and the limiter keeps a per-process budget', async () => {
    const gone = await startRedis();
    const url = gone.url;
    await gone.close();
    const h = await startHarness({ env: { REDIS_URL: url, RESPONSE_CACHE_TTL_MS: '60000' } });
    try {
      expectNoErrors(await h.gql(PAGE, { first: 2 }), h);
      expectNoErrors(await h.gql(PAGE, { first: 2 }), h);
      expect(h.upstream()).toHaveLength(2);
    } finally {
      await h.close();
    }
  });
});

import { createHash } from 'node:crypto';
import { RedisPersistedQueryStore } from '../../src/cache/persisted-query-store';
import { createClumioEmulator } from '../../src/emulator';
import type { ClumioEmulator } from '../../src/emulator';
import { connectRedis, redisReady } from '../../src/redis';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { startRedis } from '../support/redis-server';
import type { TestRedis } from '../support/redis-server';

/**
 * Automatic persisted queries in Redis (REDIS_URL): a document one replica registered, every replica
 * runs by its hash; registrations stay bounded, least recently used out first.
 */

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.close());

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

async function post(h: Harness, body: unknown): Promise<any> {
  const response = await fetch(`${h.gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return response.json();
}

describe('two replicas on one Redis', () => {
  let emulator: ClumioEmulator;
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    emulator = createClumioEmulator();
    await emulator.listen();
    [a, b] = (await Promise.all([0, 1].map(() => startHarness({ sharedEmulator: emulator, env: { REDIS_URL: redis.url } })))) as [Harness, Harness];
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await emulator.close();
  });

  it('share registrations: registered through one, the hash alone runs on the other', async () => {
    const query = 'query Shared { ec2InstanceBackups(first: 2) { nodes { backupId } } }';
    const hashOnly = { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } };
    expect((await post(b, hashOnly)).errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post(a, { query, ...hashOnly })).data.ec2InstanceBackups.nodes).toHaveLength(2);
    expect((await post(b, hashOnly)).data.ec2InstanceBackups.nodes).toHaveLength(2);
  });
});

describe('RedisPersistedQueryStore', () => {
  it('stays within its bounds, evicting the least recently used first', async () => {
    const client = connectRedis(redis.url);
    try {
      expect(await redisReady(client, 2_000)).toBe(true);
      const store = new RedisPersistedQueryStore(client, { maxBytes: 1_000, maxCount: 3 }, 'bounded-test:');
      await store.set('a', 'A'.repeat(100));
      await store.set('b', 'B'.repeat(100));
      await store.set('c', 'C'.repeat(100));
      expect(await store.get('a')).toBe('A'.repeat(100)); // a is now the most recently used
      await store.set('d', 'D'.repeat(100)); // over the count: b goes
      expect(await store.get('b')).toBeUndefined();
      expect(await store.get('a')).toBeDefined();
      await store.set('e', 'E'.repeat(901)); // over the bytes: c, d, then a go
      expect(await Promise.all(['a', 'c', 'd', 'e'].map((key) => store.get(key)))).toEqual([undefined, undefined, undefined, 'E'.repeat(901)]);
      expect(Number(await client.get('{bounded-test:}bytes'))).toBe(901);
      expect(await client.zcard('{bounded-test:}recency')).toBe(1);
    } finally {
      client.disconnect();
    }
  });
});

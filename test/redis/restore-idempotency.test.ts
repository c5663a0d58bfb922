import { GraphQLError } from 'graphql';
import { callerKey } from '../../src/clumio/caller-key';
import { UpstreamError } from '../../src/errors';
import { connectRedis, redisReady } from '../../src/redis';
import type { RedisClient } from '../../src/redis';
import { RedisIdempotencyStore, RestoreIdempotency, idempotencyRecordId, restoreInputFingerprint } from '../../src/restores/idempotency';
import { startRedis } from '../support/redis-server';
import type { TestRedis } from '../support/redis-server';
import { deferred, gatedStart } from '../support/deferred';

/**
 * idempotencyKey for restores across replicas: two RestoreIdempotency instances, each on its own
 * Redis connection, start a key's restore at most once between them. Events are ordered by promises
 * resolved by hand; only a waiter's polls (every 5 ms) run on timers.
 */

const DAY = 24 * 3_600_000;
const PREFIX = 'clumio-backup-graph:restore-key:';
const TOKEN = 'secret-clumio-token';
const caller = callerKey({ token: TOKEN, organizationalUnit: 'ou-1' });
const FP = restoreInputFingerprint({ backupId: 'b-1', volumes: { awsAz: 'us-west-2a', ebsBlockDeviceMappings: [] } });
const OTHER_FP = restoreInputFingerprint({ backupId: 'b-2', volumes: { awsAz: 'us-west-2a', ebsBlockDeviceMappings: [] } });


/** A Redis store that tells when a waiter first read the record (it found the claim pending and polls). */
class WatchedStore extends RedisIdempotencyStore {
  readonly polled = deferred<void>();
  override read(id: string) {
    this.polled.resolve();
    return super.read(id);
  }
}

async function rejection(promise: Promise<unknown>): Promise<GraphQLError> {
  try {
    await promise;
  } catch (error) {
    return error as GraphQLError;
  }
  throw new Error('expected a rejection');
}

const mayHaveStarted = (): GraphQLError =>
  new GraphQLError('Clumio answered 503. The restore may have started.', { extensions: { code: 'UPSTREAM_ERROR', restoreMayHaveStarted: true } });

let redis: TestRedis;
let connections: RedisClient[];
let storeA: WatchedStore;
let storeB: WatchedStore;
let a: RestoreIdempotency;
let b: RestoreIdempotency;

beforeAll(async () => {
  redis = await startRedis();
  connections = [connectRedis(redis.url), connectRedis(redis.url)];
  for (const connection of connections) expect(await redisReady(connection, 2_000)).toBe(true);
});
afterAll(async () => {
  for (const connection of connections) connection.disconnect();
  await redis.close();
});
beforeEach(async () => {
  await redis.client.flushall();
  // Fresh instances per test: nothing left in their in-process fallback or in-flight maps.
  storeA = new WatchedStore(connections[0]!);
  storeB = new WatchedStore(connections[1]!);
  a = new RestoreIdempotency(storeA, { pollMs: 5 });
  b = new RestoreIdempotency(storeB, { pollMs: 5 });
});

describe('two replicas on one Redis', () => {
  it('the second replica answers a key the first one started, without starting again', async () => {
    const start = jest.fn(() => Promise.resolve({ taskId: 'task-1' }));
    expect(await a.run(caller, 'key-1', FP, start)).toEqual({ taskId: 'task-1', replayed: false });
    expect(await b.run(caller, 'key-1', FP, start)).toEqual({ taskId: 'task-1', replayed: true });
    expect((await rejection(b.run(caller, 'key-1', OTHER_FP, start))).extensions.code).toBe('BAD_USER_INPUT');
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('concurrent calls start once: the second waits on the pending claim, then answers its task id', async () => {
    const { start, calls, entered } = gatedStart();
    const first = a.run(caller, 'key-1', FP, start);
    await entered(1);
    const second = b.run(caller, 'key-1', FP, start);
    const different = rejection(b.run(caller, 'key-1', OTHER_FP, start));
    await storeB.polled.promise;
    expect(await redis.client.hget(PREFIX + idempotencyRecordId(caller, 'key-1'), 'state')).toBe('pending');
    calls[0]!.resolve({ taskId: 'task-1' });
    expect(await first).toEqual({ taskId: 'task-1', replayed: false });
    expect(await second).toEqual({ taskId: 'task-1', replayed: true });
    expect((await different).extensions.code).toBe('BAD_USER_INPUT');
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('when the first fails without starting, the waiting replica claims the key and starts', async () => {
    const { start, calls, entered } = gatedStart();
    const first = rejection(a.run(caller, 'key-1', FP, start));
    await entered(1);
    const second = b.run(caller, 'key-1', FP, start);
    await storeB.polled.promise;
    const failure = new UpstreamError('BAD_USER_INPUT', 'Clumio refused the restore.', { status: 400, errorCode: null, errorMessage: null });
    calls[0]!.reject(failure);
    expect(await first).toBe(failure);
    await entered(2);
    calls[1]!.resolve({ taskId: 'task-2' });
    expect(await second).toEqual({ taskId: 'task-2', replayed: false });
    expect(await a.run(caller, 'key-1', FP, start)).toEqual({ taskId: 'task-2', replayed: true });
    expect(start).toHaveBeenCalledTimes(2);
  });

  it('shares "may have started": both replicas refuse the key, whatever the input', async () => {
    const { start, calls, entered } = gatedStart();
    const first = rejection(a.run(caller, 'key-1', FP, start));
    await entered(1);
    const waiting = rejection(b.run(caller, 'key-1', FP, start));
    await storeB.polled.promise;
    const failure = mayHaveStarted();
    calls[0]!.reject(failure);
    expect(await first).toBe(failure);
    expect((await waiting).message).toMatch(/check your Clumio tasks/);
    for (const [replica, fingerprint] of [[a, FP], [b, FP], [b, OTHER_FP]] as const) {
      const error = await rejection(replica.run(caller, 'key-1', fingerprint, start));
      expect(error.extensions.code).toBe('BAD_USER_INPUT');
      expect(error.message).toMatch(/second restore/);
    }
    expect(start).toHaveBeenCalledTimes(1);
    expect(await redis.client.hget(PREFIX + idempotencyRecordId(caller, 'key-1'), 'state')).toBe('unknown');
  });

  it('a claim left pending past its pending TTL (its replica hung or died) reads as unknown on Redis\'s clock', async () => {
    const hung = new RestoreIdempotency(storeA, { pendingTtlMs: 100, pollMs: 5 });
    const { start, calls, entered } = gatedStart();
    const first = hung.run(caller, 'key-1', FP, start);
    await entered(1);
    // b's own give-up time is a minute away: it is Redis's record that turns unknown.
    const error = await rejection(b.run(caller, 'key-1', FP, start));
    expect(error.message).toMatch(/check your Clumio tasks/);
    expect(start).toHaveBeenCalledTimes(1);
    // The hung call's late success is still recorded: its owner token matches.
    calls[0]!.resolve({ taskId: 'task-1' });
    expect(await first).toEqual({ taskId: 'task-1', replayed: false });
    expect(await b.run(caller, 'key-1', FP, start)).toEqual({ taskId: 'task-1', replayed: true });
  });

  it('sets TTLs: 24 h on a pending claim and on a started or unknown record; a released claim is gone', async () => {
    const { start, calls, entered } = gatedStart();
    const key = (name: string): string => PREFIX + idempotencyRecordId(caller, name);
    const first = a.run(caller, 'started', FP, start);
    await entered(1);
    const pending = await redis.client.pttl(key('started'));
    expect(pending).toBeGreaterThan(DAY - 10_000);
    expect(pending).toBeLessThanOrEqual(DAY);
    calls[0]!.resolve({ taskId: 'task-1' });
    await first;
    expect(await redis.client.pttl(key('started'))).toBeGreaterThan(DAY - 10_000);

    await rejection(a.run(caller, 'unknown', FP, () => Promise.reject(mayHaveStarted())));
    expect(await redis.client.pttl(key('unknown'))).toBeGreaterThan(DAY - 10_000);

    await rejection(a.run(caller, 'released', FP, () => Promise.reject(new Error('refused before sending'))));
    expect(await redis.client.pttl(key('released'))).toBe(-2);
    expect(await redis.client.exists(key('released'))).toBe(0);
  });

  it('stores nothing but hashes: no credential, no organizational unit, no key text', async () => {
    const keyText = 'my-idempotency-key-7f3a';
    await a.run(caller, keyText, FP, () => Promise.resolve({ taskId: 'task-1' }));
    await rejection(b.run(caller, `${keyText}-2`, FP, () => Promise.reject(mayHaveStarted())));
    const keys = await redis.client.keys('*');
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key).toMatch(/^clumio-backup-graph:restore-key:[0-9a-f]{64}$/);
      const record = await redis.client.hgetall(key);
      expect(Object.keys(record).sort()).toEqual(expect.arrayContaining(['fingerprint', 'owner', 'state']));
      expect(record.fingerprint).toBe(FP);
      expect(record.owner).toMatch(/^[0-9a-f-]{36}$/);
      const stored = key + JSON.stringify(record);
      for (const secret of [TOKEN, 'ou-1', keyText, caller]) expect(stored).not.toContain(secret);
    }
  });
});

describe('when Redis fails', () => {
  it('falls back to this process for the call: starts once there, and replays', async () => {
    const broken = connectRedis(redis.url, { warn: () => undefined });
    expect(await redisReady(broken, 2_000)).toBe(true);
    broken.disconnect(); // no offline queue: every command now rejects at once
    const idempotency = new RestoreIdempotency(new RedisIdempotencyStore(broken), { pollMs: 5 });
    const { start, calls, entered } = gatedStart();
    const runs = [idempotency.run(caller, 'key-1', FP, start), idempotency.run(caller, 'key-1', FP, start)];
    await entered(1);
    calls[0]!.resolve({ taskId: 'task-1' });
    expect(await Promise.all(runs)).toEqual([
      { taskId: 'task-1', replayed: false },
      { taskId: 'task-1', replayed: true },
    ]);
    expect(await idempotency.run(caller, 'key-1', FP, start)).toEqual({ taskId: 'task-1', replayed: true });
    expect(start).toHaveBeenCalledTimes(1);
    // Across replicas the guarantee then holds only per replica: Redis never heard of the key.
    expect(await redis.client.keys('*')).toEqual([]);
  });
});

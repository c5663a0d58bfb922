import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { callerKey } from '../../src/clumio/caller-key';
import { UpstreamError } from '../../src/errors';
import { MemoryIdempotencyStore, RestoreIdempotency, restoreInputFingerprint } from '../../src/restores/idempotency';
import type { IdempotencyClaim, IdempotencyRecord, IdempotencyStore } from '../../src/restores/idempotency';
import { deferred, gatedStart } from '../support/deferred';

/**
 * idempotencyKey for restores in one process (MemoryIdempotencyStore): a key starts at most one
 * restore per caller within 24 h; concurrent calls share the first one's outcome. Events are
 * ordered by promises resolved by hand, expiry by an injected clock.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const caller = callerKey({ token: 'secret-token', organizationalUnit: null });
const FP = restoreInputFingerprint({ backupId: 'b-1', ami: { name: 'one' } });
const OTHER_FP = restoreInputFingerprint({ backupId: 'b-1', ami: { name: 'two' } });


const started = (taskId: string) => jest.fn(() => Promise.resolve({ taskId }));
const mayHaveStarted = (): GraphQLError =>
  new GraphQLError('Clumio did not answer in time. The restore may have started.', { extensions: { code: 'UPSTREAM_TIMEOUT', restoreMayHaveStarted: true } });
const refused = (): UpstreamError => new UpstreamError('BAD_USER_INPUT', 'Clumio refused the restore.', { status: 400, errorCode: null, errorMessage: 'bad subnet' });

/** The rejection of `promise`, failing the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<GraphQLError> {
  try {
    await promise;
  } catch (error) {
    return error as GraphQLError;
  }
  throw new Error('expected a rejection');
}

function setup(options: { pollMs?: number } = {}) {
  let now = 1_000_000;
  const clock = { advance: (ms: number) => (now += ms), now: () => now };
  const store = new MemoryIdempotencyStore({ now: clock.now });
  // A poll would wait a minute: a test that needs one in process times out.
  const idempotency = new RestoreIdempotency(store, { now: clock.now, pollMs: options.pollMs ?? 60_000 });
  return { clock, store, idempotency };
}

describe('RestoreIdempotency, one process', () => {
  it('answers a later call with the same input from the first one, without starting again', async () => {
    const { idempotency } = setup();
    const start = started('task-1');
    expect(await idempotency.run(caller, 'key-1', FP, start)).toEqual({ taskId: 'task-1', replayed: false });
    expect(await idempotency.run(caller, 'key-1', FP, start)).toEqual({ taskId: 'task-1', replayed: true });
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('refuses the key with a different input as BAD_USER_INPUT', async () => {
    const { idempotency } = setup();
    const start = started('task-1');
    await idempotency.run(caller, 'key-1', FP, start);
    const error = await rejection(idempotency.run(caller, 'key-1', OTHER_FP, start));
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/different input/);
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('forgets a key after 24 h: then it starts a new restore', async () => {
    const { clock, idempotency } = setup();
    await idempotency.run(caller, 'key-1', FP, started('task-1'));
    clock.advance(DAY - 1);
    expect(await idempotency.run(caller, 'key-1', OTHER_FP, started('x')).catch((error: GraphQLError) => error.extensions.code)).toBe('BAD_USER_INPUT');
    expect(await idempotency.run(caller, 'key-1', FP, started('x'))).toEqual({ taskId: 'task-1', replayed: true });
    clock.advance(1);
    const again = started('task-2');
    expect(await idempotency.run(caller, 'key-1', OTHER_FP, again)).toEqual({ taskId: 'task-2', replayed: false });
    expect(again).toHaveBeenCalledTimes(1);
  });

  it('keeps callers (credential and organizational unit) apart', async () => {
    const { idempotency } = setup();
    const other = callerKey({ token: 'secret-token', organizationalUnit: 'ou-2' });
    await idempotency.run(caller, 'key-1', FP, started('task-1'));
    expect(await idempotency.run(other, 'key-1', OTHER_FP, started('task-2'))).toEqual({ taskId: 'task-2', replayed: false });
  });

  it('after a restore that may have started, refuses the key for 24 h, whatever the input', async () => {
    const { clock, idempotency } = setup();
    const failure = mayHaveStarted();
    const start = jest.fn(() => Promise.reject(failure));
    expect(await rejection(idempotency.run(caller, 'key-1', FP, start))).toBe(failure);
    for (const fingerprint of [FP, OTHER_FP]) {
      const error = await rejection(idempotency.run(caller, 'key-1', fingerprint, start));
      expect(error.extensions.code).toBe('BAD_USER_INPUT');
      expect(error.message).toMatch(/check your Clumio tasks/);
      expect(error.message).toMatch(/second restore/);
    }
    clock.advance(DAY - 1);
    expect((await rejection(idempotency.run(caller, 'key-1', FP, start))).extensions.code).toBe('BAD_USER_INPUT');
    expect(start).toHaveBeenCalledTimes(1);
    clock.advance(1);
    expect(await idempotency.run(caller, 'key-1', FP, started('task-2'))).toEqual({ taskId: 'task-2', replayed: false });
  });

  it('frees the key when nothing was started (a 4xx): the next call starts, and is then remembered', async () => {
    const { idempotency } = setup();
    const failure = refused();
    expect(await rejection(idempotency.run(caller, 'key-1', FP, () => Promise.reject(failure)))).toBe(failure);
    const start = started('task-2');
    expect(await idempotency.run(caller, 'key-1', OTHER_FP, start)).toEqual({ taskId: 'task-2', replayed: false });
    expect(await idempotency.run(caller, 'key-1', OTHER_FP, start)).toEqual({ taskId: 'task-2', replayed: true });
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('treats a start() that answers without a task id as possibly started', async () => {
    const { idempotency } = setup();
    await rejection(idempotency.run(caller, 'key-1', FP, () => Promise.resolve({ taskId: '' })));
    const start = started('task-2');
    expect((await rejection(idempotency.run(caller, 'key-1', FP, start))).message).toMatch(/check your Clumio tasks/);
    expect(start).not.toHaveBeenCalled();
  });
});

describe('RestoreIdempotency, concurrent calls in one process', () => {
  it('10 identical calls start once and all answer its task id, without polling the store', async () => {
    const { store, idempotency } = setup();
    const read = jest.spyOn(store, 'read');
    const { start, calls, entered } = gatedStart();
    const runs = Array.from({ length: 10 }, () => idempotency.run(caller, 'key-1', FP, start));
    await entered(1);
    calls[0]!.resolve({ taskId: 'task-1' });
    const answers = await Promise.all(runs);
    expect(start).toHaveBeenCalledTimes(1);
    expect(answers.map((a) => a.taskId)).toEqual(Array(10).fill('task-1'));
    expect(answers.filter((a) => !a.replayed)).toHaveLength(1);
    expect(read).not.toHaveBeenCalled();
  });

  it('a concurrent call with a different input waits, then is BAD_USER_INPUT', async () => {
    const { idempotency } = setup();
    const { start, calls, entered } = gatedStart();
    const first = idempotency.run(caller, 'key-1', FP, start);
    const different = rejection(idempotency.run(caller, 'key-1', OTHER_FP, start));
    const same = idempotency.run(caller, 'key-1', FP, start);
    await entered(1);
    calls[0]!.resolve({ taskId: 'task-1' });
    expect(await first).toEqual({ taskId: 'task-1', replayed: false });
    expect((await different).extensions.code).toBe('BAD_USER_INPUT');
    expect(await same).toEqual({ taskId: 'task-1', replayed: true });
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('when the first fails without starting, exactly one waiter starts next and the rest answer its task id', async () => {
    const { idempotency } = setup();
    const { start, calls, entered } = gatedStart();
    const runs = Array.from({ length: 5 }, () => idempotency.run(caller, 'key-1', FP, start));
    const failure = refused();
    await entered(1);
    calls[0]!.reject(failure);
    expect(await rejection(runs[0]!)).toBe(failure);
    await entered(2);
    calls[1]!.resolve({ taskId: 'task-2' });
    const answers = await Promise.all(runs.slice(1));
    expect(start).toHaveBeenCalledTimes(2);
    expect(answers.map((a) => a.taskId)).toEqual(Array(4).fill('task-2'));
    expect(answers.filter((a) => !a.replayed)).toHaveLength(1);
  });

  it('when the first may have started, every waiter is BAD_USER_INPUT', async () => {
    const { idempotency } = setup();
    const { start, calls, entered } = gatedStart();
    const runs = [FP, FP, OTHER_FP].map((fingerprint) => rejection(idempotency.run(caller, 'key-1', fingerprint, start)));
    const failure = mayHaveStarted();
    await entered(1);
    calls[0]!.reject(failure);
    const [first, ...waiters] = await Promise.all(runs);
    expect(first).toBe(failure);
    expect(waiters.map((error) => error.extensions.code)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(waiters.every((error) => /check your Clumio tasks/.test(error.message))).toBe(true);
    expect(start).toHaveBeenCalledTimes(1);
  });
});

describe('RestoreIdempotency over a shared store (two instances standing for two replicas)', () => {
  it('the second waits on the pending claim by polling, then answers its task id', async () => {
    const { store, idempotency: a } = setup();
    const b = new RestoreIdempotency(store, { pollMs: 1 });
    const polled = deferred<void>();
    const read = jest.spyOn(store, 'read').mockImplementation(function (this: MemoryIdempotencyStore, id: string) {
      polled.resolve();
      return MemoryIdempotencyStore.prototype.read.call(this, id);
    });
    const { start, calls, entered } = gatedStart();
    const first = a.run(caller, 'key-1', FP, start);
    await entered(1);
    const second = b.run(caller, 'key-1', FP, start);
    await polled.promise;
    calls[0]!.resolve({ taskId: 'task-1' });
    expect(await first).toEqual({ taskId: 'task-1', replayed: false });
    expect(await second).toEqual({ taskId: 'task-1', replayed: true });
    expect(start).toHaveBeenCalledTimes(1);
    expect(read).toHaveBeenCalled();
  });

  it('a claim pending past its pending TTL reads as unknown (it may have started); its late success still counts', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ now: () => now });
    const a = new RestoreIdempotency(store, { now: () => now, pendingTtlMs: 30_000 });
    const b = new RestoreIdempotency(store, { now: () => now, pendingTtlMs: 30_000, pollMs: 1 });
    const polled = deferred<void>();
    jest.spyOn(store, 'read').mockImplementation(function (this: MemoryIdempotencyStore, id: string) {
      polled.resolve();
      return MemoryIdempotencyStore.prototype.read.call(this, id);
    });
    const { start, calls, entered } = gatedStart();
    const first = a.run(caller, 'key-1', FP, start);
    await entered(1);
    const second = rejection(b.run(caller, 'key-1', FP, start));
    await polled.promise;
    now += 30_000;
    expect((await second).message).toMatch(/check your Clumio tasks/);
    expect((await rejection(b.run(caller, 'key-1', FP, start))).extensions.code).toBe('BAD_USER_INPUT');
    calls[0]!.resolve({ taskId: 'task-1' });
    expect(await first).toEqual({ taskId: 'task-1', replayed: false });
    expect(await b.run(caller, 'key-1', FP, start)).toEqual({ taskId: 'task-1', replayed: true });
    expect(start).toHaveBeenCalledTimes(1);
  });
});

/** A store whose every call fails, as Redis does while it is away. */
class FailingStore implements IdempotencyStore {
  claim(): Promise<IdempotencyClaim> {
    return Promise.reject(new Error('Connection is closed.'));
  }
  complete(): Promise<boolean> {
    return Promise.reject(new Error('Connection is closed.'));
  }
  markUnknown(): Promise<boolean> {
    return Promise.reject(new Error('Connection is closed.'));
  }
  release(): Promise<void> {
    return Promise.reject(new Error('Connection is closed.'));
  }
  read(): Promise<IdempotencyRecord | undefined> {
    return Promise.reject(new Error('Connection is closed.'));
  }
}

describe('RestoreIdempotency when its store fails', () => {
  it('falls back to this process: still starts at most once, replays, refuses another input', async () => {
    const idempotency = new RestoreIdempotency(new FailingStore(), { pollMs: 60_000 });
    const { start, calls, entered } = gatedStart();
    const runs = [idempotency.run(caller, 'key-1', FP, start), idempotency.run(caller, 'key-1', FP, start)];
    await entered(1);
    calls[0]!.resolve({ taskId: 'task-1' });
    expect(await Promise.all(runs)).toEqual([
      { taskId: 'task-1', replayed: false },
      { taskId: 'task-1', replayed: true },
    ]);
    expect(await idempotency.run(caller, 'key-1', FP, start)).toEqual({ taskId: 'task-1', replayed: true });
    expect((await rejection(idempotency.run(caller, 'key-1', OTHER_FP, start))).extensions.code).toBe('BAD_USER_INPUT');
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('remembers in process a restore whose record could not be written, though the claim was', async () => {
    const store = new MemoryIdempotencyStore();
    jest.spyOn(store, 'complete').mockRejectedValue(new Error('Command timed out'));
    const idempotency = new RestoreIdempotency(store, { pollMs: 60_000 });
    const start = started('task-1');
    expect(await idempotency.run(caller, 'key-1', FP, start)).toEqual({ taskId: 'task-1', replayed: false });
    expect(await idempotency.run(caller, 'key-1', FP, start)).toEqual({ taskId: 'task-1', replayed: true });
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('remembers in process a restore that may have started when its record could not be written', async () => {
    const store = new MemoryIdempotencyStore();
    jest.spyOn(store, 'markUnknown').mockRejectedValue(new Error('Command timed out'));
    const idempotency = new RestoreIdempotency(store, { pollMs: 60_000 });
    await rejection(idempotency.run(caller, 'key-1', FP, () => Promise.reject(mayHaveStarted())));
    const start = started('task-2');
    expect((await rejection(idempotency.run(caller, 'key-1', FP, start))).extensions.code).toBe('BAD_USER_INPUT');
    expect(start).not.toHaveBeenCalled();
  });
});

describe('MemoryIdempotencyStore', () => {
  it('claims a key once; only its owner settles or releases it', async () => {
    const store = new MemoryIdempotencyStore({ now: () => 0 });
    expect(await store.claim('id', 'owner-a', FP, 1_000, DAY)).toEqual({ claimed: true });
    expect(await store.claim('id', 'owner-b', OTHER_FP, 1_000, DAY)).toEqual({ claimed: false, record: { state: 'pending', fingerprint: FP } });
    await store.release('id', 'owner-b');
    expect(await store.complete('id', 'owner-b', OTHER_FP, 'task-b', DAY)).toBe(false);
    expect(await store.read('id')).toEqual({ state: 'pending', fingerprint: FP });
    expect(await store.complete('id', 'owner-a', FP, 'task-a', DAY)).toBe(true);
    await store.release('id', 'owner-a'); // only a pending record is released
    expect(await store.read('id')).toEqual({ state: 'started', fingerprint: FP, taskId: 'task-a' });
  });

  it('holds at most maxEntries records, the oldest out first', async () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 2, now: () => 0 });
    for (const id of ['a', 'b', 'c']) await store.claim(id, 'owner', FP, 1_000, DAY);
    expect(store.size).toBe(2);
    expect(await store.read('a')).toBeUndefined();
    expect(await store.read('c')).toEqual({ state: 'pending', fingerprint: FP });
  });
});

describe('restoreInputFingerprint', () => {
  it('ignores field order, at every depth', () => {
    expect(restoreInputFingerprint({ backupId: 'b', ami: { name: 'n', environmentId: 'e' } })).toBe(
      restoreInputFingerprint({ ami: { environmentId: 'e', name: 'n' }, backupId: 'b' }),
    );
  });

  it('counts an explicit null as an omitted field, at every depth', () => {
    expect(restoreInputFingerprint({ backupId: 'b', instance: null, ami: { name: 'n', description: null } })).toBe(
      restoreInputFingerprint({ backupId: 'b', ami: { name: 'n' } }),
    );
    expect(restoreInputFingerprint({ ami: { tags: [{ key: 'k', value: null }] } })).toBe(restoreInputFingerprint({ ami: { tags: [{ key: 'k' }] } }));
  });

  it('keeps the order of lists, nested ones included, and tells values apart', () => {
    const mappings = (names: string[]) => ({ ami: { ebsBlockDeviceMappings: names.map((name) => ({ name, tags: [{ key: name }, { key: 'z' }] })) } });
    expect(restoreInputFingerprint(mappings(['a', 'b']))).not.toBe(restoreInputFingerprint(mappings(['b', 'a'])));
    expect(restoreInputFingerprint({ tags: [{ key: 'a' }, { key: 'z' }] })).not.toBe(restoreInputFingerprint({ tags: [{ key: 'z' }, { key: 'a' }] }));
    expect(restoreInputFingerprint({ a: [1, 2] })).not.toBe(restoreInputFingerprint({ a: [[1, 2]] }));
    expect(restoreInputFingerprint({ a: '' })).not.toBe(restoreInputFingerprint({}));
    expect(restoreInputFingerprint({ a: [] })).not.toBe(restoreInputFingerprint({}));
    expect(restoreInputFingerprint({ a: 'true' })).not.toBe(restoreInputFingerprint({ a: true }));
    expect(restoreInputFingerprint({ a: 1 })).not.toBe(restoreInputFingerprint({ a: '1' }));
  });

  it('reads objects without a prototype (what GraphQL coercion may build) like plain ones', () => {
    const coerced = Object.assign(Object.create(null) as Record<string, unknown>, { backupId: 'b', instance: null });
    expect(restoreInputFingerprint(coerced)).toBe(restoreInputFingerprint({ backupId: 'b' }));
  });

  it('is the SHA-256 hex of the canonical JSON', () => {
    expect(restoreInputFingerprint({ b: [1, { d: null, c: 'x' }], a: true })).toBe(
      createHash('sha256').update('{"a":true,"b":[1,{"c":"x"}]}').digest('hex'),
    );
  });
});

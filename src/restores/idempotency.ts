import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { GraphQLError } from 'graphql';
import { BadUserInputError } from '../errors';
import type { RedisClient } from '../redis';

/**
 * `idempotencyKey` for restores (the contract's *Restores* section): a restore creates cloud
 * resources, so one key of one caller starts at most one restore within 24 h. A key is recorded as
 * `pending` while its restore is being sent, `started` (with the task id) once Clumio answered one,
 * `unknown` when the outcome could not be told (the restore may have started), and deleted again
 * when nothing was sent. Records are kept under a hash of the caller key (itself a hash of the
 * credential) and the idempotency key: no credential and no key text is ever stored.
 */

/**
 * Canonical fingerprint of a restore input after GraphQL coercion: object keys sorted, a null field
 * equal to an omitted one (dropped), arrays kept in order; SHA-256 hex of that canonical JSON. The
 * idempotencyKey itself is excluded by the caller.
 */
export function restoreInputFingerprint(input: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(input) ?? 'null')
    .digest('hex');
}

/** JSON with sorted keys and no null or undefined fields; undefined for what JSON leaves out. */
function canonicalJson(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'object':
      break;
  }
  const object = value as Record<string, unknown> & { toJSON?: unknown };
  // A custom scalar's value (a Date, say) counts as what it sends in JSON.
  if (typeof object.toJSON === 'function') return canonicalJson((object.toJSON as () => unknown)());
  if (Array.isArray(object)) return `[${object.map((item) => canonicalJson(item) ?? 'null').join(',')}]`;
  const fields: string[] = [];
  for (const name of Object.keys(object).sort()) {
    const text = object[name] === null ? undefined : canonicalJson(object[name]);
    if (text !== undefined) fields.push(`${JSON.stringify(name)}:${text}`);
  }
  return `{${fields.join(',')}}`;
}

/** Where one (caller, key) is recorded: a hash of both, so neither is stored as given. */
export function idempotencyRecordId(callerKey: string, key: string): string {
  return createHash('sha256').update(callerKey).update('\n').update(key).digest('hex');
}

/** What a store holds for a key. A claim left pending past its pending TTL reads as `unknown`: it may have started. */
export interface IdempotencyRecord {
  state: 'pending' | 'started' | 'unknown';
  fingerprint: string;
  taskId?: string;
}

export type IdempotencyClaim = { claimed: true } | { claimed: false; record: IdempotencyRecord };

/**
 * Idempotency records by record id (see idempotencyRecordId). `owner` is a random token per claim:
 * only the claim that wrote a pending record settles or releases it. A Redis store's methods reject
 * when Redis fails; RestoreIdempotency then falls back to its in-process store.
 */
export interface IdempotencyStore {
  /**
   * Atomically: when `id` holds no live record, stores a pending one (alive `ttlMs`, pending for at
   * most `pendingTtlMs`, then read as `unknown`) and answers `claimed: true`; otherwise answers the
   * record there.
   */
  claim(id: string, owner: string, fingerprint: string, pendingTtlMs: number, ttlMs: number): Promise<IdempotencyClaim>;
  /** Records `started` with its task id for `ttlMs`, unless another claim owns the record (then false). */
  complete(id: string, owner: string, fingerprint: string, taskId: string, ttlMs: number): Promise<boolean>;
  /** Records `unknown` for `ttlMs`, unless another claim owns the record (then false). */
  markUnknown(id: string, owner: string, fingerprint: string, ttlMs: number): Promise<boolean>;
  /** Deletes the record if it is still pending and `owner`'s: nothing was started, the key is free again. */
  release(id: string, owner: string): Promise<void>;
  read(id: string): Promise<IdempotencyRecord | undefined>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

interface MemoryEntry {
  state: IdempotencyRecord['state'];
  fingerprint: string;
  taskId: string | undefined;
  owner: string;
  pendingUntil: number;
  expiresAt: number;
}

/** In this process: bounded (oldest record out first), expiry by the injected clock. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, MemoryEntry>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: { maxEntries?: number; now?: () => number } = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  claim(id: string, owner: string, fingerprint: string, pendingTtlMs: number, ttlMs: number): Promise<IdempotencyClaim> {
    const record = this.readNow(id);
    if (record) return Promise.resolve({ claimed: false, record });
    const now = this.now();
    this.put(id, { state: 'pending', fingerprint, taskId: undefined, owner, pendingUntil: now + pendingTtlMs, expiresAt: now + ttlMs });
    return Promise.resolve({ claimed: true });
  }

  complete(id: string, owner: string, fingerprint: string, taskId: string, ttlMs: number): Promise<boolean> {
    return Promise.resolve(this.settle(id, owner, { state: 'started', fingerprint, taskId }, ttlMs));
  }

  markUnknown(id: string, owner: string, fingerprint: string, ttlMs: number): Promise<boolean> {
    return Promise.resolve(this.settle(id, owner, { state: 'unknown', fingerprint, taskId: undefined }, ttlMs));
  }

  release(id: string, owner: string): Promise<void> {
    const entry = this.live(id);
    if (entry?.state === 'pending' && entry.owner === owner) this.entries.delete(id);
    return Promise.resolve();
  }

  read(id: string): Promise<IdempotencyRecord | undefined> {
    return Promise.resolve(this.readNow(id));
  }

  /** Records held (expired ones not yet met included). */
  get size(): number {
    return this.entries.size;
  }

  private settle(id: string, owner: string, record: Pick<MemoryEntry, 'state' | 'fingerprint' | 'taskId'>, ttlMs: number): boolean {
    const entry = this.live(id);
    if (entry && entry.owner !== owner) return false;
    this.put(id, { ...record, owner, pendingUntil: 0, expiresAt: this.now() + ttlMs });
    return true;
  }

  private readNow(id: string): IdempotencyRecord | undefined {
    const entry = this.live(id);
    if (!entry) return undefined;
    const state = entry.state === 'pending' && this.now() >= entry.pendingUntil ? 'unknown' : entry.state;
    return { state, fingerprint: entry.fingerprint, ...(entry.taskId !== undefined ? { taskId: entry.taskId } : {}) };
  }

  private live(id: string): MemoryEntry | undefined {
    const entry = this.entries.get(id);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry;
  }

  private put(id: string, entry: MemoryEntry): void {
    this.entries.delete(id); // newest last, so the first key is the oldest
    this.entries.set(id, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }
}

/**
 * In Redis, shared by every replica: one hash per record (state, fingerprint, owner, pendingUntil,
 * taskId) with Redis's own expiry. Each operation is one Lua script on Redis's clock, so a claim is
 * atomic across replicas and no replica's clock matters.
 */
const NOW_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** The record as {state, fingerprint, taskId}, a stale pending claim as unknown; nil when there is none. */
const READ_LUA = `
local function read(key, now)
  if redis.call('EXISTS', key) == 0 then return nil end
  local r = redis.call('HMGET', key, 'state', 'fingerprint', 'taskId', 'pendingUntil')
  local state = r[1] or 'unknown'
  if state == 'pending' and now >= tonumber(r[4] or '0') then state = 'unknown' end
  return {state, r[2] or '', r[3] or ''}
end`;

const CLAIM_SCRIPT = `${NOW_LUA}
${READ_LUA}
local existing = read(KEYS[1], now)
if existing then return existing end
redis.call('HSET', KEYS[1], 'state', 'pending', 'fingerprint', ARGV[2], 'owner', ARGV[1], 'pendingUntil', tostring(now + tonumber(ARGV[3])))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;

const READ_SCRIPT = `${NOW_LUA}
${READ_LUA}
return read(KEYS[1], now)`;

const SETTLE_SCRIPT = `
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner and owner ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'fingerprint', ARGV[3], 'owner', ARGV[1])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'taskId', ARGV[4]) end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

const RELEASE_SCRIPT = `
local r = redis.call('HMGET', KEYS[1], 'state', 'owner')
if r[1] == 'pending' and r[2] == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

type RecordReply = [string, string, string] | null;

type RestoreKeyCommands = {
  clumioRestoreKeyClaim(key: string, owner: string, fingerprint: string, pendingTtlMs: string, ttlMs: string): Promise<1 | [string, string, string]>;
  clumioRestoreKeyRead(key: string): Promise<RecordReply>;
  clumioRestoreKeySettle(key: string, owner: string, state: string, fingerprint: string, taskId: string, ttlMs: string): Promise<number>;
  clumioRestoreKeyRelease(key: string, owner: string): Promise<number>;
};

function recordFromReply(reply: [string, string, string]): IdempotencyRecord {
  const [state, fingerprint, taskId] = reply;
  // Anything else in the hash is not ours to trust: it may have started.
  const known = state === 'pending' || state === 'started' ? state : 'unknown';
  return { state: known, fingerprint, ...(taskId !== '' ? { taskId } : {}) };
}

/**
 * Records in Redis, shared by every replica. Its methods reject when Redis fails (an error, the
 * command timeout): RestoreIdempotency answers that call from its in-process store instead.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix = 'clumio-backup-graph:restore-key:',
  ) {
    if (!('clumioRestoreKeyClaim' in redis)) redis.defineCommand('clumioRestoreKeyClaim', { numberOfKeys: 1, lua: CLAIM_SCRIPT });
    if (!('clumioRestoreKeyRead' in redis)) redis.defineCommand('clumioRestoreKeyRead', { numberOfKeys: 1, lua: READ_SCRIPT });
    if (!('clumioRestoreKeySettle' in redis)) redis.defineCommand('clumioRestoreKeySettle', { numberOfKeys: 1, lua: SETTLE_SCRIPT });
    if (!('clumioRestoreKeyRelease' in redis)) redis.defineCommand('clumioRestoreKeyRelease', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
  }

  private get commands(): RestoreKeyCommands {
    return this.redis as unknown as RestoreKeyCommands;
  }

  async claim(id: string, owner: string, fingerprint: string, pendingTtlMs: number, ttlMs: number): Promise<IdempotencyClaim> {
    const reply = await this.commands.clumioRestoreKeyClaim.call(this.redis, this.prefix + id, owner, fingerprint, String(pendingTtlMs), String(ttlMs));
    return reply === 1 ? { claimed: true } : { claimed: false, record: recordFromReply(reply) };
  }

  async complete(id: string, owner: string, fingerprint: string, taskId: string, ttlMs: number): Promise<boolean> {
    return (await this.commands.clumioRestoreKeySettle.call(this.redis, this.prefix + id, owner, 'started', fingerprint, taskId, String(ttlMs))) === 1;
  }

  async markUnknown(id: string, owner: string, fingerprint: string, ttlMs: number): Promise<boolean> {
    return (await this.commands.clumioRestoreKeySettle.call(this.redis, this.prefix + id, owner, 'unknown', fingerprint, '', String(ttlMs))) === 1;
  }

  async release(id: string, owner: string): Promise<void> {
    await this.commands.clumioRestoreKeyRelease.call(this.redis, this.prefix + id, owner);
  }

  async read(id: string): Promise<IdempotencyRecord | undefined> {
    const reply = await this.commands.clumioRestoreKeyRead.call(this.redis, this.prefix + id);
    return reply ? recordFromReply(reply) : undefined;
  }
}

/** What the calls waiting on one key learn from it. `free`: nothing is recorded, the key may be claimed again. */
type Outcome = { state: 'started'; fingerprint: string; taskId: string } | { state: 'unknown' } | { state: 'free' };

export interface RestoreIdempotencyOptions {
  /** How long a key is remembered after its restore started (or may have): 24 h. */
  ttlMs?: number;
  /**
   * How long a claim may stay pending: the longest start() may take (rate-limit wait, the POST's
   * deadline, the task read after a 202) plus a margin. A claim pending longer reads as `unknown`.
   */
  pendingTtlMs?: number;
  /** How often a call waiting on another replica's claim reads its record. */
  pollMs?: number;
  now?: () => number;
}

export class RestoreIdempotency {
  private readonly ttlMs: number;
  private readonly pendingTtlMs: number;
  private readonly pollMs: number;
  private readonly now: () => number;
  /**
   * Where a call's record goes when the store fails (Redis away): this process then still never
   * runs start() twice for one key, but across replicas the guarantee holds only per replica until
   * Redis answers again.
   */
  private readonly local: MemoryIdempotencyStore;
  /** The call leading each key in this process; the others wait on its outcome instead of polling. */
  private readonly inFlight = new Map<string, Promise<Outcome>>();

  constructor(
    private readonly store: IdempotencyStore,
    options: RestoreIdempotencyOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? DAY_MS;
    this.pendingTtlMs = options.pendingTtlMs ?? 60_000;
    this.pollMs = options.pollMs ?? 200;
    this.now = options.now ?? Date.now;
    this.local = new MemoryIdempotencyStore({ now: this.now });
  }

  /**
   * Runs `start` at most once per (callerKey, key) within ttlMs. A later (or concurrent) call with
   * the same fingerprint answers the first one's task id with `replayed: true`; a different
   * fingerprint, or a key whose restore may have started, is BAD_USER_INPUT. When start() fails
   * without starting anything (no `restoreMayHaveStarted`), the key is free again. start() must
   * settle (the upstream deadline bounds it): calls waiting in this process wait for it.
   */
  async run(callerKey: string, key: string, fingerprint: string, start: () => Promise<{ taskId: string }>): Promise<{ taskId: string; replayed: boolean }> {
    const id = idempotencyRecordId(callerKey, key);
    for (;;) {
      const leader = this.inFlight.get(id);
      if (leader) {
        const outcome = await leader;
        // It failed without starting: the first of us to wake up leads next, the others wait on it.
        if (outcome.state === 'free') continue;
        return this.answer(outcome, fingerprint);
      }
      // Set before any await, so every later call in this process finds it.
      let share!: (outcome: Outcome) => void;
      this.inFlight.set(id, new Promise<Outcome>((resolve) => (share = resolve)));
      let outcome: Outcome = { state: 'free' };
      let ran: { taskId: string } | undefined;
      let failure: { error: unknown; mayHaveStarted: boolean } | undefined;
      try {
        const claim = await this.claim(id, fingerprint);
        if ('outcome' in claim) {
          outcome = claim.outcome;
        } else {
          try {
            const result: unknown = await start();
            const taskId = (result as { taskId?: unknown } | null | undefined)?.taskId;
            if (typeof taskId === 'string' && taskId !== '') ran = { taskId };
            // It answered, so something may have been sent: never treated as "nothing started".
            else failure = { error: new Error('start() resolved without a task id'), mayHaveStarted: true };
          } catch (error) {
            failure = { error, mayHaveStarted: mayHaveStarted(error) };
          }
          if (ran) {
            const { taskId } = ran;
            outcome = { state: 'started', fingerprint, taskId };
            await this.settle(claim.store, (store) => store.complete(id, claim.owner, fingerprint, taskId, this.ttlMs));
          } else if (failure?.mayHaveStarted) {
            outcome = { state: 'unknown' };
            await this.settle(claim.store, (store) => store.markUnknown(id, claim.owner, fingerprint, this.ttlMs));
          } else {
            // Nothing was started. Should the release fail, the claim stays pending and then reads as
            // unknown: the key is refused for its 24 h rather than ever sent twice.
            await claim.store.release(id, claim.owner).catch(() => undefined);
          }
        }
      } finally {
        this.inFlight.delete(id);
        share(outcome);
      }
      if (failure) throw failure.error;
      if (ran) return { taskId: ran.taskId, replayed: false };
      if (outcome.state === 'free') continue; // another replica's claim was released: claim the key ourselves
      return this.answer(outcome, fingerprint);
    }
  }

  /** Claims `id` for this call, or tells what is recorded there (waiting for another replica's pending claim). */
  private async claim(id: string, fingerprint: string): Promise<{ store: IdempotencyStore; owner: string } | { outcome: Outcome }> {
    // What this process recorded while the store was failing holds first: it never runs a key twice.
    const kept = await this.local.read(id);
    if (kept && kept.state !== 'pending') return { outcome: outcomeOf(kept) };
    const owner = randomUUID();
    let store = this.store;
    let claim: IdempotencyClaim;
    try {
      claim = await store.claim(id, owner, fingerprint, this.pendingTtlMs, this.ttlMs);
    } catch {
      // Redis away (connectRedis logs it): this call is guarded in this process only. Across replicas
      // the guarantee then holds only per replica.
      store = this.local;
      claim = await store.claim(id, owner, fingerprint, this.pendingTtlMs, this.ttlMs);
    }
    if (claim.claimed) return { store, owner };
    if (claim.record.state !== 'pending') return { outcome: outcomeOf(claim.record) };
    return { outcome: await this.awaitClaim(store, id) };
  }

  /** Reads another replica's pending claim every pollMs until it settles; past the pending TTL it may have started. */
  private async awaitClaim(store: IdempotencyStore, id: string): Promise<Outcome> {
    const giveUpAt = this.now() + this.pendingTtlMs;
    for (;;) {
      await delay(this.pollMs);
      let record: IdempotencyRecord | undefined;
      try {
        record = await store.read(id);
      } catch {
        // Unreadable for now: the claim is still there as far as we know.
        record = { state: 'pending', fingerprint: '' };
      }
      if (record === undefined) return { state: 'free' };
      if (record.state !== 'pending') return outcomeOf(record);
      if (this.now() >= giveUpAt) return { state: 'unknown' };
    }
  }

  /** Writes a claim's outcome, in this process when the store fails or another claim took the record. */
  private async settle(store: IdempotencyStore, write: (store: IdempotencyStore) => Promise<boolean>): Promise<void> {
    if (store !== this.local) {
      try {
        if (await write(store)) return;
      } catch {
        // connectRedis logs the outage; the record stays pending there and reads as unknown later.
      }
    }
    await write(this.local);
  }

  private answer(outcome: Exclude<Outcome, { state: 'free' }>, fingerprint: string): { taskId: string; replayed: boolean } {
    const hours = `${Math.round(this.ttlMs / 3_600_000)} h`;
    if (outcome.state === 'unknown') {
      throw new BadUserInputError(
        `A restore sent with this idempotencyKey may have started (its outcome could not be told): check your Clumio tasks. ` +
          `Sending it again could start a second restore, so this key is refused for ${hours} after its first use.`,
        'input',
      );
    }
    if (outcome.fingerprint !== fingerprint) {
      throw new BadUserInputError(
        `This idempotencyKey was already used for a restore with a different input within the last ${hours}: use a new key for a different restore.`,
        'input',
      );
    }
    return { taskId: outcome.taskId, replayed: true };
  }
}

/** Clumio's client marks a restore whose outcome is unknown (no answer, the deadline, a 5xx, an unreadable 2xx). */
function mayHaveStarted(error: unknown): boolean {
  return (error as Partial<GraphQLError> | null | undefined)?.extensions?.restoreMayHaveStarted === true;
}

function outcomeOf(record: IdempotencyRecord): Exclude<Outcome, { state: 'free' }> {
  // A pending claim nobody settled, or a started one without its task id, may have started.
  return record.state === 'started' && record.taskId !== undefined
    ? { state: 'started', fingerprint: record.fingerprint, taskId: record.taskId }
    : { state: 'unknown' };
}

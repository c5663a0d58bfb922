import type { RedisClient } from '../redis';
import { MemoryResponseCacheStore } from './response-cache-store';

/**
 * Where automatic persisted queries (APQ) live once registered: document text by the bare hex
 * SHA-256 of that text. Bounded, least recently used first out. A lookup that fails (Redis away) is
 * a miss: Apollo Client then sends the document again with its hash, so nothing breaks.
 */
export interface PersistedQueryStore {
  get(hash: string): Promise<string | undefined>;
  set(hash: string, document: string): Promise<void>;
}

/** Registrations never expire by age, only by use. */
const FOREVER = Number.POSITIVE_INFINITY;

/** In this process: the response cache's bounded LRU, without expiry. */
export class MemoryPersistedQueryStore implements PersistedQueryStore {
  private readonly lru: MemoryResponseCacheStore;

  /** `maxChars`: the characters of all registered documents together (default 4 Mi). */
  constructor(maxChars = 4 * 1024 * 1024) {
    this.lru = new MemoryResponseCacheStore({ maxChars });
  }

  get(hash: string): Promise<string | undefined> {
    return this.lru.get(hash);
  }

  set(hash: string, document: string): Promise<void> {
    return this.lru.set(hash, document, FOREVER);
  }
}

/**
 * In Redis, shared by every replica: a hash of documents, a sorted set of their last use (scored by
 * a counter, not a clock, so replicas' clocks never matter) and the documents' total size in bytes. Each
 * command is one Lua script, so concurrent replicas never leave the three out of step.
 */
const SET_SCRIPT = `
local docs, recency, total = KEYS[1], KEYS[2], KEYS[3]
local hash, text, maxBytes, maxCount = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if redis.call('HSETNX', docs, hash, text) == 1 then redis.call('INCRBY', total, #text) end
redis.call('ZADD', recency, redis.call('INCR', KEYS[4]), hash)
while tonumber(redis.call('GET', total) or '0') > maxBytes or redis.call('ZCARD', recency) > maxCount do
  local oldest = redis.call('ZRANGE', recency, 0, 0)[1]
  if not oldest then break end
  redis.call('DECRBY', total, redis.call('HSTRLEN', docs, oldest))
  redis.call('HDEL', docs, oldest)
  redis.call('ZREM', recency, oldest)
end
return 1`;

const GET_SCRIPT = `
local text = redis.call('HGET', KEYS[1], ARGV[1])
if text then redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ARGV[1]) end
return text`;

type ApqCommands = {
  clumioApqGet(documents: string, recency: string, bytes: string, sequence: string, hash: string): Promise<string | null>;
  clumioApqSet(documents: string, recency: string, bytes: string, sequence: string, hash: string, text: string, maxBytes: string, maxCount: string): Promise<number>;
};

export class RedisPersistedQueryStore implements PersistedQueryStore {
  private readonly keys: [string, string, string, string];

  constructor(
    private readonly redis: RedisClient,
    private readonly limits = { maxBytes: 16 * 1024 * 1024, maxCount: 10_000 },
    prefix = 'clumio-backup-graph:apq:',
  ) {
    // One hash tag: the four keys live on one slot, as a script's keys must in Redis Cluster.
    const key = (name: string): string => `{${prefix}}${name}`;
    this.keys = [key('documents'), key('recency'), key('bytes'), key('sequence')];
    if (!('clumioApqGet' in redis)) redis.defineCommand('clumioApqGet', { numberOfKeys: 4, lua: GET_SCRIPT });
    if (!('clumioApqSet' in redis)) redis.defineCommand('clumioApqSet', { numberOfKeys: 4, lua: SET_SCRIPT });
  }

  private get commands(): ApqCommands {
    return this.redis as unknown as ApqCommands;
  }

  async get(hash: string): Promise<string | undefined> {
    try {
      return (await this.commands.clumioApqGet.call(this.redis, ...this.keys, hash)) ?? undefined;
    } catch {
      return undefined;
    }
  }

  async set(hash: string, document: string): Promise<void> {
    try {
      await this.commands.clumioApqSet.call(this.redis, ...this.keys, hash, document, String(this.limits.maxBytes), String(this.limits.maxCount));
    } catch {
      // connectRedis logs the outage; the client registers the document again on its next miss.
    }
  }
}

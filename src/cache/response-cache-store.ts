import type { RedisClient } from '../redis';

/**
 * Where serialized GraphQL responses live between identical operations of one caller: this process
 * (bounded LRU) or Redis (shared by replicas). Keys are hashes built by use-response-cache.ts; no
 * credential is ever part of a key or a value.
 */
export interface ResponseCacheStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
}

export interface MemoryStoreOptions {
  /** Upper bound on the characters of all cached responses together (default 32 Mi, ~64 MB of strings). */
  maxChars?: number;
  now?: () => number;
}

/** In-process LRU with a per-entry expiry; the least recently used entries go first when full. */
export class MemoryResponseCacheStore implements ResponseCacheStore {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  private chars = 0;
  private readonly maxChars: number;
  private readonly now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxChars = options.maxChars ?? 32 * 1024 * 1024;
    this.now = options.now ?? Date.now;
  }

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.read(key));
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    this.write(key, value, ttlMs);
    return Promise.resolve();
  }

  read(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) {
      this.chars -= entry.value.length;
      return undefined;
    }
    this.entries.set(key, entry); // most recently used last
    return entry.value;
  }

  write(key: string, value: string, ttlMs: number): void {
    if (value.length > this.maxChars) return;
    this.remove(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    this.chars += value.length;
    for (const oldest of this.entries.keys()) {
      if (this.chars <= this.maxChars) break;
      this.remove(oldest);
    }
  }

  /** Entries held (expired ones not yet met included). */
  get size(): number {
    return this.entries.size;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.chars -= entry.value.length;
  }
}

/** Responses in Redis with Redis's own expiry. A Redis failure is a miss, never an error for the caller. */
export class RedisResponseCacheStore implements ResponseCacheStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix = 'clumio-backup-graph:response:',
  ) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.redis.get(this.prefix + key)) ?? undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    try {
      await this.redis.set(this.prefix + key, value, 'PX', ttlMs);
    } catch {
      // connectRedis logs the outage; the next identical operation is a miss.
    }
  }
}

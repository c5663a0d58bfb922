import Redis from 'ioredis';

/**
 * The Redis connection shared by the response cache and the rate limiter (REDIS_URL). Redis is a
 * help, never a dependency of answering: commands fail fast while it is away (no offline queue, a
 * short command timeout) and each user falls back to what it can do in process.
 */

export type RedisClient = Redis;

export interface RedisOptions {
  /** How long a command may take before the caller falls back. */
  commandTimeoutMs?: number;
  /** Told (at most once per `quietMs`) when Redis fails. */
  warn?: (message: string) => void;
  quietMs?: number;
}

export function connectRedis(url: string, options: RedisOptions = {}): RedisClient {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: 2_000,
    // After a failed connection ioredis waits this long to destroy the dead socket, holding shutdown.
    disconnectTimeout: 200,
    // Reconnect forever, at most every 2 s: replicas come back to sharing state when Redis does.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
  const warn = throttled(options.warn ?? ((message) => console.warn(message)), options.quietMs ?? 30_000);
  // Without a listener an 'error' event would crash the process; the URL may hold a password, so it is not logged.
  redis.on('error', (error: Error) => warn(`Redis unavailable (${error.message}); falling back to per-process cache and rate limiting`));
  return redis;
}

/** Resolves once Redis answers, or after `timeoutMs` (the gateway starts either way). */
export async function redisReady(redis: RedisClient, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', onReady);
  });
}

/** `log` at most once per `quietMs`. */
export function throttled(log: (message: string) => void, quietMs: number): (message: string) => void {
  let last = -Infinity;
  return (message) => {
    const now = Date.now();
    if (now - last < quietMs) return;
    last = now;
    log(message);
  };
}

import { MemoryPersistedQueryStore, RedisPersistedQueryStore } from './cache/persisted-query-store';
import type { PersistedQueryStore } from './cache/persisted-query-store';
import { MemoryResponseCacheStore, RedisResponseCacheStore } from './cache/response-cache-store';
import { MemoryIdempotencyStore, RedisIdempotencyStore } from './restores/idempotency';
import type { IdempotencyStore } from './restores/idempotency';
import type { ResponseCacheStore } from './cache/response-cache-store';
import { MemoryReservationStore, defaultRatePolicy, rateLimiter } from './clumio/rate-limiter';
import type { UpstreamAdmission } from './clumio/rate-limiter';
import { RedisReservationStore } from './clumio/redis-reservation-store';
import type { GatewayConfig } from './config';
import { connectRedis, redisReady } from './redis';
import type { Logger } from './telemetry/logger';
import type { RedisClient } from './redis';

/**
 * The state replicas may share: the upstream rate limiter, the response cache, automatic persisted
 * queries and restore idempotency keys, in this process or,
 * with REDIS_URL, in Redis. Everything else in the gateway is per request, so replicas behind a load
 * balancer need nothing more.
 */
export interface SharedState {
  /** The rate limiter's hook for ClumioClient; undefined when CLUMIO_RATE_LIMIT_RPS=0. */
  admit: UpstreamAdmission | undefined;
  /** Undefined when RESPONSE_CACHE_TTL_MS=0. */
  responseCache: { ttlMs: number; store: ResponseCacheStore } | undefined;
  /** APQ registrations: every replica knows a document one of them registered. */
  persistedQueries: PersistedQueryStore;
  /** Restore idempotency keys: two replicas answer a repeated key the same. */
  idempotencyKeys: IdempotencyStore;
  redis: RedisClient | null;
  close(): Promise<void>;
}

type SharedStateConfig = Pick<GatewayConfig, 'clumioRateLimitRps' | 'clumioTimeoutMs' | 'responseCacheTtlMs' | 'redisUrl'>;

export async function createSharedState(config: SharedStateConfig, logger: Logger): Promise<SharedState> {
  const warn = (message: string): void => logger.warn(message);
  const redis = config.redisUrl === null ? null : connectRedis(config.redisUrl, { warn });
  if (redis && !(await redisReady(redis, 2_000))) {
    warn('Redis did not answer within 2 s; starting with per-process cache and rate limiting until it does');
  }
  const admit =
    config.clumioRateLimitRps > 0
      ? rateLimiter(
          redis ? new RedisReservationStore(redis) : new MemoryReservationStore(),
          // A turn further away than the upstream deadline fails rather than waits.
          defaultRatePolicy(config.clumioRateLimitRps, config.clumioTimeoutMs),
        )
      : undefined;
  const responseCache =
    config.responseCacheTtlMs > 0
      ? { ttlMs: config.responseCacheTtlMs, store: redis ? new RedisResponseCacheStore(redis) : new MemoryResponseCacheStore() }
      : undefined;
  return {
    admit,
    responseCache,
    persistedQueries: redis ? new RedisPersistedQueryStore(redis) : new MemoryPersistedQueryStore(),
    idempotencyKeys: redis ? new RedisIdempotencyStore(redis) : new MemoryIdempotencyStore(),
    redis,
    async close() {
      if (!redis) return;
      // QUIT lets Redis finish what it was sent; while reconnecting there is nothing to finish.
      if (redis.status === 'ready') await redis.quit().catch(() => undefined);
      redis.disconnect();
    },
  };
}

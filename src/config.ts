import { z } from 'zod';

/**
 * The gateway's configuration, parsed once from the environment. Every problem is reported together,
 * and nothing else in the code reads process.env.
 */

const flag = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
    .optional()
    .transform((value) => (value === undefined ? defaultValue : value === 'true' || value === '1'));

const integer = (defaultValue: number, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .optional()
    .transform((value) => (value === undefined ? defaultValue : Number(value)))
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? null : value.trim()));

const environmentSchema = z.object({
  PORT: integer(4000, 0, 65535),
  HOST: z.string().min(1).default('0.0.0.0'),
  CLUMIO_API_URL: optionalText.pipe(
    z
      .string()
      .url('must be an http(s) URL such as https://us-west-2.api.clumio.com')
      .refine((url) => /^https?:\/\//.test(url), 'must be an http(s) URL')
      .nullable(),
  ),
  CLUMIO_API_TOKEN: optionalText,
  CLUMIO_TIMEOUT_MS: integer(10_000, 1, 600_000),
  CLUMIO_MAX_CONCURRENCY: integer(32, 1, 1_000),
  CLUMIO_MAX_QUEUE: integer(1_000, 0, 100_000),
  CLUMIO_RETRY_ATTEMPTS: integer(3, 1, 10),
  CLUMIO_BREAKER_FAILURES: integer(5, 1, 1_000),
  CLUMIO_BREAKER_OPEN_MS: integer(5_000, 1, 600_000),
  QUERY_MAX_DEPTH: integer(15, 1, 100),
  QUERY_MAX_ALIASES: integer(30, 0, 1_000),
  QUERY_MAX_DIRECTIVES: integer(50, 0, 1_000),
  QUERY_MAX_TOKENS: integer(5_000, 10, 1_000_000),
  QUERY_MAX_COST: integer(5_000, 1, 10_000_000),
  MAX_REQUEST_BODY_BYTES: integer(100_000, 100, 100_000_000),
  BATCH_LIMIT: integer(10, 0, 100),
  GRAPHIQL: flag(true),
  INTROSPECTION: flag(true),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  SHUTDOWN_GRACE_MS: integer(10_000, 0, 600_000),
  HTTP_KEEP_ALIVE_MS: integer(65_000, 1_000, 3_600_000),
  // Clumio's documented limit: 100 requests per second per organization.
  CLUMIO_RATE_LIMIT_RPS: integer(100, 0, 100_000),
  RESPONSE_CACHE_TTL_MS: integer(5_000, 0, 86_400_000),
  REDIS_URL: optionalText.pipe(
    z
      .string()
      .refine((url) => /^rediss?:\/\/[^\s]+$/.test(url), 'must be a redis:// or rediss:// URL, e.g. redis://redis:6379')
      .nullable(),
  ),
});

export type GatewayConfig = {
  port: number;
  host: string;
  /** Clumio base URL; null starts the built-in emulator. */
  clumioApiUrl: string | null;
  /** The gateway's own Clumio token; null forwards each caller's bearer token. */
  clumioApiToken: string | null;
  clumioTimeoutMs: number;
  /** Concurrent upstream requests per origin; more wait in a queue of `clumioMaxQueue`. */
  clumioMaxConcurrency: number;
  clumioMaxQueue: number;
  /** Attempts per upstream request, the first included. */
  clumioRetryAttempts: number;
  /** Consecutive upstream failures that open the circuit, and how long it stays open. */
  clumioBreakerFailures: number;
  clumioBreakerOpenMs: number;
  queryLimits: { maxDepth: number; maxAliases: number; maxDirectives: number; maxTokens: number; maxCost: number };
  maxRequestBodyBytes: number;
  /** Operations per batched request; 0 turns batching off. */
  batchLimit: number;
  graphiql: boolean;
  introspection: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  shutdownGraceMs: number;
  /** Idle client connections stay open this long: above a load balancer's idle timeout. */
  httpKeepAliveMs: number;
  /** Upstream requests per second per credential and organizational unit; 0: no limiter. */
  clumioRateLimitRps: number;
  /** Lifetime of cached responses; 0: no response cache and no coalescing. */
  responseCacheTtlMs: number;
  /** Redis for the response cache and the rate limiter, shared by replicas; null: in process. */
  redisUrl: string | null;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function parseConfig(env: Record<string, string | undefined>): GatewayConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    clumioApiUrl: e.CLUMIO_API_URL,
    clumioApiToken: e.CLUMIO_API_TOKEN,
    clumioTimeoutMs: e.CLUMIO_TIMEOUT_MS,
    clumioMaxConcurrency: e.CLUMIO_MAX_CONCURRENCY,
    clumioMaxQueue: e.CLUMIO_MAX_QUEUE,
    clumioRetryAttempts: e.CLUMIO_RETRY_ATTEMPTS,
    clumioBreakerFailures: e.CLUMIO_BREAKER_FAILURES,
    clumioBreakerOpenMs: e.CLUMIO_BREAKER_OPEN_MS,
    queryLimits: {
      maxDepth: e.QUERY_MAX_DEPTH,
      maxAliases: e.QUERY_MAX_ALIASES,
      maxDirectives: e.QUERY_MAX_DIRECTIVES,
      maxTokens: e.QUERY_MAX_TOKENS,
      maxCost: e.QUERY_MAX_COST,
    },
    maxRequestBodyBytes: e.MAX_REQUEST_BODY_BYTES,
    batchLimit: e.BATCH_LIMIT,
    graphiql: e.GRAPHIQL,
    introspection: e.INTROSPECTION,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    httpKeepAliveMs: e.HTTP_KEEP_ALIVE_MS,
    clumioRateLimitRps: e.CLUMIO_RATE_LIMIT_RPS,
    responseCacheTtlMs: e.RESPONSE_CACHE_TTL_MS,
    redisUrl: e.REDIS_URL,
  };
}

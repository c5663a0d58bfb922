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

const httpUrl = (example: string) =>
  z
    .string()
    .url(`must be an http(s) URL such as ${example}`)
    .refine((url) => /^https?:\/\//.test(url), `must be an http(s) URL such as ${example}`)
    .nullable();

const otlpProtocol = z
  .enum(['http/protobuf', 'http/json'], { message: 'must be http/protobuf (default) or http/json (grpc is not supported)' })
  .optional();

const environmentSchema = z.object({
  PORT: integer(4000, 0, 65535),
  HOST: z.string().min(1).default('0.0.0.0'),
  CLUMIO_API_URL: optionalText.pipe(httpUrl('https://us-west-2.api.clumio.com')),
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
  SHUTDOWN_DELAY_MS: integer(0, 0, 600_000),
  HTTP_KEEP_ALIVE_MS: integer(65_000, 1_000, 3_600_000),
  // Clumio's documented limit: 100 requests per second per organization.
  CLUMIO_RATE_LIMIT_RPS: integer(100, 0, 100_000),
  // Opt-in, as in Yoga, Hive Gateway and Apollo Router: a frontend sees what Clumio holds now.
  RESPONSE_CACHE_TTL_MS: integer(0, 0, 86_400_000),
  METRICS: flag(true),
  METRICS_PORT: optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/, 'must be a port number')
      .transform(Number)
      .pipe(z.number().int().min(0).max(65535, 'must be at most 65535'))
      .nullable(),
  ),
  // OpenTelemetry's standard variables (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/).
  OTEL_SDK_DISABLED: flag(false),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none'], { message: 'must be otlp or none' }).default('otlp'),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.pipe(httpUrl('http://otel-collector:4318')),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalText.pipe(httpUrl('http://otel-collector:4318/v1/traces')),
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol,
  // How long finished spans wait before a batch is exported (the SDK's default: 5 s).
  OTEL_BSP_SCHEDULE_DELAY: integer(5_000, 0, 600_000),
  OTEL_SERVICE_NAME: z.string().trim().min(1).default('clumio-backup-graph'),
  OTEL_RESOURCE_ATTRIBUTES: z
    .string()
    .optional()
    .transform((value, context) => {
      const attributes: Record<string, string> = {};
      for (const pair of (value ?? '').split(',')) {
        if (pair.trim() === '') continue;
        const at = pair.indexOf('=');
        if (at <= 0) {
          context.addIssue({ code: 'custom', message: `"${pair.trim()}" is not key=value (e.g. deployment.environment=prod,team=backup)` });
          continue;
        }
        attributes[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
      }
      return attributes;
    }),
  OTEL_TRACES_SAMPLER: z
    .enum(['parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio', 'always_on', 'always_off', 'traceidratio'], {
      message: 'must be parentbased_always_on (default), parentbased_always_off, parentbased_traceidratio, always_on, always_off or traceidratio',
    })
    .default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? 1 : Number(value)))
    .pipe(z.number({ message: 'must be a ratio from 0 to 1' }).min(0, 'must be at least 0').max(1, 'must be at most 1')),
  // Whose token a restore (and a task read) is sent with; unset: `caller`, or `gateway` on the built-in emulator.
  CLUMIO_RESTORES: z.enum(['caller', 'gateway', 'off'], { message: 'must be caller (default), gateway or off' }).optional(),
  // A manifest { "<sha256 id>": "<document>" } of the operations the app ships (persisted documents).
  PERSISTED_DOCUMENTS: optionalText,
  PERSISTED_DOCUMENTS_ONLY: flag(false),
  REDIS_URL: optionalText.pipe(
    z
      .string()
      .refine((url) => /^rediss?:\/\/[^\s]+$/.test(url), 'must be a redis:// or rediss:// URL, e.g. redis://redis:6379')
      .nullable(),
  ),
}).refine((env) => !env.PERSISTED_DOCUMENTS_ONLY || env.PERSISTED_DOCUMENTS !== null, {
  path: ['PERSISTED_DOCUMENTS_ONLY'],
  message: 'needs PERSISTED_DOCUMENTS, the manifest of the documents to accept (e.g. PERSISTED_DOCUMENTS=./persisted-documents.json)',
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
  /** On SIGTERM, how long /readiness answers 503 (and responses close their connections) before the listener closes. */
  shutdownDelayMs: number;
  /** Idle client connections stay open this long: above a load balancer's idle timeout. */
  httpKeepAliveMs: number;
  /** Upstream requests per second per credential and organizational unit; 0: no limiter. */
  clumioRateLimitRps: number;
  /** Lifetime of cached responses; 0: no response cache and no coalescing. */
  responseCacheTtlMs: number;
  /** Redis for the response cache, the rate limiter and automatic persisted queries, shared by replicas; null: in process. */
  redisUrl: string | null;
  /**
   * Whose Clumio token restores and task reads use: `caller` (only the caller's own bearer token),
   * `gateway` (the caller's, else CLUMIO_API_TOKEN), `off` (refused). Null: unset (`caller`, except
   * `gateway` on the built-in emulator, so GraphiQL can try a restore).
   */
  clumioRestores: 'caller' | 'gateway' | 'off' | null;
  /** Path of the persisted-documents manifest; null: none. */
  persistedDocuments: string | null;
  /** Refuse every request carrying document text: only the manifest's documents run. */
  persistedDocumentsOnly: boolean;
  /** Serve Prometheus metrics at /metrics (on `metricsPort` when set, else on `port`). */
  metrics: boolean;
  metricsPort: number | null;
  tracing: TracingConfig;
};

/** OpenTelemetry tracing, from the standard OTEL_* variables. */
export interface TracingConfig {
  /** Where spans are exported (OTLP over HTTP); null: not exported (ids are still minted and propagated). */
  exportUrl: string | null;
  protocol: 'http/protobuf' | 'http/json';
  serviceName: string;
  resourceAttributes: Record<string, string>;
  sampler: 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio' | 'always_on' | 'always_off' | 'traceidratio';
  /** The ratio of the *traceidratio samplers. */
  samplerRatio: number;
  /** Milliseconds finished spans wait before a batch is exported. */
  batchDelayMs: number;
}

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
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
    httpKeepAliveMs: e.HTTP_KEEP_ALIVE_MS,
    clumioRateLimitRps: e.CLUMIO_RATE_LIMIT_RPS,
    responseCacheTtlMs: e.RESPONSE_CACHE_TTL_MS,
    redisUrl: e.REDIS_URL,
    clumioRestores: e.CLUMIO_RESTORES ?? null,
    persistedDocuments: e.PERSISTED_DOCUMENTS,
    persistedDocumentsOnly: e.PERSISTED_DOCUMENTS_ONLY,
    metrics: e.METRICS,
    metricsPort: e.METRICS_PORT,
    tracing: {
      // Unlike the SDK's default (localhost:4318), nothing is exported unless an endpoint is named.
      exportUrl:
        e.OTEL_SDK_DISABLED || e.OTEL_TRACES_EXPORTER === 'none'
          ? null
          : (e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
            (e.OTEL_EXPORTER_OTLP_ENDPOINT === null ? null : `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`)),
      protocol: e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
      serviceName: e.OTEL_SERVICE_NAME,
      resourceAttributes: e.OTEL_RESOURCE_ATTRIBUTES,
      sampler: e.OTEL_TRACES_SAMPLER,
      samplerRatio: e.OTEL_TRACES_SAMPLER_ARG,
      batchDelayMs: e.OTEL_BSP_SCHEDULE_DELAY,
    },
  };
}

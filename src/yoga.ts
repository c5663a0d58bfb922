import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { createYoga } from 'graphql-yoga';
import type { YogaServerInstance } from 'graphql-yoga';
import type { ClumioClient } from './clumio/clumio-client';
import { parseConfig } from './config';
import type { GatewayConfig } from './config';
import { callerIdentity, createContextFactory } from './graphql/context';
import type { GatewayUserContext } from './graphql/context';
import { graphiqlOptions, renderOfflineGraphiQL } from './graphql/graphiql';
import { buildGatewaySchema } from './graphql/schema';
import { useCompiledExecution } from './plugins/use-compiled-execution';
import { useCsrfGuard } from './plugins/use-csrf-guard';
import { maskGatewayError, useErrorCodes } from './plugins/use-error-codes';
import { useIntrospectionSwitch } from './plugins/use-introspection-switch';
import { useReadiness } from './plugins/use-readiness';
import { useRequestBodyLimit } from './plugins/use-request-body-limit';
import { useQueryLimits } from './plugins/use-query-limits';
import { usePersistedDocuments } from './plugins/use-persisted-documents';
import type { PersistedDocumentsOptions } from './plugins/use-persisted-documents';
import { MemoryPersistedQueryStore } from './cache/persisted-query-store';
import { MemoryIdempotencyStore, RestoreIdempotency } from './restores/idempotency';
import type { RestoreServices } from './restores/restores';
import { TaskPollers } from './restores/task-poller';
import { useResponseCache } from './plugins/use-response-cache';
import type { ResponseCacheOptions } from './plugins/use-response-cache';
import { useMetricsEndpoint } from './plugins/use-metrics-endpoint';
import { useTelemetry } from './plugins/use-telemetry';
import { yogaLogger } from './telemetry/logger';
import type { TelemetrySinks } from './telemetry/operation-telemetry';

/** Builds the GraphQL server. It listens nowhere: server.ts (or a test's yoga.fetch) decides. */

export type GatewayYoga = YogaServerInstance<Record<string, never>, GatewayUserContext>;

export interface GatewayOptions {
  config: Pick<GatewayConfig, 'clumioApiToken' | 'graphiql' | 'introspection'> &
    Partial<Pick<GatewayConfig, 'queryLimits' | 'maxRequestBodyBytes' | 'batchLimit'>>;
  client: ClumioClient;
  /** Largest page Clumio serves (`limit`). */
  maxPageSize?: number;
  /** Logs, metrics and traces; `metrics` is served at /metrics here unless `serveMetrics` is false. */
  telemetry: TelemetrySinks;
  /** False when the metrics have a port of their own (METRICS_PORT), or METRICS=false. */
  serveMetrics?: boolean;
  /** True while the process drains before shutdown: /readiness answers 503. */
  draining?: () => boolean;
  /** The manifest, documents-only mode and where APQ registrations live; default: no manifest, APQ in process. */
  persistedDocuments?: PersistedDocumentsOptions;
  /** Restores: credential mode, idempotency keys, task pollers; default: `caller` mode, all in process. */
  restores?: Omit<RestoreServices, 'client' | 'apiToken'>;
  /** Operation-level response cache and coalescing; off when absent. */
  responseCache?: Omit<ResponseCacheOptions, 'identify'>;
}

/** The environment's defaults (config.ts is their one home), for settings a caller leaves out. */
const DEFAULTS = parseConfig({});

export function createGateway(options: GatewayOptions): GatewayYoga {
  const { config, client } = options;
  const batchLimit = config.batchLimit ?? DEFAULTS.batchLimit;
  const schema = buildGatewaySchema();
  return createYoga<Record<string, never>, GatewayUserContext>({
    schema,
    context: createContextFactory({
      client,
      apiToken: config.clumioApiToken,
      maxPageSize: options.maxPageSize ?? 100,
      restores: {
        client,
        apiToken: config.clumioApiToken,
        ...(options.restores ?? { credentials: 'caller', idempotency: new RestoreIdempotency(new MemoryIdempotencyStore()), pollers: new TaskPollers() }),
      },
    }),
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: config.graphiql ? graphiqlOptions : false,
    renderGraphiQL: renderOfflineGraphiQL,
    logging: yogaLogger(options.telemetry.logger),
    // Checked by useRequestBodyLimit, which does not count a body whose length is declared.
    maxRequestBodySize: false,
    batching: batchLimit > 0 ? { limit: batchLimit } : false,
    // Persisted documents are named by these body keys as well as by extensions.persistedQuery.
    extraParamNames: ['documentId', 'doc_id'],
    // GraphQLErrors we raise carry a contract code and pass; anything else is masked with a code
    // (in incremental payloads too: see useErrorCodes).
    maskedErrors: { maskError: maskGatewayError },
    plugins: [
      // First: request ids and the SERVER span cover everything after it, refusals included.
      useTelemetry(options.telemetry, '/graphql'),
      ...(options.telemetry.metrics && options.serveMetrics !== false ? [useMetricsEndpoint(options.telemetry.metrics)] : []),
      useRequestBodyLimit(config.maxRequestBodyBytes ?? DEFAULTS.maxRequestBodyBytes),
      useCsrfGuard(),
      useQueryLimits(schema, config.queryLimits ?? DEFAULTS.queryLimits),
      // After the query limits: a document registers (APQ) only once they let it execute.
      usePersistedDocuments(options.persistedDocuments ?? { documents: null, documentsOnly: false, registered: new MemoryPersistedQueryStore() }),
      useIntrospectionSwitch(config.introspection),
      useReadiness(
        () => client.isReachable(2_000, options.telemetry.tracing.unsampledHeaders()),
        () => options.draining?.() ?? false,
      ),
      useErrorCodes(),
      // @defer / @stream: a list renders while each item's slower fields (an instance's latestBackup) arrive.
      useDeferStream(),
      useCompiledExecution(schema),
      ...(options.responseCache
        ? [
            useResponseCache({
              ...options.responseCache,
              identify: (request) => callerIdentity(request, config.clumioApiToken),
              onEvent: (event) => {
                options.telemetry.metrics?.responseCacheLookup(event);
                options.responseCache?.onEvent?.(event);
              },
            }),
          ]
        : []),
    ],
  });
}

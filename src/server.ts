import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ClumioClient } from './clumio/clumio-client';
import type { GatewayConfig } from './config';
import { DEFAULT_EMULATOR_TOKEN, createClumioEmulator } from './emulator';
import type { ClumioEmulator, EmulatorOptions } from './emulator';
import { loadPersistedDocuments } from './graphql/persisted-documents';
import { RestoreIdempotency } from './restores/idempotency';
import { TaskPollers } from './restores/task-poller';
import { createSharedState } from './shared-state';
import { createLogger } from './telemetry/logger';
import type { Logger } from './telemetry/logger';
import { GatewayMetrics } from './telemetry/metrics';
import { Tracing } from './telemetry/tracing';
import { createGateway } from './yoga';
import type { GatewayYoga } from './yoga';

/**
 * Runs the gateway on a real socket: the built-in Clumio emulator when no CLUMIO_API_URL is set,
 * one upstream client, the yoga server, and a graceful close.
 */
export interface RunningGateway {
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  yoga: GatewayYoga;
  /** The one upstream client (tests read its concurrency queue). */
  client: ClumioClient;
  /** The built-in emulator, when the gateway started one. */
  emulator: ClumioEmulator | null;
  /** Where /metrics is served, or null with METRICS=false. */
  metricsUrl: string | null;
  metrics: GatewayMetrics | null;
  tracing: Tracing;
  /**
   * Drains (SHUTDOWN_DELAY_MS: /readiness 503, connections closed after their response), stops
   * accepting connections, lets in-flight requests finish (up to the grace period), then releases
   * everything.
   */
  close(): Promise<void>;
  /** Ends the drain delay of a close() under way at once (a second SIGTERM). */
  endDrainDelay(): void;
}

export interface StartOptions {
  /** For the built-in emulator; its request log is off by default because a long-running `npm start`
   *  would grow it forever, and so is its admin endpoint, which nothing behind the gateway needs
   *  (`npm run emulator` serves it). */
  emulator?: EmulatorOptions;
  /** Default: JSON lines on stdout at LOG_LEVEL. */
  logger?: Logger;
}

/** The gateway's version (package.json: beside src/ when run from source, two up from dist/src/, three from a test's dist/.build/src/). */
const VERSION = ((): string => {
  for (const up of [['..'], ['..', '..'], ['..', '..', '..']]) {
    try {
      return (JSON.parse(readFileSync(join(__dirname, ...up, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
})();

export async function startGateway(config: GatewayConfig, options: StartOptions = {}): Promise<RunningGateway> {
  // First: a manifest that does not check out stops the start before anything listens.
  const documents = config.persistedDocuments === null ? null : loadPersistedDocuments(config.persistedDocuments);
  const emulatorOptions = options.emulator ?? { recordRequests: false, admin: false };
  const logger = options.logger ?? createLogger(config.logLevel);
  let emulator: ClumioEmulator | null = null;
  let baseUrl = config.clumioApiUrl;
  let token = config.clumioApiToken;
  if (baseUrl === null) {
    emulator = createClumioEmulator(emulatorOptions);
    baseUrl = await emulator.listen(0, '127.0.0.1');
    token ??= DEFAULT_EMULATOR_TOKEN;
  }

  const shared = await createSharedState(config, logger);
  /** Set by close(): /readiness answers 503 and connections close after their response. */
  let draining = false;
  const client: ClumioClient = new ClumioClient({
    baseUrl,
    timeoutMs: config.clumioTimeoutMs,
    maxConcurrency: config.clumioMaxConcurrency,
    maxQueue: config.clumioMaxQueue,
    retry: { maxAttempts: config.clumioRetryAttempts },
    breaker: { failureThreshold: config.clumioBreakerFailures, openMs: config.clumioBreakerOpenMs },
    ...(shared.admit ? { admit: shared.admit } : {}),
    onBreakerChange(state) {
      metrics?.breakerChanged(state);
      if (state === 'open') logger.warn({ openMs: config.clumioBreakerOpenMs }, 'Clumio is failing: circuit breaker open, calls paused');
      else logger.warn('Clumio answers again: circuit breaker closed');
    },
  });
  const metrics = config.metrics
    ? new GatewayMetrics({
        upstreamQueue: () => ({ inFlight: client.concurrency.inFlight, queued: client.concurrency.queued }),
        breakerState: () => client.breaker.state,
        operationNames: documents?.operationNames ?? null,
      })
    : null;
  const tracing = new Tracing(config.tracing, VERSION);
  const upstreamUrl = new URL(baseUrl);
  const yoga = createGateway({
    config: { ...config, clumioApiToken: token },
    client,
    telemetry: {
      logger,
      metrics,
      tracing,
      upstream: { address: upstreamUrl.hostname, port: Number(upstreamUrl.port) || (upstreamUrl.protocol === 'https:' ? 443 : 80) },
    },
    serveMetrics: config.metricsPort === null,
    draining: () => draining,
    persistedDocuments: { documents, documentsOnly: config.persistedDocumentsOnly, registered: shared.persistedQueries },
    restores: {
      // On the built-in emulator a newcomer in GraphiQL has no Clumio token: restore with the gateway's.
      credentials: config.clumioRestores ?? (emulator ? 'gateway' : 'caller'),
      // A claim stays pending at most as long as a restore can take: the rate-limit wait, the POST and the task read.
      idempotency: new RestoreIdempotency(shared.idempotencyKeys, { pendingTtlMs: 3 * config.clumioTimeoutMs + 5_000 }),
      pollers: new TaskPollers(),
    },
    ...(shared.responseCache ? { responseCache: shared.responseCache } : {}),
  });
  const server = createServer(
    // headersTimeout must exceed keepAliveTimeout, or Node may cut a request that arrives on a reused socket.
    { keepAliveTimeout: config.httpKeepAliveMs, headersTimeout: config.httpKeepAliveMs + 1_000 },
    (request, response) => {
      // While draining, each connection closes after its response: clients and balancers reconnect elsewhere.
      if (draining) response.setHeader('connection', 'close');
      // yoga answers every request itself, failures included; the promise only says it is done.
      void yoga(request, response);
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${host}:${port}`;

  // METRICS_PORT: /metrics on a port of its own (kept off the public listener), nothing else there.
  let metricsServer: Server | null = null;
  let metricsUrl = metrics ? `${url}/metrics` : null;
  if (metrics && config.metricsPort !== null) {
    metricsServer = createServer((request, response) => {
      if (request.url?.split('?')[0] !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: metrics are at GET /metrics\n');
        return;
      }
      metrics.render().then(
        (text) => response.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }).end(request.method === 'HEAD' ? undefined : text),
        () => response.writeHead(500).end(),
      );
    });
    const listening = metricsServer;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(config.metricsPort ?? 0, config.host, () => resolve());
    });
    metricsUrl = `http://${host}:${(listening.address() as AddressInfo).port}/metrics`;
  }

  let closing: Promise<void> | undefined;
  let endDrainDelay = (): void => {};
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      draining = true;
      if (config.shutdownDelayMs > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, config.shutdownDelayMs);
          endDrainDelay = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets idle between requests would hold close() open: shut them as they go idle.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
      await Promise.race([drained, deadline]);
      clearInterval(sweep);
      server.closeAllConnections();
      await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
      await client.close();
      await shared.close();
      await emulator?.close();
      // Last: the spans of the requests just drained are exported before the process ends.
      await tracing.shutdown().catch((error: unknown) => logger.warn({ errorMessage: String(error) }, 'spans could not be exported at shutdown'));
    })());

  return { url, yoga, client, emulator, metricsUrl, metrics, tracing, close, endDrainDelay: () => endDrainDelay() };
}

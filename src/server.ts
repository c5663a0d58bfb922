import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClumioClient } from './clumio/clumio-client';
import type { GatewayConfig } from './config';
import { DEFAULT_EMULATOR_TOKEN, createClumioEmulator } from './emulator';
import type { ClumioEmulator, EmulatorOptions } from './emulator';
import { createSharedState } from './shared-state';
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
  /** Stops accepting connections, lets in-flight requests finish (up to the grace period), then releases everything. */
  close(): Promise<void>;
}

/**
 * @param emulatorOptions for the built-in emulator; its request log is off by default because a
 *   long-running `npm start` would grow it forever, and so is its admin endpoint, which nothing
 *   behind the gateway needs (`npm run emulator` serves it).
 */
export async function startGateway(
  config: GatewayConfig,
  emulatorOptions: EmulatorOptions = { recordRequests: false, admin: false },
): Promise<RunningGateway> {
  let emulator: ClumioEmulator | null = null;
  let baseUrl = config.clumioApiUrl;
  let token = config.clumioApiToken;
  if (baseUrl === null) {
    emulator = createClumioEmulator(emulatorOptions);
    baseUrl = await emulator.listen(0, '127.0.0.1');
    token ??= DEFAULT_EMULATOR_TOKEN;
  }

  const shared = await createSharedState(config);
  const client = new ClumioClient({
    baseUrl,
    timeoutMs: config.clumioTimeoutMs,
    maxConcurrency: config.clumioMaxConcurrency,
    maxQueue: config.clumioMaxQueue,
    retry: { maxAttempts: config.clumioRetryAttempts },
    breaker: { failureThreshold: config.clumioBreakerFailures, openMs: config.clumioBreakerOpenMs },
    ...(shared.admit ? { admit: shared.admit } : {}),
  });
  const yoga = createGateway({
    config: { ...config, clumioApiToken: token },
    client,
    logging: config.logLevel,
    ...(shared.responseCache ? { responseCache: shared.responseCache } : {}),
  });
  const server = createServer(
    // headersTimeout must exceed keepAliveTimeout, or Node may cut a request that arrives on a reused socket.
    { keepAliveTimeout: config.httpKeepAliveMs, headersTimeout: config.httpKeepAliveMs + 1_000 },
    // yoga answers every request itself, failures included; the promise only says it is done.
    (request, response) => void yoga(request, response),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets idle between requests would hold close() open: shut them as they go idle.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
      await Promise.race([drained, deadline]);
      clearInterval(sweep);
      server.closeAllConnections();
      await client.close();
      await shared.close();
      await emulator?.close();
    })());

  return { url: `http://${host}:${port}`, yoga, client, emulator, close };
}

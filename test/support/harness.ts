import { parseConfig } from '../../src/config';
import type { GatewayConfig } from '../../src/config';
import { DEFAULT_EMULATOR_TOKEN, createClumioEmulator } from '../../src/emulator';
import type { ClumioEmulator, EmulatorOptions, RecordedRequest } from '../../src/emulator';
import { startGateway } from '../../src/server';
import type { RunningGateway } from '../../src/server';
import { createLogger } from '../../src/telemetry/logger';
import type { Logger } from '../../src/telemetry/logger';
import type { TelemetrySinks } from '../../src/telemetry/operation-telemetry';
import { Tracing } from '../../src/telemetry/tracing';

/**
 * A real gateway and a real Clumio emulator, each on an ephemeral port, talking HTTP. Tests send
 * GraphQL over the wire and read what the emulator received.
 */

export interface GraphQLResponse<TData = any> {
  status: number;
  data?: TData;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }>;
}

export interface Harness {
  gateway: RunningGateway;
  emulator: ClumioEmulator;
  /** POST a GraphQL operation to the gateway. */
  gql<TData = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<TData>>;
  /** Requests the emulator received since the last `resetUpstream()`. */
  upstream(): RecordedRequest[];
  resetUpstream(): void;
  close(): Promise<void>;
}

export interface HarnessOptions {
  emulator?: EmulatorOptions;
  /** An emulator already listening, shared by several gateways (left running by close()). */
  sharedEmulator?: ClumioEmulator;
  /** Environment for the gateway, on top of: ephemeral port, the emulator as upstream, its token. */
  env?: Record<string, string | undefined>;
  /** Where the gateway logs (default: stdout at LOG_LEVEL=error). */
  logger?: Logger;
}

/** A logger whose lines the test reads back, parsed (everything from debug up). */
export function capturedLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>>; text: () => string } {
  let text = '';
  const logger = createLogger('debug', { write: (chunk: string) => void (text += chunk) });
  return {
    logger,
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const emulator = options.sharedEmulator ?? createClumioEmulator(options.emulator);
  const emulatorUrl = options.sharedEmulator ? emulator.url : await emulator.listen(0, '127.0.0.1');
  const config: GatewayConfig = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    CLUMIO_API_URL: emulatorUrl,
    CLUMIO_API_TOKEN: DEFAULT_EMULATOR_TOKEN,
    LOG_LEVEL: 'error',
    SHUTDOWN_GRACE_MS: '2000',
    // Tests count upstream calls per operation; the response cache and the rate limiter are opted
    // into where they are tested.
    RESPONSE_CACHE_TTL_MS: '0',
    CLUMIO_RATE_LIMIT_RPS: '0',
    ...options.env,
  });
  const gateway = await startGateway(config, options.logger ? { logger: options.logger } : {});
  let mark = 0;

  return {
    gateway,
    emulator,
    async gql(query, variables, headers) {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new Error(`gateway answered ${response.status} with a non-JSON body:\n${text.slice(0, 500)}\nfor:\n${query}`);
      }
      return { status: response.status, ...body };
    },
    upstream: () => emulator.requests.slice(mark),
    resetUpstream: () => {
      mark = emulator.requests.length;
    },
    async close() {
      await gateway.close();
      if (!options.sharedEmulator) await emulator.close();
    },
  };
}

/** The upstream list calls as `limit/start/sort/filter` tuples, for compact assertions. */
export function listCalls(requests: RecordedRequest[]): Array<Record<string, string>> {
  return requests.filter((r) => r.path === '/backups/aws/ec2-instances').map((r) => ({ ...r.query }));
}

/** Fails with the whole response and upstream log when an operation returned errors. */
export function expectNoErrors(response: GraphQLResponse, harness?: Harness): void {
  if (response.errors?.length) {
    throw new Error(
      `unexpected errors: ${JSON.stringify(response.errors, null, 2)}\nupstream: ${JSON.stringify(harness?.upstream() ?? [], null, 2)}`,
    );
  }
}

/** A connection page with everything paging tests look at. */
export const BACKUP_PAGE = `
  query Page($first: Int, $after: String, $last: Int, $before: String, $filter: Ec2InstanceBackupFilter, $orderBy: Ec2InstanceBackupOrder) {
    ec2InstanceBackups(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { backupId startTimestamp } }
    }
  }`;

/**
 * Runs BACKUP_PAGE and returns the connection, failing on any error. Without `totalCount`, a page
 * after or before a cursor reads one list only (the count is of the caller's whole list, a second one).
 */
export async function backupPage(harness: Harness, variables: Record<string, unknown>, options: { totalCount?: boolean } = {}): Promise<any> {
  const query = options.totalCount === false ? BACKUP_PAGE.replace(/^\s*totalCount$/m, '') : BACKUP_PAGE;
  const response = await harness.gql(query, variables);
  expectNoErrors(response, harness);
  return response.data.ec2InstanceBackups;
}

/** Telemetry for a yoga built without server.ts: errors-only logs, no metrics, spans not exported. */
export function quietTelemetry(): TelemetrySinks {
  return {
    logger: createLogger('error'),
    metrics: null,
    tracing: new Tracing(parseConfig({}).tracing, 'test'),
    upstream: { address: '127.0.0.1', port: 80 },
  };
}

import { randomBytes } from 'node:crypto';
import { DEFAULT_EMULATOR_TOKEN, createClumioEmulator } from '../../src/emulator';
import type { ClumioEmulator, RecordedRequest } from '../../src/emulator';
import { compileGateway, killStrayGateways, startGatewayProcess } from '../support/gateway-process';
import type { GatewayBuild, GatewayProcess } from '../support/gateway-process';
import { capturedLogger, expectNoErrors, startHarness } from '../support/harness';
import type { GraphQLResponse } from '../support/harness';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver';

/**
 * OpenTelemetry over the wire: spans exported to a real OTLP/HTTP receiver (protobuf and JSON),
 * decoded and checked as a tree, and the `traceparent` each Clumio request carried, read from the
 * emulator's log, exporting or not.
 *
 * The exporting gateway runs as a real process (`node dist/…/main.js`): OpenTelemetry's exporters
 * load their HTTP transport with a dynamic import(), which jest's module sandbox refuses.
 */

/** What the tests need of a gateway: GraphQL over HTTP, and the emulator's log behind it. */
interface Traced {
  emulator: ClumioEmulator;
  gql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse>;
  upstream(): RecordedRequest[];
  resetUpstream(): void;
}

async function post(url: string, query: string, headers: Record<string, string> = {}): Promise<GraphQLResponse> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, ...((await response.json()) as object) };
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;

function traceparentsOf(h: Traced): Array<{ traceId: string; spanId: string; flags: string; tracestate: string | undefined }> {
  return h.upstream().map((request) => {
    const match = TRACEPARENT.exec(request.headers.traceparent ?? '');
    if (!match) throw new Error(`upstream request without a valid traceparent: ${JSON.stringify(request.headers)}`);
    return { traceId: match[1]!, spanId: match[2]!, flags: match[3]!, tracestate: request.headers.tracestate };
  });
}

async function gqlWith(h: Traced, query: string, headers: Record<string, string>) {
  return h.gql(query, undefined, headers);
}

const WALK = 'query Walk { ec2InstanceBackups(first: 2) { nodes { backupId } } ec2InstanceBackup(backupId: "%ID%") { backupId } }';

let build: GatewayBuild;
beforeAll(() => {
  build = compileGateway('tracing-test');
}, 120_000);
afterAll(async () => {
  await killStrayGateways();
  build.remove();
});

describe.each(['http/protobuf', 'http/json'] as const)('exporting over OTLP %s', (protocol) => {
  let receiver: OtlpReceiver;
  let emulator: ClumioEmulator;
  let gateway: GatewayProcess;
  let h: Traced;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    emulator = createClumioEmulator();
    await emulator.listen(0, '127.0.0.1');
    gateway = await startGatewayProcess(build, {
      env: {
        CLUMIO_API_URL: emulator.url,
        CLUMIO_API_TOKEN: DEFAULT_EMULATOR_TOKEN,
        CLUMIO_RATE_LIMIT_RPS: '0',
        RESPONSE_CACHE_TTL_MS: '0',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_BSP_SCHEDULE_DELAY: '20',
      },
    });
    let mark = 0;
    h = {
      emulator,
      gql: (query, _variables, headers) => post(gateway.url, query, headers),
      upstream: () => emulator.requests.slice(mark),
      resetUpstream: () => void (mark = emulator.requests.length),
    };
  }, 30_000);
  afterAll(async () => {
    await gateway.stop('SIGTERM');
    await emulator.close();
    await receiver.close();
  });

  it("sends the span tree of one query under the caller's traceparent, one CLIENT span per Clumio attempt", async () => {
    const traceId = hex(16);
    const callerSpanId = hex(8);
    const backup = h.emulator.backups[5]!;
    h.resetUpstream();
    // The single-backup read fails once with 503 and is retried.
    h.emulator.injectFault({ status: 503, times: 1, match: (request) => request.path === `/backups/aws/ec2-instances/${backup.id}` });
    const response = await gqlWith(h, WALK.replace('%ID%', backup.id!), {
      traceparent: `00-${traceId}-${callerSpanId}-01`,
      tracestate: 'vendor=opaque',
      'x-request-id': 'trace-test-1',
    });
    expectNoErrors(response);

    const spans = (await receiver.waitForSpans((all) => all.filter((s) => s.traceId === traceId).length >= 5)).filter((s) => s.traceId === traceId);
    const server = spans.find((s) => s.kind === 'SERVER')!;
    expect(server).toMatchObject({ name: 'POST /graphql', parentSpanId: callerSpanId, traceState: 'vendor=opaque' });
    expect(server.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/graphql', 'http.response.status_code': 200 });
    expect(server.resource).toMatchObject({ 'service.name': 'clumio-backup-graph' });

    const operation = spans.find((s) => s.parentSpanId === server.spanId)!;
    expect(operation).toMatchObject({ name: 'query Walk', kind: 'INTERNAL' });
    expect(operation.attributes).toMatchObject({ 'graphql.operation.name': 'Walk', 'graphql.operation.type': 'query' });
    expect(operation.events.map((e) => e.name)).toEqual(['clumio.retry']);
    expect(operation.events[0]!.attributes).toMatchObject({ 'clumio.retry.reason': '503', 'url.template': '/backups/aws/ec2-instances/{id}' });

    const clients = spans.filter((s) => s.kind === 'CLIENT');
    expect(clients).toHaveLength(3);
    for (const client of clients) {
      expect(client.parentSpanId).toBe(operation.spanId);
      expect(client.attributes).toMatchObject({ 'http.request.method': 'GET', 'server.address': '127.0.0.1' });
    }
    const byTemplate = (template: string) => clients.filter((c) => c.attributes['url.template'] === template).sort((a, b) => Number(a.startNs - b.startNs));
    const [list] = byTemplate('/backups/aws/ec2-instances');
    const [failed, retried] = byTemplate('/backups/aws/ec2-instances/{id}');
    expect(list!.name).toBe('GET /backups/aws/ec2-instances');
    expect(list!.attributes['http.response.status_code']).toBe(200);
    expect(list!.attributes).not.toHaveProperty('error.type');
    expect(list!.attributes).not.toHaveProperty('http.request.resend_count');
    expect(failed!.name).toBe('GET /backups/aws/ec2-instances/{id}');
    expect(failed!.attributes).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503' });
    expect(failed!.status.code).toBe('ERROR');
    expect(retried!.attributes).toMatchObject({ 'http.response.status_code': 200, 'http.request.resend_count': 1 });
    expect(retried!.attributes).not.toHaveProperty('error.type');

    // What Clumio received: each attempt named its own CLIENT span, with the caller's flags and tracestate.
    const sent = traceparentsOf(h);
    expect(sent.map((s) => s.spanId).sort()).toEqual(clients.map((c) => c.spanId).sort());
    expect(new Set(sent.map((s) => `${s.traceId} ${s.flags} ${s.tracestate}`))).toEqual(new Set([`${traceId} 01 vendor=opaque`]));
    // The request id is the caller's business with the gateway, not Clumio's.
    for (const request of h.upstream()) expect(request.headers['x-request-id']).toBeUndefined();
    expect(receiver.requests().every((r) => r.contentType === (protocol === 'http/json' ? 'application/json' : 'application/x-protobuf'))).toBe(true);
  });

  it('exports nothing of a trace the caller did not sample, and still tells Clumio so', async () => {
    const unsampled = hex(16);
    const sampled = hex(16);
    h.resetUpstream();
    expectNoErrors(await gqlWith(h, '{ ec2InstanceBackups(first: 1) { totalCount } }', { traceparent: `00-${unsampled}-${hex(8)}-00` }));
    expect(traceparentsOf(h).map((s) => [s.traceId, s.flags])).toEqual([[unsampled, '00']]);
    expectNoErrors(await gqlWith(h, '{ ec2InstanceBackups(first: 1) { totalCount } }', { traceparent: `00-${sampled}-${hex(8)}-01` }));
    // Spans are exported in the order they end: once the later trace's are in, the earlier one's would be too.
    const spans = await receiver.waitForSpans((all) => all.some((s) => s.traceId === sampled && s.kind === 'SERVER'));
    expect(spans.filter((s: ReceivedSpan) => s.traceId === unsampled)).toEqual([]);
    expect(spans.find((s) => s.traceId === sampled && s.kind === 'INTERNAL')!.name).toBe('query');
  });
});

describe('without export', () => {
  let h: Traced & { close(): Promise<void> };
  beforeAll(async () => {
    h = await startHarness({ logger: capturedLogger().logger });
  });
  afterAll(() => h.close());

  it("still mints a span id per Clumio attempt under the caller's trace, keeping its sampled flag and tracestate", async () => {
    const traceId = hex(16);
    const callerSpanId = hex(8);
    h.resetUpstream();
    const backup = h.emulator.backups[3]!;
    expectNoErrors(await gqlWith(h, WALK.replace('%ID%', backup.id!), { traceparent: `00-${traceId}-${callerSpanId}-01`, tracestate: 'a=1,b=2' }));
    const sent = traceparentsOf(h);
    expect(sent).toHaveLength(2);
    expect(sent.map((s) => [s.traceId, s.flags, s.tracestate])).toEqual([
      [traceId, '01', 'a=1,b=2'],
      [traceId, '01', 'a=1,b=2'],
    ]);
    expect(new Set([callerSpanId, ...sent.map((s) => s.spanId)]).size).toBe(3);

    h.resetUpstream();
    expectNoErrors(await gqlWith(h, '{ ec2InstanceBackups(first: 1) { totalCount } }', { traceparent: `00-${traceId}-${callerSpanId}-00` }));
    expect(traceparentsOf(h).map((s) => [s.traceId, s.flags])).toEqual([[traceId, '00']]);
  });

  it('starts a new sampled trace per request when the caller sent none, or an invalid one', async () => {
    h.resetUpstream();
    await h.gql('{ ec2InstanceBackups(first: 1) { totalCount } }');
    await gqlWith(h, '{ ec2InstanceBackups(first: 1) { totalCount } }', { traceparent: '00-00000000000000000000000000000000-0000000000000000-01' });
    await gqlWith(h, '{ ec2InstanceBackups(first: 1) { totalCount } }', { traceparent: 'not a traceparent' });
    const sent = traceparentsOf(h);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((s) => s.traceId)).size).toBe(3);
    expect(sent.every((s) => s.flags === '01' && s.traceId !== '0'.repeat(32))).toBe(true);
  });
});

import { DEFAULT_EMULATOR_TOKEN, createClumioEmulator } from '../../src/emulator';
import type { ClumioEmulator } from '../../src/emulator';
import { compileGateway, killStrayGateways, startGatewayProcess } from '../support/gateway-process';
import type { GatewayBuild } from '../support/gateway-process';
import { capturedLogger, expectNoErrors, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * Structured logs and request ids, over the wire: one JSON line per operation with the contract's
 * keys, the same id in the response header, in `extensions.requestId` and in every line of the
 * request, and never a credential, a variable's value, a literal argument, an upstream query string
 * or a body in any line, at any level.
 */

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RFC3339_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const SECRET_TOKEN = 'tok-MARKER-7f3a';

function raw(h: Harness, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${h.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET_TOKEN}`, ...headers },
    body,
  });
}

describe('per-operation log lines and request ids', () => {
  let h: Harness;
  let log: ReturnType<typeof capturedLogger>;
  beforeAll(async () => {
    log = capturedLogger();
    // Callers' own tokens are forwarded (no CLUMIO_API_TOKEN), so the marker token travels.
    h = await startHarness({ emulator: { tokens: [SECRET_TOKEN] }, env: { CLUMIO_API_TOKEN: undefined, LOG_LEVEL: 'debug' }, logger: log.logger });
  });
  afterAll(() => h.close());

  const requestLines = () => log.lines().filter((line) => line.msg === 'graphql request');

  it('logs one info line per operation with the contract keys, and echoes the caller request id', async () => {
    const before = requestLines().length;
    const response = await raw(h, JSON.stringify({ query: 'query Latest { ec2InstanceBackups(first: 2) { nodes { backupId } } }' }), {
      'x-request-id': 'frontend.bug-4711_a',
    });
    expect(response.headers.get('x-request-id')).toBe('frontend.bug-4711_a');
    expect(await response.json()).toHaveProperty('data.ec2InstanceBackups.nodes');
    const lines = requestLines().slice(before);
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(Object.keys(line)).toEqual(
      expect.arrayContaining(['time', 'level', 'msg', 'requestId', 'operationName', 'operationType', 'status', 'durationMs', 'upstreamCalls', 'errorCodes', 'traceId']),
    );
    expect(line).toMatchObject({
      level: 'info',
      requestId: 'frontend.bug-4711_a',
      operationName: 'Latest',
      operationType: 'query',
      status: 200,
      upstreamCalls: 1,
      errorCodes: [],
    });
    expect(line.time).toMatch(RFC3339_UTC);
    expect(typeof line.durationMs).toBe('number');
    expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('generates a UUID v4 when the caller sent none or an invalid one, and puts it on every error', async () => {
    for (const given of [undefined, 'has space', 'x'.repeat(129), '', 'semi;colon']) {
      const before = requestLines().length;
      const response = await raw(h, JSON.stringify({ query: 'query Bad { nope }' }), given === undefined ? {} : { 'x-request-id': given });
      const id = response.headers.get('x-request-id')!;
      expect(id).toMatch(UUID_V4);
      const body = (await response.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
      expect(body.errors[0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', requestId: id });
      expect(requestLines().slice(before)).toEqual([
        expect.objectContaining({ requestId: id, operationName: 'Bad', operationType: 'unknown', status: 200, errorCodes: ['GRAPHQL_VALIDATION_FAILED'] }),
      ]);
    }
    // 128 characters of the allowed alphabet are kept.
    const longest = 'A-z.0_9'.repeat(18).slice(0, 128);
    expect((await raw(h, JSON.stringify({ query: '{ __typename }' }), { 'x-request-id': longest })).headers.get('x-request-id')).toBe(longest);
  });

  it('covers parse errors and HTTP-level errors: extensions.requestId, and one line with operationName null', async () => {
    const parseFailure = await raw(h, JSON.stringify({ query: '{ ec2InstanceBackups(' }), { 'x-request-id': 'parse-1' });
    const parsed = (await parseFailure.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
    expect(parsed.errors[0]!.extensions).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED', requestId: 'parse-1' });

    const malformed = await raw(h, '{"query": ', { 'x-request-id': 'malformed-1' });
    expect(malformed.status).toBe(400);
    const body = (await malformed.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'BAD_REQUEST', requestId: 'malformed-1' });
    expect(body.errors[0]!.extensions).not.toHaveProperty('originalError');

    expect(requestLines().filter((l) => l.requestId === 'parse-1')).toEqual([
      expect.objectContaining({ operationName: null, operationType: 'unknown', errorCodes: ['GRAPHQL_PARSE_FAILED'], upstreamCalls: 0 }),
    ]);
    expect(requestLines().filter((l) => l.requestId === 'malformed-1')).toEqual([
      expect.objectContaining({ operationName: null, operationType: 'unknown', status: 400, errorCodes: ['BAD_REQUEST'], upstreamCalls: 0 }),
    ]);
  });

  it('logs a batch as one line per operation, all with the one request id', async () => {
    const response = await raw(
      h,
      JSON.stringify([{ query: 'query One { ec2InstanceBackups(first: 1) { totalCount } }' }, { query: 'query Two { __typename }' }, { query: '{ nope }' }]),
      { 'x-request-id': 'batch-1' },
    );
    const results = (await response.json()) as Array<{ errors?: Array<{ extensions: Record<string, unknown> }> }>;
    expect(results[2]!.errors![0]!.extensions.requestId).toBe('batch-1');
    expect(requestLines().filter((l) => l.requestId === 'batch-1')).toEqual([
      expect.objectContaining({ operationName: 'One', operationType: 'query', upstreamCalls: 1, errorCodes: [] }),
      expect.objectContaining({ operationName: 'Two', operationType: 'query', upstreamCalls: 0, errorCodes: [] }),
      expect.objectContaining({ operationName: null, operationType: 'unknown', errorCodes: ['GRAPHQL_VALIDATION_FAILED'] }),
    ]);
  });

  it('puts the request id on retry warnings, and counts retries in upstreamCalls', async () => {
    h.emulator.injectFault({ status: 503, times: 1 });
    const response = await raw(h, JSON.stringify({ query: 'query Retried { ec2InstanceBackups(first: 1) { totalCount } }' }), { 'x-request-id': 'retry-1' });
    expect(response.status).toBe(200);
    const lines = log.lines().filter((l) => l.requestId === 'retry-1');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'retrying a Clumio request'],
      ['info', 'graphql request'],
    ]);
    expect(lines[0]).toMatchObject({ route: '/backups/aws/ec2-instances', reason: '503', attempt: 1 });
    expect(lines[1]).toMatchObject({ upstreamCalls: 2, errorCodes: [] });
  });

  it('does not log /health, /readiness or /metrics at info', async () => {
    const before = log.lines().length;
    for (const path of ['/health', '/readiness', '/metrics']) expect((await fetch(`${h.gateway.url}${path}`)).status).toBe(200);
    expect(log.lines().slice(before).filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('never logs a token, a variable value, a literal argument, an upstream query string or a body, at any level', async () => {
    const backup = h.emulator.backups[7]!;
    h.emulator.injectFault({ status: 502, times: 1 });
    const query = `query Marked($id: ID!) {
      a: ec2InstanceBackup(backupId: $id) { backupId startTimestamp }
      b: ec2InstanceBackups(first: 1, filter: { instanceId: "LITERAL-MARKER-91" }) { totalCount }
    }`;
    const response = await raw(h, JSON.stringify({ query, variables: { id: backup.id } }));
    const body = (await response.json()) as { data: { a: { backupId: string; startTimestamp: string } } };
    expect(body.data.a.backupId).toBe(backup.id);
    // A malformed body and a bad variable: their text must not be echoed into the log either.
    await raw(h, '{"query": "BODY-MARKER-55", ');
    await raw(h, JSON.stringify({ query: 'query V($n: Int) { ec2InstanceBackups(first: $n) { totalCount } }', variables: { n: 'VARIABLE-MARKER-33' } }));
    expect(h.upstream().some((r) => r.query.filter?.includes('LITERAL-MARKER-91'))).toBe(true);

    const text = log.text();
    for (const marker of [SECRET_TOKEN, backup.id!, backup.start_timestamp!, 'LITERAL-MARKER-91', 'BODY-MARKER-55', 'VARIABLE-MARKER-33', 'limit=', 'filter=', '127.0.0.1:']) {
      expect({ marker, found: text.includes(marker) }).toEqual({ marker, found: false });
    }
  });
});

describe('the process', () => {
  let build: GatewayBuild;
  let emulator: ClumioEmulator;
  beforeAll(async () => {
    build = compileGateway('logs-test');
    emulator = createClumioEmulator();
    await emulator.listen(0, '127.0.0.1');
  }, 120_000);
  afterAll(async () => {
    await killStrayGateways();
    await emulator.close();
    build.remove();
  });

  it('writes nothing but JSON lines to stdout, from start-up to shutdown', async () => {
    const gateway = await startGatewayProcess(build, { env: { CLUMIO_API_URL: emulator.url, CLUMIO_API_TOKEN: DEFAULT_EMULATOR_TOKEN } });
    for (const path of ['/health', '/readiness', '/metrics']) await (await fetch(`${gateway.url}${path}`)).text();
    const answer = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'process-1' },
      body: JSON.stringify({ query: '{ ec2InstanceBackups(first: 1) { totalCount } }' }),
    });
    expectNoErrors({ status: answer.status, ...((await answer.json()) as object) });
    await gateway.line((l) => l.requestId === 'process-1', 'the request line');
    expect(await gateway.stop('SIGTERM')).toEqual({ code: 0, signal: null });

    expect(gateway.nonJsonLines).toEqual([]);
    expect(gateway.logs.map((l) => l.msg)).toEqual(['gateway ready', 'graphql request', 'finishing in-flight requests, then stopping', 'stopped']);
    for (const line of gateway.logs) {
      expect(line.time).toMatch(RFC3339_UTC);
      expect(line.level).toBe('info');
    }
    expect(gateway.logs[1]).toMatchObject({ requestId: 'process-1', operationName: null, operationType: 'query', status: 200, upstreamCalls: 1 });
  });

  it('reports a bad configuration as one JSON line and exits 1', async () => {
    await expect(startGatewayProcess(build, { env: { PORT: 'eighty', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, readyTimeoutMs: 10_000 })).rejects.toThrow(
      /"problems":\["PORT: must be a whole number","OTEL_EXPORTER_OTLP_PROTOCOL: must be http\/protobuf.*"msg":"invalid configuration"/s,
    );
  });
});

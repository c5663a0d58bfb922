import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver';
import { promtoolCheckMetrics, startPrometheus } from '../support/prometheus';
import type { PrometheusServer } from '../support/prometheus';

/**
 * Proves the observability test helpers against the real thing, without the gateway: the OTLP
 * receiver decodes what OpenTelemetry's own exporters send, promtool lints, and a real Prometheus
 * scrapes and answers queries.
 */

// Prometheus's first scrape comes 5–10 s after it starts (its discovery tick), so it is started
// before anything else and the OTLP and promtool tests run while it gets there.
let counterTarget: CounterTarget;
let prometheus: PrometheusServer;
let receiver: OtlpReceiver;
/** What was started, to stop in reverse order; only what did start, should a start fail. */
const started: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  started.push((counterTarget = await startCounterTarget()));
  started.push((prometheus = await startPrometheus({ targets: [counterTarget.address], scrapeIntervalMs: 200 })));
  started.push((receiver = await startOtlpReceiver()));
});

afterAll(async () => {
  for (const service of started.reverse()) await service.close();
});

describe('OTLP receiver', () => {
  beforeEach(() => receiver.reset());

  const cases: ExportCase[] = [
    { encoding: 'protobuf', gzip: false, batch: false },
    { encoding: 'json', gzip: false, batch: true },
    { encoding: 'protobuf', gzip: true, batch: false },
    { encoding: 'json', gzip: true, batch: false },
  ];

  test.each(cases)('decodes a parent and child span from the $encoding exporter (gzip: $gzip, batch: $batch)', async (exportCase) => {
    // Waiting starts before the spans are sent, so this resolves on the request's arrival.
    const arrived = receiver.waitForSpans((received) => received.length === 2);
    const sent = await exportSpansFromNode(receiver.url, exportCase);
    const spans = await arrived;

    const server = spanNamed(spans, 'GET /graphql');
    const client = spanNamed(spans, 'clumio list');
    expect(server.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(server.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(server.traceId).toBe(sent.traceId);
    expect(server.spanId).toBe(sent.parentSpanId);
    expect(server.parentSpanId).toBe('');
    expect(client.traceId).toBe(server.traceId);
    expect(client.spanId).toBe(sent.childSpanId);
    expect(client.parentSpanId).toBe(server.spanId);

    expect(server).toMatchObject({ kind: 'SERVER', attributes: { 'http.route': '/graphql' }, status: { code: 'UNSET', message: '' }, events: [] });
    expect(client).toMatchObject({
      kind: 'CLIENT',
      attributes: { 'peer.service': 'clumio', 'http.response.status_code': 503, retried: true, ratio: 0.25, tags: ['a', 'b'] },
      status: { code: 'ERROR', message: 'upstream 503' },
      events: [{ name: 'retry', attributes: { attempt: 2 } }],
    });
    expect(client.flags & 0xff).toBe(1); // W3C "sampled"
    for (const span of spans) {
      expect(span.resource).toMatchObject({ 'service.name': 'support-test', 'service.version': '1.2.3' });
      expect(span.scope).toBe('support-tracer');
      expect(span.endNs).toBeGreaterThanOrEqual(span.startNs);
      // Nanoseconds since the epoch, close to now: catches a mis-read fixed64 or a lost int64 string.
      expect(Number(span.startNs / 1_000_000n)).toBeGreaterThan(Date.now() - 60_000);
    }
    expect(client.events[0]!.timeNs).toBeGreaterThanOrEqual(client.startNs);

    // Simple exports each span as it ends (two requests); batch sends both in one on forceFlush.
    const contentType = exportCase.encoding === 'json' ? 'application/json' : 'application/x-protobuf';
    const expected = { contentType, contentEncoding: exportCase.gzip ? 'gzip' : '', path: '/v1/traces', spanCount: exportCase.batch ? 2 : 1 };
    expect(receiver.requests()).toEqual(exportCase.batch ? [expected] : [expected, expected]);
  });

  test('accepts hand-written OTLP/JSON: int64 as numbers, enum names, nested values, gzip', async () => {
    const request = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'handmade' } }] },
          scopeSpans: [
            {
              scope: { name: 'by-hand' },
              spans: [
                {
                  traceId: '5B8EFFF798038103D269B633813FC60C',
                  spanId: 'EEE19B7EC3C1B174',
                  name: 'root',
                  kind: 'SPAN_KIND_PRODUCER',
                  startTimeUnixNano: 1_000_000_000,
                  endTimeUnixNano: '2000000000',
                  attributes: [
                    { key: 'big', value: { intValue: '-42' } },
                    { key: 'list', value: { arrayValue: { values: [{ intValue: 1 }, { stringValue: 'x' }] } } },
                    { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: false } }] } } },
                    { key: 'raw', value: { bytesValue: Buffer.from([1, 2, 255]).toString('base64') } },
                    { key: 'nothing', value: {} },
                  ],
                  status: { code: 2 },
                },
              ],
            },
          ],
        },
      ],
    };
    const response = await fetch(`${receiver.url}/v1/traces`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Encoding': 'gzip' },
      body: gzipSync(JSON.stringify(request)),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({});

    expect(receiver.spans()).toEqual([
      {
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        parentSpanId: '',
        traceState: '',
        name: 'root',
        kind: 'PRODUCER',
        startNs: 1_000_000_000n,
        endNs: 2_000_000_000n,
        attributes: { big: -42, list: [1, 'x'], map: { k: false }, raw: new Uint8Array([1, 2, 255]), nothing: null },
        events: [],
        status: { code: 'ERROR', message: '' },
        flags: 0,
        resource: { 'service.name': 'handmade' },
        scope: 'by-hand',
      } satisfies ReceivedSpan,
    ]);
  });

  test('answers 400 to a body it cannot decode, and records why', async () => {
    const response = await fetch(`${receiver.url}/v1/traces`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-protobuf' },
      body: new Uint8Array([0x0a, 0x05, 0x01]), // field 1, length 5, only one byte follows
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/truncated/);
    expect(receiver.requests()).toEqual([{ contentType: 'application/x-protobuf', contentEncoding: '', path: '/v1/traces', spanCount: 0, error: expect.stringMatching(/truncated/) }]);
  });

  test('waitForSpans rejects on timeout naming the spans that did arrive', async () => {
    const span = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'only-this-one', kind: 1 };
    const response = await fetch(`${receiver.url}/v1/traces`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }),
    });
    expect(response.status).toBe(200);

    await expect(receiver.waitForSpans((spans) => spans.some((received) => received.name === 'never'), 100)).rejects.toThrow(
      /did not hold within 100 ms; 1 span\(s\) received: "only-this-one" \(INTERNAL\)/,
    );
  });
});

describe('promtool check metrics', () => {
  test('accepts a well-formed exposition text', async () => {
    const result = await promtoolCheckMetrics(counterTarget.exposition());
    expect(result).toEqual({ ok: true, output: '' });
  });

  test('rejects a counter without _total, and a line it cannot parse', async () => {
    const noTotal = await promtoolCheckMetrics('# HELP jobs_done Jobs done.\n# TYPE jobs_done counter\njobs_done 3\n');
    expect(noTotal.ok).toBe(false);
    expect(noTotal.output).toMatch(/counter metrics should have "_total" suffix/);

    const malformed = await promtoolCheckMetrics('jobs_done{ 3\n');
    expect(malformed.ok).toBe(false);
    expect(malformed.output).toMatch(/parsing error/);
  });
});

describe('Prometheus server', () => {
  test('scrapes a target and queries back the exact counter value', async () => {
    counterTarget.increment(3);
    const samples = await prometheus.waitFor('support_test_events_total', (result) => result[0]?.value === 3);
    expect(samples).toEqual([{ metric: { __name__: 'support_test_events_total', instance: counterTarget.address, job: 'test' }, value: 3 }]);

    // After a scrape that began once the counter moved, a plain query sees the new value.
    counterTarget.increment(4);
    await prometheus.waitForScrapeAfter(Date.now());
    expect(await prometheus.query('support_test_events_total')).toEqual([expect.objectContaining({ value: 7 })]);
    expect(await prometheus.query('up')).toEqual([expect.objectContaining({ value: 1 })]);
  });

  test('reports a PromQL error with Prometheus own message', async () => {
    await expect(prometheus.query('sum(')).rejects.toThrow(/bad_data/);
  });
});

interface ExportCase {
  encoding: 'protobuf' | 'json';
  gzip: boolean;
  /** BatchSpanProcessor (one request on forceFlush) rather than SimpleSpanProcessor (one per span). */
  batch: boolean;
}

/**
 * Makes a SERVER span with a CLIENT child (attributes, an event, an error status) and exports them
 * with the real OTLP exporter for the case. JavaScript for a plain `node`, because inside Jest the
 * exporters cannot send: their HTTP transport loads `http` with a dynamic import(), which Jest's
 * module sandbox refuses unless Node runs with --experimental-vm-modules. It prints the ids it made.
 */
const EXPORT_SCRIPT = `
const { DiagConsoleLogger, DiagLogLevel, ROOT_CONTEXT, SpanKind, SpanStatusCode, diag, trace } = require('@opentelemetry/api');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { url, encoding, gzip, batch } = JSON.parse(process.argv[1]);
const { OTLPTraceExporter } = require(encoding === 'json' ? '@opentelemetry/exporter-trace-otlp-http' : '@opentelemetry/exporter-trace-otlp-proto');

// A failed export is only logged through diag; on stderr the test can show it.
diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);
const exporter = new OTLPTraceExporter({ url, compression: gzip ? 'gzip' : 'none' });
const processor = batch ? new BatchSpanProcessor(exporter) : new SimpleSpanProcessor(exporter);
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'support-test', 'service.version': '1.2.3' }),
  spanProcessors: [processor],
});
const tracer = provider.getTracer('support-tracer');

const parent = tracer.startSpan('GET /graphql', { kind: SpanKind.SERVER, attributes: { 'http.route': '/graphql' } });
// No context manager is registered, so the parent goes in through an explicit context.
const child = tracer.startSpan('clumio list', { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, parent));
child.setAttributes({ 'peer.service': 'clumio', 'http.response.status_code': 503, retried: true, ratio: 0.25, tags: ['a', 'b'] });
child.addEvent('retry', { attempt: 2 });
child.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream 503' });
child.end();
parent.end();

provider.forceFlush().then(() => provider.shutdown()).then(() => {
  const { traceId, spanId } = parent.spanContext();
  process.stdout.write(JSON.stringify({ traceId, parentSpanId: spanId, childSpanId: child.spanContext().spanId }));
});
`;

async function exportSpansFromNode(receiverUrl: string, exportCase: ExportCase): Promise<{ traceId: string; parentSpanId: string; childSpanId: string }> {
  const args = JSON.stringify({ url: `${receiverUrl}/v1/traces`, ...exportCase });
  // The working directory is the project's, so require() finds its node_modules.
  const child = spawn(process.execPath, ['-e', EXPORT_SCRIPT, args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0 || stderr.trim() !== '') throw new Error(`exporting from node failed (exit ${code}):\n${stderr}${stdout}`);
  return JSON.parse(stdout);
}

function spanNamed(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const span = spans.find((candidate) => candidate.name === name);
  if (!span) throw new Error(`no span named ${name} among ${spans.map((s) => s.name).join(', ')}`);
  return span;
}

interface CounterTarget {
  /** host:port, as Prometheus's target. */
  address: string;
  increment(by: number): void;
  /** The exposition text the target serves right now. */
  exposition(): string;
  close(): Promise<void>;
}

/** A tiny scrape target: one counter on /metrics, moved by the test. */
async function startCounterTarget(): Promise<CounterTarget> {
  let count = 0;
  const exposition = () =>
    ['# HELP support_test_events_total Events the test counted.', '# TYPE support_test_events_total counter', `support_test_events_total ${count}`, ''].join('\n');
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(exposition());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    increment: (by) => void (count += by),
    exposition,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // Prometheus keeps its scrape connection open
      await closed;
    },
  };
}

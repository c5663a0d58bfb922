import { capturedLogger, expectNoErrors, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { promtoolCheckMetrics } from '../support/prometheus';

/**
 * GET /metrics over the wire: the contract's families and labels, counts that move by exactly what
 * a test sent, promtool's verdict, the port rules (METRICS_PORT, METRICS=false) and bounded names.
 */

/** Prometheus text → `name{labels}` → value, for the samples of `family` (its _bucket/_sum/_count too). */
function samples(text: string, family: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(family)) continue;
    const at = line.lastIndexOf(' ');
    found.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return found;
}

async function scrape(url: string, accept = 'application/openmetrics-text; version=1.0.0'): Promise<{ status: number; contentType: string; text: string }> {
  const response = await fetch(url, { headers: { accept } });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

/** The change of every sample of `family` between two scrapes (only those that changed). */
function moved(before: string, after: string, family: string): Record<string, number> {
  const a = samples(before, family);
  const changes: Record<string, number> = {};
  for (const [key, value] of samples(after, family)) {
    const delta = value - (a.get(key) ?? 0);
    if (delta !== 0) changes[key] = delta;
  }
  return changes;
}

async function post(h: Harness, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Response> {
  return fetch(`${h.gateway.url}/graphql`, { method: 'POST', headers, body });
}

describe('/metrics on PORT', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ logger: capturedLogger().logger });
  });
  afterAll(() => h.close());

  it('answers Prometheus text 0.0.4 whatever the Accept, and promtool accepts it', async () => {
    await h.gql('query Warm { ec2InstanceBackups(first: 1) { totalCount } }');
    for (const accept of ['application/openmetrics-text; version=1.0.0', 'application/json', '*/*']) {
      const { status, contentType, text } = await scrape(`${h.gateway.url}/metrics`, accept);
      expect(status).toBe(200);
      expect(contentType).toMatch(/^text\/plain; version=0\.0\.4(; charset=utf-8)?$/);
      expect(text).toContain('# TYPE graphql_gateway_operations_total counter');
    }
    const { text } = await scrape(`${h.gateway.url}/metrics`);
    for (const family of [
      'graphql_gateway_operations_total',
      'graphql_gateway_operation_duration_seconds',
      'clumio_upstream_requests_total',
      'clumio_upstream_request_duration_seconds',
    ]) {
      expect(text).toMatch(new RegExp(`^# TYPE ${family} (counter|histogram)$`, 'm'));
    }
    const verdict = await promtoolCheckMetrics(text);
    expect(verdict).toEqual({ ok: true, output: '' });
  });

  it('counts each operation once by name, type and outcome, refusals at parse and validation included', async () => {
    const before = (await scrape(`${h.gateway.url}/metrics`)).text;
    expectNoErrors(await h.gql('query Ok { ec2InstanceBackups(first: 2) { nodes { backupId } } }'));
    expectNoErrors(await h.gql('query Ok { ec2InstanceBackups(first: 2) { nodes { backupId } } }'));
    expect((await h.gql('{ ec2InstanceBackups(first: 1) { totalCount } }')).errors).toBeUndefined();
    expect((await h.gql('query Broken { ec2InstanceBackups(')).errors![0]!.extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    expect((await h.gql('query Invalid { nope }')).errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await h.gql('query BadArgs { ec2InstanceBackups(first: 500) { totalCount } }')).errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    // Not counted: refused before an operation was read.
    expect((await post(h, '{"query": ')).status).toBe(400);
    expect((await fetch(`${h.gateway.url}/graphql?query=${encodeURIComponent('{ __typename }')}`)).status).toBe(403);
    // A batch: two operations.
    const batch = await post(h, JSON.stringify([{ query: 'query A { __typename }' }, { query: 'query B { __typename }' }]));
    expect(batch.status).toBe(200);

    const after = (await scrape(`${h.gateway.url}/metrics`)).text;
    expect(moved(before, after, 'graphql_gateway_operations_total')).toEqual({
      'graphql_gateway_operations_total{operation_name="Ok",operation_type="query",outcome="ok"}': 2,
      'graphql_gateway_operations_total{operation_name="__anonymous__",operation_type="query",outcome="ok"}': 1,
      'graphql_gateway_operations_total{operation_name="__anonymous__",operation_type="unknown",outcome="GRAPHQL_PARSE_FAILED"}': 1,
      'graphql_gateway_operations_total{operation_name="Invalid",operation_type="unknown",outcome="GRAPHQL_VALIDATION_FAILED"}': 1,
      'graphql_gateway_operations_total{operation_name="BadArgs",operation_type="query",outcome="BAD_USER_INPUT"}': 1,
      'graphql_gateway_operations_total{operation_name="A",operation_type="query",outcome="ok"}': 1,
      'graphql_gateway_operations_total{operation_name="B",operation_type="query",outcome="ok"}': 1,
    });
    // One duration observation per counted operation.
    const counts = moved(before, after, 'graphql_gateway_operation_duration_seconds_count');
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(8);
    expect(counts['graphql_gateway_operation_duration_seconds_count{operation_name="Ok",operation_type="query"}']).toBe(2);
  });

  it('counts every upstream attempt by method, route and status, retries included, and nothing for refusals', async () => {
    const backup = h.emulator.backups[0]!;
    const before = (await scrape(`${h.gateway.url}/metrics`)).text;
    h.resetUpstream();
    h.emulator.injectFault({ status: 503, times: 1 });
    expectNoErrors(await h.gql(`{ ec2InstanceBackup(backupId: "${backup.id}") { backupId } }`));
    expectNoErrors(await h.gql('{ ec2InstanceBackups(first: 3) { nodes { backupId } } }'));
    expect((await h.gql(`{ ec2InstanceBackup(backupId: "00000000-0000-4000-8000-000000000000") { backupId } }`)).data).toEqual({ ec2InstanceBackup: null });
    const after = (await scrape(`${h.gateway.url}/metrics`)).text;

    expect(h.upstream().map((r) => r.status)).toEqual([503, 200, 200, 404]);
    expect(moved(before, after, 'clumio_upstream_requests_total')).toEqual({
      'clumio_upstream_requests_total{method="GET",route="/backups/aws/ec2-instances/{id}",status="503"}': 1,
      'clumio_upstream_requests_total{method="GET",route="/backups/aws/ec2-instances/{id}",status="200"}': 1,
      'clumio_upstream_requests_total{method="GET",route="/backups/aws/ec2-instances",status="200"}': 1,
      'clumio_upstream_requests_total{method="GET",route="/backups/aws/ec2-instances/{id}",status="404"}': 1,
    });
    expect(moved(before, after, 'clumio_upstream_request_duration_seconds_count')).toEqual({
      'clumio_upstream_request_duration_seconds_count{method="GET",route="/backups/aws/ec2-instances/{id}"}': 3,
      'clumio_upstream_request_duration_seconds_count{method="GET",route="/backups/aws/ec2-instances"}': 1,
    });
    expect(moved(before, after, 'clumio_upstream_retries_total')).toEqual({
      'clumio_upstream_retries_total{method="GET",route="/backups/aws/ec2-instances/{id}",reason="503"}': 1,
    });
    expect(moved(before, after, 'graphql_gateway_operation_upstream_calls_sum')).toEqual({
      'graphql_gateway_operation_upstream_calls_sum{operation_type="query"}': 4,
    });
  });

  it('reports DataLoader batch sizes: ten ids in one operation are one batch of ten', async () => {
    const ids = h.emulator.backups.slice(0, 10).map((b) => b.id!);
    const before = (await scrape(`${h.gateway.url}/metrics`)).text;
    const aliases = ids.map((id, i) => `b${i}: ec2InstanceBackup(backupId: "${id}") { backupId }`).join('\n');
    expectNoErrors(await h.gql(`{ ${aliases} }`));
    const after = (await scrape(`${h.gateway.url}/metrics`)).text;
    expect(moved(before, after, 'graphql_gateway_dataloader_batch_size_sum')).toEqual({
      'graphql_gateway_dataloader_batch_size_sum{loader="backupById"}': 10,
    });
    expect(moved(before, after, 'graphql_gateway_dataloader_batch_size_count')).toEqual({
      'graphql_gateway_dataloader_batch_size_count{loader="backupById"}': 1,
    });
  });

  it('keeps the first 100 operation names and counts any other as __other__', async () => {
    const fresh = await startHarness({ logger: capturedLogger().logger });
    try {
      for (let i = 0; i < 101; i++) await fresh.gql(`query Name${i} { __typename }`);
      await fresh.gql('query __other__ { __typename }');
      const text = (await scrape(`${fresh.gateway.url}/metrics`)).text;
      const names = [...samples(text, 'graphql_gateway_operations_total').keys()].map((key) => /operation_name="([^"]*)"/.exec(key)![1]);
      expect(names).toHaveLength(101);
      expect(names).toContain('Name99');
      expect(names).not.toContain('Name100');
      expect(samples(text, 'graphql_gateway_operations_total').get('graphql_gateway_operations_total{operation_name="__other__",operation_type="query",outcome="ok"}')).toBe(2);
    } finally {
      await fresh.close();
    }
  });
});

describe('where /metrics is served', () => {
  it('with METRICS_PORT: on that port only; PORT answers 404 for /metrics', async () => {
    const h = await startHarness({ env: { METRICS_PORT: '0' }, logger: capturedLogger().logger });
    try {
      expect(h.gateway.metricsUrl).not.toBe(`${h.gateway.url}/metrics`);
      const own = await scrape(h.gateway.metricsUrl!);
      expect(own.status).toBe(200);
      expect(own.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
      expect((await fetch(`${h.gateway.url}/metrics`)).status).toBe(404);
      expect((await fetch(h.gateway.metricsUrl!.replace('/metrics', '/graphql'))).status).toBe(404);
    } finally {
      await h.close();
    }
  });

  it('with METRICS=false: 404 on PORT and no metrics listener', async () => {
    const h = await startHarness({ env: { METRICS: 'false', METRICS_PORT: '0' }, logger: capturedLogger().logger });
    try {
      expect(h.gateway.metricsUrl).toBeNull();
      expect((await fetch(`${h.gateway.url}/metrics`)).status).toBe(404);
    } finally {
      await h.close();
    }
  });
});

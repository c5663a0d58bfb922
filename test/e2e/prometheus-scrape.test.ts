import { capturedLogger, expectNoErrors, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { startPrometheus } from '../support/prometheus';
import type { PrometheusServer } from '../support/prometheus';

/**
 * A real Prometheus server (Debian's package) scrapes the gateway's METRICS_PORT, and what it stored
 * moved by exactly what the test sent: the dashboards and alerts built on these names will see it.
 */

let h: Harness;
let prometheus: PrometheusServer;

beforeAll(async () => {
  h = await startHarness({ env: { METRICS_PORT: '0' }, logger: capturedLogger().logger });
  prometheus = await startPrometheus({ targets: [new URL(h.gateway.metricsUrl!).host], scrapeIntervalMs: 250 });
}, 60_000);

afterAll(async () => {
  await prometheus.close();
  await h.close();
});

async function value(promql: string): Promise<number> {
  const samples = await prometheus.query(promql);
  return samples.reduce((sum, sample) => sum + sample.value, 0);
}

it('stores the operation and upstream counters with exactly the increments the test caused', async () => {
  // A first scrape after start: the baseline every increment is measured from.
  await prometheus.waitForScrapeAfter(Date.now());
  const operations = 'graphql_gateway_operations_total{job="test",operation_name="Scraped"}';
  const failed = 'graphql_gateway_operations_total{job="test",operation_name="ScrapedMissing",outcome="UPSTREAM_ERROR"}';
  const upstream = 'clumio_upstream_requests_total{job="test",route="/backups/aws/ec2-instances",status="200"}';
  const before = { operations: await value(operations), failed: await value(failed), upstream: await value(upstream) };

  for (let i = 0; i < 7; i++) expectNoErrors(await h.gql('query Scraped { ec2InstanceBackups(first: 3) { nodes { backupId } } }'));
  h.emulator.injectFault({ status: 500, times: 1 });
  const failure = await h.gql('query ScrapedMissing { ec2InstanceBackups(first: 1) { totalCount } }');
  expect(failure.errors![0]!.extensions!.code).toBe('UPSTREAM_ERROR');

  await prometheus.waitForScrapeAfter(Date.now());
  expect((await value(operations)) - before.operations).toBe(7);
  expect((await value(failed)) - before.failed).toBe(1);
  expect((await value(upstream)) - before.upstream).toBe(7);
  // The histogram is there with its buckets: a latency quantile is computable.
  const p99 = await prometheus.query(
    'histogram_quantile(0.99, sum by (le) (graphql_gateway_operation_duration_seconds_bucket{job="test",operation_name="Scraped"}))',
  );
  expect(p99).toHaveLength(1);
  expect(p99[0]!.value).toBeGreaterThan(0);
  // Node's own process metrics come along.
  expect(await value('process_resident_memory_bytes{job="test"}')).toBeGreaterThan(0);
}, 60_000);

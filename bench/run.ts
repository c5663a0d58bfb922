/**
 * `npm run bench`: the gateway against the Clumio emulator hit directly, in one run, on this machine.
 *
 * The emulator and the gateway each run in their own child process (the built dist/ code), so each
 * one's CPU time and memory are its own; autocannon drives the load from this process over loopback.
 * For every representative operation it measures the gateway and the equivalent REST request on the
 * emulator: req/s, p50/p99 latency, CPU time per request, RSS, and upstream calls per response
 * (counted by the emulator), next to the page planner's minimum. It runs once with an instant
 * upstream and once with a realistic upstream latency, prints tables, ratios and the targets, and
 * writes bench-results/latest.json and latest.svg.
 *
 * Environment: BENCH_DURATION_S (seconds per row, default 3), BENCH_CONNECTIONS (default 10),
 * BENCH_LATENCY_MS (the realistic upstream latency, default 50), BENCH_OUT (output folder),
 * BENCH_NODE_ENV (the gateway's NODE_ENV, default production as in the Dockerfile),
 * BENCH_GATEWAY_FLAGS (the gateway's Node flags, default as `npm start` runs it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { EC2_BACKUPS_MEDIA_TYPE } from '../src/clumio/wire-types';
import type { WireEc2BackupList } from '../src/clumio/wire-types';
import { DEFAULT_EMULATOR_TOKEN } from '../src/emulator';
import { BenchChild } from './bench-child';
import { renderChart } from './chart';
import { benchOperations } from './operations';
import type { BenchFixture, BenchOperation, RestRequest } from './operations';
import { load } from './load';
import type { LoadOptions } from './load';
import { evaluateTargets, formatReport } from './report';
import type { BenchResults, BenchRow, BenchRun } from './report';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? '3');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? '10');
/** The connection count of the memory row (the RSS target is stated at 100 connections). */
const MANY_CONNECTIONS = 100;
const WARMUP_S = 1;
const UPSTREAM_LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? '50');
const OUT = resolve(process.env.BENCH_OUT ?? 'bench-results');

const AUTHORIZATION = `Bearer ${DEFAULT_EMULATOR_TOKEN}`;
const MB = 1024 * 1024;

/** The gateway as it would be deployed, forwarding each caller's token; only the cache TTL varies. */
function gatewayEnv(emulatorUrl: string, cached: boolean): Record<string, string | undefined> {
  return {
    // As the Dockerfile runs it: graphql-js skips its development-only checks.
    NODE_ENV: process.env.BENCH_NODE_ENV ?? 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    CLUMIO_API_URL: emulatorUrl,
    CLUMIO_API_TOKEN: '',
    LOG_LEVEL: 'error',
    REDIS_URL: '',
    // One caller and one token: Clumio's 100 req/s budget would cap every row at 100 upstream calls
    // per second and measure the limiter, not the gateway. The limiter is off in the benchmark.
    CLUMIO_RATE_LIMIT_RPS: '0',
    // Cache off except for the cached row, which uses the default TTL.
    RESPONSE_CACHE_TTL_MS: cached ? undefined : '0',
  };
}

const script = (name: string): string => join(__dirname, name);

/** The gateway's Node flags, as `npm start` and the Dockerfile run it (BENCH_GATEWAY_FLAGS overrides). */
const GATEWAY_FLAGS = (process.env.BENCH_GATEWAY_FLAGS ?? '--max-old-space-size=256').split(' ').filter(Boolean);

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const started = Date.now();
  const runs: BenchRun[] = [];
  for (const latencyMs of [0, UPSTREAM_LATENCY_MS]) runs.push(await benchRun(latencyMs));

  const results: BenchResults = {
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, loadavgAtEnd: loadavg() },
    settings: {
      durationSeconds: DURATION_S,
      warmupSeconds: WARMUP_S,
      connections: CONNECTIONS,
      manyConnections: MANY_CONNECTIONS,
      gateway: { nodeEnv: process.env.BENCH_NODE_ENV ?? 'production', flags: GATEWAY_FLAGS, rateLimiter: 'off', responseCache: 'off except cachedPage20 (default TTL)' },
    },
    runs,
    targets: [],
    elapsedSeconds: 0,
  };
  results.targets = evaluateTargets(results);
  results.elapsedSeconds = Math.round((Date.now() - started) / 1000);
  console.log(formatReport(results));
  writeFileSync(join(OUT, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(OUT, 'latest.svg'), renderChart(results));
  console.log(`\nwrote ${join(OUT, 'latest.json')} and ${join(OUT, 'latest.svg')} (${results.elapsedSeconds} s)`);
}

async function benchRun(latencyMs: number): Promise<BenchRun> {
  console.log(`\n== upstream latency ${latencyMs} ms ==`);
  const emulator = await BenchChild.start(script('emulator-process.js'), { BENCH_LATENCY_MS: String(latencyMs) });
  const children: BenchChild[] = [emulator];
  try {
    const operations = benchOperations(await fixture(emulator.url));
    const rows: BenchRow[] = [];

    // The emulator hit directly, once per distinct REST request.
    const restRequests = new Map<string, RestRequest>();
    for (const op of operations) restRequests.set(op.rest.path, op.rest);
    for (const rest of restRequests.values()) {
      rows.push(await measure(latencyMs, 'emulator', rest.name, rest.path, emulator, emulator, restLoad(emulator.url, rest), CONNECTIONS));
    }

    const gateway = await BenchChild.start(script('gateway-process.js'), gatewayEnv(emulator.url, false), GATEWAY_FLAGS);
    children.push(gateway);
    for (const op of operations.filter((o) => !o.cached)) {
      rows.push(await measureOperation(latencyMs, op, gateway, emulator, CONNECTIONS));
    }
    if (latencyMs === 0) {
      const page20 = operations.find((o) => o.name === 'page20') as BenchOperation;
      rows.push(await measureOperation(latencyMs, page20, gateway, emulator, MANY_CONNECTIONS));
    }
    await gateway.stop();

    const cachedGateway = await BenchChild.start(script('gateway-process.js'), gatewayEnv(emulator.url, true), GATEWAY_FLAGS);
    children.push(cachedGateway);
    for (const op of operations.filter((o) => o.cached)) {
      rows.push(await measureOperation(latencyMs, op, cachedGateway, emulator, CONNECTIONS));
    }
    return { latencyMs, operations: operations.map(({ name, description, rest, minimumUpstream }) => ({ name, description, rest: rest.name, minimumUpstream })), rows };
  } finally {
    for (const child of children.reverse()) await child.stop();
  }
}

/** Data the operations need, read from the emulator itself. */
async function fixture(emulatorUrl: string): Promise<BenchFixture> {
  const response = await fetch(`${emulatorUrl}/backups/aws/ec2-instances?limit=100&start=1&sort=-start_timestamp`, {
    headers: { authorization: AUTHORIZATION, accept: EC2_BACKUPS_MEDIA_TYPE },
  });
  const items = ((await response.json()) as WireEc2BackupList)._embedded?.items ?? [];
  return {
    instancesOfNewest20: items.slice(0, 20).map((item) => item.instance_id ?? ''),
    // Every other backup: no two adjacent, so nothing in the fixture hints at a page.
    backupIds: items.filter((_, i) => i % 2 === 0).map((item) => item.id ?? ''),
  };
}

function restLoad(emulatorUrl: string, rest: RestRequest): Omit<LoadOptions, 'connections' | 'durationSeconds'> {
  return { url: emulatorUrl + rest.path, method: 'GET', headers: { authorization: AUTHORIZATION, accept: EC2_BACKUPS_MEDIA_TYPE } };
}

function graphqlLoad(gatewayUrl: string, op: BenchOperation): Omit<LoadOptions, 'connections' | 'durationSeconds'> {
  return {
    url: `${gatewayUrl}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: AUTHORIZATION },
    body: JSON.stringify({ query: op.query, variables: op.variables ?? {} }),
  };
}

async function measureOperation(
  latencyMs: number,
  op: BenchOperation,
  gateway: BenchChild,
  emulator: BenchChild,
  connections: number,
): Promise<BenchRow> {
  const request = graphqlLoad(gateway.url, op);
  const row = await measure(latencyMs, 'gateway', op.name, op.rest.name, gateway, emulator, request, connections, async () => {
    // One response on its own: it must be complete, and its upstream calls are counted exactly.
    const before = (await emulator.stats()).requestCount ?? 0;
    const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body ?? null });
    const body = (await response.json()) as { errors?: unknown[]; data?: unknown };
    if (response.status !== 200 || body.errors || !body.data) {
      throw new Error(`${op.name} failed (${response.status}): ${JSON.stringify(body).slice(0, 500)}`);
    }
    return ((await emulator.stats()).requestCount ?? 0) - before;
  });
  return { ...row, minimumUpstream: op.minimumUpstream };
}

/** Warm up, probe once, then measure one row: load, CPU and memory of `server`, upstream calls seen by `emulator`. */
async function measure(
  latencyMs: number,
  target: 'gateway' | 'emulator',
  operation: string,
  rest: string,
  server: BenchChild,
  emulator: BenchChild,
  request: Omit<LoadOptions, 'connections' | 'durationSeconds'>,
  connections: number,
  probe?: () => Promise<number>,
): Promise<BenchRow> {
  await load({ ...request, connections, durationSeconds: WARMUP_S });
  // Requests the load generator abandoned at the end of the warm-up may still be calling upstream.
  await settled(emulator);
  const upstreamProbe = probe ? await probe() : undefined;
  const [serverBefore, emulatorBefore] = [await server.stats(), await emulator.stats()];
  const result = await load({ ...request, connections, durationSeconds: DURATION_S });
  const [serverAfter, emulatorAfter] = [await server.stats(), await emulator.stats()];
  const upstreamCalls = (emulatorAfter.requestCount ?? 0) - (emulatorBefore.requestCount ?? 0);
  const row: BenchRow = {
    latencyMs,
    target,
    operation,
    rest,
    connections,
    ...result,
    cpuMsPerRequest: (serverAfter.cpuMicros - serverBefore.cpuMicros) / 1000 / Math.max(1, result.requests),
    rssMb: serverAfter.rss / MB,
    peakRssMb: serverAfter.maxRss / MB,
    ...(target === 'gateway' ? { upstreamPerResponse: upstreamCalls / Math.max(1, result.requests) } : {}),
    ...(upstreamProbe === undefined ? {} : { upstreamProbe }),
  };
  console.log(
    `${target.padEnd(8)} ${operation.padEnd(14)} c=${String(connections).padStart(3)} ${row.rps.toFixed(0).padStart(6)} req/s` +
      `  p50 ${row.p50} ms  p99 ${row.p99} ms  cpu ${row.cpuMsPerRequest.toFixed(3)} ms/req` +
      (row.upstreamPerResponse === undefined ? '' : `  upstream/resp ${row.upstreamPerResponse.toFixed(2)}`),
  );
  return row;
}

/**
 * Waits (bounded, 10 s) until the emulator has received no request for 600 ms: requests the load
 * generator abandoned may sit in the gateway's queue for a while before they call upstream.
 */
async function settled(emulator: BenchChild): Promise<void> {
  let last = -1;
  let quiet = 0;
  for (let i = 0; i < 50 && quiet < 3; i++) {
    const count = (await emulator.stats()).requestCount ?? 0;
    quiet = count === last ? quiet + 1 : 0;
    last = count;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

main().catch((error: unknown) => {
  console.error('bench failed:', error);
  process.exit(1);
});

/**
 * `npm run bench`: the gateway against reference servers and the Clumio emulator hit directly, in
 * one run, on this machine.
 *
 * Every server runs in its own child process (the built dist/ code), so each one's CPU time and
 * memory are its own; autocannon drives the load from this process over loopback. Per upstream
 * latency (instant, then BENCH_LATENCY_MS) one emulator child serves them all:
 *   - the gateway (as deployed; a second gateway process with the response cache on serves the
 *     cachedPage20 row),
 *   - `floor`: node:http + undici + JSON.parse/stringify, no GraphQL (the least any Node server
 *     spends for the same I/O and JSON work),
 *   - `apollo`: Apollo Server 5 + RESTDataSource over a hand-written schema (what a frontend team
 *     would write),
 *   - `yoga-jit`: yoga's defaults and graphql-jit over the same schema (what yoga itself costs),
 *   - and the REST request a Clumio client would send, against the emulator itself.
 * Before any load, every server answers every operation once: that response must have data and no
 * errors, the reference servers' data must equal the gateway's, and the upstream calls it cost are
 * counted (by the emulator) next to the page planner's minimum. Then each row (target × operation)
 * is measured BENCH_ROUNDS times, all rows of round 1 before any of round 2, so noise on this shared
 * machine hits every target alike; every cell reports the median of its rounds. The report prints the
 * tables, the gateway's ratios to the floor and to Apollo, and the targets, and writes
 * bench-results/latest.json and latest.svg (latest-node<major>.* on another Node than 20).
 *
 * Environment: BENCH_DURATION_S (seconds per measured row, default 1), BENCH_WARMUP_S (seconds of
 * warm-up per row, before its first round only, default 0.5), BENCH_ROUNDS (default 3),
 * BENCH_CONNECTIONS (default 10), BENCH_LATENCY_MS (the realistic upstream latency, default 50),
 * BENCH_OUT (output folder), BENCH_NODE_ENV (every server's NODE_ENV, default production as in the
 * Dockerfile), BENCH_NODE_FLAGS (every server's Node flags, default as `npm start` runs the gateway;
 * BENCH_GATEWAY_FLAGS, its old name, still works), MALLOC_ARENA_MAX (default 2, as `npm start`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { EC2_BACKUPS_MEDIA_TYPE } from '../src/clumio/wire-types';
import type { WireEc2BackupList } from '../src/clumio/wire-types';
import { DEFAULT_EMULATOR_TOKEN } from '../src/emulator';
import { BenchChild } from './bench-child';
import { renderChart } from './chart';
import { benchOperations } from './operations';
import type { BenchFixture, BenchOperation, RestRequest } from './operations';
import { load } from './load';
import type { LoadOptions, LoadResult } from './load';
import { TARGET_ORDER, evaluateTargets, formatReport } from './report';
import type { BenchResults, BenchRow, BenchRun, ChildInfo, RoundSample, SkippedCell, TargetName } from './report';

// Short rows: 4 servers × 8 operations (5 of them at 50 ms upstream), the gateway's extra rows and the
// REST rows, 3 rounds each (about 200 measured rows), must fit in about 6 minutes on 2 cores. The
// rounds' median, not a long row, is what tames the noise.
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? '1');
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? '0.5');
const ROUNDS = Math.max(1, Math.round(Number(process.env.BENCH_ROUNDS ?? '3')));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? '10');
/** The connection count of the memory row (the RSS target is stated at 100 connections). */
const MANY_CONNECTIONS = 100;
/** How often a row samples its server's RSS. */
const RSS_SAMPLE_MS = 100;
const UPSTREAM_LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? '50');
const OUT = resolve(process.env.BENCH_OUT ?? 'bench-results');
const NODE_ENV = process.env.BENCH_NODE_ENV ?? 'production';
/** Every server's Node flags: the gateway's as `npm start` and the Dockerfile run it, the same for the references so only code differs. */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? process.env.BENCH_GATEWAY_FLAGS ?? '--max-old-space-size=256 --max-semi-space-size=16')
  .split(' ')
  .filter(Boolean);
/** Every server's glibc arenas, as `npm start` and the Dockerfile set them (README, Performance: memory). */
const MALLOC_ARENA_MAX = process.env.MALLOC_ARENA_MAX ?? '2';
/** The gateway's response cache TTL in the cachedPage20 row, set explicitly (the default may change). */
const CACHE_TTL_MS = '5000';

const REFERENCE_TARGETS = TARGET_ORDER.filter((t) => t !== 'gateway');

const AUTHORIZATION = `Bearer ${DEFAULT_EMULATOR_TOKEN}`;
const MB = 1024 * 1024;

type Request = Omit<LoadOptions, 'connections' | 'durationSeconds'>;

const script = (name: string): string => join(__dirname, name);

/** The gateway as it would be deployed, forwarding each caller's token; only the cache TTL varies. */
function gatewayEnv(emulatorUrl: string, variant: BenchOperation['gatewayProcess']): Record<string, string | undefined> {
  return {
    // As the Dockerfile runs it: graphql-js skips its development-only checks.
    NODE_ENV,
    PORT: '0',
    HOST: '127.0.0.1',
    CLUMIO_API_URL: emulatorUrl,
    CLUMIO_API_TOKEN: '',
    // As deployed: one JSON line per operation (to /dev/null here: the children's stdout is ignored).
    LOG_LEVEL: 'info',
    REDIS_URL: '',
    // One caller and one token: Clumio's 100 req/s budget would cap every row at 100 upstream calls
    // per second and measure the limiter, not the gateway. The limiter is off in the benchmark.
    CLUMIO_RATE_LIMIT_RPS: '0',
    RESPONSE_CACHE_TTL_MS: variant === 'cached' ? CACHE_TTL_MS : '0',
    METRICS: variant === 'telemetryOff' ? 'false' : 'true',
    ...(variant === 'traced' ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlpSink.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' } : {}),
  };
}

/**
 * Where the `traced` gateway exports its spans: a receiver in this process that reads each export
 * and answers as a collector would (an empty ExportTraceServiceResponse). The gateway's CPU is what
 * is measured, so the receiver's own cost does not count.
 */
const otlpSink = { url: '', exports: 0, bytes: 0 };
async function startOtlpSink(): Promise<Server> {
  const server = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (otlpSink.bytes += chunk.length));
    request.on('end', () => {
      otlpSink.exports++;
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  otlpSink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return server;
}

interface ServerSpec {
  target: TargetName;
  /** Label of the process in the results (the cached gateway is a second gateway process). */
  process: string;
  script: string;
  env: (emulatorUrl: string) => Record<string, string | undefined>;
  /** Whether this process serves the operation (cached rows run only on the cached gateway). */
  serves: (op: BenchOperation) => boolean;
}

const referenceEnv = (extra: Record<string, string> = {}) => (emulatorUrl: string) => ({ NODE_ENV, CLUMIO_API_URL: emulatorUrl, ...extra });

const SERVERS: ServerSpec[] = [
  { target: 'gateway', process: 'gateway', script: 'gateway-process.js', env: (url) => gatewayEnv(url, undefined), serves: (op) => !op.gatewayProcess },
  { target: 'gateway', process: 'gateway (cache on)', script: 'gateway-process.js', env: (url) => gatewayEnv(url, 'cached'), serves: (op) => op.gatewayProcess === 'cached' },
  {
    target: 'gateway',
    process: 'gateway (telemetry off)',
    script: 'gateway-process.js',
    env: (url) => gatewayEnv(url, 'telemetryOff'),
    serves: (op) => op.gatewayProcess === 'telemetryOff',
  },
  {
    target: 'gateway',
    process: 'gateway (telemetry default)',
    script: 'gateway-process.js',
    env: (url) => gatewayEnv(url, 'telemetryDefault'),
    serves: (op) => op.gatewayProcess === 'telemetryDefault',
  },
  { target: 'gateway', process: 'gateway (traced)', script: 'gateway-process.js', env: (url) => gatewayEnv(url, 'traced'), serves: (op) => op.gatewayProcess === 'traced' },
  { target: 'floor', process: 'floor', script: 'floor-process.js', env: referenceEnv(), serves: (op) => !op.gatewayOnly },
  { target: 'apollo', process: 'apollo', script: 'apollo-process.js', env: referenceEnv(), serves: (op) => !op.gatewayOnly },
  { target: 'yoga-jit', process: 'yoga-jit', script: 'yoga-jit-process.js', env: referenceEnv(), serves: (op) => !op.gatewayOnly },
];

/** One measured row: what it loads and how, and its samples over the rounds. */
interface Cell {
  target: TargetName | 'emulator';
  operation: string;
  rest: string;
  connections: number;
  server: BenchChild;
  request: Request;
  minimumUpstream?: number;
  upstreamProbe?: number;
  samples: RoundSample[];
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const started = Date.now();
  const loadavgAtStart = loadavg();
  const runs: BenchRun[] = [];
  const sink = await startOtlpSink();
  try {
    for (const latencyMs of [0, UPSTREAM_LATENCY_MS]) runs.push(await benchRun(latencyMs));
  } finally {
    sink.close();
  }
  console.log(`the traced gateway exported ${otlpSink.exports} OTLP requests, ${(otlpSink.bytes / MB).toFixed(1)} MB`);

  const results: BenchResults = {
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, loadavgAtStart, loadavgAtEnd: loadavg() },
    settings: {
      durationSeconds: DURATION_S,
      warmupSeconds: WARMUP_S,
      rounds: ROUNDS,
      connections: CONNECTIONS,
      manyConnections: MANY_CONNECTIONS,
      nodeEnv: NODE_ENV,
      nodeFlags: NODE_FLAGS,
      gateway: {
        rateLimiter: 'off',
        responseCache: `off except cachedPage20 (RESPONSE_CACHE_TTL_MS=${CACHE_TTL_MS})`,
        telemetry: 'JSON logs at info (to /dev/null), metrics on, spans minted but not exported; page20TelemetryOff: METRICS=false; page20Traced: every span exported over OTLP/protobuf',
      },
    },
    runs,
    targets: [],
    elapsedSeconds: 0,
  };
  results.targets = evaluateTargets(results);
  results.elapsedSeconds = Math.round((Date.now() - started) / 1000);
  console.log(formatReport(results));
  const major = process.versions.node.split('.')[0];
  // The Node 20 run keeps the documented name; another Node's run (npm run bench:node24) sits beside it.
  const stem = major === '20' ? 'latest' : `latest-node${major}`;
  writeFileSync(join(OUT, `${stem}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(OUT, `${stem}.svg`), renderChart(results));
  console.log(`\nwrote ${join(OUT, `${stem}.json`)} and ${join(OUT, `${stem}.svg`)} (${results.elapsedSeconds} s)`);
}

async function benchRun(latencyMs: number): Promise<BenchRun> {
  console.log(`\n== upstream latency ${latencyMs} ms ==`);
  const emulator = await BenchChild.start(script('emulator-process.js'), { BENCH_LATENCY_MS: String(latencyMs) });
  const children: Array<{ spec: ServerSpec | null; child: BenchChild }> = [{ spec: null, child: emulator }];
  try {
    const operations = benchOperations(await fixture(emulator.url)).filter((op) => latencyMs === 0 || !op.instantOnly);
    const startedAt = Date.now();
    const seconds = (): string => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
    for (const spec of SERVERS) {
      children.push({ spec, child: await BenchChild.start(script(spec.script), { MALLOC_ARENA_MAX, ...spec.env(emulator.url) }, NODE_FLAGS) });
    }
    const childInfo: ChildInfo[] = children.map(({ spec, child }) => ({ process: spec?.process ?? 'emulator', pid: child.pid ?? 0, ...child.runtime }));
    for (const info of childInfo) {
      // fork() runs children on this process's binary; a child on another Node would make the run's label a lie.
      if (info.node !== process.version) throw new Error(`${info.process} runs Node ${info.node}, the benchmark ${process.version}`);
    }
    console.log(`servers started (${seconds()}); children on Node ${process.version}: ${childInfo.map((c) => `${c.process} ${c.execArgv.join(' ') || '(no flags)'}`).join('; ')}`);

    const cells: Cell[] = [];
    const skipped: SkippedCell[] = [];
    const restCells = new Map<string, Cell>();
    const gatewayData = new Map<string, unknown>();
    for (const op of operations) {
      if (!restCells.has(op.rest.path)) {
        const cell: Cell = { target: 'emulator', operation: op.rest.name, rest: op.rest.name, connections: CONNECTIONS, server: emulator, request: restRequest(emulator.url, op.rest), samples: [] };
        await probeRest(cell);
        restCells.set(op.rest.path, cell);
        cells.push(cell);
      }
      const notServing: string[] = [];
      for (const { spec, child } of children) {
        if (!spec) continue;
        if (!spec.serves(op)) {
          if (spec.target !== 'gateway') notServing.push(spec.target);
          continue;
        }
        const request = await graphqlRequest(child, op);
        const { data, upstreamCalls } = await probe(spec.target, op, request, emulator);
        // The gateway's answer is the reference; every other server must give the same data.
        if (spec.target === 'gateway') gatewayData.set(op.name, data);
        else assertSameData(op.name, spec.target, gatewayData.get(op.name), data);
        cells.push({ target: spec.target, operation: op.name, rest: op.rest.name, connections: CONNECTIONS, server: child, request, minimumUpstream: op.minimumUpstream, upstreamProbe: upstreamCalls, samples: [] });
      }
      if (notServing.length > 0) skipped.push({ targets: notServing, operation: op.name, reason: op.gatewayOnly ?? 'not served' });
    }
    if (latencyMs === 0) {
      // The memory row: the gateway only (the RSS target is the gateway's).
      const page20 = cells.find((c) => c.target === 'gateway' && c.operation === 'page20');
      if (page20) cells.push({ ...page20, connections: MANY_CONNECTIONS, samples: [] });
      skipped.push({ targets: REFERENCE_TARGETS, operation: `page20 at ${MANY_CONNECTIONS} connections`, reason: "the row serves the gateway's RSS target only" });
    }

    const defaultGateway = children.find(({ spec }) => spec?.process === 'gateway')?.child;
    console.log(`every server answered every operation once, with the gateway's data (${seconds()})`);
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`-- round ${round} of ${ROUNDS} (${seconds()}) --`);
      for (const cell of cells) {
        // JIT and connection warm-up once per row; later rounds find the process warm.
        // A gateway process that serves one row only (cache on, telemetry off, traced) has not been
        // warmed by the rows before it, as the default gateway's code has: it gets six times as long.
        const warmup = cell.target === 'gateway' && cell.server !== defaultGateway ? WARMUP_S * 6 : WARMUP_S;
        if (round === 1 && warmup > 0) await load({ ...cell.request, connections: cell.connections, durationSeconds: warmup });
        await settled(emulator);
        cell.samples.push(await measure(cell, emulator));
      }
    }
    const rows = cells.map((cell) => medianRow(latencyMs, cell));
    return {
      latencyMs,
      operations: operations.map(({ name, description, rest, minimumUpstream }) => ({ name, description, rest: rest.name, minimumUpstream })),
      rows,
      skipped,
      children: childInfo,
    };
  } finally {
    for (const { child } of children.reverse()) await child.stop();
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

function restRequest(emulatorUrl: string, rest: RestRequest): Request {
  return { url: emulatorUrl + rest.path, method: 'GET', headers: { authorization: AUTHORIZATION, accept: EC2_BACKUPS_MEDIA_TYPE } };
}

function graphqlBody(op: BenchOperation, variables: Record<string, unknown> | undefined): Request {
  return {
    url: '',
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: AUTHORIZATION },
    body: JSON.stringify({ query: op.query, operationName: op.operationName, variables: variables ?? {} }),
  };
}

/** The request a server gets for `op`: the same body for every server, except the cursor of a next page, which is each server's own. */
async function graphqlRequest(server: BenchChild, op: BenchOperation): Promise<Request> {
  let variables = op.variables;
  if (op.afterFirstPage) {
    // The same document without `after`: the first page, whose endCursor this server issued.
    const firstPage = await postGraphql({ ...graphqlBody(op, {}), url: `${server.url}/graphql` }, `${op.name}'s first page`);
    const endCursor = (firstPage.data as { ec2InstanceBackups?: { pageInfo?: { endCursor?: unknown } } }).ec2InstanceBackups?.pageInfo?.endCursor;
    if (typeof endCursor !== 'string') throw new Error(`${server.url}: the first page of ${op.name} has no endCursor`);
    variables = { ...variables, after: endCursor };
  }
  return { ...graphqlBody(op, variables), url: `${server.url}/graphql` };
}

/** One GraphQL response, which must be complete: HTTP 200, data, no errors. Anything else stops the bench. */
async function postGraphql(request: Request, what: string): Promise<{ data: unknown }> {
  const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body ?? null });
  const text = await response.text();
  let body: { errors?: unknown[]; data?: unknown } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  if (response.status !== 200 || !body || body.errors || body.data == null) {
    throw new Error(`${what} failed (${request.url}, HTTP ${response.status}): ${text.slice(0, 600)}\nrequest body: ${(request.body ?? '').slice(0, 300)}`);
  }
  return { data: body.data };
}

/** One response of `op` measured on its own: it must be complete, and its upstream calls are counted exactly. */
async function probe(target: TargetName, op: BenchOperation, request: Request, emulator: BenchChild): Promise<{ data: unknown; upstreamCalls: number }> {
  const what = `${target} ${op.name}`;
  // A cached row is measured on repeats: the first answer fills the cache, the probe is the second.
  if (op.gatewayProcess === 'cached') await postGraphql(request, what);
  const before = (await emulator.stats()).requestCount ?? 0;
  const { data } = await postGraphql(request, what);
  return { data, upstreamCalls: ((await emulator.stats()).requestCount ?? 0) - before };
}

async function probeRest(cell: Cell): Promise<void> {
  const response = await fetch(cell.request.url, { headers: cell.request.headers });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`emulator ${cell.operation} answered HTTP ${response.status}`);
}

/** Cursors and global IDs are each server's own format: for them only the shape must agree. */
const SHAPE_ONLY = new Set(['cursor', 'startCursor', 'endCursor', 'id']);

/** The first difference between two responses' data (values, key order, cursor shapes), or undefined. */
function difference(expected: unknown, actual: unknown, path: string): string | undefined {
  const key = path.slice(path.lastIndexOf('.') + 1);
  if (SHAPE_ONLY.has(key)) {
    const shape = (v: unknown): string => (typeof v === 'string' && v.length > 0 ? 'string' : JSON.stringify(v));
    return shape(expected) === shape(actual) ? undefined : `${path}: ${JSON.stringify(expected)} vs ${JSON.stringify(actual)}`;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) return `${path}: ${expected.length} items vs ${actual.length}`;
    for (let i = 0; i < expected.length; i++) {
      const found = difference(expected[i], actual[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (expected && actual && typeof expected === 'object' && typeof actual === 'object' && !Array.isArray(expected) && !Array.isArray(actual)) {
    const [keysE, keysA] = [Object.keys(expected), Object.keys(actual)];
    // Same keys in the same order: a GraphQL response follows its selection, so the bytes line up too.
    if (!isDeepStrictEqual(keysE, keysA)) return `${path}: keys ${keysE.join(',')} vs ${keysA.join(',')}`;
    for (const k of keysE) {
      const found = difference((expected as Record<string, unknown>)[k], (actual as Record<string, unknown>)[k], `${path}.${k}`);
      if (found) return found;
    }
    return undefined;
  }
  return isDeepStrictEqual(expected, actual) ? undefined : `${path}: ${JSON.stringify(expected)} vs ${JSON.stringify(actual)}`;
}

function assertSameData(operation: string, target: TargetName, gateway: unknown, data: unknown): void {
  if (gateway === undefined) throw new Error(`${operation}: no gateway answer to compare ${target}'s with`);
  const found = difference(gateway, data, 'data');
  if (found) throw new Error(`${target} answers ${operation} with other data than the gateway: ${found}`);
}

/** One round of one row: load, CPU and memory of its server, upstream calls seen by the emulator. */
async function measure(cell: Cell, emulator: BenchChild): Promise<RoundSample> {
  const [serverBefore, emulatorBefore] = await Promise.all([cell.server.stats(), emulator.stats()]);
  // The process's own maxRSS never falls, so it would carry one row's peak into every later row;
  // sampling RSS during the row gives this row's peak.
  let peakRss = serverBefore.rss;
  const row = { loading: true };
  const sampler = (async () => {
    while (row.loading) {
      await new Promise((resolve) => setTimeout(resolve, RSS_SAMPLE_MS));
      peakRss = Math.max(peakRss, (await cell.server.stats()).rss);
    }
  })();
  const result: LoadResult = await load({ ...cell.request, connections: cell.connections, durationSeconds: DURATION_S });
  row.loading = false;
  await sampler;
  const [serverAfter, emulatorAfter] = await Promise.all([cell.server.stats(), emulator.stats()]);
  const upstreamCalls = (emulatorAfter.requestCount ?? 0) - (emulatorBefore.requestCount ?? 0);
  const sample: RoundSample = {
    ...result,
    cpuMsPerRequest: (serverAfter.cpuMicros - serverBefore.cpuMicros) / 1000 / Math.max(1, result.requests),
    rssMb: serverAfter.rss / MB,
    peakRssMb: Math.max(peakRss, serverAfter.rss) / MB,
    processMaxRssMb: serverAfter.maxRss / MB,
    ...(cell.target === 'emulator' ? {} : { upstreamPerResponse: upstreamCalls / Math.max(1, result.requests) }),
  };
  console.log(
    `${cell.target.padEnd(12)} ${cell.operation.padEnd(21)} c=${String(cell.connections).padStart(3)} ${sample.rps.toFixed(0).padStart(6)} req/s` +
      `  p50 ${sample.p50} ms  p99 ${sample.p99} ms  cpu ${sample.cpuMsPerRequest.toFixed(3)} ms/req` +
      (sample.upstreamPerResponse === undefined ? '' : `  upstream/resp ${sample.upstreamPerResponse.toFixed(2)}`),
  );
  return sample;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};

/** The row as reported: the median of its rounds for every figure, failures summed, memory at its peak. */
function medianRow(latencyMs: number, cell: Cell): BenchRow {
  const { samples } = cell;
  const of = (pick: (s: RoundSample) => number): number => median(samples.map(pick));
  const upstream = samples.flatMap((s) => (s.upstreamPerResponse === undefined ? [] : [s.upstreamPerResponse]));
  const rps = samples.map((s) => s.rps);
  return {
    latencyMs,
    target: cell.target,
    operation: cell.operation,
    rest: cell.rest,
    connections: cell.connections,
    requests: of((s) => s.requests),
    rps: of((s) => s.rps),
    rpsSpread: (Math.max(...rps) - Math.min(...rps)) / Math.max(1e-9, median(rps)),
    p50: of((s) => s.p50),
    p99: of((s) => s.p99),
    non2xx: samples.reduce((sum, s) => sum + s.non2xx, 0),
    errors: samples.reduce((sum, s) => sum + s.errors, 0),
    cpuMsPerRequest: of((s) => s.cpuMsPerRequest),
    rssMb: samples[samples.length - 1]?.rssMb ?? NaN,
    peakRssMb: Math.max(...samples.map((s) => s.peakRssMb)),
    processMaxRssMb: Math.max(...samples.map((s) => s.processMaxRssMb)),
    ...(upstream.length > 0 ? { upstreamPerResponse: median(upstream) } : {}),
    ...(cell.upstreamProbe === undefined ? {} : { upstreamProbe: cell.upstreamProbe }),
    ...(cell.minimumUpstream === undefined ? {} : { minimumUpstream: cell.minimumUpstream }),
    rounds: samples,
  };
}

/**
 * Waits (bounded, 8 s) until the emulator has received no request for 120 ms: requests the load
 * generator abandoned at a row's end may still be calling upstream, and would count (and cost CPU)
 * in the next row. 120 ms is more than twice the realistic upstream latency: a request still
 * working sends its next call well within it.
 */
async function settled(emulator: BenchChild): Promise<void> {
  const quietPolls = 3;
  let last = -1;
  let quiet = 0;
  for (let i = 0; i < 200 && quiet < quietPolls; i++) {
    const count = (await emulator.stats()).requestCount ?? 0;
    quiet = count === last ? quiet + 1 : 0;
    last = count;
    if (quiet < quietPolls) await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

main().catch((error: unknown) => {
  console.error('bench failed:', error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});

import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Pool } from 'undici';
import { DEFAULT_EMULATOR_TOKEN, createClumioEmulator } from '../../src/emulator';
import type { ClumioEmulator } from '../../src/emulator';
import { compileGateway, killStrayGateways, startGatewayProcess } from '../support/gateway-process';
import type { GatewayBuild, GatewayProcess } from '../support/gateway-process';
import { startHaproxy } from '../support/haproxy';
import type { Haproxy, ServerStat } from '../support/haproxy';
import { startRedis } from '../support/redis-server';
import type { TestRedis } from '../support/redis-server';

/**
 * Scale-out: three real gateway processes (`node dist/src/main.js`) behind a real HAProxy
 * (test/support/haproxy.ts, production settings with fast checks), one real Redis, one in-process
 * Clumio emulator that answers 429 beyond its rate limit.
 *
 * - The replicas share one upstream budget through Redis: under more demand than Clumio allows, the
 *   emulator answers no 429 and every operation succeeds; the same load on three replicas without
 *   Redis gets 429s (the control run, so the first claim can fail).
 * - A rolling restart (SIGTERM, exit, start on the same port, UP in HAProxy, next) under steady
 *   keep-alive load loses no request.
 * - A replica killed with SIGKILL under load: what is lost is counted and printed; HAProxy marks it DOWN.
 * - HAProxy re-sends a query whose replica dropped the connection, never a mutation.
 *
 * Every step waits for a condition (a log line, HAProxy's view of a replica, a counter), never a sleep.
 */

/** The emulator's limit and every gateway's CLUMIO_RATE_LIMIT_RPS. */
const LIMIT = 40;
const REPLICAS = 3;

let build: GatewayBuild;
let redis: TestRedis;

beforeAll(async () => {
  build = compileGateway('scale-out-test');
  redis = await startRedis();
}, 120_000);

afterAll(async () => {
  await killStrayGateways();
  await redis.close();
  build.remove();
});

/** Three replicas behind HAProxy, and how to restart one on its port. */
interface Cluster {
  emulator: ClumioEmulator;
  haproxy: Haproxy;
  /** The replica now serving as gwN, index N-1. */
  replicas: GatewayProcess[];
  /** Every process that served as gwN, the current one last (their logs count requests). */
  history: GatewayProcess[][];
  start(index: number): Promise<GatewayProcess>;
  close(): Promise<void>;
}

async function startCluster(options: { redis: boolean }): Promise<Cluster> {
  const emulator = createClumioEmulator({ rateLimitPerSecond: LIMIT });
  await emulator.listen();
  const env = (port: number): Record<string, string> => ({
    PORT: String(port),
    CLUMIO_API_URL: emulator.url,
    CLUMIO_API_TOKEN: DEFAULT_EMULATOR_TOKEN,
    CLUMIO_RATE_LIMIT_RPS: String(LIMIT),
    // Every operation is one upstream call: nothing answered from a cache.
    RESPONSE_CACHE_TTL_MS: '0',
    SHUTDOWN_GRACE_MS: '10000',
    ...(options.redis ? { REDIS_URL: redis.url } : {}),
  });
  const history: GatewayProcess[][] = [];
  const replicas = await Promise.all(Array.from({ length: REPLICAS }, () => startGatewayProcess(build, { env: env(0) })));
  replicas.forEach((replica, index) => (history[index] = [replica]));
  const haproxy = await startHaproxy({ backends: replicas.map((replica, index) => ({ name: name(index), host: '127.0.0.1', port: replica.port })) });
  await Promise.all(replicas.map((_, index) => haproxy.waitForStatus(name(index), 'UP')));
  return {
    emulator,
    haproxy,
    replicas,
    history,
    async start(index) {
      const replica = await startGatewayProcess(build, { env: env(replicas[index]!.port) });
      replicas[index] = replica;
      history[index]!.push(replica);
      return replica;
    },
    async close() {
      await Promise.all(replicas.map((replica) => replica.stop('SIGTERM')));
      await haproxy.close();
      await emulator.close();
    },
  };
}

const name = (index: number): string => `gw${index + 1}`;

/** Upstream API requests (not the readiness probes, which ask for `/` without a token). */
const apiRequests = (emulator: ClumioEmulator) => emulator.requests.filter((request) => request.path.startsWith('/backups/'));

/** `graphql request` lines of a process, with their status. */
const served = (replica: GatewayProcess) => replica.logs.filter((line) => line.msg === 'graphql request');

// --- Load ---------------------------------------------------------------------------------------

type Outcome = { ok: true } | { ok: false; reason: string };

interface Load {
  sent(): number;
  completed(): number;
  inFlight(): number;
  /** Resolves once `count` more requests than now have completed (rejects after 20 s). */
  completes(count: number): Promise<void>;
  /** Stops sending; resolves with every outcome once the requests in flight are answered. */
  stop(): Promise<Outcome[]>;
}

/**
 * POSTs `ec2InstanceBackup(backupId:)` queries (one upstream call each) at `ratePerSecond`, through
 * `url` on keep-alive connections, for `durationMs` or until stopped. A success is a 200 whose data
 * is the backup asked for, with no errors; anything else is a failure with its reason.
 */
function startLoad(options: { url: string; ratePerSecond: number; durationMs?: number; connections: number; backupIds: string[] }): Load {
  // undici never retries a POST by itself: what fails here is what HAProxy let through.
  const pool = new Pool(options.url, { connections: options.connections, keepAliveTimeout: 20_000, pipelining: 1 });
  const outcomes: Outcome[] = [];
  const pending = new Set<Promise<void>>();
  const watchers: Array<{ target: number; resolve: () => void }> = [];
  let sent = 0;
  const startedAt = Date.now();

  const send = (): void => {
    const backupId = options.backupIds[sent % options.backupIds.length]!;
    sent += 1;
    const request = (async (): Promise<Outcome> => {
      try {
        const response = await pool.request({
          path: '/graphql',
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
          body: JSON.stringify({ query: `query One($id: ID!) { ec2InstanceBackup(backupId: $id) { backupId } }`, variables: { id: backupId } }),
        });
        const text = await response.body.text();
        if (response.statusCode !== 200) return { ok: false, reason: `HTTP ${response.statusCode}: ${text.slice(0, 200)}` };
        const body = JSON.parse(text) as { data?: { ec2InstanceBackup?: { backupId?: string } }; errors?: Array<{ extensions?: { code?: string } }> };
        if (body.errors !== undefined) return { ok: false, reason: `errors ${body.errors.map((e) => e.extensions?.code).join(',')}` };
        if (body.data?.ec2InstanceBackup?.backupId !== backupId) return { ok: false, reason: `wrong data ${text.slice(0, 200)}` };
        return { ok: true };
      } catch (error) {
        const code = (error as { code?: string }).code;
        return { ok: false, reason: `transport ${code ?? ''} ${(error as Error).message}` };
      }
    })();
    const done = request.then((outcome) => {
      outcomes.push(outcome);
      pending.delete(done);
      for (const watcher of watchers.splice(0)) {
        if (outcomes.length >= watcher.target) watcher.resolve();
        else watchers.push(watcher);
      }
    });
    pending.add(done);
  };

  // The schedule follows the clock, not the timer: a late tick sends what is due, so the rate holds.
  const timer = setInterval(() => {
    const elapsed = Date.now() - startedAt;
    const due = Math.floor((Math.min(elapsed, options.durationMs ?? Infinity) * options.ratePerSecond) / 1000);
    while (sent < due) send();
    if (options.durationMs !== undefined && elapsed >= options.durationMs) clearInterval(timer);
  }, 5);

  return {
    sent: () => sent,
    completed: () => outcomes.length,
    inFlight: () => pending.size,
    completes(count) {
      const target = outcomes.length + count;
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([
        new Promise<void>((resolve) => watchers.push({ target, resolve })),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${count} more requests did not complete within 20 s (${JSON.stringify(summarize(outcomes))})`)), 20_000);
        }),
      ]).finally(() => clearTimeout(timer));
    },
    async stop() {
      clearInterval(timer);
      while (pending.size > 0) await Promise.all(pending);
      await pool.close();
      return outcomes;
    },
  };
}

/** Resolves once the asynchronous `condition` holds, checking every 50 ms. */
async function untilAsync(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves once `condition` holds, checking every 10 ms; `describe` tells what was awaited. */
async function until(condition: () => boolean, what: string, describe: () => string = () => '', timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}\n${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function summarize(outcomes: Outcome[]): { total: number; ok: number; failures: Record<string, number> } {
  const failures: Record<string, number> = {};
  for (const outcome of outcomes) if (!outcome.ok) failures[outcome.reason] = (failures[outcome.reason] ?? 0) + 1;
  return { total: outcomes.length, ok: outcomes.filter((o) => o.ok).length, failures };
}

const totals = (stats: ServerStat[]) => ({
  retries: stats.reduce((sum, s) => sum + s.retries, 0),
  redispatches: stats.reduce((sum, s) => sum + s.redispatches, 0),
});

// --- The shared rate limit ----------------------------------------------------------------------

/**
 * Twice the limit for 2.5 s: 200 lookups, 80 a second, against a Clumio allowing 40. Alone, each
 * replica would let 40 a second through (plus its burst), three times what Clumio takes.
 */
const OVERLOAD = { ratePerSecond: 2 * LIMIT, durationMs: 2_500, connections: 256 };

/**
 * A stall of this process this long or longer makes a run's 429s inconclusive: the shared
 * schedule leaves Clumio's bucket half a second of slack (bursts of LIMIT/2 against LIMIT tokens),
 * and an unloaded run stalls for a few tens of milliseconds.
 */
const STALL_MS = 200;

interface OverloadResult {
  outcomes: Outcome[];
  /** Upstream API requests by the status the emulator answered. */
  statuses: Record<number, number>;
  /** Operations each replica answered. */
  perReplica: number[];
  /**
   * The tokens the arrivals at the emulator asked of its bucket at the worst moment: the most
   * requests in any time window less the refill over it. A 429 needs more than the bucket's LIMIT;
   * the shared limiter's schedule (bursts of LIMIT/2) keeps it near LIMIT/2.
   */
  peakTokens: number;
  /**
   * The longest this process (the emulator and the load) went without running, in ms. The
   * emulator's bucket refills by the clock but holds only LIMIT tokens: after a stall of about a
   * second (a starved CPU) what queued meanwhile arrives at once, and 429s follow.
   */
  stallMs: number;
  /**
   * Rate-limit reservations made in Redis (the GCRA script's EVALSHA calls, and the EVAL ioredis
   * sends when Redis does not know the script yet), to compare with the upstream attempts: fewer
   * means some replica fell back to its own budget.
   */
  redisReservations: number | null;
}

async function scriptCalls(): Promise<number> {
  const stats = await redis.client.info('commandstats');
  const calls = (command: string): number => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  return calls('evalsha') + calls('eval');
}

async function overload(cluster: Cluster, options: { redis: boolean }): Promise<OverloadResult> {
  const { emulator } = cluster;
  const backupIds = emulator.backups.slice(0, 50).map((backup) => backup.id!);
  emulator.clearRequests();
  // Arrival times, in the order of emulator.requests (the listener runs as each one is recorded).
  const arrivals: number[] = [];
  const stopTiming = emulator.onRequestOpened(() => arrivals.push(performance.now()));
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const reservationsBefore = options.redis ? await scriptCalls() : 0;
  const before = cluster.replicas.map((replica) => served(replica).length);
  const load = startLoad({ url: cluster.haproxy.url, backupIds, ...OVERLOAD });
  await until(() => load.sent() === (OVERLOAD.ratePerSecond * OVERLOAD.durationMs) / 1000, 'the whole load was sent');
  const outcomes = await load.stop();
  stopTiming();
  lag.disable();
  const statuses: Record<number, number> = {};
  for (const request of apiRequests(emulator)) statuses[request.status] = (statuses[request.status] ?? 0) + 1;
  const times = emulator.requests.flatMap((request, index) => (request.path.startsWith('/backups/') ? [arrivals[index]!] : []));
  let peakTokens = 0;
  for (let first = 0; first < times.length; first += 1) {
    for (let last = first; last < times.length; last += 1) {
      peakTokens = Math.max(peakTokens, last - first + 1 - ((times[last]! - times[first]!) / 1000) * LIMIT);
    }
  }
  // A replica logs its line as it answers; by now every answer has been read.
  const perReplica = cluster.replicas.map((replica, index) => served(replica).length - before[index]!);
  const redisReservations = options.redis ? (await scriptCalls()) - reservationsBefore : null;
  return { outcomes, statuses, perReplica, peakTokens: Math.round(peakTokens * 10) / 10, stallMs: Math.round(lag.max / 1e6), redisReservations };
}

describe('three replicas behind HAProxy', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ redis: true });
  }, 60_000);
  afterAll(() => cluster.close());

  it('share one upstream budget through Redis: twice the limit of demand, no 429 from Clumio, every operation answered', async () => {
    // The emulator runs in this process and judges arrivals by when this process gets to them: a
    // run with 429s during which this process stalled (a CPU starved by other work) says nothing
    // about the gateways. Such a run is repeated, at most twice, once Redis has forgotten the
    // schedule (its key expires a second after the last turn, so Clumio's bucket is full again).
    const discarded: string[] = [];
    let result = await overload(cluster, { redis: true });
    while ((result.statuses[429] ?? 0) > 0 && result.stallMs >= STALL_MS && discarded.length < 2) {
      discarded.push(`${result.statuses[429]} × 429 with a ${result.stallMs} ms stall`);
      await untilAsync(async () => (await redis.client.keys('clumio-backup-graph:rate:*')).length === 0, 'the rate schedule expired in Redis');
      result = await overload(cluster, { redis: true });
    }
    const { outcomes, statuses, perReplica, peakTokens, stallMs, redisReservations } = result;
    const summary = summarize(outcomes);
    console.log(
      `scale-out shared limit: ${summary.ok}/${summary.total} operations ok, upstream statuses ${JSON.stringify(statuses)}, ` +
        `per replica ${perReplica.join('/')}, reservations in Redis ${redisReservations}, peak demand ${peakTokens} of the bucket's ${LIMIT} tokens, ` +
        `longest stall of the test process ${stallMs} ms${discarded.length > 0 ? `; runs discarded: ${discarded.join(', ')}` : ''}`,
    );
    expect(summary).toEqual({ total: 200, ok: 200, failures: {} });
    expect(statuses).toEqual({ 200: 200 });
    // Every upstream call's turn was reserved in Redis: none fell back to a replica's own budget.
    expect(redisReservations).toBe(200);
    // Every replica took its share, so no one process alone kept the limit.
    for (const count of perReplica) expect(count).toBeGreaterThanOrEqual(30);
  }, 45_000);

  it('a rolling restart under steady load loses no request', async () => {
    const { haproxy, emulator, replicas, history } = cluster;
    // Each answer takes 100 ms upstream, so a replica always has requests in flight when SIGTERM comes.
    emulator.setFaultMode('latency', { latencyMs: 100 });
    const before = totals(await haproxy.servers());
    const load = startLoad({ url: haproxy.url, ratePerSecond: 25, connections: 16, backupIds: emulator.backups.slice(0, 50).map((b) => b.id!) });
    const timeline: string[] = [];
    try {
      await load.completes(20);
      for (let index = 0; index < REPLICAS; index += 1) {
        const old = replicas[index]!;
        const at = Date.now();
        const phase = (label: string): string => `${label} ${Date.now() - at}`;
        const steps: string[] = [];
        old.child.kill('SIGTERM');
        await old.message('finishing in-flight requests, then stopping');
        expect(await old.exited).toEqual({ code: 0, signal: null });
        await old.message('stopped');
        steps.push(phase('exited'));
        await haproxy.waitForStatus(name(index), 'DOWN');
        steps.push(phase('DOWN'));
        const fresh = await cluster.start(index);
        steps.push(phase('ready'));
        await haproxy.waitForStatus(name(index), 'UP');
        steps.push(phase('UP'));
        // Back in rotation: it answers load again before the next one goes.
        await fresh.line((line) => line.msg === 'graphql request', `${name(index)}'s first graphql request`);
        steps.push(phase('serving'));
        timeline.push(`${name(index)} ${steps.join(', ')} ms`);
      }
      await load.completes(20);
    } finally {
      emulator.setFaultMode(null);
    }
    const outcomes = await load.stop();
    const summary = summarize(outcomes);
    const after = totals(await haproxy.servers());
    const perProcess = history.map((processes) => processes.map((p) => served(p).length).join('+'));
    console.log(
      `scale-out rolling restart: ${summary.ok}/${summary.total} requests ok across ${REPLICAS} restarts, ` +
        `haproxy retries ${after.retries - before.retries}, redispatches ${after.redispatches - before.redispatches}, ` +
        `served per replica (old+new) ${perProcess.join(', ')}; after SIGTERM: ${timeline.join('; ')}`,
    );
    expect(summary.failures).toEqual({});
    expect(summary.ok).toBe(summary.total);
    expect(summary.total).toBe(load.sent());
  }, 45_000);

  it('a replica killed with SIGKILL under load: HAProxy marks it DOWN, and what it had in flight is all that may be lost', async () => {
    const { haproxy, emulator, replicas } = cluster;
    emulator.setFaultMode('latency', { latencyMs: 100 });
    const before = totals(await haproxy.servers());
    const load = startLoad({ url: haproxy.url, ratePerSecond: 25, connections: 16, backupIds: emulator.backups.slice(0, 50).map((b) => b.id!) });
    let inFlightAtKill = 0;
    try {
      await load.completes(20);
      // Kill while every replica is likely to have an operation waiting upstream.
      await until(() => emulator.openRequests >= REPLICAS, `${REPLICAS} upstream requests are open`);
      const victim = replicas[1]!;
      inFlightAtKill = load.inFlight();
      victim.child.kill('SIGKILL');
      expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });
      const down = await haproxy.waitForStatus(name(1), 'DOWN');
      expect(down.downTransitions).toBeGreaterThanOrEqual(1);
      await load.completes(25);
    } finally {
      emulator.setFaultMode(null);
    }
    const outcomes = await load.stop();
    const summary = summarize(outcomes);
    const after = totals(await haproxy.servers());
    const lost = summary.total - summary.ok;
    console.log(
      `scale-out SIGKILL: lost ${lost} of ${summary.total} requests (${((100 * lost) / summary.total).toFixed(1)}%), ` +
        `${inFlightAtKill} in flight at the kill, haproxy retries ${after.retries - before.retries}, ` +
        `redispatches ${after.redispatches - before.redispatches}, failures ${JSON.stringify(summary.failures)}`,
    );
    // Only a request the dead replica held can fail, and only at the transport or as HAProxy's 502/503:
    // never a 200 with errors or wrong data.
    expect(lost).toBeLessThanOrEqual(inFlightAtKill);
    for (const reason of Object.keys(summary.failures)) expect(reason).toMatch(/^(transport|HTTP 50[234])/);
    expect(summary.total).toBe(load.sent());
  }, 30_000);
});

describe('control: three replicas without Redis', () => {
  it('each keeps its own budget, so together they overshoot: Clumio answers 429s', async () => {
    const cluster = await startCluster({ redis: false });
    try {
      const { outcomes, statuses, perReplica, peakTokens, stallMs } = await overload(cluster, { redis: false });
      const summary = summarize(outcomes);
      console.log(
        `scale-out control (no Redis): ${summary.ok}/${summary.total} operations ok, upstream statuses ${JSON.stringify(statuses)}, ` +
          `per replica ${perReplica.join('/')}, peak demand ${peakTokens} of the bucket's ${LIMIT} tokens, longest stall ${stallMs} ms, failures ${JSON.stringify(summary.failures)}`,
      );
      expect(statuses[429] ?? 0).toBeGreaterThan(0);
    } finally {
      await cluster.close();
    }
  }, 45_000);
});

// --- HAProxy's retry policy ---------------------------------------------------------------------

describe("HAProxy's retry policy", () => {
  /** Replicas that are ready but drop every GraphQL request after reading it, answering nothing. */
  let backends: http.Server[];
  let haproxy: Haproxy;
  const received: string[] = [];

  beforeAll(async () => {
    backends = Array.from({ length: 2 }, () =>
      http.createServer((request, response) => {
        if (request.url === '/readiness') {
          response.end('{"ready":true}');
          return;
        }
        let body = '';
        request.setEncoding('utf8');
        request.on('data', (chunk: string) => (body += chunk));
        request.on('end', () => {
          received.push(`${request.method} ${body}`);
          request.socket.destroy();
        });
      }),
    );
    await Promise.all(backends.map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
    haproxy = await startHaproxy({
      backends: backends.map((server, index) => ({ name: name(index), host: '127.0.0.1', port: (server.address() as AddressInfo).port })),
    });
    await Promise.all(backends.map((_, index) => haproxy.waitForStatus(name(index), 'UP')));
  });

  afterAll(async () => {
    await haproxy.close();
    await Promise.all(backends.map(async (server) => (server.closeAllConnections(), server.close(), await once(server, 'close'))));
  });

  beforeEach(() => (received.length = 0));

  /**
   * One request on a connection of its own. (On a reused client connection, HAProxy answers a request
   * it will not retry by closing that connection without a response, as a keep-alive server would,
   * leaving the choice to the client; on a fresh one it answers 502.)
   */
  function send(method: 'GET' | 'POST', path: string, body?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const request = http.request(`${haproxy.url}${path}`, { method, agent: false, headers: { 'content-type': 'application/json' } }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      request.on('error', reject);
      request.end(body);
    });
  }
  const post = (body: string): Promise<number> => send('POST', '/graphql', body);

  it('re-sends a query whose replica closed the connection without answering, on another replica, up to `retries`', async () => {
    expect(await post(JSON.stringify({ query: '{ ec2InstanceBackups(first: 1) { totalCount } }' }))).toBe(502);
    // The first attempt and three retries.
    expect(received).toHaveLength(4);
  });

  it('sends a GET query again too', async () => {
    expect(await send('GET', `/graphql?query=${encodeURIComponent('{ __typename }')}`)).toBe(502);
    expect(received).toHaveLength(4);
  });

  it.each([
    ['a mutation', JSON.stringify({ query: 'mutation Restore($input: RestoreEc2InstanceBackupInput!) { restoreEc2InstanceBackup(input: $input) { task { id } } }' })],
    ['a batch with a mutation in it', JSON.stringify([{ query: '{ __typename }' }, { query: 'mutation { restoreEc2InstanceBackup(input: {}) { task { id } } }' }])],
    ['a persisted document (its operation is unknown to HAProxy)', JSON.stringify({ documentId: 'sha256:abc', variables: {} })],
    ['a document with JSON escapes (which could spell "mutation")', '{"query":"\\u006dutation { restoreEc2InstanceBackup(input: {}) { task { id } } }"}'],
  ])('never re-sends %s', async (_, body) => {
    expect(await post(body)).toBe(502);
    expect(received).toHaveLength(1);
  });
});

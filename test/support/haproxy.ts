import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

/**
 * A real HAProxy (Debian's `haproxy` package) on an ephemeral loopback port in front of gateway
 * replicas, configured as production should be, with the check timings shrunk so tests run quickly.
 * Set HAPROXY_PATH if it is not on PATH.
 *
 * Why the settings are what they are (`haproxyConfig` holds them, with the same reasons inline):
 *
 * - Health: `GET /readiness` must answer 200. A replica is DOWN after `fall` failed checks (refused
 *   connection, 503, timeout) and UP again after `rise` good ones.
 * - Retries: a request is re-sent only when that cannot run an operation twice for nothing worse
 *   than reading. `retry-on conn-failure empty-response` with `option redispatch 1`: a refused or
 *   failed connect (nothing was sent: always safe), or a connection closed before any byte of a
 *   response came back (a replica that shut an idle keep-alive connection just as the request was
 *   sent, or died while answering). The second is safe only for queries, which are idempotent reads;
 *   a restore mutation may already have reached Clumio, so `http-request disable-l7-retry` keeps
 *   every request that is not provably a query down to connect-failure retries only. Never retried:
 *   timeouts (`response-timeout`: a slow operation would run again on another replica), junk or
 *   partial responses, and 5xx statuses (the gateway answers GraphQL errors itself; a 5xx is not
 *   a reason to run the operation again). A request HAProxy will not re-send gets a 502 on a fresh
 *   client connection, and on a reused one a close without a response, as from a keep-alive server:
 *   the client decides (browsers and undici do not re-send a POST).
 * - Timeouts: `timeout server` above the gateway's own longest answer (CLUMIO_TIMEOUT_MS per
 *   upstream call, several calls per operation, rate-limit waits); the gateway's HTTP_KEEP_ALIVE_MS
 *   (65 s) stays above every idle timeout here, so only the gateway's shutdown ever closes a
 *   connection HAProxy might reuse.
 */

export interface HaproxyBackend {
  /** Server name in the stats (`gw1`…). */
  name: string;
  host: string;
  port: number;
}

export interface HaproxyTimings {
  /** Interval between checks of a replica that is UP. Production: 2 s. */
  interMs: number;
  /** Interval while a replica is going UP or DOWN (after a failed or first good check). Production: 500 ms. */
  fastinterMs: number;
  /** Interval between checks of a replica that is DOWN. Production: 1 s. */
  downinterMs: number;
  /** Good checks in a row to mark a replica UP. Production: 2. */
  rise: number;
  /** Failed checks in a row to mark a replica DOWN. Production: 3. */
  fall: number;
  /** Time a check may take. Production: 2 s (the gateway's readiness probe waits up to 2 s upstream). */
  checkTimeoutMs: number;
  /** Time to open a connection to a replica. Production: 2 s. */
  connectTimeoutMs: number;
  /** Weight ramp of a replica that came back UP (warm JIT, fill pools); 0 for none. Production: 10 s. */
  slowstartMs: number;
}

/** The timings a production HAProxy in front of the gateway should use. */
export const PRODUCTION_TIMINGS: HaproxyTimings = {
  interMs: 2_000,
  fastinterMs: 500,
  downinterMs: 1_000,
  rise: 2,
  fall: 3,
  checkTimeoutMs: 2_000,
  connectTimeoutMs: 2_000,
  slowstartMs: 10_000,
};

/** Fast enough that a test sees DOWN/UP within a few hundred milliseconds, with the same shape. */
export const TEST_TIMINGS: HaproxyTimings = {
  interMs: 100,
  fastinterMs: 50,
  downinterMs: 100,
  rise: 2,
  fall: 2,
  checkTimeoutMs: 1_000,
  connectTimeoutMs: 500,
  slowstartMs: 0,
};

export interface HaproxyOptions {
  backends: HaproxyBackend[];
  timings?: Partial<HaproxyTimings>;
}

/** One replica's row of `show stat`, with the fields tests read. */
export interface ServerStat {
  name: string;
  /** `UP`, `DOWN`, or a transition such as `UP 1/2` (going down) or `DOWN 1/2` (coming up). */
  status: string;
  /** Sessions (requests, with one connection each way) sent to the replica. */
  sessions: number;
  /** Connection attempts that failed. */
  connectionErrors: number;
  /** Responses that failed (aborted, empty). */
  responseErrors: number;
  /** Retries after a failure (connect or L7). */
  retries: number;
  /** Requests moved from this replica to another. */
  redispatches: number;
  /** UP → DOWN transitions. */
  downTransitions: number;
  /** Of the responses, how many had each status class. */
  http2xx: number;
  http5xx: number;
}

export interface Haproxy {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  /** The configuration as written, for a failure message. */
  config: string;
  /** Every replica's row of `show stat` now. */
  servers(): Promise<ServerStat[]>;
  server(name: string): Promise<ServerStat>;
  /** Resolves once `name`'s status is exactly `status` (`UP`, `DOWN`), polling the runtime socket. */
  waitForStatus(name: string, status: 'UP' | 'DOWN', timeoutMs?: number): Promise<ServerStat>;
  /** A command on the runtime API (`show stat`, `show servers state`…), its answer as text. */
  command(command: string): Promise<string>;
  /** HAProxy's own output: its request log (one line per request, with retries) and warnings. */
  output(): string;
  close(): Promise<void>;
}

const BACKEND = 'gateways';


/** The configuration file, production settings with `timings`. Each setting says why. */
export function haproxyConfig(options: { port: number; socket: string; backends: HaproxyBackend[]; timings: HaproxyTimings }): string {
  const t = options.timings;
  const servers = options.backends.map((b) => `    server ${b.name} ${b.host}:${b.port}`).join('\n');
  return `# Written by test/support/haproxy.ts; the settings are those a production HAProxy in front of
# the gateway should have, with the check timings shrunk for tests.
global
    # The runtime API: tests read each replica's state (show stat) from it.
    stats socket ${options.socket} mode 600 level admin
    # Requests up to a buffer can be retried (see retry-on); GraphQL documents are far smaller.
    tune.bufsize 32768

defaults
    mode http
    log stdout format raw local0 info
    # %rc: retries, %tsc: termination state, %ST: status; a lost request is easy to explain.
    log-format "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %{+Q}r"
    timeout connect ${t.connectTimeoutMs}ms
    # Above the gateway's longest answer: several upstream calls of CLUMIO_TIMEOUT_MS (10 s) each,
    # and rate-limiter waits. A timeout is never retried (see retry-on).
    timeout server 60s
    timeout client 60s
    # Idle client connections; the gateway's own HTTP_KEEP_ALIVE_MS (65 s) stays above every idle
    # timeout here, so a replica never closes a connection HAProxy may reuse, except when stopping.
    timeout http-keep-alive 30s
    timeout http-request 10s
    timeout queue 10s
    timeout check ${t.checkTimeoutMs}ms

frontend graphql
    bind 127.0.0.1:${options.port}
    option forwardfor
    default_backend ${BACKEND}

backend ${BACKEND}
    # Operations vary from one upstream call to hundreds: send each to the least busy replica.
    balance leastconn
    # Reuse idle connections to replicas, but never for a client's first request ("safe", the default).
    http-reuse safe

    option httpchk
    http-check send meth GET uri /readiness ver HTTP/1.1 hdr Host haproxy-check
    http-check expect status 200

    # Retries. conn-failure: the request never left HAProxy, so re-sending it anywhere is safe.
    # empty-response: the connection closed before any byte of a response came back: a replica that
    # shut an idle keep-alive connection as the request was sent (it ran nothing), or one that died
    # while answering (it may have run the operation). A query only reads, so running it twice is
    # harmless; a mutation (restoreEc2InstanceBackup) may already have reached Clumio, and running
    # it again could start a second restore: see disable-l7-retry below.
    # Not retried: response-timeout (a slow operation would run again, on a replica as loaded),
    # junk-response, and 5xx (the gateway answers errors as GraphQL; a 5xx is no reason to rerun).
    retries 3
    retry-on conn-failure empty-response
    # Every retry goes to another replica: the one that failed is stopping or gone.
    option redispatch 1

    # The body decides whether an empty-response retry is safe, so read it before choosing a
    # replica (small: MAX_REQUEST_BODY_BYTES is 100 kB and tune.bufsize bounds what is retried).
    option http-buffer-request
    # A GET is a query (GraphQL over HTTP never runs a mutation from a GET).
    acl read_method method GET HEAD
    # Conservative on purpose: any mention of "mutation" (a field or string that says it included),
    # a body without a "query" document (a persisted-document id: what it runs is unknown here), or
    # a JSON \\u escape (which could spell the keyword) keeps the request to connect-failure
    # retries only. Misjudging a query costs one retry; misjudging a mutation could cost a restore.
    acl body_mentions_mutation req.body -m sub -i mutation
    acl body_has_document req.body -m reg "\\"query\\"[[:space:]]*:[[:space:]]*\\""
    acl body_has_escape req.body -m sub \\\\u
    http-request disable-l7-retry if !read_method body_mentions_mutation
    http-request disable-l7-retry if !read_method !body_has_document
    http-request disable-l7-retry if !read_method body_has_escape

    # inter: checks of an UP replica; fastinter: while it changes state; downinter: of a DOWN one.
    # observe layer4: failed connections of real traffic count too, so a crashed replica is
    # checked at fastinter at once instead of waiting for the next regular check.
    default-server check inter ${t.interMs}ms fastinter ${t.fastinterMs}ms downinter ${t.downinterMs}ms rise ${t.rise} fall ${t.fall} observe layer4 error-limit 1 on-error fastinter${t.slowstartMs > 0 ? ` slowstart ${t.slowstartMs}ms` : ''}
${servers}
`;
}

export async function startHaproxy(options: HaproxyOptions): Promise<Haproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'haproxy-test-'));
  const socket = join(dir, 'admin.sock');
  const port = await freePort();
  const config = haproxyConfig({ port, socket, backends: options.backends, timings: { ...TEST_TIMINGS, ...options.timings } });
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);

  const binary = process.env.HAPROXY_PATH ?? 'haproxy';
  // -db: stay in the foreground, so the test owns the process; -c first would only repeat what start-up checks.
  const child: ChildProcess = spawn(binary, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`could not start ${binary} (apt-get install haproxy): ${error.message}`)));
    void exited.then((code) => reject(new Error(`${binary} exited with ${code}:\n${output}\n${config}`)));
  });
  failed.catch(() => undefined); // observed by Promise.race below; after start-up an exit is close()'s business

  const command = (line: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const connection = createConnection(socket);
      let answer = '';
      connection.setEncoding('utf8');
      connection.on('data', (chunk: string) => (answer += chunk));
      connection.on('end', () => resolve(answer));
      connection.on('error', reject);
      connection.end(`${line}\n`);
    });

  const servers = async (): Promise<ServerStat[]> => parseStat(await command('show stat'));
  const server = async (name: string): Promise<ServerStat> => {
    const found = (await servers()).find((s) => s.name === name);
    if (!found) throw new Error(`haproxy has no server ${name}`);
    return found;
  };

  // Ready once the runtime API answers and the frontend accepts connections.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ready = await Promise.race([
      (async () => {
        try {
          await command('show info');
          await new Promise<void>((resolve, reject) => {
            const probe = createConnection(port, '127.0.0.1', () => probe.end(resolve));
            probe.on('error', reject);
          });
          return true;
        } catch {
          return false;
        }
      })(),
      failed,
    ]);
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`haproxy did not come up within 10 s:\n${output}\n${config}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    config,
    servers,
    server,
    async waitForStatus(name, status, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const stat = await server(name);
        if (stat.status === status) return stat;
        if (Date.now() > until) {
          throw new Error(`haproxy did not mark ${name} ${status} within ${timeoutMs} ms (it is ${stat.status})\n${await command('show servers state')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    command,
    output: () => output,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        // SIGUSR1 is HAProxy's soft stop; SIGTERM its hard stop, which is what a test wants.
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `show stat` CSV → the server rows of the backend. */
export function parseStat(csv: string): ServerStat[] {
  const [header, ...rows] = csv.trim().split('\n');
  const names = (header ?? '').replace(/^# /, '').split(',');
  const column = (cells: string[], name: string): string => cells[names.indexOf(name)] ?? '';
  const count = (cells: string[], name: string): number => Number(column(cells, name) || 0);
  return rows
    .map((row) => row.split(','))
    .filter((cells) => column(cells, 'pxname') === BACKEND && !['FRONTEND', 'BACKEND'].includes(column(cells, 'svname')))
    .map((cells) => ({
      name: column(cells, 'svname'),
      status: column(cells, 'status'),
      sessions: count(cells, 'stot'),
      connectionErrors: count(cells, 'econ'),
      responseErrors: count(cells, 'eresp'),
      retries: count(cells, 'wretr'),
      redispatches: count(cells, 'wredis'),
      downTransitions: count(cells, 'chkdown'),
      http2xx: count(cells, 'hrsp_2xx'),
      http5xx: count(cells, 'hrsp_5xx'),
    }));
}

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

/**
 * Tests against the real Prometheus tools from Debian's `prometheus` package: `promtool` lints an
 * exposition text the way Prometheus's own tooling does, and a throwaway `prometheus` server
 * scrapes real targets so a test can query what it stored. Set PROMETHEUS_PATH / PROMTOOL_PATH
 * when the binaries are not on PATH.
 *
 * Timing to know about: Prometheus hands its configured targets to the scrape loop only on its
 * service-discovery tick, every 5 seconds (not configurable in 2.42), so the first scrape happens
 * 5–10 s after start, whatever the scrape interval. Start the server early and allow for that.
 */

const PROMETHEUS = process.env.PROMETHEUS_PATH ?? 'prometheus';
const PROMTOOL = process.env.PROMTOOL_PATH ?? 'promtool';
/** Covers the 5–10 s before the first scrape, plus a few scrape intervals. */
const DEFAULT_WAIT_MS = 20_000;
const READY_TIMEOUT_MS = 15_000;
const POLL_MS = 50;
const STOP_TIMEOUT_MS = 5_000;
const OUTPUT_TAIL_CHARS = 4_000;

// ---------------------------------------------------------------------------------------------
// promtool

export interface PromtoolResult {
  /** promtool exited 0 and printed no lint problem. */
  ok: boolean;
  /** What promtool printed (stdout and stderr; lint problems go to stderr). */
  output: string;
}

/**
 * `promtool check metrics` with `text` on stdin. promtool exits 3 on lint problems (a counter
 * without `_total`, a metric without HELP) and 1 on a text it cannot parse.
 */
export async function promtoolCheckMetrics(text: string): Promise<PromtoolResult> {
  const child = spawn(PROMTOOL, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // promtool may exit before reading all of stdin; the broken pipe is not the result.
  child.stdin.on('error', () => undefined);
  child.stdin.end(text);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`could not run ${PROMTOOL} (apt-get install prometheus): ${error.message}`)));
    child.once('close', (exitCode) => resolve(exitCode));
  });
  return { ok: code === 0 && output.trim() === '', output: output.trim() };
}

// ---------------------------------------------------------------------------------------------
// prometheus

export interface PrometheusOptions {
  /** host:port of each target to scrape, all in one job named `test`. */
  targets: string[];
  /** Defaults to /metrics. */
  metricsPath?: string;
  /** Defaults to 500 ms; the scrape timeout is the same. */
  scrapeIntervalMs?: number;
}

/** One series of an instant vector. */
export interface PrometheusSample {
  metric: Record<string, string>;
  value: number;
}

export interface PrometheusServer {
  /** The base URL, e.g. http://127.0.0.1:PORT. */
  url: string;
  /** An instant query (/api/v1/query) at the current time. A scalar result is one sample with no labels. */
  query(promql: string): Promise<PrometheusSample[]>;
  /** Repeats `query(promql)` until `predicate` holds on its result; rejects after `timeoutMs`, with the last result. */
  waitFor(promql: string, predicate: (samples: PrometheusSample[]) => boolean, timeoutMs?: number): Promise<PrometheusSample[]>;
  /**
   * Resolves once every target has been scraped successfully (health "up") by a scrape that began
   * after `time` (ms since the epoch), so whatever a target served at `time` is now stored.
   */
  waitForScrapeAfter(time: number, timeoutMs?: number): Promise<void>;
  /** SIGTERM, wait for the exit, remove the config and the TSDB. */
  close(): Promise<void>;
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'prometheus-test-'));
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, prometheusConfig(options));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  const child = spawn(
    PROMETHEUS,
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const outputTail = captureOutputTail(child);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`could not start ${PROMETHEUS} (apt-get install prometheus): ${error.message}`)));
    child.once('exit', (code, signal) => reject(new Error(`prometheus exited (${signal ?? code}) before it was ready:\n${outputTail()}`)));
  });
  // Keeps an exit after a successful start from being an unhandled rejection.
  exited.catch(() => undefined);

  async function close(): Promise<void> {
    await stop(child);
    await rm(dir, { recursive: true, force: true });
  }

  try {
    await Promise.race([waitUntilReady(url, outputTail), exited]);
  } catch (error) {
    await close();
    throw error;
  }

  async function query(promql: string): Promise<PrometheusSample[]> {
    const body = await apiGet(url, `/api/v1/query?query=${encodeURIComponent(promql)}`, outputTail);
    return samplesOf(body as QueryData, promql);
  }

  return {
    url,
    query,
    async waitFor(promql, predicate, timeoutMs = DEFAULT_WAIT_MS) {
      let last: PrometheusSample[] = [];
      const holds = async () => predicate((last = await query(promql)));
      await pollUntil(holds, timeoutMs, () => `${promql} did not satisfy the predicate; last result: ${JSON.stringify(last)}\n${outputTail()}`);
      return last;
    },
    async waitForScrapeAfter(time, timeoutMs = DEFAULT_WAIT_MS) {
      let targets: ActiveTarget[] = [];
      const allScraped = async () => {
        targets = ((await apiGet(url, '/api/v1/targets?state=active', outputTail)) as TargetsData).activeTargets;
        return options.targets.every((target) => scrapedAfter(targets, target, time));
      };
      const describe = () =>
        `not every target was scraped (health "up") after ${new Date(time).toISOString()}; targets: ${JSON.stringify(targets.map(targetSummary))}` +
        `\n(Prometheus first scrapes 5–10 s after start)\n${outputTail()}`;
      await pollUntil(allScraped, timeoutMs, describe);
    },
    close,
  };
}

/** JSON is YAML, so the config is written as JSON: no YAML quoting to get wrong. */
function prometheusConfig({ targets, metricsPath = '/metrics', scrapeIntervalMs = 500 }: PrometheusOptions): string {
  const interval = `${scrapeIntervalMs}ms`;
  return JSON.stringify({
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: [{ job_name: 'test', metrics_path: metricsPath, static_configs: [{ targets }] }],
  });
}


/** Keeps the last few thousand characters of the child's output (Prometheus logs to stderr), for error messages. */
function captureOutputTail(child: ChildProcess): () => string {
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => (text ? `prometheus output (tail):\n${text}` : 'prometheus printed nothing');
}

/** /-/ready answers 503 while the TSDB opens and 200 once queries and scrapes run. */
async function waitUntilReady(url: string, tail: () => string): Promise<void> {
  const ready = async () => {
    try {
      return (await fetch(`${url}/-/ready`)).status === 200;
    } catch {
      return false; // not listening yet
    }
  };
  await pollUntil(ready, READY_TIMEOUT_MS, () => `prometheus at ${url} was not ready within ${READY_TIMEOUT_MS} ms\n${tail()}`);
}

/**
 * Checks `condition` every POLL_MS until it holds or `timeoutMs` passes. This waits for a state of
 * another process, which sends no event when it gets there; it does not order events in the test.
 */
async function pollUntil(condition: () => Promise<boolean>, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() >= deadline) throw new Error(`${describe()}\n(gave up after ${timeoutMs} ms)`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** GET a Prometheus HTTP API path and return its `data`, or throw with Prometheus's own error. */
async function apiGet(url: string, path: string, tail: () => string): Promise<unknown> {
  const response = await fetch(`${url}${path}`);
  const text = await response.text();
  let body: ApiResponse;
  try {
    body = JSON.parse(text) as ApiResponse;
  } catch {
    throw new Error(`GET ${path}: HTTP ${response.status}, not JSON: ${text.slice(0, 500)}\n${tail()}`);
  }
  if (body.status !== 'success') throw new Error(`GET ${path}: ${body.errorType ?? 'error'}: ${body.error ?? text.slice(0, 500)}`);
  return body.data;
}

interface ApiResponse {
  status: 'success' | 'error';
  data?: unknown;
  errorType?: string;
  error?: string;
}

/** A sample's value is [unix seconds, "value as a string"] ("NaN", "+Inf" included). */
type ApiSampleValue = [number, string];

type QueryData =
  | { resultType: 'vector'; result: Array<{ metric: Record<string, string>; value: ApiSampleValue }> }
  | { resultType: 'scalar'; result: ApiSampleValue }
  | { resultType: 'matrix' | 'string'; result: unknown };

function samplesOf(data: QueryData, promql: string): PrometheusSample[] {
  switch (data.resultType) {
    case 'vector':
      return data.result.map(({ metric, value }) => ({ metric, value: Number(value[1]) }));
    case 'scalar':
      return [{ metric: {}, value: Number(data.result[1]) }];
    default:
      throw new Error(`${promql}: query() takes an instant vector or a scalar, got a ${data.resultType}`);
  }
}

interface ActiveTarget {
  labels: Record<string, string>;
  discoveredLabels: Record<string, string>;
  health: 'up' | 'down' | 'unknown';
  /** RFC 3339; 0001-01-01T00:00:00Z before the first scrape. */
  lastScrape: string;
  lastError: string;
}

interface TargetsData {
  activeTargets: ActiveTarget[];
}

function scrapedAfter(targets: ActiveTarget[], address: string, time: number): boolean {
  const target = targets.find((candidate) => candidate.discoveredLabels.__address__ === address);
  // lastScrape is when the scrape began, so a scrape after `time` read what the target served then or later.
  return target !== undefined && target.health === 'up' && Date.parse(target.lastScrape) > time;
}

function targetSummary({ discoveredLabels, health, lastScrape, lastError }: ActiveTarget) {
  return { address: discoveredLabels.__address__, health, lastScrape, lastError };
}

/** SIGTERM and wait for the exit; SIGKILL if Prometheus takes longer than STOP_TIMEOUT_MS to shut down. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await gone;
  clearTimeout(killer);
}

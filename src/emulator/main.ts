/**
 * CLI: `node dist/src/emulator/main.js [--port 4010] [--host 127.0.0.1] [--token T ...] [--seed N]
 * [--latency-ms N] [--rate-limit N]`.
 * Prints the URL and the accepted token(s); stops cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import type { ClumioEmulator } from './clumio-emulator';
import { createClumioEmulator, DEFAULT_EMULATOR_TOKEN } from './clumio-emulator';
import { DEFAULT_SEED } from './seed-data';

export const DEFAULT_EMULATOR_PORT = 4010;

export const USAGE = `Usage: clumio-emulator [--port 4010] [--host 127.0.0.1] [--token T ...] [--seed N] [--record]
                       [--latency-ms N] [--rate-limit N]
  --port        TCP port (0 picks a free one); default ${DEFAULT_EMULATOR_PORT}
  --host        interface to bind; default 127.0.0.1
  --token       bearer token to accept; repeatable; default ${DEFAULT_EMULATOR_TOKEN}
  --seed        data-set seed; default ${DEFAULT_SEED}
  --record      keep an in-memory request log (grows without bound; off by default)
  --latency-ms  answer every request after this many milliseconds; default 0
  --rate-limit  requests per second per token, HTTP 429 beyond (Clumio's documented limit is 100); default 0 (off)`;

export interface EmulatorCliConfig {
  port: number;
  host: string;
  tokens: string[];
  seed: number;
  record: boolean;
  /** Added to every answer, in ms (0: none). */
  latencyMs: number;
  /** Requests per second per token (0: unlimited). */
  rateLimit: number;
}

export type CliParse = { ok: true; config: EmulatorCliConfig } | { ok: false; problems: string[] } | { ok: 'help' };

/** Parses the CLI arguments, reporting every problem at once. */
export function parseEmulatorArgs(argv: readonly string[]): CliParse {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        token: { type: 'string', multiple: true },
        seed: { type: 'string' },
        record: { type: 'boolean' },
        'latency-ms': { type: 'string' },
        'rate-limit': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { ok: false, problems: [messageOf(error)] };
  }
  if (values.help === true) return { ok: 'help' };

  const problems: string[] = [];
  const port = values.port === undefined ? DEFAULT_EMULATOR_PORT : Number(values.port);
  if (!/^\d+$/.test(values.port ?? '0') || !Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`--port must be an integer from 0 to 65535, got "${values.port ?? ''}"`);
  }
  const seed = values.seed === undefined ? DEFAULT_SEED : Number(values.seed);
  if (!/^\d+$/.test(values.seed ?? '0') || !Number.isSafeInteger(seed)) {
    problems.push(`--seed must be a non-negative integer, got "${values.seed ?? ''}"`);
  }
  const latencyMs = wholeNumber(values['latency-ms'], '--latency-ms', 60_000, problems);
  const rateLimit = wholeNumber(values['rate-limit'], '--rate-limit', 1_000_000, problems);
  const tokens = values.token ?? [DEFAULT_EMULATOR_TOKEN];
  if (tokens.some((t) => t === '' || /\s/.test(t))) problems.push('--token must be non-empty and contain no whitespace');
  const host = values.host ?? '127.0.0.1';
  if (host === '') problems.push('--host must not be empty');
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: { port, host, tokens, seed, record: values.record === true, latencyMs, rateLimit } };
}

/** An optional whole-number option (default 0), adding a problem when it is not one up to `max`. */
function wholeNumber(value: string | undefined, name: string, max: number, problems: string[]): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > max) {
    problems.push(`${name} must be an integer from 0 to ${max}, got "${value}"`);
    return 0;
  }
  return n;
}

/** Starts an emulator from a parsed configuration and prints where it listens. */
export async function startEmulatorFromConfig(
  config: EmulatorCliConfig,
  print: (line: string) => void,
): Promise<ClumioEmulator> {
  const emulator = createClumioEmulator({
    tokens: config.tokens,
    seed: config.seed,
    recordRequests: config.record,
    latencyMs: config.latencyMs,
    rateLimitPerSecond: config.rateLimit,
  });
  const url = await emulator.listen(config.port, config.host);
  const instances = new Set(emulator.backups.map((b) => b.instance_id)).size;
  print(`Clumio emulator listening on ${url}`);
  for (const token of config.tokens) print(`Bearer token: ${token}`);
  print(`Data set: ${emulator.backups.length} EC2 instance backups of ${instances} instances (seed ${config.seed})`);
  if (config.latencyMs > 0) print(`Latency: every answer after ${config.latencyMs} ms`);
  if (config.rateLimit > 0) print(`Rate limit: ${config.rateLimit} requests per second per token (HTTP 429 beyond)`);
  print(`Try: curl -H 'Authorization: Bearer ${config.tokens[0] ?? ''}' '${url}/backups/aws/ec2-instances?limit=2'`);
  return emulator;
}

/** An error's message; not `instanceof Error`, which fails across realms (e.g. under jest). */
function messageOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
    return error.message;
  }
  return String(error);
}

async function main(): Promise<void> {
  const parsed = parseEmulatorArgs(process.argv.slice(2));
  if (parsed.ok === 'help') {
    console.log(USAGE);
    return;
  }
  if (!parsed.ok) {
    for (const problem of parsed.problems) console.error(`clumio-emulator: ${problem}`);
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const emulator = await startEmulatorFromConfig(parsed.config, (line) => console.log(line));
  const stop = (signal: NodeJS.Signals): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    console.log(`Received ${signal}; stopping the Clumio emulator`);
    emulator.close().then(
      () => {
        process.exitCode = 0;
      },
      (error: unknown) => {
        console.error('clumio-emulator: error while closing:', error);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`clumio-emulator: failed to start: ${messageOf(error)}`);
    process.exitCode = 1;
  });
}

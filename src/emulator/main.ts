/**
 * CLI: `node dist/src/emulator/main.js [--port 4010] [--host 127.0.0.1] [--token T ...] [--seed N]
 * [--read-only] [--rate-limit N] [--fault MODE [--fault-rate R] [--latency-ms N] [--retry-after S] [--fault-seed N]]
 * [--task-queued-ms N] [--task-running-ms N] [--task-aborting-ms N]`.
 * Prints the URL and the accepted token(s); stops cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import type { ClumioEmulator } from './clumio-emulator';
import { ADMIN_PATH, createClumioEmulator, DEFAULT_EMULATOR_TOKEN, FAULT_ADMIN_PATH, RESTORES_PATH } from './clumio-emulator';
import { DEFAULT_FAULT_SETTINGS, FAULT_MODE_DESCRIPTIONS, FAULT_MODES, parseFaultMode } from './fault-modes';
import type { FaultModeSettings } from './fault-modes';
import type { TaskTimings } from './restore-tasks';
import { DEFAULT_TASK_TIMINGS, FAILURE_POINT, TASKS_PATH } from './restore-tasks';
import { DEFAULT_SEED } from './seed-data';

export const DEFAULT_EMULATOR_PORT = 4010;

const MODE_LINES = FAULT_MODES.map((mode) => `    ${mode.padEnd(19)}${FAULT_MODE_DESCRIPTIONS[mode]}`).join('\n');

const RESTORE_SECONDS = (DEFAULT_TASK_TIMINGS.queuedMs + DEFAULT_TASK_TIMINGS.runningMs) / 1000;

export const USAGE = `Usage: clumio-emulator [--port 4010] [--host 127.0.0.1] [--token T ...] [--seed N] [--record] [--read-only] [--rate-limit N]
                       [--fault MODE [--fault-rate R] [--latency-ms N] [--retry-after S] [--fault-seed N]]
                       [--task-queued-ms N] [--task-running-ms N] [--task-aborting-ms N]
  --port         TCP port (0 picks a free one); default ${DEFAULT_EMULATOR_PORT}
  --host         interface to bind; default 127.0.0.1
  --token        bearer token to accept; repeatable; default ${DEFAULT_EMULATOR_TOKEN}
  --seed         data-set seed; default ${DEFAULT_SEED}
  --record       keep an in-memory request log (grows without bound; off by default)
  --read-only    do not serve the backups admin endpoint below
  --rate-limit   requests per second per token, HTTP 429 beyond (Clumio's documented limit is 100); default 0 (off)
  --fault        start with this fault mode on (it stays on until switched):
${MODE_LINES}
  --fault-rate   share of requests the mode hits, 0 to 1; default ${DEFAULT_FAULT_SETTINGS.rate}
  --latency-ms   latency and slow-body: the delay / the time the body takes; default ${DEFAULT_FAULT_SETTINGS.latencyMs}
  --retry-after  429: the Retry-After header, in seconds; default ${DEFAULT_FAULT_SETTINGS.retryAfterSeconds}
  --fault-seed   seed of the generator that picks the requests hit; default ${DEFAULT_FAULT_SETTINGS.seed}
  --task-queued-ms    how long a restore's task stays queued; default ${DEFAULT_TASK_TIMINGS.queuedMs}
  --task-running-ms   how long it then runs (in_progress, progress_percentage rising) to completed; default ${DEFAULT_TASK_TIMINGS.runningMs}
  --task-aborting-ms  how long an aborted task stays aborting before it is aborted; default ${DEFAULT_TASK_TIMINGS.abortingMs}

Restores and tasks, as Clumio documents them (same token, Accept and OU rules as the backups):
  POST   ${RESTORES_PATH}[?embed=read-task]   202 {_embedded, _links, task_id}; body as JSON
  GET    ${TASKS_PATH}/{task_id}                                the task: queued, in_progress (progress rising), completed
  PATCH  ${TASKS_PATH}/{task_id}  {"status":"aborting"}         abort a queued or in_progress task: aborting, then aborted
  A restore ends ${RESTORE_SECONDS} s after it was sent (--task-*-ms). Restores of backups whose id ends in "f" fail:
  they run to ${FAILURE_POINT * 100}% and end failed. A task is seen only with the token that created it, from the
  OUs that see its backup's account.
  Under a fault, a POST or PATCH is read to its end and carried out before the fault acts, so a lost
  answer still leaves a task (reset, hang, latency, slow-body, truncated-json, malformed-json, and 5xx
  answering 500 or 504); 429, wrong-content-type and 5xx answering any other status stand in front
  of the service: nothing is done.
Example:
  curl -X POST -H 'Authorization: Bearer ${DEFAULT_EMULATOR_TOKEN}' -H 'Content-Type: application/json' \\
    -d '{"source":{"backup_id":"<id>"},"target":{"ami_restore_target":{"name":"n","environment_id":"e",
         "ebs_block_device_mappings":[]}}}' 'http://127.0.0.1:${DEFAULT_EMULATOR_PORT}${RESTORES_PATH}?embed=read-task'

The fault mode of a running emulator (outside Clumio's API; no token needed):
  GET    ${FAULT_ADMIN_PATH}   the mode, its settings and counters (seen, hit)
  PUT    ${FAULT_ADMIN_PATH}   switch, e.g. {"mode":"5xx","rate":0.3} or {"mode":"latency","latencyMs":500};
                           also "seed", "statuses" (5xx, e.g. [502,503]) and "retryAfterSeconds" (429)
  DELETE ${FAULT_ADMIN_PATH}   off (as is PUT {"mode":null})

Backups admin endpoint: the emulator's own, not part of Clumio's API. Changes the data set while it
runs, as backups landing and expiring change Clumio's. Needs a bearer token like every request.
  POST   ${ADMIN_PATH}         add a backup: a JSON object of EC2Backup fields with at least
                                    "start_timestamp"; the rest is copied from the instance's newest
                                    backup (or the newest of all), "id" defaults to a new UUID.
                                    Answers 201 with the backup as stored.
  DELETE ${ADMIN_PATH}/{id}    remove a backup, as if it had expired. Answers 204, or 404.
Example:
  curl -X POST -H 'Authorization: Bearer ${DEFAULT_EMULATOR_TOKEN}' \\
    -d '{"start_timestamp":"2025-06-29T12:00:00Z"}' http://127.0.0.1:${DEFAULT_EMULATOR_PORT}${ADMIN_PATH}`;

export interface EmulatorCliConfig {
  port: number;
  host: string;
  tokens: string[];
  seed: number;
  record: boolean;
  /** The fault mode to start with, or null. */
  fault: FaultModeSettings | null;
  /** Serve the backups admin endpoint (off with --read-only). */
  admin: boolean;
  /** Requests per second per token before 429 (Clumio's documented limit); 0: off. */
  rateLimit: number;
  /** The task timings given (--task-*-ms); absent or undefined: the defaults. */
  taskTimings?: Partial<TaskTimings> | undefined;
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
        'read-only': { type: 'boolean' },
        'rate-limit': { type: 'string' },
        fault: { type: 'string' },
        'fault-rate': { type: 'string' },
        'latency-ms': { type: 'string' },
        'retry-after': { type: 'string' },
        'fault-seed': { type: 'string' },
        'task-queued-ms': { type: 'string' },
        'task-running-ms': { type: 'string' },
        'task-aborting-ms': { type: 'string' },
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
  const tokens = values.token ?? [DEFAULT_EMULATOR_TOKEN];
  if (tokens.some((t) => t === '' || /\s/.test(t))) problems.push('--token must be non-empty and contain no whitespace');
  const host = values.host ?? '127.0.0.1';
  if (host === '') problems.push('--host must not be empty');
  const fault = parseFaultArgs(values, problems);
  const rateLimit = values['rate-limit'] === undefined ? 0 : Number(values['rate-limit']);
  if (!/^\d+$/.test(values['rate-limit'] ?? '0') || rateLimit > 1_000_000) {
    problems.push(`--rate-limit must be a whole number from 0 to 1000000, got "${values['rate-limit'] ?? ''}"`);
  }
  const taskTimings = parseTaskTimingArgs(values, problems);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      port,
      host,
      tokens,
      seed,
      record: values.record === true,
      fault,
      admin: values['read-only'] !== true,
      rateLimit,
      ...(taskTimings === undefined ? {} : { taskTimings }),
    },
  };
}

const TASK_TIMING_FLAGS = {
  'task-queued-ms': 'queuedMs',
  'task-running-ms': 'runningMs',
  'task-aborting-ms': 'abortingMs',
} as const;

function parseTaskTimingArgs(
  values: Partial<Record<keyof typeof TASK_TIMING_FLAGS, string>>,
  problems: string[],
): Partial<TaskTimings> | undefined {
  let timings: Partial<TaskTimings> | undefined;
  for (const [flag, setting] of Object.entries(TASK_TIMING_FLAGS) as Array<[keyof typeof TASK_TIMING_FLAGS, keyof TaskTimings]>) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const ms = Number(raw);
    if (!/^\d+$/.test(raw) || ms > 86_400_000) problems.push(`--${flag} must be a whole number of ms from 0 to 86400000, got "${raw}"`);
    else timings = { ...timings, [setting]: ms };
  }
  return timings;
}

/** Fault-mode flags and the setting each one gives (the admin endpoint's names). */
const FAULT_FLAGS = {
  'fault-rate': { setting: 'rate', integer: false },
  'latency-ms': { setting: 'latencyMs', integer: true },
  'retry-after': { setting: 'retryAfterSeconds', integer: true },
  'fault-seed': { setting: 'seed', integer: true },
} as const;

/** Modes a flag applies to (all when not listed). */
const FLAG_MODES: Partial<Record<keyof typeof FAULT_FLAGS, readonly string[]>> = {
  'latency-ms': ['latency', 'slow-body'],
  'retry-after': ['429'],
};

function parseFaultArgs(
  values: { fault?: string } & Partial<Record<keyof typeof FAULT_FLAGS, string>>,
  problems: string[],
): FaultModeSettings | null {
  const given = (Object.keys(FAULT_FLAGS) as Array<keyof typeof FAULT_FLAGS>).filter((flag) => values[flag] !== undefined);
  if (values.fault === undefined) {
    if (given.length > 0) problems.push(`${given.map((flag) => `--${flag}`).join(', ')} ${given.length === 1 ? 'needs' : 'need'} --fault <mode>`);
    return null;
  }
  const input: Record<string, unknown> = { mode: values.fault };
  for (const flag of given) {
    const raw = values[flag] ?? '';
    const { setting, integer } = FAULT_FLAGS[flag];
    // Strict digits, so "", "0x10" or "1e3" are reported rather than read as numbers.
    input[setting] = (integer ? /^\d+$/ : /^(\d+\.?\d*|\.\d+)$/).test(raw) ? Number(raw) : raw;
    const modes = FLAG_MODES[flag];
    const known = (FAULT_MODES as readonly string[]).includes(values.fault);
    if (modes !== undefined && known && !modes.includes(values.fault)) {
      problems.push(`--${flag} applies to --fault ${modes.join(' or ')} only`);
    }
  }
  const parsed = parseFaultMode(input);
  if (parsed.ok) return parsed.settings;
  const flagOf: Record<string, string> = { mode: '--fault', rate: '--fault-rate', latencyMs: '--latency-ms', retryAfterSeconds: '--retry-after', seed: '--fault-seed' };
  for (const problem of parsed.problems) {
    problems.push(
      problem
        .replace(/^(\w+) must/, (whole, name: string) => (flagOf[name] ? `${flagOf[name]} must` : whole))
        .replace(/^--fault must be null or/, '--fault must be'),
    );
  }
  return null;
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
    admin: config.admin,
    rateLimitPerSecond: config.rateLimit,
    ...(config.taskTimings === undefined ? {} : { taskTimings: config.taskTimings }),
  });
  const url = await emulator.listen(config.port, config.host);
  const instances = new Set(emulator.backups.map((b) => b.instance_id)).size;
  print(`Clumio emulator listening on ${url}`);
  for (const token of config.tokens) print(`Bearer token: ${token}`);
  print(`Data set: ${emulator.backups.length} EC2 instance backups of ${instances} instances (seed ${config.seed})`);
  print(`Try: curl -H 'Authorization: Bearer ${config.tokens[0] ?? ''}' '${url}/backups/aws/ec2-instances?limit=2'`);
  if (config.rateLimit > 0) print(`Rate limit: ${config.rateLimit} requests per second per token (HTTP 429 beyond)`);
  if (config.admin) print(`Add and remove backups at ${url}${ADMIN_PATH} (see --help)`);
  const timings = { ...DEFAULT_TASK_TIMINGS, ...config.taskTimings };
  print(
    `Restores: POST ${url}${RESTORES_PATH}; their tasks (GET ${url}${TASKS_PATH}/{id}) end ` +
      `${(timings.queuedMs + timings.runningMs) / 1000} s later; restores of backups whose id ends in "f" fail`,
  );
  if (config.fault !== null) {
    const { mode, ...options } = config.fault;
    emulator.setFaultMode(mode, options);
    print(`Fault mode: ${mode} on ${Math.round(config.fault.rate * 100)}% of requests (fault seed ${config.fault.seed})`);
  }
  print(`Switch faults at run time: curl -X PUT -d '{"mode":"5xx","rate":0.3}' '${url}${FAULT_ADMIN_PATH}' (off: {"mode":null})`);
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

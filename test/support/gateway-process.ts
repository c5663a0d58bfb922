import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The real gateway process (`node <outDir>/src/main.js`, as `npm start` runs it), for tests about
 * what only a process shows: signals, exit codes, its JSON log lines, several replicas.
 *
 * `compileGateway` builds src/ once per test file into a directory of its own under dist/ (ignored by
 * git, and inside the project so node_modules resolves) with the project's own TypeScript and
 * without type checking (`--noCheck`: `npm run typecheck` does that), so a test needs nothing but a
 * fresh clone's devDependencies and never races `npm run build`.
 */

const ROOT = resolve(__dirname, '../..');

export interface GatewayBuild {
  /** The compiled entry point. */
  main: string;
  /** Deletes the build. */
  remove(): void;
}

/** Compiles src/ into dist/.<name>-<pid>/. Takes a few seconds: call it from beforeAll with a long timeout. */
export function compileGateway(name: string): GatewayBuild {
  const outDir = join(ROOT, 'dist', `.${name}-${process.pid}`);
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir, '--noCheck', '--sourceMap', 'false', '--incremental', 'false'],
    { cwd: ROOT, stdio: 'pipe' },
  );
  return { main: join(outDir, 'src', 'main.js'), remove: () => rmSync(outDir, { recursive: true, force: true }) };
}

/** One parsed stdout line: pino's `time`, `level`, `msg`, and the event's own fields. */
export interface LogLine {
  time?: string;
  level?: string;
  msg?: string;
  [field: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface GatewayProcess {
  child: ChildProcess;
  /** The `url` of its `gateway ready` line, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  /** Every stdout line parsed as JSON, in order (lines that are not JSON are in `nonJsonLines`). */
  readonly logs: readonly LogLine[];
  /** Stdout lines that did not parse as a JSON object: the contract allows none. */
  readonly nonJsonLines: readonly string[];
  /** Resolves with the first log line matching, as soon as it is printed (or at once if it was); rejects if the process exits first. */
  line(predicate: (line: LogLine) => boolean, what?: string): Promise<LogLine>;
  /** The first line with this `msg`. */
  message(msg: string): Promise<LogLine>;
  exited: Promise<Exit>;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
  /** Stdout and stderr so far, for a failure message. */
  output(): string;
}

export interface StartOptions {
  /**
   * The environment, on top of a clean one (PATH, PORT=0, HOST=127.0.0.1, LOG_LEVEL=info): nothing of
   * the developer's CLUMIO_* settings leaks in. A value of `undefined` removes a default.
   */
  env: Record<string, string | undefined>;
  /** How long to wait for `gateway ready` (default 20 s). */
  readyTimeoutMs?: number;
}

const running = new Set<ChildProcess>();

/** Ends, by its own handle, every gateway this module started that is still running (a failed test's). */
export async function killStrayGateways(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((done) => child.once('exit', done));
      child.kill('SIGKILL');
      await gone;
    }),
  );
  running.clear();
}

export async function startGatewayProcess(build: GatewayBuild, options: StartOptions): Promise<GatewayProcess> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...options.env })) {
    if (value !== undefined) env[key] = value;
  }
  const child = spawn(process.execPath, [build.main], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);

  const logs: LogLine[] = [];
  const nonJsonLines: string[] = [];
  const raw: string[] = [];
  const waiters: Array<{ predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (text) => {
    raw.push(text);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      nonJsonLines.push(text);
      return;
    }
    const entry = parsed as LogLine;
    logs.push(entry);
    for (const waiter of waiters.splice(0)) {
      if (waiter.predicate(entry)) waiter.resolve(entry);
      else waiters.push(waiter);
    }
  });
  // 'close' rather than 'exit': by then stdout has ended, so every line the process printed was read.
  const exited = new Promise<Exit>((done) =>
    child.once('close', (code, signal) => {
      running.delete(child);
      done({ code, signal });
    }),
  );
  const output = (): string => `stdout:\n${raw.join('\n')}\nstderr:\n${stderr}`;
  const line = (predicate: (line: LogLine) => boolean, what = String(predicate)): Promise<LogLine> => {
    const seen = logs.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return Promise.race([
      new Promise<LogLine>((resolveLine) => waiters.push({ predicate, resolve: resolveLine })),
      exited.then(({ code, signal }) => {
        // The line may have been the last one printed before the exit.
        const last = logs.find(predicate);
        if (last !== undefined) return last;
        throw new Error(`the gateway exited (${code ?? signal}) before printing ${what}\n${output()}`);
      }),
    ]);
  };
  const message = (msg: string): Promise<LogLine> => line((entry) => entry.msg === msg, `"msg":"${msg}"`);

  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  const ready = await Promise.race([
    message('gateway ready'),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no "gateway ready" line within ${readyTimeoutMs} ms\n${output()}`)), readyTimeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  if (typeof ready.url !== 'string') throw new Error(`the "gateway ready" line has no url field: ${JSON.stringify(ready)}`);
  const url = ready.url;

  return {
    child,
    url,
    port: Number(new URL(url).port),
    logs,
    nonJsonLines,
    line,
    message,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    output,
  };
}

import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { DEFAULT_EMULATOR_TOKEN, createClumioEmulator } from '../../src/emulator';
import type { ClumioEmulator } from '../../src/emulator';

/**
 * Graceful shutdown of the real gateway process (`node dist/src/main.js`, as `npm start` runs it):
 * SIGTERM while requests are in flight upstream lets every one of them finish, refuses new
 * connections, and exits with code 0.
 *
 * The gateway is compiled into a directory of its own under dist/ (ignored by git) with the
 * project's own TypeScript, without type checking (`--noCheck`: `npm run typecheck` does that), so
 * the test needs nothing but a fresh clone's devDependencies and never races `npm run build`.
 * The upstream is an in-process emulator in a fault mode.
 */

const ROOT = resolve(__dirname, '../..');
const OUT_DIR = join(ROOT, 'dist', `.shutdown-test-${process.pid}`);

let emulator: ClumioEmulator;
const children: ChildProcess[] = [];

beforeAll(() => {
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', OUT_DIR, '--noCheck', '--sourceMap', 'false', '--incremental', 'false'],
    { cwd: ROOT, stdio: 'pipe' },
  );
}, 120_000);

beforeEach(async () => {
  emulator = createClumioEmulator();
  await emulator.listen();
});

afterEach(async () => {
  // Only a failed test leaves its child running; end it by its own handle.
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await emulator.close();
});

afterAll(() => rmSync(OUT_DIR, { recursive: true, force: true }));

interface Gateway {
  child: ChildProcess;
  url: string;
  port: number;
  /** Resolves with the first stdout line matching, as soon as it is printed (or was). */
  line(pattern: RegExp): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

async function startGatewayProcess(): Promise<Gateway> {
  const child = spawn(process.execPath, [join(OUT_DIR, 'src', 'main.js')], {
    cwd: ROOT,
    // A clean environment: nothing of the developer's CLUMIO_* settings leaks in.
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      CLUMIO_API_URL: emulator.url,
      CLUMIO_API_TOKEN: DEFAULT_EMULATOR_TOKEN,
      CLUMIO_TIMEOUT_MS: '30000',
      SHUTDOWN_GRACE_MS: '30000',
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const waiter of waiters.splice(0)) {
      if (waiter.pattern.test(line)) waiter.resolve(line);
      else waiters.push(waiter);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const output = (): string => `stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`;
  const line = (pattern: RegExp): Promise<string> => {
    const seen = lines.find((l) => pattern.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return Promise.race([
      new Promise<string>((resolveLine) => waiters.push({ pattern, resolve: resolveLine })),
      exited.then(({ code, signal }) => {
        throw new Error(`the gateway exited (${code ?? signal}) before printing ${pattern}\n${output()}`);
      }),
    ]);
  };
  const ready = await line(/^GraphQL gateway ready: /);
  const url = /(http:\/\/[^\s]+)\/graphql/.exec(ready)![1]!;
  return { child, url, port: Number(new URL(url).port), line, exited, output };
}

/** POSTs an operation on a connection of its own. */
function post(url: string, query: string): Promise<{ status: number; body: any }> {
  return new Promise((resolvePost, reject) => {
    const request = http.request(
      `${url}/graphql`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolvePost({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify({ query }));
  });
}

/** What a brand-new TCP connection to the gateway gets. */
function connect(port: number): Promise<'answered' | 'refused' | 'reset'> {
  return new Promise((done, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/health', agent: false }, (response) => {
        response.resume();
        done('answered');
      })
      .on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ECONNREFUSED') done('refused');
        else if (error.code === 'ECONNRESET') done('reset');
        else reject(error);
      });
  });
}

/** Resolves once `condition` holds, checking on every turn of the event loop. */
async function until(condition: () => boolean, what: string, gateway: Gateway): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}\n${gateway.output()}`);
    await new Promise((resolveTurn) => setImmediate(resolveTurn));
  }
}

/** Operations of one upstream call each, and what each must answer. */
function operations(): Array<{ query: string; expected: unknown }> {
  const [a, b, c] = emulator.backups;
  const instanceId = a!.instance_id!;
  const ofInstance = emulator.backups.filter((backup) => backup.instance_id === instanceId);
  return [
    {
      query: '{ ec2InstanceBackups(first: 3) { nodes { backupId } } }',
      expected: { ec2InstanceBackups: { nodes: [a, b, c].map((backup) => ({ backupId: backup!.id })) } },
    },
    { query: `{ ec2InstanceBackup(backupId: "${b!.id}") { backupId } }`, expected: { ec2InstanceBackup: { backupId: b!.id } } },
    {
      query: `{ ec2InstanceBackups(first: 2, filter: { instanceId: "${instanceId}" }) { totalCount } }`,
      expected: { ec2InstanceBackups: { totalCount: ofInstance.length } },
    },
    { query: `{ ec2InstanceBackup(backupId: "${c!.id}") { startTimestamp } }`, expected: { ec2InstanceBackup: { startTimestamp: c!.start_timestamp } } },
  ];
}

it('on SIGTERM under upstream latency, finishes the in-flight requests, refuses new connections and exits 0', async () => {
  emulator.setFaultMode('latency', { latencyMs: 1_500 });
  const gateway = await startGatewayProcess();
  const ops = operations();
  const inFlight = ops.map((op) => post(gateway.url, op.query));
  // Every request has reached Clumio (and waits there for 1.5 s): they are in flight now.
  await until(() => emulator.requests.length === ops.length, 'every request reached the emulator', gateway);

  gateway.child.kill('SIGTERM');
  await gateway.line(/^SIGTERM: finishing in-flight requests/);
  // A connection that raced the close may be reset rather than refused; any later one is refused.
  expect(['refused', 'reset']).toContain(await connect(gateway.port));
  expect(await connect(gateway.port)).toBe('refused');

  const answers = await Promise.all(inFlight);
  expect(answers).toEqual(ops.map((op) => ({ status: 200, body: { data: op.expected } })));
  expect(await gateway.exited).toEqual({ code: 0, signal: null });
});

it('keeps draining while upstream answers are held, and exits 0 once they are all sent', async () => {
  // `hang` holds the upstream answers until the test switches it off, so the order of events is
  // certain: SIGTERM, refusals and a still-running process all come while the requests are open.
  emulator.setFaultMode('hang');
  const gateway = await startGatewayProcess();
  const ops = operations();
  const inFlight = ops.map((op) => post(gateway.url, op.query));
  await until(() => emulator.faultMode?.held === ops.length, 'every upstream request is held', gateway);

  gateway.child.kill('SIGTERM');
  await gateway.line(/^SIGTERM: finishing in-flight requests/);
  expect(['refused', 'reset']).toContain(await connect(gateway.port));
  expect(await connect(gateway.port)).toBe('refused');
  expect(gateway.child.exitCode).toBeNull();
  expect(emulator.faultMode?.held).toBe(ops.length);

  emulator.setFaultMode(null);
  const answers = await Promise.all(inFlight);
  expect(answers).toEqual(ops.map((op) => ({ status: 200, body: { data: op.expected } })));
  expect(await gateway.exited).toEqual({ code: 0, signal: null });
});

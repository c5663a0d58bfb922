import * as http from 'node:http';
import { DEFAULT_EMULATOR_TOKEN, createClumioEmulator } from '../../src/emulator';
import type { ClumioEmulator } from '../../src/emulator';
import { compileGateway, killStrayGateways, startGatewayProcess } from '../support/gateway-process';
import type { GatewayBuild, GatewayProcess } from '../support/gateway-process';

/**
 * Graceful shutdown of the real gateway process (`node dist/src/main.js`, as `npm start` runs it):
 * SIGTERM while requests are in flight upstream lets every one of them finish, refuses new
 * connections, logs it as JSON lines, and exits with code 0.
 *
 * The gateway is compiled into a directory of its own under dist/ (test/support/gateway-process.ts).
 * The upstream is an in-process emulator in a fault mode.
 */

let build: GatewayBuild;
let emulator: ClumioEmulator;

beforeAll(() => {
  build = compileGateway('shutdown-test');
}, 120_000);

beforeEach(async () => {
  emulator = createClumioEmulator();
  await emulator.listen();
});

afterEach(async () => {
  // Only a failed test leaves its child running; it is ended by its own handle.
  await killStrayGateways();
  await emulator.close();
});

afterAll(() => build.remove());

function startGateway(extra: Record<string, string> = {}): Promise<GatewayProcess> {
  return startGatewayProcess(build, {
    env: {
      ...extra,
      CLUMIO_API_URL: emulator.url,
      CLUMIO_API_TOKEN: DEFAULT_EMULATOR_TOKEN,
      CLUMIO_TIMEOUT_MS: '30000',
      SHUTDOWN_GRACE_MS: '30000',
      // info: the start-up, shutdown and per-operation lines are what the test reads.
      LOG_LEVEL: 'info',
    },
  });
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
async function until(condition: () => boolean, what: string, gateway: GatewayProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}\n${gateway.output()}`);
    await new Promise((resolveTurn) => setImmediate(resolveTurn));
  }
}

/**
 * The shutdown as stdout tells it, in JSON lines only: the SIGTERM line, then one `graphql request`
 * line per in-flight operation, each answered 200 without errors, then `stopped`, the last line.
 */
function expectShutdownLogged(gateway: GatewayProcess, operations: number): void {
  expect(gateway.nonJsonLines).toEqual([]);
  const messages = gateway.logs.map((line) => line.msg);
  const draining = messages.indexOf('finishing in-flight requests, then stopping');
  const stopped = messages.indexOf('stopped');
  expect(draining).toBeGreaterThan(messages.indexOf('gateway ready'));
  expect(stopped).toBe(gateway.logs.length - 1);
  expect(gateway.logs[stopped]).toMatchObject({ level: 'info' });
  const answered = gateway.logs.slice(draining + 1, stopped).filter((line) => line.msg === 'graphql request');
  expect(answered).toHaveLength(operations);
  for (const line of answered) expect(line).toMatchObject({ level: 'info', status: 200, errorCodes: [], requestId: expect.any(String) });
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
  const gateway = await startGateway();
  const ops = operations();
  const inFlight = ops.map((op) => post(gateway.url, op.query));
  // Every request has reached Clumio (and waits there for 1.5 s): they are in flight now.
  await until(() => emulator.requests.length === ops.length, 'every request reached the emulator', gateway);

  gateway.child.kill('SIGTERM');
  expect(await gateway.message('finishing in-flight requests, then stopping')).toMatchObject({ level: 'info', signal: 'SIGTERM' });
  // A connection that raced the close may be reset rather than refused; any later one is refused.
  expect(['refused', 'reset']).toContain(await connect(gateway.port));
  expect(await connect(gateway.port)).toBe('refused');

  const answers = await Promise.all(inFlight);
  expect(answers).toEqual(ops.map((op) => ({ status: 200, body: { data: op.expected } })));
  expect(await gateway.exited).toEqual({ code: 0, signal: null });
  expectShutdownLogged(gateway, ops.length);
});

it('keeps draining while upstream answers are held, and exits 0 once they are all sent', async () => {
  // `hang` holds the upstream answers until the test switches it off, so the order of events is
  // certain: SIGTERM, refusals and a still-running process all come while the requests are open.
  emulator.setFaultMode('hang');
  const gateway = await startGateway();
  const ops = operations();
  const inFlight = ops.map((op) => post(gateway.url, op.query));
  await until(() => emulator.faultMode?.held === ops.length, 'every upstream request is held', gateway);

  gateway.child.kill('SIGTERM');
  expect(await gateway.message('finishing in-flight requests, then stopping')).toMatchObject({ level: 'info', signal: 'SIGTERM' });
  expect(['refused', 'reset']).toContain(await connect(gateway.port));
  expect(await connect(gateway.port)).toBe('refused');
  expect(gateway.child.exitCode).toBeNull();
  expect(emulator.faultMode?.held).toBe(ops.length);

  emulator.setFaultMode(null);
  const answers = await Promise.all(inFlight);
  expect(answers).toEqual(ops.map((op) => ({ status: 200, body: { data: op.expected } })));
  expect(await gateway.exited).toEqual({ code: 0, signal: null });
  expectShutdownLogged(gateway, ops.length);
});

it('with SHUTDOWN_DELAY_MS, drains first: /readiness 503, requests still served with Connection: close; a second SIGTERM ends the delay', async () => {
  // A delay far longer than the test: only the second SIGTERM can end it, so nothing here races a timer.
  const gateway = await startGateway({ SHUTDOWN_DELAY_MS: '600000' });
  expect((await fetch(`${gateway.url}/readiness`)).status).toBe(200);

  gateway.child.kill('SIGTERM');
  expect(await gateway.message('draining: /readiness answers 503, then finishing in-flight requests and stopping')).toMatchObject({
    signal: 'SIGTERM',
    drainDelayMs: 600000,
  });
  const readiness = await fetch(`${gateway.url}/readiness`);
  expect(readiness.status).toBe(503);
  expect(await readiness.json()).toEqual({ ready: false, draining: true });
  expect(readiness.headers.get('connection')).toBe('close');
  // Still serving: a load balancer that has not yet seen the 503 loses nothing.
  const op = operations()[1]!;
  expect(await post(gateway.url, op.query)).toEqual({ status: 200, body: { data: op.expected } });
  expect(await connect(gateway.port)).toBe('answered');
  expect(gateway.child.exitCode).toBeNull();

  gateway.child.kill('SIGTERM');
  expect(await gateway.message('second signal: ending the drain delay')).toMatchObject({ signal: 'SIGTERM' });
  expect(await gateway.exited).toEqual({ code: 0, signal: null });
  expect(gateway.logs.at(-1)).toMatchObject({ msg: 'stopped' });
});

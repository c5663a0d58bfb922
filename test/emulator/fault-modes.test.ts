/**
 * The emulator's persistent fault modes, over real HTTP: what each mode does to a request it hits,
 * the seeded choice of which requests are hit, switching in-process and through the admin
 * endpoint, and a clean close() while requests are held.
 */
import * as http from 'node:http';
import { EC2_BACKUPS_MEDIA_TYPE, EC2_BACKUPS_PATH } from '../../src/clumio/wire-types';
import type { ClumioEmulator, FaultModeSettings } from '../../src/emulator';
import { DEFAULT_FAULT_SETTINGS, FAULT_ADMIN_PATH, FAULT_MODES, createClumioEmulator, parseFaultMode } from '../../src/emulator';
import { FaultModeState } from '../../src/emulator/fault-modes';
import { AUTH, errorOf, get } from './emulator-http';

let emulator: ClumioEmulator;
let url: string;
let listBody: string;
let readPath: string;
let readBody: string;

const LIST_PATH = `${EC2_BACKUPS_PATH}?limit=3`;

beforeAll(async () => {
  emulator = createClumioEmulator();
  url = await emulator.listen();
  listBody = (await get(url, LIST_PATH)).text;
  readPath = `${EC2_BACKUPS_PATH}/${emulator.backups[0]?.id ?? ''}`;
  readBody = (await get(url, readPath)).text;
});

afterAll(() => emulator.close());

afterEach(() => {
  emulator.setFaultMode(null);
  emulator.clearFaults();
  emulator.clearRequests();
});

/** Resolves once `condition` holds, checking on every turn of the event loop (fails the test after 10 s). */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const isJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('parseFaultMode', () => {
  it('fills in defaults and accepts null as off', () => {
    expect(parseFaultMode({ mode: 'hang' })).toEqual({ ok: true, settings: { ...DEFAULT_FAULT_SETTINGS, mode: 'hang' } });
    expect(parseFaultMode({ mode: null })).toEqual({ ok: true, settings: null });
    expect(
      parseFaultMode({ mode: '5xx', rate: 0, seed: 4_294_967_295, statuses: [504], latencyMs: 0, retryAfterSeconds: 0 }),
    ).toEqual({ ok: true, settings: { mode: '5xx', rate: 0, seed: 4_294_967_295, statuses: [504], latencyMs: 0, retryAfterSeconds: 0 } });
  });

  it('reports every problem at once', () => {
    const parsed = parseFaultMode({ mode: 'slow', rate: -0.1, latencyMs: 1.5, seed: -1, statuses: [404], retryAfterSeconds: '1', extra: true });
    expect(parsed.ok === false && parsed.problems).toEqual([
      'unknown setting "extra"; known: mode, rate, latencyMs, seed, statuses, retryAfterSeconds',
      expect.stringMatching(/^mode must be null or one of latency, hang, .*; got "slow"$/),
      'rate must be a number from 0 to 1; got -0.1',
      'latencyMs must be an integer from 0 to 600000; got 1.5',
      'seed must be an integer from 0 to 4294967295; got -1',
      'statuses must be a non-empty list of HTTP statuses from 500 to 599; got [404]',
      'retryAfterSeconds must be an integer from 0 to 86400; got "1"',
    ]);
    expect(parseFaultMode([]).ok).toBe(false);
    expect(parseFaultMode({}).ok).toBe(false);
    expect(parseFaultMode({ mode: null, rate: 1 })).toEqual({
      ok: false,
      problems: ['settings (rate) need a mode; "mode": null switches faults off'],
    });
  });
});

describe('which requests a mode hits', () => {
  const settings = (rate: number, seed: number): FaultModeSettings => ({ ...DEFAULT_FAULT_SETTINGS, mode: '5xx', rate, seed });
  const draws = (state: FaultModeState, n: number): boolean[] => Array.from({ length: n }, () => state.draw() >= 0);

  it('is repeatable for a seed, differs across seeds, and follows the rate', () => {
    const a = draws(new FaultModeState(settings(0.3, 7)), 1_000);
    expect(draws(new FaultModeState(settings(0.3, 7)), 1_000)).toEqual(a);
    expect(draws(new FaultModeState(settings(0.3, 8)), 1_000)).not.toEqual(a);
    const hits = a.filter(Boolean).length;
    expect(hits).toBeGreaterThan(250);
    expect(hits).toBeLessThan(350);
    expect(draws(new FaultModeState(settings(0, 7)), 200)).not.toContain(true);
    expect(draws(new FaultModeState(settings(1, 7)), 200)).not.toContain(false);
  });

  it('hits the same requests of the same sequence again when the mode is set again', async () => {
    const run = async (): Promise<number[]> => {
      emulator.setFaultMode('5xx', { rate: 0.5, seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 16; i++) statuses.push((await get(url, LIST_PATH)).status);
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    const state = new FaultModeState(settings(0.5, 42));
    expect(first.map((status) => status !== 200)).toEqual(draws(state, 16));
    expect(first).toContain(200);
    expect(first.some((status) => status >= 500)).toBe(true);
    expect(emulator.faultMode).toMatchObject({ mode: '5xx', seen: 16, hit: first.filter((s) => s !== 200).length, held: 0 });
  });

  it('leaves requests taken by a one-off injected fault alone, without a draw', async () => {
    emulator.setFaultMode('5xx', { statuses: [500] });
    emulator.injectFault({ status: 418 });
    expect((await get(url, LIST_PATH)).status).toBe(418);
    expect(emulator.faultMode).toMatchObject({ seen: 0, hit: 0 });
    expect((await get(url, LIST_PATH)).status).toBe(500);
  });

  it('rejects invalid options in-process', () => {
    expect(() => emulator.setFaultMode('latency', { latencyMs: -1 })).toThrow(/latencyMs must be an integer/);
    expect(() => emulator.setFaultMode('nope' as never)).toThrow(/mode must be/);
    expect(emulator.faultMode).toBeNull();
  });
});

describe('each mode', () => {
  it('every mode is covered below', () => {
    // Keeps this list and FAULT_MODES in step: a new mode needs a test of its own here.
    expect([...FAULT_MODES].sort()).toEqual(
      ['latency', 'hang', '5xx', '429', 'reset', 'truncated-json', 'malformed-json', 'wrong-content-type', 'slow-body'].sort(),
    );
  });

  it('latency: answers the real answer, after latencyMs', async () => {
    emulator.setFaultMode('latency', { latencyMs: 150 });
    const started = Date.now();
    const response = await get(url, LIST_PATH);
    // A lower bound only: a busy machine can make it slower, never faster.
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect([response.status, response.contentType, response.text]).toEqual([200, EC2_BACKUPS_MEDIA_TYPE, listBody]);
  });

  it('hang: holds the request until the mode is switched, then answers it for real', async () => {
    emulator.setFaultMode('hang');
    let settled = false;
    const pending = get(url, readPath).finally(() => (settled = true));
    await until(() => emulator.faultMode?.held === 1, 'the request is held');
    expect(emulator.requests.map((r) => r.status)).toEqual([0]);
    // Admin calls and other modes' state do not release it; only a switch does.
    expect((await fetch(url + FAULT_ADMIN_PATH)).status).toBe(200);
    expect(settled).toBe(false);
    emulator.setFaultMode('5xx');
    const response = await pending;
    expect([response.status, response.text]).toEqual([200, readBody]);
    expect(emulator.faultMode?.held).toBe(0);
  });

  it('hang: forgets a request whose client gave up', async () => {
    emulator.setFaultMode('hang');
    const controller = new AbortController();
    const aborted = fetch(url + LIST_PATH, { headers: AUTH, signal: controller.signal });
    await until(() => emulator.faultMode?.held === 1, 'the request is held');
    controller.abort();
    await expect(aborted).rejects.toThrow();
    await until(() => emulator.faultMode?.held === 0, 'the request is forgotten');
    expect(emulator.requests.map((r) => r.status)).toEqual([0]);
  });

  it('5xx: 502, 503, 500 in turn with Clumio error bodies, or the statuses given', async () => {
    emulator.setFaultMode('5xx');
    const answers = [];
    for (let i = 0; i < 4; i++) {
      const response = await get(url, i % 2 === 0 ? LIST_PATH : readPath);
      answers.push([response.status, response.contentType, errorOf(response.text)]);
    }
    expect(answers).toEqual([
      [502, 'application/json', { code: 502, message: 'Bad gateway' }],
      [503, 'application/json', { code: 503, message: 'Service unavailable' }],
      [500, 'application/json', { code: 500, message: 'Internal server error' }],
      [502, 'application/json', { code: 502, message: 'Bad gateway' }],
    ]);
    emulator.setFaultMode('5xx', { statuses: [504] });
    const timeout = await get(url, LIST_PATH);
    expect([timeout.status, errorOf(timeout.text)]).toEqual([504, { code: 504, message: 'Gateway timeout' }]);
  });

  it('429: Too Many Requests with Retry-After in seconds and a Clumio error body', async () => {
    emulator.setFaultMode('429', { retryAfterSeconds: 7 });
    const response = await get(url, LIST_PATH);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(errorOf(response.text)).toEqual({ code: 429, message: 'Too many requests: retry later' });
  });

  it('reset: the connection is reset without an answer', async () => {
    emulator.setFaultMode('reset');
    const error = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      http
        .get(url + LIST_PATH, { headers: AUTH, agent: false }, (res) => reject(new Error(`answered ${res.statusCode}`)))
        .on('error', resolve);
    });
    expect(error.code).toBe('ECONNRESET');
    expect(emulator.requests.map((r) => r.status)).toEqual([0]);
    emulator.setFaultMode(null);
    expect((await get(url, LIST_PATH)).text).toBe(listBody);
  });

  it('truncated-json: the right status and media type, half of the body, a matching Content-Length', async () => {
    emulator.setFaultMode('truncated-json');
    const response = await get(url, LIST_PATH);
    expect([response.status, response.contentType]).toEqual([200, EC2_BACKUPS_MEDIA_TYPE]);
    expect(response.text).toBe(listBody.slice(0, Math.floor(listBody.length / 2)));
    expect(isJson(response.text)).toBe(false);
  });

  it('malformed-json: the right status and media type, a body that is not JSON', async () => {
    emulator.setFaultMode('malformed-json');
    for (const [path, real] of [
      [LIST_PATH, listBody],
      [readPath, readBody],
    ] as const) {
      const response = await get(url, path);
      expect([response.status, response.contentType]).toEqual([200, EC2_BACKUPS_MEDIA_TYPE]);
      expect(isJson(response.text)).toBe(false);
      expect(response.text.length).toBeGreaterThanOrEqual(real.length);
    }
  });

  it('wrong-content-type: 200 with an HTML page', async () => {
    emulator.setFaultMode('wrong-content-type');
    const response = await get(url, readPath);
    expect([response.status, response.contentType]).toEqual([200, 'text/html; charset=utf-8']);
    expect(response.text).toMatch(/^<!DOCTYPE html>/);
  });

  it('slow-body: the headers and a first piece at once, the rest trickled; close() ends it', async () => {
    const slow = createClumioEmulator();
    const base = await slow.listen();
    try {
      slow.setFaultMode('slow-body', { latencyMs: 600_000 });
      const { status, contentLength, received, ended } = await new Promise<{
        status: number;
        contentLength: number;
        received: number;
        ended: Promise<boolean>;
      }>((resolve, reject) => {
        http
          .get(base + LIST_PATH, { headers: AUTH, agent: false }, (res) => {
            let bytes = 0;
            const ended = new Promise<boolean>((done) => {
              res.on('end', () => done(true));
              res.on('error', () => done(false));
              res.on('aborted', () => done(false));
            });
            res.once('data', (chunk: Buffer) => {
              bytes += chunk.length;
              resolve({ status: res.statusCode ?? 0, contentLength: Number(res.headers['content-length']), received: bytes, ended });
            });
          })
          .on('error', reject);
      });
      expect(status).toBe(200);
      expect(contentLength).toBe(Buffer.byteLength(listBody));
      expect(received).toBeGreaterThan(0);
      expect(received).toBeLessThan(contentLength);
      await slow.close();
      expect(await ended).toBe(false);
    } finally {
      await slow.close();
    }
  });

  it('slow-body: the whole real body arrives in the end', async () => {
    emulator.setFaultMode('slow-body', { latencyMs: 100 });
    const response = await get(url, readPath);
    expect([response.status, response.contentType, response.text]).toEqual([200, EC2_BACKUPS_MEDIA_TYPE, readBody]);
  });

  it('with no mode, answers exactly as before any was set', async () => {
    emulator.setFaultMode('malformed-json');
    emulator.setFaultMode(null);
    expect((await get(url, LIST_PATH)).text).toBe(listBody);
    expect((await get(url, readPath)).text).toBe(readBody);
    expect(emulator.faultMode).toBeNull();
  });
});

describe('the admin endpoint /_emulator/fault', () => {
  const admin = async (method: string, body?: string): Promise<{ status: number; json: any; headers: Headers }> => {
    const response = await fetch(url + FAULT_ADMIN_PATH, { method, ...(body === undefined ? {} : { body }) });
    return { status: response.status, json: await response.json(), headers: response.headers };
  };

  it('switches the mode of a running emulator: PUT, GET, DELETE, with counters', async () => {
    expect(await admin('GET')).toMatchObject({ status: 200, json: { mode: null } });
    const put = await admin('PUT', JSON.stringify({ mode: '429', rate: 1, retryAfterSeconds: 2 }));
    expect(put).toMatchObject({ status: 200, json: { ...DEFAULT_FAULT_SETTINGS, mode: '429', retryAfterSeconds: 2, seen: 0, hit: 0, held: 0 } });
    expect((await get(url, LIST_PATH)).status).toBe(429);
    expect(emulator.faultMode).toMatchObject({ mode: '429', seen: 1, hit: 1 });
    expect(await admin('GET')).toMatchObject({ status: 200, json: { mode: '429', seen: 1, hit: 1 } });
    expect(await admin('DELETE')).toMatchObject({ status: 200, json: { mode: null } });
    expect((await get(url, LIST_PATH)).status).toBe(200);
    await admin('PUT', '{"mode":"5xx"}');
    expect(await admin('PUT', '{"mode":null}')).toMatchObject({ status: 200, json: { mode: null } });
    expect(emulator.faultMode).toBeNull();
  });

  it('refuses bad settings with every problem, and keeps the mode it had', async () => {
    emulator.setFaultMode('latency', { latencyMs: 5 });
    const bad = await admin('PUT', JSON.stringify({ mode: 'latency', latencyMs: 'slow', rate: 2 }));
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: { error_message: string }) => e.error_message)).toEqual([
      'rate must be a number from 0 to 1; got 2',
      'latencyMs must be an integer from 0 to 600000; got "slow"',
    ]);
    expect((await admin('PUT', 'mode=5xx')).status).toBe(400);
    expect((await admin('PUT', 'x'.repeat(70_000))).status).toBe(413);
    expect(emulator.faultMode).toMatchObject({ mode: 'latency', latencyMs: 5 });
  });

  it('answers 405 to other methods and 404 to other admin paths', async () => {
    const post = await admin('POST', '{}');
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, PUT, DELETE']);
    const other = await fetch(`${url}/_emulator/other`);
    expect(other.status).toBe(404);
    await other.arrayBuffer();
  });

  it('needs no token, is never faulted, and stays out of the request log', async () => {
    emulator.setFaultMode('reset');
    expect(await admin('GET')).toMatchObject({ status: 200, json: { mode: 'reset' } });
    emulator.setFaultMode('hang');
    expect(await admin('PUT', '{"mode":"wrong-content-type"}')).toMatchObject({ status: 200 });
    expect(emulator.requests).toEqual([]);
    expect(emulator.faultMode).toMatchObject({ mode: 'wrong-content-type', seen: 0 });
  });
});

describe('close', () => {
  it('ends requests held by hang, slowed by latency or trickled by slow-body, promptly', async () => {
    for (const [mode, options] of [
      ['hang', {}],
      ['latency', { latencyMs: 600_000 }],
      ['slow-body', { latencyMs: 600_000 }],
    ] as const) {
      const target = createClumioEmulator();
      const base = await target.listen();
      target.setFaultMode(mode, options);
      const outcome = get(base, LIST_PATH).then(
        () => 'answered',
        () => 'failed',
      );
      await until(() => target.requests.length === 1, `the ${mode} request arrived`);
      await target.close();
      expect(await outcome).toBe('failed');
    }
  });
});

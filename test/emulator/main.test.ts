/** The emulator CLI: argument parsing and start-up (the signal handling lives in main() only). */
import { EC2_BACKUPS_PATH } from '../../src/clumio/wire-types';
import { ADMIN_PATH, DEFAULT_EMULATOR_TOKEN, DEFAULT_FAULT_SETTINGS, FAULT_ADMIN_PATH, FAULT_MODES } from '../../src/emulator';
import { DEFAULT_EMULATOR_PORT, USAGE, parseEmulatorArgs, startEmulatorFromConfig } from '../../src/emulator/main';
import { DEFAULT_SEED } from '../../src/emulator/seed-data';

describe('parseEmulatorArgs', () => {
  it('defaults to port 4010 on 127.0.0.1 with the default token and seed, not recording', () => {
    expect(parseEmulatorArgs([])).toEqual({
      ok: true,
      config: { port: DEFAULT_EMULATOR_PORT, host: '127.0.0.1', tokens: [DEFAULT_EMULATOR_TOKEN], seed: DEFAULT_SEED, record: false, fault: null, admin: true, rateLimit: 0 },
    });
    expect(DEFAULT_EMULATOR_PORT).toBe(4010);
  });

  it('takes repeated tokens, a host, a port, a seed, --record and --read-only, in both --x v and --x=v forms', () => {
    expect(parseEmulatorArgs(['--port', '0', '--host=0.0.0.0', '--token', 'a', '--token=b', '--seed', '7', '--record', '--read-only'])).toEqual({
      ok: true,
      config: { port: 0, host: '0.0.0.0', tokens: ['a', 'b'], seed: 7, record: true, fault: null, admin: false, rateLimit: 0 },
    });
  });

  it('reports every problem at once', () => {
    const parsed = parseEmulatorArgs(['--port', '70000', '--seed=-1', '--token', '']);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok === false && parsed.problems).toEqual([
      '--port must be an integer from 0 to 65535, got "70000"',
      '--seed must be a non-negative integer, got "-1"',
      '--token must be non-empty and contain no whitespace',
    ]);
  });

  it('takes a fault mode with its rate, latency, Retry-After and seed', () => {
    const latency = parseEmulatorArgs(['--fault', 'latency', '--fault-rate', '0.3', '--latency-ms=250', '--fault-seed', '9']);
    expect(latency).toEqual({
      ok: true,
      config: expect.objectContaining({
        fault: { ...DEFAULT_FAULT_SETTINGS, mode: 'latency', rate: 0.3, latencyMs: 250, seed: 9 },
      }),
    });
    const throttled = parseEmulatorArgs(['--fault=429', '--retry-after', '3', '--fault-rate', '.5']);
    expect(throttled.ok === true && throttled.config.fault).toEqual({ ...DEFAULT_FAULT_SETTINGS, mode: '429', rate: 0.5, retryAfterSeconds: 3 });
    expect(parseEmulatorArgs(['--fault', 'hang'])).toEqual({
      ok: true,
      config: expect.objectContaining({ fault: { ...DEFAULT_FAULT_SETTINGS, mode: 'hang' } }),
    });
  });

  it('reports every fault-flag problem at once, in the flags\' names', () => {
    const parsed = parseEmulatorArgs(['--fault', 'flaky', '--fault-rate', '1.5', '--latency-ms=-3', '--fault-seed', '0x10']);
    expect(parsed.ok === false && parsed.problems).toEqual([
      '--fault must be one of latency, hang, 5xx, 429, reset, truncated-json, malformed-json, wrong-content-type, slow-body; got "flaky"',
      '--fault-rate must be a number from 0 to 1; got 1.5',
      '--latency-ms must be an integer from 0 to 600000; got "-3"',
      '--fault-seed must be an integer from 0 to 4294967295; got "0x10"',
    ]);
    const misplaced = parseEmulatorArgs(['--fault', '5xx', '--latency-ms', '10', '--retry-after', '2']);
    expect(misplaced.ok === false && misplaced.problems).toEqual([
      '--latency-ms applies to --fault latency or slow-body only',
      '--retry-after applies to --fault 429 only',
    ]);
    const orphan = parseEmulatorArgs(['--fault-rate', '0.5', '--latency-ms', '10']);
    expect(orphan.ok === false && orphan.problems).toEqual(['--fault-rate, --latency-ms need --fault <mode>']);
  });

  it('documents every fault mode and the admin endpoint in --help', () => {
    for (const mode of FAULT_MODES) expect(USAGE).toMatch(new RegExp(`^ +${mode} +\\S`, 'm'));
    for (const flag of ['--fault ', '--fault-rate', '--latency-ms', '--retry-after', '--fault-seed', `PUT    ${FAULT_ADMIN_PATH}`]) {
      expect(USAGE).toContain(flag);
    }
  });

  it('rejects unknown options and recognises --help', () => {
    const unknown = parseEmulatorArgs(['--prot', '1']);
    expect(unknown.ok).toBe(false);
    expect(unknown.ok === false && unknown.problems[0]).toMatch(/^Unknown option '--prot'/);
    expect(parseEmulatorArgs(['--help'])).toEqual({ ok: 'help' });
  });

  it('documents the admin endpoint in --help', () => {
    expect(USAGE).toMatch(/--read-only/);
    expect(USAGE).toContain(`POST   ${ADMIN_PATH}`);
    expect(USAGE).toContain(`DELETE ${ADMIN_PATH}/{id}`);
    expect(USAGE).toMatch(/not part of Clumio's API/);
  });
});

describe('startEmulatorFromConfig', () => {
  it('listens, prints its URL and tokens, serves the token, and closes', async () => {
    const lines: string[] = [];
    const emulator = await startEmulatorFromConfig(
      { port: 0, host: '127.0.0.1', tokens: ['cli-token'], seed: DEFAULT_SEED, record: false, fault: null, admin: true, rateLimit: 0 },
      (line) => lines.push(line),
    );
    try {
      expect(lines[0]).toBe(`Clumio emulator listening on ${emulator.url}`);
      expect(lines).toContain('Bearer token: cli-token');
      expect(lines).toContain(`Add and remove backups at ${emulator.url}${ADMIN_PATH} (see --help)`);
      const ok = await fetch(`${emulator.url}${EC2_BACKUPS_PATH}?limit=1`, { headers: { authorization: 'Bearer cli-token' } });
      expect(ok.status).toBe(200);
      await ok.arrayBuffer();
      expect(emulator.requests).toHaveLength(0);
      expect(emulator.faultMode).toBeNull();
    } finally {
      await emulator.close();
    }
  });

  it('starts with the fault mode given, and says how to switch it', async () => {
    const lines: string[] = [];
    const emulator = await startEmulatorFromConfig(
      { port: 0, host: '127.0.0.1', tokens: ['cli-token'], seed: DEFAULT_SEED, record: false, fault: { ...DEFAULT_FAULT_SETTINGS, mode: '5xx' }, admin: true, rateLimit: 0 },
      (line) => lines.push(line),
    );
    try {
      expect(emulator.faultMode).toMatchObject({ mode: '5xx', rate: 1, seen: 0, hit: 0 });
      expect(lines).toContain('Fault mode: 5xx on 100% of requests (fault seed 1)');
      expect(lines.some((line) => line.includes(`${emulator.url}${FAULT_ADMIN_PATH}`))).toBe(true);
      const failed = await fetch(`${emulator.url}${EC2_BACKUPS_PATH}?limit=1`, { headers: { authorization: 'Bearer cli-token' } });
      expect(failed.status).toBe(502);
      await failed.arrayBuffer();
    } finally {
      await emulator.close();
    }
  });
});

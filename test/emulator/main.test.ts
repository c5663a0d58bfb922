/** The emulator CLI: argument parsing and start-up (the signal handling lives in main() only). */
import { EC2_BACKUPS_PATH } from '../../src/clumio/wire-types';
import { DEFAULT_EMULATOR_TOKEN } from '../../src/emulator';
import { DEFAULT_EMULATOR_PORT, parseEmulatorArgs, startEmulatorFromConfig } from '../../src/emulator/main';
import { DEFAULT_SEED } from '../../src/emulator/seed-data';

describe('parseEmulatorArgs', () => {
  it('defaults to port 4010 on 127.0.0.1 with the default token and seed, not recording', () => {
    expect(parseEmulatorArgs([])).toEqual({
      ok: true,
      config: { port: DEFAULT_EMULATOR_PORT, host: '127.0.0.1', tokens: [DEFAULT_EMULATOR_TOKEN], seed: DEFAULT_SEED, record: false, latencyMs: 0, rateLimit: 0 },
    });
    expect(DEFAULT_EMULATOR_PORT).toBe(4010);
  });

  it('takes repeated tokens, a host, a port, a seed and --record, in both --x v and --x=v forms', () => {
    expect(parseEmulatorArgs(['--port', '0', '--host=0.0.0.0', '--token', 'a', '--token=b', '--seed', '7', '--record'])).toEqual({
      ok: true,
      config: { port: 0, host: '0.0.0.0', tokens: ['a', 'b'], seed: 7, record: true, latencyMs: 0, rateLimit: 0 },
    });
  });

  it('takes a persistent latency and a rate limit for benchmarks and limiter tests', () => {
    expect(parseEmulatorArgs(['--latency-ms', '50', '--rate-limit=100'])).toMatchObject({
      ok: true,
      config: { latencyMs: 50, rateLimit: 100 },
    });
    const parsed = parseEmulatorArgs(['--latency-ms=-5', '--rate-limit', 'many']);
    expect(parsed.ok === false && parsed.problems).toEqual([
      '--latency-ms must be an integer from 0 to 60000, got "-5"',
      '--rate-limit must be an integer from 0 to 1000000, got "many"',
    ]);
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

  it('rejects unknown options and recognises --help', () => {
    const unknown = parseEmulatorArgs(['--prot', '1']);
    expect(unknown.ok).toBe(false);
    expect(unknown.ok === false && unknown.problems[0]).toMatch(/^Unknown option '--prot'/);
    expect(parseEmulatorArgs(['--help'])).toEqual({ ok: 'help' });
  });
});

describe('startEmulatorFromConfig', () => {
  it('listens, prints its URL and tokens, serves the token, and closes', async () => {
    const lines: string[] = [];
    const emulator = await startEmulatorFromConfig(
      { port: 0, host: '127.0.0.1', tokens: ['cli-token'], seed: DEFAULT_SEED, record: false, latencyMs: 0, rateLimit: 0 },
      (line) => lines.push(line),
    );
    try {
      expect(lines[0]).toBe(`Clumio emulator listening on ${emulator.url}`);
      expect(lines).toContain('Bearer token: cli-token');
      const ok = await fetch(`${emulator.url}${EC2_BACKUPS_PATH}?limit=1`, { headers: { authorization: 'Bearer cli-token' } });
      expect(ok.status).toBe(200);
      await ok.arrayBuffer();
      expect(emulator.requests).toHaveLength(0);
    } finally {
      await emulator.close();
    }
  });
});

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import Redis from 'ioredis';
import { freePort } from './free-port';

/**
 * A real redis-server (Debian's `redis-server` package) on an ephemeral loopback port, with no
 * persistence, for the tests under test/redis. Set REDIS_SERVER_PATH if it is not on PATH.
 */
export interface TestRedis {
  url: string;
  /** A client for looking at what the gateway stored. */
  client: Redis;
  close(): Promise<void>;
}


export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const binary = process.env.REDIS_SERVER_PATH ?? 'redis-server';
  const child: ChildProcess = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`could not start ${binary} (apt-get install redis-server): ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`${binary} exited with ${code}:\n${output}`)));
  });
  const url = `redis://127.0.0.1:${port}`;
  // ioredis retries the connection until redis-server listens; the first PING resolves once it does.
  const client = new Redis(url, { retryStrategy: () => 50 });
  await Promise.race([client.ping(), exited]);
  return {
    url,
    client,
    async close() {
      client.disconnect();
      if (child.exitCode === null) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await gone;
      }
    },
  };
}

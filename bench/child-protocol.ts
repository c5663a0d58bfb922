import { createServer } from 'node:http';
import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
/**
 * The messages between the benchmark and its child processes (the gateway and the emulator run in
 * their own processes, so each one's CPU time and memory are its own).
 */

/** The Node a child runs on, as the results record it (fork() runs children on the parent's binary). */
export interface ChildRuntime {
  node: string;
  execArgv: string[];
  nodeOptions: string;
  nodeEnv: string;
}

/** Sent by a child once it listens. */
export interface ReadyMessage {
  type: 'ready';
  url: string;
  runtime: ChildRuntime;
}

/** A child's resource use at one moment. */
export interface ProcessStats {
  /** User + system CPU time since the process started, in microseconds. */
  cpuMicros: number;
  /** Resident set size now, in bytes. */
  rss: number;
  /** Largest resident set size so far, in bytes. */
  maxRss: number;
  /** V8 heap in use and reserved, and memory held outside the heap (buffers), in bytes. */
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** Upstream requests received so far (the emulator only). */
  requestCount?: number;
}

export interface StatsMessage {
  type: 'stats';
  id: number;
  stats: ProcessStats;
}

/** From the benchmark to a child. */
export type ParentMessage = { type: 'stats'; id: number } | { type: 'stop' };

export type ChildMessage = ReadyMessage | StatsMessage;

/** Answers the benchmark's questions in a child process; `extra` adds child-specific figures. */
export function serveParent(url: string, stop: () => Promise<void>, extra: () => Partial<ProcessStats> = () => ({})): void {
  const send = (message: ChildMessage): void => {
    process.send?.(message);
  };
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stop') {
      void stop().finally(() => process.exit(0));
      return;
    }
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    send({
      type: 'stats',
      id: message.id,
      stats: {
        cpuMicros: cpu.user + cpu.system,
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        heapTotal: memory.heapTotal,
        external: memory.external + memory.arrayBuffers,
        // maxRSS is in kilobytes.
        maxRss: process.resourceUsage().maxRSS * 1024,
        ...extra(),
      },
    });
  });
  // The benchmark going away (a crash, ^C) must not leave servers behind.
  process.on('disconnect', () => void stop().finally(() => process.exit(0)));
  send({
    type: 'ready',
    url,
    runtime: { node: process.version, execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS ?? '', nodeEnv: process.env.NODE_ENV ?? '' },
  });
}

/**
 * Serves `listener` on an ephemeral loopback port and answers the benchmark (serveParent); on stop,
 * closes every connection, then the server, then whatever `release` frees (an upstream pool).
 */
export async function serveHttp(listener: RequestListener, release: () => Promise<void>): Promise<void> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  serveParent(`http://127.0.0.1:${port}`, async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await release();
  });
}

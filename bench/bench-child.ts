import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { ChildMessage, ChildRuntime, ParentMessage, ProcessStats } from './child-protocol';

/** A server the benchmark runs in a child process, asked for its CPU time and memory over IPC. */
export class BenchChild {
  private nextId = 1;
  private readonly waiting = new Map<number, (stats: ProcessStats) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly runtime: ChildRuntime,
  ) {
    child.on('message', (message: ChildMessage) => {
      if (message.type !== 'stats') return;
      this.waiting.get(message.id)?.(message.stats);
      this.waiting.delete(message.id);
    });
  }

  /** Forks `script` (a compiled file beside this one) and resolves once it listens; `undefined` in `env` unsets. */
  static start(script: string, env: Record<string, string | undefined>, execArgv: string[] = [], startTimeoutMs = 30_000): Promise<BenchChild> {
    const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
    for (const [name, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[name];
    const child = fork(script, [], { env: childEnv, execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`${script} did not start within ${startTimeoutMs} ms`));
      }, startTimeoutMs);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited with ${code} before it was ready`));
      });
      child.once('message', (message: ChildMessage) => {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        if (message.type === 'ready') resolve(new BenchChild(child, message.url, message.runtime));
        else reject(new Error(`${script} sent ${message.type} before ready`));
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  stats(): Promise<ProcessStats> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('a bench child did not report its stats')), 10_000);
      this.waiting.set(id, (stats) => {
        clearTimeout(timer);
        resolve(stats);
      });
      this.send({ type: 'stats', id });
    });
  }

  /** Asks the child to close its server and exit; kills it if it has not within the grace period. */
  stop(graceMs = 5_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.send({ type: 'stop' });
    });
  }

  private send(message: ParentMessage): void {
    if (this.child.connected) this.child.send(message);
  }
}

import { GraphQLError } from 'graphql';
import { TaskPollers } from '../../src/restores/task-poller';
import type { ReadTask, WireTaskLike } from '../../src/restores/task-poller';

/** A clock and timer queue driven by hand: time moves only in advance(). */
class FakeClock {
  now = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  readonly options = {
    now: (): number => this.now,
    setTimer: (fn: () => void, ms: number): unknown => {
      const id = ++this.seq;
      this.timers.set(id, { at: this.now + ms, fn });
      return id;
    },
    clearTimer: (handle: unknown): void => {
      this.timers.delete(handle as number);
    },
  };

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Runs due timers in time order, letting promise callbacks run after each, until `ms` have passed. */
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    await flush();
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
      await flush();
    }
    this.now = until;
    await flush();
  }
}

/** Lets every queued promise callback run (setImmediate comes after the microtask queue; no time passes). */
async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A task snapshot; `extra` stands for the fields the poller passes on without looking at. */
const task = (status: string, progress: number | null = null, extra: Record<string, unknown> = {}): WireTaskLike => ({
  id: 't1',
  status,
  progress_percentage: progress,
  ...extra,
});

/** A read that answers from a script (the last entry repeats) and records when it was called. */
function scripted(clock: FakeClock, answers: Array<WireTaskLike | null | Error>): ReadTask & { times: number[] } {
  const times: number[] = [];
  const read = async (taskId: string): Promise<WireTaskLike | null> => {
    expect(taskId).toBe('t1');
    times.push(clock.now);
    const answer = answers[Math.min(times.length - 1, answers.length - 1)];
    if (answer instanceof Error) throw answer;
    return answer ?? null;
  };
  return Object.assign(read, { times });
}

/** A read whose answers the test hands out one at a time. */
function deferred(clock: FakeClock): ReadTask & { times: number[]; resolve: (t: WireTaskLike | null) => void; reject: (e: Error) => void } {
  const times: number[] = [];
  const pending: Array<{ resolve: (t: WireTaskLike | null) => void; reject: (e: Error) => void }> = [];
  const read = (): Promise<WireTaskLike | null> => {
    times.push(clock.now);
    return new Promise((resolve, reject) => pending.push({ resolve, reject }));
  };
  return Object.assign(read, {
    times,
    resolve: (t: WireTaskLike | null) => pending.shift()!.resolve(t),
    reject: (e: Error) => pending.shift()!.reject(e),
  });
}

/** `status:progress` for an event, `{ error }` for a rejected next(), 'done' at the end. */
type Seen = string | { error: unknown };
interface Pending {
  promise: Promise<Seen>;
  settled: boolean;
}
/** A next() that drain() left waiting, picked up by the next drain() of that iterator. */
const waiting = new WeakMap<AsyncIterator<WireTaskLike>, Pending>();

function nextOf(it: AsyncIterator<WireTaskLike>): Pending {
  const pending: Pending = { settled: false, promise: Promise.resolve('done') };
  pending.promise = it.next().then(
    (r): Seen => ((pending.settled = true), r.done === true ? 'done' : `${String(r.value.status)}:${String(r.value.progress_percentage)}`),
    (error: unknown): Seen => ((pending.settled = true), { error }),
  );
  return pending;
}

/** Everything a subscriber has received so far, without waiting for more (the waiting next() is kept). */
async function drain(it: AsyncIterator<WireTaskLike>): Promise<Seen[]> {
  const seen: Seen[] = [];
  for (;;) {
    const pending = waiting.get(it) ?? nextOf(it);
    waiting.delete(it);
    await flush();
    if (!pending.settled) {
      waiting.set(it, pending);
      return seen;
    }
    const item = await pending.promise;
    seen.push(item);
    if (item === 'done' || typeof item === 'object') return seen;
  }
}

/** The next() a drain() left waiting. */
function waitingNext(it: AsyncIterator<WireTaskLike>): Promise<Seen> {
  return waiting.get(it)!.promise;
}

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  await flush();
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

function setup(): { clock: FakeClock; pollers: TaskPollers } {
  const clock = new FakeClock();
  return { clock, pollers: new TaskPollers(clock.options) };
}

function expectStopped(clock: FakeClock, pollers: TaskPollers): void {
  expect(pollers.size).toBe(0);
  expect(clock.pendingTimers).toBe(0);
}

describe('TaskPollers: events', () => {
  it('reads at once and makes that read the first event (the wire object itself)', async () => {
    const { clock, pollers } = setup();
    const snapshot = task('queued', 0);
    const read = scripted(clock, [snapshot]);
    const it = pollers.subscribe('caller-a', 't1', read);
    expect(read.times).toEqual([0]);
    await expect(it.next()).resolves.toEqual({ value: snapshot, done: false });
    expect(await drain(it)).toEqual([]); // nothing changed: no second event
    await it.return!();
    expectStopped(clock, pollers);
  });

  it('sends later events only when status or progress changes, and ends after a final status', async () => {
    const { clock, pollers } = setup();
    const read = scripted(clock, [
      task('queued', 0),
      task('queued', 0, { _etag: 'other' }), // a change in another field is no event
      task('in_progress', 0),
      task('in_progress', 40),
      task('in_progress', 40),
      task('completed', 100),
    ]);
    const it = pollers.subscribe('caller-a', 't1', read);
    await clock.advance(60_000);
    expect(await drain(it)).toEqual(['queued:0', 'in_progress:0', 'in_progress:40', 'completed:100', 'done']);
    expect(read.times).toHaveLength(6);
    expectStopped(clock, pollers);
    await expect(it.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('treats aborting as not final and ends after aborted', async () => {
    const { clock, pollers } = setup();
    const read = scripted(clock, [task('in_progress', 10), task('aborting', 10), task('aborting', 10), task('aborted', 10)]);
    const it = pollers.subscribe('caller-a', 't1', read);
    await clock.advance(1_000);
    expect(await drain(it)).toEqual(['in_progress:10', 'aborting:10']);
    expect(pollers.size).toBe(1);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(10_000);
    expect(await drain(it)).toEqual(['aborted:10', 'done']);
    expect(read.times).toEqual([0, 1_000, 2_000, 3_500]);
    expectStopped(clock, pollers);
  });

  it('ends after failed', async () => {
    const { clock, pollers } = setup();
    const read = scripted(clock, [task('in_progress', 10), task('failed', 30)]);
    const it = pollers.subscribe('caller-a', 't1', read);
    await clock.advance(1_000);
    expect(await drain(it)).toEqual(['in_progress:10', 'failed:30', 'done']);
    expectStopped(clock, pollers);
  });

  it('keeps polling through a status it does not know, and two unknown values are no change', async () => {
    const { clock, pollers } = setup();
    const read = scripted(clock, [task('paused', 5), task('suspended', 5), task('COMPLETED', 5), task('completed', 100)]);
    const it = pollers.subscribe('caller-a', 't1', read);
    await clock.advance(2_500);
    expect(read.times).toEqual([0, 1_000, 2_500]);
    expect(pollers.size).toBe(1);
    await clock.advance(10_000);
    expect(await drain(it)).toEqual(['paused:5', 'completed:100', 'done']);
    expectStopped(clock, pollers);
  });
});

describe('TaskPollers: read schedule', () => {
  it('reads at 0 and +1000, backs off ×1.5 to the 5000 cap while nothing changes, and resets on a change', async () => {
    const { clock, pollers } = setup();
    const same = task('in_progress', 10);
    const read = scripted(clock, [same, same, same, same, same, same, same, task('in_progress', 20), task('in_progress', 20), task('in_progress', 20)]);
    const it = pollers.subscribe('caller-a', 't1', read);
    await clock.advance(26_000);
    expect(read.times).toEqual([0, 1_000, 2_500, 4_750, 8_125, 13_125, 18_125, 23_125, 24_125, 25_625]);
    const gaps = read.times.slice(1).map((t, i) => t - read.times[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1_000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(5_000);
    expect(await drain(it)).toEqual(['in_progress:10', 'in_progress:20']);
    await it.return!();
    expectStopped(clock, pollers);
  });

  it('measures the interval from the start of a slow read and never overlaps two reads', async () => {
    const { clock, pollers } = setup();
    const read = deferred(clock);
    const it = pollers.subscribe('caller-a', 't1', read);
    await clock.advance(3_000); // the first read takes 3 s: no second read meanwhile
    expect(read.times).toEqual([0]);
    read.resolve(task('queued', 0));
    await clock.advance(0);
    expect(read.times).toEqual([0, 3_000]); // overdue, so at once
    read.resolve(task('queued', 0));
    await clock.advance(1_500);
    expect(read.times).toEqual([0, 3_000, 4_500]);
    await it.return!();
    read.resolve(task('queued', 0));
    expectStopped(clock, pollers);
  });
});

describe('TaskPollers: sharing', () => {
  it('gives two subscribers of one caller and task one poller and the same reads', async () => {
    const { clock, pollers } = setup();
    const read = scripted(clock, [task('queued', 0), task('in_progress', 10), task('in_progress', 10), task('completed', 100)]);
    const otherRead = scripted(clock, [task('failed', 0)]);
    const a = pollers.subscribe('caller-a', 't1', read);
    await clock.advance(500);
    const b = pollers.subscribe('caller-a', 't1', otherRead); // the snapshot is 500 ms old: fresh, no read
    expect(pollers.size).toBe(1);
    expect(read.times).toEqual([0]);
    expect(await drain(b)).toEqual(['queued:0']);
    await clock.advance(10_000);
    expect(read.times).toEqual([0, 1_000, 2_000, 3_500]);
    expect(otherRead.times).toEqual([]);
    expect(await drain(a)).toEqual(['queued:0', 'in_progress:10', 'completed:100', 'done']);
    expect(await drain(b)).toEqual(['in_progress:10', 'completed:100', 'done']);
    expectStopped(clock, pollers);
  });

  it('keeps polling for the remaining subscriber, with its read, when the first leaves', async () => {
    const { clock, pollers } = setup();
    const readA = scripted(clock, [task('queued', 0)]);
    const readB = scripted(clock, [task('queued', 0)]);
    const a = pollers.subscribe('caller-a', 't1', readA);
    const b = pollers.subscribe('caller-a', 't1', readB);
    await clock.advance(1_000);
    expect(readA.times).toEqual([0, 1_000]);
    await a.return!();
    expect(pollers.size).toBe(1);
    await clock.advance(1_500);
    expect(readA.times).toEqual([0, 1_000]);
    expect(readB.times).toEqual([2_500]);
    expect(await drain(b)).toEqual(['queued:0']);
    await b.return!();
    expectStopped(clock, pollers);
  });

  it('gives different callers separate pollers and reads', async () => {
    const { clock, pollers } = setup();
    const readA = scripted(clock, [task('queued', 0)]);
    const readB = scripted(clock, [task('in_progress', 50)]);
    const a = pollers.subscribe('caller-a', 't1', readA);
    const b = pollers.subscribe('caller-b', 't1', readB);
    expect(pollers.size).toBe(2);
    await clock.advance(1_000);
    expect(readA.times).toEqual([0, 1_000]);
    expect(readB.times).toEqual([0, 1_000]);
    expect(await drain(a)).toEqual(['queued:0']);
    expect(await drain(b)).toEqual(['in_progress:50']);
    await a.return!();
    expect(pollers.size).toBe(1);
    await b.return!();
    expectStopped(clock, pollers);
  });

  it('does not confuse a caller key and task id that concatenate alike', async () => {
    const { clock, pollers } = setup();
    const read = scripted(clock, [task('queued', 0)]);
    const a = pollers.subscribe('a', 'bt1', async () => task('queued', 0));
    const b = pollers.subscribe('ab', 't1', read);
    expect(pollers.size).toBe(2);
    await a.return!();
    await b.return!();
    expectStopped(clock, pollers);
  });

  it('gives a subscriber joining during a read that read as its first event', async () => {
    const { clock, pollers } = setup();
    const read = deferred(clock);
    const a = pollers.subscribe('caller-a', 't1', read);
    await clock.advance(300);
    const b = pollers.subscribe('caller-a', 't1', read);
    expect(read.times).toEqual([0]);
    expect(await drain(b)).toEqual([]);
    read.resolve(task('in_progress', 5));
    await flush();
    expect(await drain(a)).toEqual(['in_progress:5']);
    expect(await drain(b)).toEqual(['in_progress:5']); // the next() it called before the read came back
    expect(read.times).toEqual([0]);
    await a.return!();
    await b.return!();
    expectStopped(clock, pollers);
  });

  it('reads first for a subscriber joining when the last read is over a second old, then keeps the shared schedule', async () => {
    const { clock, pollers } = setup();
    const same = task('in_progress', 10);
    const read = scripted(clock, [same]);
    const a = pollers.subscribe('caller-a', 't1', read);
    await clock.advance(5_000); // reads at 0, 1000, 2500, 4750
    expect(read.times).toEqual([0, 1_000, 2_500, 4_750]);
    await clock.advance(1_000); // 6000: last read started 1250 ms ago
    const b = pollers.subscribe('caller-a', 't1', read);
    expect(read.times).toEqual([0, 1_000, 2_500, 4_750, 6_000]);
    expect(await drain(b)).toEqual(['in_progress:10']);
    expect(await drain(a)).toEqual(['in_progress:10']); // no change for a: one event only
    await a.return!();
    await b.return!();
    expectStopped(clock, pollers);
  });

  it('serves a subscriber that comes back within a second from the last read instead of reading again', async () => {
    const { clock, pollers } = setup();
    const read = scripted(clock, [task('queued', 0), task('in_progress', 1)]);
    const a = pollers.subscribe('caller-a', 't1', read);
    expect(await drain(a)).toEqual(['queued:0']);
    await a.return!();
    expectStopped(clock, pollers);
    await clock.advance(600);
    const b = pollers.subscribe('caller-a', 't1', read);
    expect(await drain(b)).toEqual(['queued:0']);
    expect(read.times).toEqual([0]);
    await clock.advance(400);
    expect(read.times).toEqual([0, 1_000]);
    expect(await drain(b)).toEqual(['in_progress:1']);
    await b.return!();
    await clock.advance(5_000);
    const c = pollers.subscribe('caller-a', 't1', read); // the last read is stale: read again
    expect(read.times).toEqual([0, 1_000, 6_000]);
    await c.return!();
    expectStopped(clock, pollers);
  });
  it('answers a subscriber arriving within a second of the end with that end, without reading', async () => {
    const { clock, pollers } = setup();
    const read = scripted(clock, [task('completed', 100)]);
    expect(await drain(pollers.subscribe('caller-a', 't1', read))).toEqual(['completed:100', 'done']);
    await clock.advance(900);
    expect(await drain(pollers.subscribe('caller-a', 't1', read))).toEqual(['completed:100', 'done']);
    expect(read.times).toEqual([0]);
    expectStopped(clock, pollers);
    await clock.advance(200); // 1100 ms after the read: a new subscriber reads again
    expect(await drain(pollers.subscribe('caller-a', 't1', read))).toEqual(['completed:100', 'done']);
    expect(read.times).toEqual([0, 1_100]);
    expectStopped(clock, pollers);
  });
});

describe('TaskPollers: errors', () => {
  it('answers an unknown task with one NOT_FOUND error naming the task, then ends', async () => {
    const { clock, pollers } = setup();
    const read = scripted(clock, [null]);
    const it = pollers.subscribe('caller-a', 't1', read);
    const error: unknown = await it.next().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions).toMatchObject({ code: 'NOT_FOUND', upstream: { status: 404 } });
    expect((error as GraphQLError).message).toContain('"t1"');
    expect((error as GraphQLError).message).toMatch(/check the taskId/i);
    await expect(it.next()).resolves.toEqual({ value: undefined, done: true });
    expectStopped(clock, pollers);
    await clock.advance(10_000);
    expect(read.times).toEqual([0]);
  });

  it('ends the stream with the error of a failed poll, after the events before it', async () => {
    const { clock, pollers } = setup();
    const failure = new GraphQLError('Clumio is rate limiting', { extensions: { code: 'RATE_LIMITED', retryAfter: 3 } });
    const read = scripted(clock, [task('in_progress', 10), task('in_progress', 20), failure]);
    const it = pollers.subscribe('caller-a', 't1', read);
    await clock.advance(10_000);
    const seen = await drain(it);
    expect(seen.slice(0, 2)).toEqual(['in_progress:10', 'in_progress:20']);
    expect(seen[2]).toEqual({ error: failure });
    expect((seen[2] as { error: GraphQLError }).error.extensions.code).toBe('RATE_LIMITED');
    await expect(it.next()).resolves.toEqual({ value: undefined, done: true });
    expect(read.times).toEqual([0, 1_000, 2_000]);
    expectStopped(clock, pollers);
  });

  it('delivers one failure to every subscriber of the poller', async () => {
    const { clock, pollers } = setup();
    const failure = new GraphQLError('upstream down', { extensions: { code: 'UPSTREAM_ERROR' } });
    const read = scripted(clock, [failure]);
    const a = pollers.subscribe('caller-a', 't1', read);
    const b = pollers.subscribe('caller-a', 't1', read);
    await expect(a.next()).rejects.toBe(failure);
    await expect(b.next()).rejects.toBe(failure);
    await expect(a.next()).resolves.toMatchObject({ done: true });
    expect(read.times).toEqual([0]);
    expectStopped(clock, pollers);
  });

  it('turns a read that throws synchronously into the stream error', async () => {
    const { clock, pollers } = setup();
    const failure = new GraphQLError('boom', { extensions: { code: 'UPSTREAM_ERROR' } });
    const it = pollers.subscribe('caller-a', 't1', () => {
      throw failure;
    });
    await expect(it.next()).rejects.toBe(failure);
    expectStopped(clock, pollers);
  });

  it('never leaves an unhandled rejection when nobody calls next() after an error', async () => {
    const { clock, pollers } = setup();
    pollers.subscribe('caller-a', 't1', scripted(clock, [new GraphQLError('x', { extensions: { code: 'UPSTREAM_ERROR' } })]));
    await clock.advance(1_000);
    expectStopped(clock, pollers);
  });
});

describe('TaskPollers: leaving', () => {
  it('stops reading when the last subscriber returns, and ends its waiting next()', async () => {
    const { clock, pollers } = setup();
    const read = scripted(clock, [task('queued', 0)]);
    const it = pollers.subscribe('caller-a', 't1', read);
    await clock.advance(1_000);
    expect(await drain(it)).toEqual(['queued:0']);
    const next = waitingNext(it);
    await expect(it.return!()).resolves.toEqual({ value: undefined, done: true });
    await expect(next).resolves.toBe('done');
    expectStopped(clock, pollers);
    await clock.advance(60_000);
    expect(read.times).toEqual([0, 1_000]);
    await expect(it.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('ignores a read still in flight when the last subscriber leaves, even if it fails', async () => {
    const { clock, pollers } = setup();
    const read = deferred(clock);
    const it = pollers.subscribe('caller-a', 't1', read);
    await it.return!();
    expectStopped(clock, pollers);
    read.reject(new GraphQLError('late', { extensions: { code: 'UPSTREAM_TIMEOUT' } }));
    await clock.advance(10_000);
    expect(read.times).toEqual([0]);
    expectStopped(clock, pollers);
  });

  it('lets a subscriber returning during an in-flight read come back to that read', async () => {
    const { clock, pollers } = setup();
    const read = deferred(clock);
    const a = pollers.subscribe('caller-a', 't1', read);
    await a.return!();
    const b = pollers.subscribe('caller-a', 't1', read);
    expect(read.times).toEqual([0]);
    read.resolve(task('queued', 0));
    await flush();
    expect(await drain(b)).toEqual(['queued:0']);
    await b.return!();
    expectStopped(clock, pollers);
  });

  it('ends a subscriber when its AbortSignal fires', async () => {
    const { clock, pollers } = setup();
    const read = scripted(clock, [task('queued', 0)]);
    const controller = new AbortController();
    const it = pollers.subscribe('caller-a', 't1', read, controller.signal);
    expect(await drain(it)).toEqual(['queued:0']);
    controller.abort();
    await expect(waitingNext(it)).resolves.toBe('done');
    expectStopped(clock, pollers);
    await clock.advance(10_000);
    expect(read.times).toEqual([0]);
  });

  it('answers an already aborted signal with a finished iterator and no read', async () => {
    const { clock, pollers } = setup();
    const read = scripted(clock, [task('queued', 0)]);
    const it = pollers.subscribe('caller-a', 't1', read, AbortSignal.abort());
    await expect(it.next()).resolves.toEqual({ value: undefined, done: true });
    expect(read.times).toEqual([]);
    expectStopped(clock, pollers);
  });

  it('works with for await and break', async () => {
    const { clock, pollers } = setup();
    const read = scripted(clock, [task('queued', 0), task('in_progress', 50)]);
    const seen: string[] = [];
    const loop = (async () => {
      for await (const t of pollers.subscribe('caller-a', 't1', read)) {
        seen.push(String(t.status));
        if (t.status === 'in_progress') break;
      }
    })();
    await clock.advance(1_000);
    await loop;
    expect(seen).toEqual(['queued', 'in_progress']);
    expectStopped(clock, pollers);
  });

  it('rejects options that cannot hold the contract', () => {
    expect(() => new TaskPollers({ minIntervalMs: 0 })).toThrow(RangeError);
    expect(() => new TaskPollers({ minIntervalMs: 2_000, maxIntervalMs: 1_000 })).toThrow(RangeError);
  });
});

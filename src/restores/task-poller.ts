import { GraphQLError } from 'graphql';

/**
 * The `clumioTask` subscription's polling: one poller per (caller, task), shared by all of that
 * caller's subscribers to the task, each subscriber reading it as its own AsyncIterableIterator.
 *
 * The contract's rules (Restores, Subscription): the first event is the task as last read, at most
 * `freshMs` old; later events only when status or progress changes; the stream ends after a final
 * status (`aborting` is not final); an unknown task is one NOT_FOUND error, a failed poll one error
 * with its code. Reads go at most once per `minIntervalMs` and at least every `maxIntervalMs` per
 * poller (backing off while nothing changes), never two at a time, and stop when the task ends or the
 * last subscriber leaves.
 */

/**
 * The fields of a Clumio task (GET /tasks/{task_id}) the poller looks at; snapshots are passed on
 * untouched. No index signature, so the client's `WireTask` interface is assignable to it.
 */
export interface WireTaskLike {
  id?: string | null;
  status?: string | null;
  progress_percentage?: number | null;
}

/** Reads the task once: null when Clumio has no such task (404); rejects with a GraphQLError (with `extensions.code`) when the read failed after the client's retries. */
export type ReadTask<T extends WireTaskLike = WireTaskLike> = (taskId: string) => Promise<T | null>;

export interface TaskPollerOptions<T extends WireTaskLike = WireTaskLike> {
  /** The gateway's Clumio client (retries, breaker and rate limiter already inside), bound to one caller. */
  read: ReadTask<T>;
  /** Shortest time between the starts of two reads of one poller. Default 1000. */
  minIntervalMs?: number;
  /** Longest time between the starts of two reads while the task runs (the backoff's cap). Default 5000. */
  maxIntervalMs?: number;
  /** A new subscriber's first event is the last read when it started at most this long ago; otherwise a read is made first. Default 1000. */
  freshMs?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** Statuses after which Clumio's task never changes again (clumio-api-facts §7). */
const FINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'aborted']);
/** The six documented statuses; any other value is null in the schema, so two unknown values are "no change". */
const KNOWN_STATUSES: ReadonlySet<string> = new Set(['queued', 'in_progress', 'completed', 'failed', 'aborting', 'aborted']);
/** Growth of the interval per read that saw no change (1000, 1500, 2250, 3375, then the cap). */
const BACKOFF_FACTOR = 1.5;

type Outcome<T> = { kind: 'task'; task: T } | { kind: 'error'; error: Error };

interface Waiter<T> {
  settle: (value: IteratorResult<T, undefined>) => void;
  fail: (error: Error) => void;
}

function statusOf(task: WireTaskLike): string | null {
  return typeof task.status === 'string' && KNOWN_STATUSES.has(task.status) ? task.status : null;
}

function progressOf(task: WireTaskLike): number | null {
  return typeof task.progress_percentage === 'number' ? task.progress_percentage : null;
}

function sameState(a: WireTaskLike, b: WireTaskLike): boolean {
  return statusOf(a) === statusOf(b) && progressOf(a) === progressOf(b);
}

/** What a read threw, as an Error (anything but a GraphQLError is masked by the server anyway). */
function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(`task read failed: ${String(thrown)}`);
}

function isFinal(task: WireTaskLike): boolean {
  return typeof task.status === 'string' && FINAL_STATUSES.has(task.status);
}

function isTerminal<T extends WireTaskLike>(outcome: Outcome<T>): boolean {
  return outcome.kind === 'error' || isFinal(outcome.task);
}

function taskNotFound(taskId: string): GraphQLError {
  return new GraphQLError(
    `Clumio has no task "${taskId}" that this caller can see. Check the taskId (the task.taskId a restoreEc2InstanceBackup ` +
      'mutation answered) and subscribe with the same Clumio token and organizational unit that started the restore.',
    { extensions: { code: 'NOT_FOUND', upstream: { status: 404, errorCode: null, errorMessage: null } } },
  );
}

/** One subscriber's stream: a queue of events and at most one terminal error, drained by next(). */
class TaskSubscription<T extends WireTaskLike> implements AsyncIterableIterator<T> {
  /** No more items will be queued (final status, error, return() or abort). */
  private closed = false;
  private readonly queue: Outcome<T>[] = [];
  /** next() calls waiting for an item, oldest first. */
  private readonly waiters: Waiter<T>[] = [];
  private lastEvent: T | null = null;

  constructor(
    readonly read: ReadTask<T>,
    private readonly onLeave: (subscription: TaskSubscription<T>) => void,
    private readonly signal?: AbortSignal,
  ) {
    signal?.addEventListener('abort', this.abort, { once: true });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A read's outcome: queued when it is the first event, a change, or the end. */
  offer(outcome: Outcome<T>): void {
    if (this.closed) return;
    const terminal = isTerminal(outcome);
    if (outcome.kind === 'task') {
      if (!terminal && this.lastEvent !== null && sameState(this.lastEvent, outcome.task)) return;
      this.lastEvent = outcome.task;
    }
    const waiter = this.waiters.shift();
    if (waiter === undefined) this.queue.push(outcome);
    else if (outcome.kind === 'task') waiter.settle({ value: outcome.task, done: false });
    else waiter.fail(outcome.error);
    if (terminal) this.close();
  }

  next(): Promise<IteratorResult<T, undefined>> {
    const item = this.queue.shift();
    if (item?.kind === 'task') return Promise.resolve({ value: item.task, done: false });
    if (item?.kind === 'error') return Promise.reject(item.error);
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((settle, fail) => this.waiters.push({ settle, fail }));
  }

  return(): Promise<IteratorResult<T, undefined>> {
    this.queue.length = 0;
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private readonly abort = (): void => {
    void this.return();
  };

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.signal?.removeEventListener('abort', this.abort);
    this.onLeave(this);
    for (const waiter of this.waiters.splice(0)) waiter.settle({ value: undefined, done: true });
  }
}

interface Timing {
  minIntervalMs: number;
  maxIntervalMs: number;
  freshMs: number;
  now: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
}

/** The reads of one (caller, task) and the subscribers they are delivered to. */
class TaskPoller<T extends WireTaskLike> {
  readonly subscribers = new Set<TaskSubscription<T>>();
  /** The last read's outcome and when that read started (the snapshot is at most that old). */
  last: { outcome: Outcome<T>; startedAt: number } | null = null;
  inFlight = false;
  /** The last read was final or an error: no more reads. */
  ended = false;
  private timer: { handle: unknown } | null = null;
  private intervalMs: number;

  constructor(
    readonly key: string,
    private readonly taskId: string,
    private readonly timing: Timing,
    private readonly onIdle: (poller: TaskPoller<T>) => void,
  ) {
    this.intervalMs = timing.minIntervalMs;
  }

  /** Usable by a new subscriber without reading again: a read in flight or a fresh outcome. */
  reusable(): boolean {
    return this.inFlight || this.isFresh();
  }

  /** Back in use after its subscribers had all left: polls from the shortest interval again. */
  revive(): void {
    this.intervalMs = this.timing.minIntervalMs;
  }

  join(subscription: TaskSubscription<T>): void {
    this.subscribers.add(subscription);
    const fresh = this.isFresh();
    if (fresh && this.last !== null) subscription.offer(this.last.outcome);
    if (subscription.isClosed || this.ended || this.inFlight) return;
    if (!fresh) {
      // Stale or nothing read yet: read as soon as the minimum interval allows, this subscriber waits for it.
      this.schedule(this.timing.minIntervalMs);
    } else if (this.timer === null) {
      this.schedule(this.intervalMs);
    }
  }

  leave(subscription: TaskSubscription<T>): void {
    if (!this.subscribers.delete(subscription) || this.subscribers.size > 0) return;
    this.cancelTimer();
    this.onIdle(this);
  }

  private isFresh(): boolean {
    return this.last !== null && this.timing.now() - this.last.startedAt <= this.timing.freshMs;
  }

  /** Next read `afterMs` after the last one started (at once when none started or that time has passed). */
  private schedule(afterMs: number): void {
    this.cancelTimer();
    const startedAt = this.last?.startedAt;
    const delay = startedAt === undefined ? 0 : Math.max(0, startedAt + afterMs - this.timing.now());
    if (delay === 0) {
      this.startRead();
      return;
    }
    const timer = { handle: undefined as unknown };
    timer.handle = this.timing.setTimer(() => {
      if (this.timer !== timer) return;
      this.timer = null;
      this.startRead();
    }, delay);
    this.timer = timer;
  }

  private cancelTimer(): void {
    if (this.timer === null) return;
    this.timing.clearTimer(this.timer.handle);
    this.timer = null;
  }

  private startRead(): void {
    // The oldest subscriber's read: its request is still open (a departed subscriber's may not be).
    const subscriber = this.subscribers.values().next();
    if (subscriber.done === true) return;
    this.inFlight = true;
    const startedAt = this.timing.now();
    let reading: Promise<T | null>;
    try {
      reading = subscriber.value.read(this.taskId);
    } catch (error) {
      reading = Promise.reject(asError(error));
    }
    reading.then(
      (task) => this.settle(task === null ? { kind: 'error', error: taskNotFound(this.taskId) } : { kind: 'task', task }, startedAt),
      (error: unknown) => this.settle({ kind: 'error', error: asError(error) }, startedAt),
    );
  }

  private settle(outcome: Outcome<T>, startedAt: number): void {
    this.inFlight = false;
    const previous = this.last?.outcome;
    const changed = previous?.kind !== 'task' || outcome.kind !== 'task' || !sameState(previous.task, outcome.task);
    this.last = { outcome, startedAt };
    if (isTerminal(outcome)) this.ended = true;
    // Subscribers that get a terminal outcome leave during this loop; the last one to leave stops the poller.
    for (const subscription of [...this.subscribers]) subscription.offer(outcome);
    if (this.ended || this.subscribers.size === 0) return;
    this.intervalMs = changed ? this.timing.minIntervalMs : Math.min(this.timing.maxIntervalMs, Math.round(this.intervalMs * BACKOFF_FACTOR));
    this.schedule(this.intervalMs);
  }
}

/**
 * The registry of pollers, one per (caller key, task id). Create one per gateway process; the caller
 * key is `callerKey(caller)` (credential and organizational unit), so callers never share reads.
 */
export class TaskPollers<T extends WireTaskLike = WireTaskLike> {
  private readonly timing: Timing;
  private readonly live = new Map<string, TaskPoller<T>>();
  /**
   * Pollers whose subscribers all left while a read was in flight or their last outcome is fresh:
   * a subscriber coming back at once reuses them instead of reading again. They hold no timer and
   * are dropped on the next subscribe() once neither holds.
   */
  private readonly idle = new Map<string, TaskPoller<T>>();

  constructor(options: Omit<TaskPollerOptions<T>, 'read'> = {}) {
    const minIntervalMs = options.minIntervalMs ?? 1000;
    const maxIntervalMs = options.maxIntervalMs ?? 5000;
    const freshMs = options.freshMs ?? 1000;
    if (!(minIntervalMs > 0) || !(maxIntervalMs >= minIntervalMs) || !(freshMs >= 0)) {
      throw new RangeError(`TaskPollers needs 0 < minIntervalMs <= maxIntervalMs and freshMs >= 0 (got ${minIntervalMs}, ${maxIntervalMs}, ${freshMs})`);
    }
    this.timing = {
      minIntervalMs,
      maxIntervalMs,
      freshMs,
      now: options.now ?? Date.now,
      setTimer:
        options.setTimer ??
        ((fn, ms) => {
          const handle = setTimeout(fn, ms);
          handle.unref(); // a pending poll never holds the process open at shutdown
          return handle;
        }),
      clearTimer: options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)),
    };
  }

  /**
   * Subscribe to (callerKey, taskId). `read` goes into the poller's pool of readers: reads use the
   * oldest subscriber's `read`, so it must read as that caller. The iterator yields task snapshots
   * (the wire objects), ends after a final status, rejects next() once with the GraphQLError of a
   * NOT_FOUND or failed poll and is then done; return() or `signal` unsubscribes.
   */
  subscribe(callerKey: string, taskId: string, read: ReadTask<T>, signal?: AbortSignal): AsyncIterableIterator<T> {
    if (signal?.aborted === true) {
      const subscription = new TaskSubscription<T>(read, () => {});
      void subscription.return();
      return subscription;
    }
    this.pruneIdle();
    const key = JSON.stringify([callerKey, taskId]);
    const poller = this.live.get(key) ?? this.reviveIdle(key) ?? new TaskPoller<T>(key, taskId, this.timing, (p) => this.onIdle(p));
    this.live.set(key, poller);
    const subscription = new TaskSubscription<T>(read, (s) => poller.leave(s), signal);
    poller.join(subscription);
    return subscription;
  }

  /** Pollers with at least one subscriber. */
  get size(): number {
    return this.live.size;
  }

  private reviveIdle(key: string): TaskPoller<T> | undefined {
    const poller = this.idle.get(key);
    if (poller === undefined) return undefined;
    this.idle.delete(key);
    poller.revive();
    return poller;
  }

  private onIdle(poller: TaskPoller<T>): void {
    if (this.live.get(poller.key) === poller) this.live.delete(poller.key);
    if (poller.reusable()) this.idle.set(poller.key, poller);
  }

  private pruneIdle(): void {
    for (const [key, poller] of this.idle) if (!poller.reusable()) this.idle.delete(key);
  }
}

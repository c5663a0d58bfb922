/**
 * What stands between the gateway and a struggling Clumio: a circuit breaker that fails fast while
 * Clumio is down and probes its way back, and a bound on concurrent requests with a bounded queue.
 * Used by the Clumio client only (one guard per upstream origin).
 */

export interface BreakerOptions {
  /** Consecutive failures (5xx, timeouts, connection errors) that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one probe request is let through. */
  openMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private probing = false;

  constructor(
    private readonly options: BreakerOptions,
    private readonly now: () => number = Date.now,
    private readonly onChange: (state: 'open' | 'closed') => void = () => {},
  ) {}

  get state(): BreakerState {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.options.openMs ? 'half-open' : 'open';
  }

  /** Milliseconds until a probe is allowed; 0 when requests may go. */
  retryInMs(): number {
    return this.openedAt === null ? 0 : Math.max(0, this.openedAt + this.options.openMs - this.now());
  }

  /** True when a request may go upstream now. In half-open, only one probe at a time. */
  tryPass(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  success(): void {
    const wasOpen = this.openedAt !== null;
    this.failures = 0;
    this.openedAt = null;
    this.probing = false;
    if (wasOpen) this.onChange('closed');
  }

  failure(): void {
    this.failures++;
    if (this.probing || this.failures >= this.options.failureThreshold) {
      // Already open and not probing: a request that was in flight when it opened; no change to report.
      const change = this.probing || this.openedAt === null;
      this.openedAt = this.now();
      if (change) this.onChange('open');
    }
    this.probing = false;
  }

  /** A request that ended without saying anything about Clumio's health (a 4xx, say). */
  neutral(): void {
    this.probing = false;
  }
}

export class QueueFullError extends Error {}

/** At most `max` holders at once; up to `maxQueue` waiters in arrival order, the rest refused. */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiters: Array<{ grant: () => void; reject: (error: unknown) => void; signal: AbortSignal; onAbort: () => void }> = [];

  constructor(
    private readonly max: number,
    private readonly maxQueue: number,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiters.length;
  }

  /** Resolves with a release function once a slot is free; rejects if the signal aborts first. */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiters.length >= this.maxQueue) return Promise.reject(new QueueFullError());
    return new Promise((resolve, reject) => {
      const waiter = {
        signal,
        grant: () => resolve(this.releaser()),
        reject,
        onAbort: () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(abortReason(signal));
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) {
        next.signal.removeEventListener('abort', next.onAbort);
        next.grant(); // the slot passes straight to the next waiter
      } else {
        this.active--;
      }
    };
  }
}

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Backoff before retry n is a random delay in [0, min(maxBackoffMs, baseBackoffMs · 2^(n−1))]. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** A Retry-After longer than this is not waited for: the caller gets RATE_LIMITED at once. */
  retryAfterCapMs: number;
}

/** Full-jitter exponential backoff (the AWS architecture blog's recommendation). */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** (retry - 1)));
}

/** Resolves after `ms`, or rejects when the signal aborts. */
export function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Why a signal aborted, as an Error (an abort reason may be any value). */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

import { CircuitBreaker, ConcurrencyLimit, QueueFullError, backoffMs } from '../../src/clumio/upstream-guard';
import { parseRetryAfter } from '../../src/clumio/clumio-client';

describe('circuit breaker', () => {
  it('opens after the threshold, lets one probe through after the open period, and closes on success', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 100 }, () => now);
    expect(breaker.tryPass()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryPass()).toBe(false);
    now = 100;
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryPass()).toBe(true);
    expect(breaker.tryPass()).toBe(false); // one probe at a time
    breaker.success();
    expect(breaker.state).toBe('closed');
  });

  it('reopens when the probe fails, and a neutral answer frees the probe slot', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 10 }, () => now);
    breaker.failure();
    now = 10;
    expect(breaker.tryPass()).toBe(true);
    breaker.neutral();
    expect(breaker.tryPass()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.retryInMs()).toBe(10);
  });
});

describe('concurrency limit', () => {
  it('queues beyond the bound, hands slots over in order and refuses beyond the queue', async () => {
    const limit = new ConcurrencyLimit(1, 1);
    const signal = new AbortController().signal;
    const release = await limit.acquire(signal);
    const waiting = limit.acquire(signal);
    await expect(limit.acquire(signal)).rejects.toBeInstanceOf(QueueFullError);
    expect(limit.queued).toBe(1);
    release();
    const next = await waiting;
    expect(limit.inFlight).toBe(1);
    next();
    expect(limit.inFlight).toBe(0);
  });

  it('drops a waiter whose deadline passes', async () => {
    const limit = new ConcurrencyLimit(1, 10);
    const release = await limit.acquire(new AbortController().signal);
    const controller = new AbortController();
    const waiting = limit.acquire(controller.signal);
    controller.abort(new Error('deadline'));
    await expect(waiting).rejects.toThrow('deadline');
    expect(limit.queued).toBe(0);
    release();
    expect(limit.inFlight).toBe(0);
  });
});

describe('retry timing', () => {
  it('backs off exponentially with full jitter, capped', () => {
    const policy = { maxAttempts: 5, baseBackoffMs: 100, maxBackoffMs: 250, retryAfterCapMs: 5000 };
    expect(backoffMs(policy, 1, () => 0.999)).toBe(99);
    expect(backoffMs(policy, 2, () => 0.999)).toBe(199);
    expect(backoffMs(policy, 3, () => 0.999)).toBe(249);
    expect(backoffMs(policy, 3, () => 0)).toBe(0);
  });

  it('reads Retry-After in seconds or as an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 0)).toBe(10);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

import { callerKey } from '../../src/clumio/caller-key';
import { MemoryReservationStore, defaultRatePolicy, gcra, rateLimiter } from '../../src/clumio/rate-limiter';
import type { RateLimitPolicy, Reservation, ReservationStore } from '../../src/clumio/rate-limiter';
import { UpstreamError } from '../../src/errors';

const policy: RateLimitPolicy = { ratePerSecond: 10, burst: 3, maxWaitMs: 1_000 };

describe('GCRA schedule', () => {
  it('lets a burst through at once, then spaces requests 1000/rps ms apart', () => {
    const store = new MemoryReservationStore(() => 0);
    const waits = Array.from({ length: 8 }, () => store.reserveNow('k', policy));
    expect(waits).toEqual([0, 0, 0, 100, 200, 300, 400, 500].map((waitMs) => ({ ok: true, waitMs })));
  });

  it('refills with time: after an idle period a full burst goes again', () => {
    let now = 0;
    const store = new MemoryReservationStore(() => now);
    for (let i = 0; i < 3; i++) store.reserveNow('k', policy);
    now = 100; // one interval: one more request may go at once
    expect(store.reserveNow('k', policy)).toEqual({ ok: true, waitMs: 0 });
    expect(store.reserveNow('k', policy)).toEqual({ ok: true, waitMs: 100 });
    now = 10_000;
    expect([0, 1, 2].map(() => store.reserveNow('k', policy))).toEqual([0, 0, 0].map((waitMs) => ({ ok: true, waitMs })));
  });

  it('never sends more than burst + rps × t in any window of t seconds (seeded random arrivals)', () => {
    let seed = 42;
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    let now = 0;
    const store = new MemoryReservationStore(() => now);
    const wide = { ...policy, maxWaitMs: Infinity };
    const sends: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      now += random() < 0.7 ? 0 : random() * 300;
      const r = store.reserveNow('k', wide);
      if (r.ok) sends.push(now + r.waitMs);
    }
    sends.sort((a, b) => a - b);
    for (let i = 0; i < sends.length; i++) {
      for (let j = i; j < sends.length && (sends[j] as number) - (sends[i] as number) <= 1_000; j++) {
        const windowSeconds = ((sends[j] as number) - (sends[i] as number)) / 1000;
        expect(j - i + 1).toBeLessThanOrEqual(wide.burst + wide.ratePerSecond * windowSeconds + 1e-9);
      }
    }
  });

  it('refuses a turn beyond maxWaitMs without spending budget', () => {
    const step = gcra(5_000, 0, policy);
    expect(step.reservation).toEqual({ ok: false, retryAfterMs: 4_800 });
    expect(step.tat).toBe(5_000);
  });

  it('keeps callers (credential and organizational unit) apart', () => {
    const store = new MemoryReservationStore(() => 0);
    const a = callerKey({ token: 't', organizationalUnit: null });
    const b = callerKey({ token: 't', organizationalUnit: 'ou' });
    for (let i = 0; i < 3; i++) store.reserveNow(a, policy);
    expect(store.reserveNow(b, policy)).toEqual({ ok: true, waitMs: 0 });
    expect(a).not.toContain('t');
    expect(a).not.toBe(b);
  });

  it('defaults the burst to half the rate, at least 1', () => {
    expect(defaultRatePolicy(100, 10_000)).toEqual({ ratePerSecond: 100, burst: 50, maxWaitMs: 10_000 });
    expect(defaultRatePolicy(1, 10_000).burst).toBe(1);
  });
});

describe('rateLimiter', () => {
  const caller = { token: 'secret-token', organizationalUnit: null };

  it('fails with RATE_LIMITED and a Retry-After when the turn is too far away', async () => {
    const refusing: ReservationStore = { reserve: async (): Promise<Reservation> => ({ ok: false, retryAfterMs: 2_300 }) };
    const admit = rateLimiter(refusing, policy);
    const error = await admit(caller).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 3 });
    expect((error as UpstreamError).message).not.toContain('secret-token');
  });

  it('admits at once when the turn is now, and asks the store under the hashed caller key', async () => {
    const keys: string[] = [];
    const store: ReservationStore = {
      reserve: async (key): Promise<Reservation> => {
        keys.push(key);
        return { ok: true, waitMs: 0 };
      },
    };
    await rateLimiter(store, policy)(caller);
    expect(keys).toEqual([callerKey(caller)]);
  });
});

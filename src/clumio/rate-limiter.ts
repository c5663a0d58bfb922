import { UpstreamError } from '../errors';
import { callerKey } from './caller-key';
import type { ClumioCaller } from './clumio-client';

/**
 * Keeps the gateway under Clumio's rate limit (100 requests per second per organization), per
 * credential and organizational unit. A request beyond the budget waits for its turn instead of
 * failing; only a turn further away than `maxWaitMs` fails, with RATE_LIMITED and a Retry-After.
 *
 * The schedule is GCRA (the generic cell rate algorithm): one request every 1000/rps ms on average,
 * bursts of up to `burst` requests. Each request reserves its slot atomically when it asks, so turns
 * are computed, not polled, and concurrent requests never overshoot. A Clumio whose limit is a token
 * bucket of `rps` tokens (as the emulator's) admits this schedule with (rps − burst)/rps seconds to
 * spare for network jitter; with the default burst of rps/2, half a second.
 */

export interface RateLimitPolicy {
  /** Requests per second (> 0). */
  ratePerSecond: number;
  /** Requests that may go at once after an idle period (≥ 1). */
  burst: number;
  /** The longest a request waits for its turn before failing with RATE_LIMITED. */
  maxWaitMs: number;
}

export function defaultRatePolicy(ratePerSecond: number, maxWaitMs: number): RateLimitPolicy {
  return { ratePerSecond, burst: Math.max(1, Math.ceil(ratePerSecond / 2)), maxWaitMs };
}

/** A reservation: how long to wait for the turn, or how long until one would be free. */
export type Reservation = { ok: true; waitMs: number } | { ok: false; retryAfterMs: number };

/** Where reservations are made: this process, or Redis for all replicas together. */
export interface ReservationStore {
  reserve(key: string, policy: RateLimitPolicy): Promise<Reservation>;
}

/**
 * One GCRA step. `tat` is the theoretical arrival time of the next request (ms); returns the new
 * `tat` and the reservation for a request made at `now`.
 */
export function gcra(tat: number, now: number, policy: RateLimitPolicy): { tat: number; reservation: Reservation } {
  const interval = 1000 / policy.ratePerSecond;
  const tolerance = (policy.burst - 1) * interval;
  const base = Math.max(tat, now);
  const waitMs = Math.max(0, base - tolerance - now);
  if (waitMs > policy.maxWaitMs) return { tat, reservation: { ok: false, retryAfterMs: waitMs } };
  return { tat: base + interval, reservation: { ok: true, waitMs } };
}

/** Reservations in this process: one replica's own budget. */
export class MemoryReservationStore implements ReservationStore {
  private readonly tats = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  reserve(key: string, policy: RateLimitPolicy): Promise<Reservation> {
    return Promise.resolve(this.reserveNow(key, policy));
  }

  reserveNow(key: string, policy: RateLimitPolicy): Reservation {
    const now = this.now();
    if (this.tats.size > 10_000) this.forgetIdle(now);
    const step = gcra(this.tats.get(key) ?? now, now, policy);
    this.tats.set(key, step.tat);
    return step.reservation;
  }

  /** Callers whose schedule is in the past are as good as new: drop them so the map stays small. */
  private forgetIdle(now: number): void {
    for (const [key, tat] of this.tats) if (tat <= now) this.tats.delete(key);
  }
}

/** The hook ClumioClient calls before every upstream request. */
export type UpstreamAdmission = (caller: ClumioCaller) => Promise<void>;

export function rateLimiter(store: ReservationStore, policy: RateLimitPolicy): UpstreamAdmission {
  return async (caller) => {
    const reservation = await store.reserve(callerKey(caller), policy);
    if (!reservation.ok) {
      const seconds = Math.max(1, Math.ceil(reservation.retryAfterMs / 1000));
      throw new UpstreamError(
        'RATE_LIMITED',
        `This caller's share of Clumio's rate limit (${policy.ratePerSecond} requests per second) is used up for the next ${seconds} s. Retry later.`,
        { status: null, errorCode: null, errorMessage: null },
        seconds,
      );
    }
    if (reservation.waitMs > 0) await new Promise((resolve) => setTimeout(resolve, reservation.waitMs));
  };
}

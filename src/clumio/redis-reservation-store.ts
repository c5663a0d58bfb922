import type { RedisClient } from '../redis';
import { MemoryReservationStore } from './rate-limiter';
import type { RateLimitPolicy, Reservation, ReservationStore } from './rate-limiter';

/**
 * Rate-limit reservations in Redis, so every replica draws on one budget per caller. The GCRA step
 * runs as one Lua script on Redis's own clock: atomic across replicas, and no replica's clock
 * matters. When Redis fails, this replica falls back to its own in-process budget.
 */

const GCRA_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait < 0 then wait = 0 end
if wait > max_wait then return {0, tostring(wait)} end
local next_tat = tat + interval
redis.call('SET', KEYS[1], tostring(next_tat), 'PX', math.ceil(next_tat - now) + 1000)
return {1, tostring(wait)}
`;

type GcraCommand = (key: string, interval: string, tolerance: string, maxWait: string) => Promise<[number, string]>;

export class RedisReservationStore implements ReservationStore {
  private readonly fallback = new MemoryReservationStore();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix = 'clumio-backup-graph:rate:',
  ) {
    if (!('clumioGcra' in redis)) redis.defineCommand('clumioGcra', { numberOfKeys: 1, lua: GCRA_SCRIPT });
  }

  async reserve(key: string, policy: RateLimitPolicy): Promise<Reservation> {
    const interval = 1000 / policy.ratePerSecond;
    const command = (this.redis as unknown as { clumioGcra: GcraCommand }).clumioGcra.bind(this.redis);
    try {
      const [ok, ms] = await command(this.prefix + key, String(interval), String((policy.burst - 1) * interval), String(policy.maxWaitMs));
      return ok === 1 ? { ok: true, waitMs: Number(ms) } : { ok: false, retryAfterMs: Number(ms) };
    } catch {
      // connectRedis logs the outage; this replica keeps to its own budget meanwhile.
      return this.fallback.reserveNow(key, policy);
    }
  }
}

import { ConfigError, parseConfig } from '../../src/config';

describe('scale-out configuration', () => {
  it('defaults to Clumio’s 100 requests per second, no response cache (opt-in), and no Redis', () => {
    expect(parseConfig({})).toMatchObject({ clumioRateLimitRps: 100, responseCacheTtlMs: 0, redisUrl: null });
  });

  it('takes 0 to turn the limiter off, a TTL to turn the cache on, and a redis:// URL', () => {
    expect(parseConfig({ CLUMIO_RATE_LIMIT_RPS: '0', RESPONSE_CACHE_TTL_MS: '5000', REDIS_URL: 'redis://redis:6379/0' })).toMatchObject({
      clumioRateLimitRps: 0,
      responseCacheTtlMs: 5000,
      redisUrl: 'redis://redis:6379/0',
    });
  });

  it('reports every bad value at once', () => {
    try {
      parseConfig({ CLUMIO_RATE_LIMIT_RPS: '-1', RESPONSE_CACHE_TTL_MS: 'soon', REDIS_URL: 'http://redis' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.split(':')[0])).toEqual(['CLUMIO_RATE_LIMIT_RPS', 'RESPONSE_CACHE_TTL_MS', 'REDIS_URL']);
    }
  });
});

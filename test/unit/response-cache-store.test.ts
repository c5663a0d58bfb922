import { MemoryPersistedQueryStore } from '../../src/cache/persisted-query-store';
import { MemoryResponseCacheStore } from '../../src/cache/response-cache-store';

describe('MemoryResponseCacheStore', () => {
  it('serves an entry until its TTL passes', async () => {
    let now = 1_000;
    const store = new MemoryResponseCacheStore({ now: () => now });
    await store.set('k', 'v', 500);
    expect(await store.get('k')).toBe('v');
    now = 1_499;
    expect(await store.get('k')).toBe('v');
    now = 1_500;
    expect(await store.get('k')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('evicts the least recently used entries beyond its size bound', async () => {
    const store = new MemoryResponseCacheStore({ maxChars: 10 });
    await store.set('a', 'aaaa', 60_000);
    await store.set('b', 'bbbb', 60_000);
    expect(await store.get('a')).toBe('aaaa'); // a is now the most recently used
    await store.set('c', 'cccc', 60_000);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBe('aaaa');
    expect(await store.get('c')).toBe('cccc');
  });

  it('does not keep a value larger than the whole bound, and replaces a key in place', async () => {
    const store = new MemoryResponseCacheStore({ maxChars: 4 });
    await store.set('big', 'too large', 60_000);
    expect(await store.get('big')).toBeUndefined();
    await store.set('k', '1234', 60_000);
    await store.set('k', '5678', 60_000);
    expect(await store.get('k')).toBe('5678');
    expect(store.size).toBe(1);
  });
});

describe('MemoryPersistedQueryStore', () => {
  it('keeps registrations regardless of age, evicting the least recently used beyond its bound', async () => {
    const store = new MemoryPersistedQueryStore(10);
    await store.set('a', 'aaaa');
    await store.set('b', 'bbbb');
    expect(await store.get('a')).toBe('aaaa');
    await store.set('c', 'cccc');
    expect(await store.get('b')).toBeUndefined();
    expect([await store.get('a'), await store.get('c')]).toEqual(['aaaa', 'cccc']);
  });
});

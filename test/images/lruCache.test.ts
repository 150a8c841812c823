import { LruCache } from '../../src/images/lruCache';

const bytes = (n: number) => Buffer.alloc(n, n % 251);

describe('LruCache bounded by bytes', () => {
  it('keeps the total size within maxSize by evicting the least recently used values', () => {
    const evicted: string[] = [];
    const cache = new LruCache<string, Buffer>(100, (value) => value.byteLength, (_value, key) => evicted.push(key));
    expect(cache.set('a', bytes(40))).toBe(true);
    expect(cache.set('b', bytes(40))).toBe(true);
    expect(cache.size).toBe(80);
    expect(cache.get('a')?.byteLength).toBe(40); // a is now the most recently used
    expect(cache.set('c', bytes(30))).toBe(true); // 110 > 100: b goes, not a
    expect(evicted).toEqual(['b']);
    expect(cache.keys()).toEqual(['a', 'c']);
    expect(cache.size).toBe(70);
    expect(cache.get('b')).toBeUndefined();

    expect(cache.set('d', bytes(100))).toBe(true); // exactly the bound: everything else goes
    expect(cache.keys()).toEqual(['d']);
    expect(cache.size).toBe(100);
    expect(evicted).toEqual(['b', 'a', 'c']);
  });

  it('does not keep a value larger than the bound, and replacing a key frees its old size', () => {
    const cache = new LruCache<string, Buffer>(50, (value) => value.byteLength);
    cache.set('small', bytes(10));
    expect(cache.set('huge', bytes(51))).toBe(false);
    expect(cache.has('huge')).toBe(false);
    expect(cache.keys()).toEqual(['small']);
    cache.set('small', bytes(45));
    expect(cache.size).toBe(45);
    expect(cache.count).toBe(1);
    cache.set('x', bytes(5));
    expect(cache.size).toBe(50);
    cache.set('y', bytes(1));
    expect(cache.keys()).toEqual(['x', 'y']);
    expect(cache.size).toBe(6);
    cache.clear();
    expect([cache.size, cache.count]).toEqual([0, 0]);
  });

  it('stays within the bound under many random insertions and reads', () => {
    const cache = new LruCache<number, Buffer>(1000, (value) => value.byteLength);
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 5000; i++) {
      if (next() % 3 === 0) cache.get(next() % 50);
      else cache.set(next() % 50, bytes(1 + (next() % 300)));
      const held = cache.keys().reduce((sum, key) => sum + (cache.get(key)?.byteLength ?? 0), 0);
      expect(held).toBe(cache.size);
      expect(cache.size).toBeLessThanOrEqual(1000);
    }
  });
});

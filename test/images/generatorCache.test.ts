import path from 'node:path';
import { GeneratorCache, type GeneratorBundle } from '../../src/images/generatorCache';
import { loadGenerator, type Generator } from '../../src/models/runtime/generator';
import { projectRoot } from '../../src/projectRoot';

const SHAPES_GENERATOR = path.join(projectRoot(), 'models', 'shapes', 'generator');

/** Real generator sessions, with their loads and disposals counted per directory. */
function countingLoader() {
  const loads: string[] = [];
  const disposed: string[] = [];
  const load = async ({ dir }: GeneratorBundle): Promise<Generator> => {
    loads.push(dir);
    // Every "directory" is the shipped bundle; the key is what the cache tells apart.
    const generator = await loadGenerator(SHAPES_GENERATOR);
    return {
      ...generator,
      generate: generator.generate,
      async dispose() {
        disposed.push(dir);
        await generator.dispose();
      },
    };
  };
  return { load, loads, disposed };
}

describe('GeneratorCache', () => {
  it('loads a bundle once for concurrent requests and reuses the session afterwards', async () => {
    const { load, loads, disposed } = countingLoader();
    const cache = new GeneratorCache(load, 2);
    const z = new Float32Array(6).fill(0.1);
    const results = await Promise.all(Array.from({ length: 5 }, () => cache.use({ dir: 'a' }, (generator) => generator.generate(z, 1))));
    expect(loads).toEqual(['a']);
    for (const images of results) expect(Array.from(images)).toEqual(Array.from(results[0]));
    await cache.use({ dir: 'a' }, async (generator) => expect(generator.latentDim).toBe(6));
    expect(loads).toEqual(['a']);
    await cache.close();
    expect(disposed).toEqual(['a']);
    await expect(cache.use({ dir: 'a' }, async () => 1)).rejects.toThrow(/closed/);
  });

  it('releases the least recently used session beyond its capacity, only after its last user is done', async () => {
    const { load, loads, disposed } = countingLoader();
    const cache = new GeneratorCache(load, 2);
    await cache.use({ dir: 'a' }, async () => undefined);
    let finishB!: () => void;
    const bHeld = new Promise<void>((resolve) => (finishB = resolve));
    const usingB = cache.use({ dir: 'b' }, async (generator) => {
      await bHeld;
      return generator.generate(new Float32Array(6), 1); // still usable after its eviction
    });
    await cache.use({ dir: 'a' }, async () => undefined); // a is now more recent than b
    await cache.use({ dir: 'c' }, async () => undefined); // evicts b, which is in use
    expect(cache.loaded()).toEqual(['a', 'c']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(disposed).toEqual([]);
    finishB();
    expect((await usingB).length).toBe(3 * 32 * 32);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(disposed).toEqual(['b']);
    await cache.use({ dir: 'b' }, async () => undefined); // loaded again, evicting a
    expect(loads).toEqual(['a', 'b', 'c', 'b']);
    await cache.close();
    expect(disposed.sort()).toEqual(['a', 'b', 'b', 'c']);
  });

  it('tells the same directory registered with different contents apart', async () => {
    const { load, loads } = countingLoader();
    const cache = new GeneratorCache(load, 4);
    await cache.use({ dir: 'a', sha256: 'one' }, async () => undefined);
    await cache.use({ dir: 'a', sha256: 'one' }, async () => undefined);
    await cache.use({ dir: 'a', sha256: 'two' }, async () => undefined);
    expect(loads).toEqual(['a', 'a']);
    expect(cache.loaded()).toEqual(['a', 'a']);
    await cache.close();
  });

  it('forgets a failed load so that the next request tries again', async () => {
    let attempts = 0;
    const cache = new GeneratorCache(async ({ dir }) => {
      attempts++;
      if (attempts === 1) throw new Error('bundle is broken');
      return loadGenerator(dir);
    });
    await expect(cache.use({ dir: SHAPES_GENERATOR }, async () => 1)).rejects.toThrow('bundle is broken');
    expect(cache.loaded()).toEqual([]);
    await expect(cache.use({ dir: SHAPES_GENERATOR }, async (generator) => generator.latentDim)).resolves.toBe(6);
    expect(attempts).toBe(2);
    await cache.close();
  });
});

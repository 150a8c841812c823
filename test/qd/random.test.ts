import { SeededRandom, type RandomState } from '../../src/qd/random';
import { expectBitwiseEqual, expectConfigError, jsonRoundTrip } from './helpers';

/** Standard normal CDF via the Numerical Recipes erfc approximation (fractional error < 1.2e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(-z * z + poly);
  return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

function draws(random: SeededRandom, count: number, draw: (r: SeededRandom) => number): number[] {
  return Array.from({ length: count }, () => draw(random));
}

describe('SeededRandom streams', () => {
  it('repeats the same stream for the same seed', () => {
    const a = new SeededRandom(12345);
    const b = new SeededRandom(12345);
    expect(draws(a, 100, (r) => r.nextUint32())).toEqual(draws(b, 100, (r) => r.nextUint32()));
    expect(draws(a, 100, (r) => r.uniform())).toEqual(draws(b, 100, (r) => r.uniform()));
    expect(draws(a, 100, (r) => r.normal())).toEqual(draws(b, 100, (r) => r.normal()));
  });

  it('gives different streams for different seeds, including neighbouring and large seeds', () => {
    // 2 ** 32 + 0x9e3779b9 collided with seed 0 when the high bits were folded into the low ones.
    const seeds = [0, 1, 2, 3, 1000, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 0x9e3779b9, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER];
    const heads = seeds.map((seed) => draws(new SeededRandom(seed), 4, (r) => r.nextUint32()).join(','));
    expect(new Set(heads).size).toBe(seeds.length);
  });

  it('produces unsigned 32-bit integers and uniforms in [0, 1) with the right moments', () => {
    const random = new SeededRandom(7);
    const count = 200000;
    let sum = 0;
    let sumSquares = 0;
    let highBit = 0;
    for (let i = 0; i < count; i++) {
      const word = random.nextUint32();
      if (!(Number.isInteger(word) && word >= 0 && word < 2 ** 32)) throw new Error(`nextUint32 gave ${word}`);
      if (word >= 2 ** 31) highBit++;
      const u = random.uniform();
      if (!(u >= 0 && u < 1)) throw new Error(`uniform out of range: ${u}`);
      sum += u;
      sumSquares += u * u;
    }
    // Mean 1/2 (sd of the mean 0.29/sqrt(n) = 6.5e-4), variance 1/12, half of the words >= 2^31.
    expect(Math.abs(sum / count - 0.5)).toBeLessThan(4e-3);
    expect(Math.abs(sumSquares / count - (sum / count) ** 2 - 1 / 12)).toBeLessThan(2e-3);
    expect(Math.abs(highBit / count - 0.5)).toBeLessThan(6e-3);
  });

  it('rejects invalid seeds with a QdConfigError naming the seed', () => {
    expectConfigError(() => new SeededRandom(-1), 'seed', 'an integer in [0, ');
    expectConfigError(() => new SeededRandom(1.5), 'seed');
    expectConfigError(() => new SeededRandom(Number.NaN), 'seed');
    expectConfigError(() => new SeededRandom(2 ** 53), 'seed');
  });
});

describe('SeededRandom.normal', () => {
  // Standard normal CDF at fixed points (tables).
  const PHI: Array<[number, number]> = [
    [-3, 0.0013498980316301],
    [-2, 0.0227501319481792],
    [-1, 0.158655253931457],
    [-0.5, 0.308537538725987],
    [0, 0.5],
    [0.5, 0.691462461274013],
    [1, 0.841344746068543],
    [1.5, 0.933192798731142],
    [2, 0.977249868051821],
    [2.5, 0.993790334674224],
    [3, 0.998650101968370],
  ];
  const count = 1_000_000;
  const samples = new Float64Array(count);
  beforeAll(() => {
    const random = new SeededRandom(2024);
    for (let i = 0; i < count; i++) samples[i] = random.normal();
  });

  it('has mean 0, variance 1, skewness 0 and excess kurtosis 0 over 1e6 draws', () => {
    let mean = 0;
    for (const z of samples) mean += z;
    mean /= count;
    let m2 = 0;
    let m3 = 0;
    let m4 = 0;
    for (const z of samples) {
      const d = z - mean;
      m2 += d * d;
      m3 += d * d * d;
      m4 += d * d * d * d;
    }
    m2 /= count;
    m3 /= count;
    m4 /= count;
    const skew = m3 / m2 ** 1.5;
    const kurtosis = m4 / (m2 * m2) - 3;
    // Standard errors at n = 1e6: mean 1e-3, variance 1.4e-3, skewness 2.4e-3, kurtosis 4.9e-3.
    expect(Math.abs(mean)).toBeLessThan(5e-3);
    expect(Math.abs(m2 - 1)).toBeLessThan(7e-3);
    expect(Math.abs(skew)).toBeLessThan(1.2e-2);
    expect(Math.abs(kurtosis)).toBeLessThan(2.5e-2);
  });

  it('matches the normal CDF at fixed points and the tail mass P(|z| > 3)', () => {
    for (const [x, phi] of PHI) {
      let below = 0;
      for (const z of samples) if (z < x) below++;
      const p = below / count;
      const se = Math.sqrt((phi * (1 - phi)) / count);
      if (Math.abs(p - phi) > 5 * se + 1e-6) throw new Error(`P(z < ${x}) = ${p}, expected ${phi} (se ${se})`);
    }
    let tail = 0;
    let farTail = 0;
    let max = 0;
    for (const z of samples) {
      const a = Math.abs(z);
      if (a > 3) tail++;
      if (a > 3.442619855899) farTail++; // the ziggurat's tail region beyond R
      max = Math.max(max, a);
    }
    // P(|z| > 3) = 0.0026998 (se 5.2e-5); P(|z| > 3.4426) = 5.76e-4 (se 2.4e-5).
    expect(Math.abs(tail / count - 0.0026998)).toBeLessThan(2.6e-4);
    expect(Math.abs(farTail / count - 5.76e-4)).toBeLessThan(1.3e-4);
    // The tail algorithm must produce values beyond the last ziggurat edge, but not absurd ones.
    expect(max).toBeGreaterThan(4.2);
    expect(max).toBeLessThan(6.5);
  });

  it('passes Kolmogorov-Smirnov and a 1000-bin chi-square goodness-of-fit test against N(0, 1)', () => {
    const sorted = samples.slice().sort();
    let d = 0;
    const bins = new Float64Array(1000);
    for (let i = 0; i < count; i++) {
      const p = normalCdf(sorted[i]);
      d = Math.max(d, Math.abs(p - i / count), Math.abs(p - (i + 1) / count));
      bins[Math.min(999, Math.floor(p * 1000))]++;
    }
    // KS: sqrt(n) D < 1.95 at significance 0.001.
    expect(Math.sqrt(count) * d).toBeLessThan(1.95);
    // Chi-square with 999 degrees of freedom: mean 999, sd 44.7; 1200 is 4.5 sd above.
    let chi2 = 0;
    for (const c of bins) chi2 += (c - count / 1000) ** 2 / (count / 1000);
    expect(chi2).toBeLessThan(1200);
  });

  it('is symmetric: as many positive as negative draws in each half of the tail', () => {
    let positive = 0;
    let positiveTail = 0;
    let negativeTail = 0;
    for (const z of samples) {
      if (z > 0) positive++;
      if (z > 2) positiveTail++;
      if (z < -2) negativeTail++;
    }
    expect(Math.abs(positive / count - 0.5)).toBeLessThan(2.5e-3);
    // Each tail ~22750 with sd ~150; their difference has sd ~213.
    expect(Math.abs(positiveTail - negativeTail)).toBeLessThan(1100);
  });
});

describe('SeededRandom.fillNormal', () => {
  it('gives exactly the stream of repeated normal() calls, rare rejection paths included', () => {
    const a = new SeededRandom(99);
    const b = new SeededRandom(99);
    const filled = a.fillNormal(new Float64Array(50000));
    const expected = Float64Array.from({ length: 50000 }, () => b.normal());
    expectBitwiseEqual(filled, expected);
    // Some draws went through the slow path (beyond the inner rectangles), so the test covers it.
    expect(expected.some((z) => Math.abs(z) > 3.442619855899)).toBe(true);
    // Both generators are left in the same state.
    expect(a.serialize()).toEqual(b.serialize());
    expect(a.nextUint32()).toBe(b.nextUint32());
  });

  it('applies mean and std as mean + std * z', () => {
    const a = new SeededRandom(5);
    const b = new SeededRandom(5);
    const out = a.fillNormal(new Float64Array(1000), 3, 0.25);
    for (let i = 0; i < out.length; i++) expect(out[i]).toBe(3 + 0.25 * b.normal());
  });

  it('returns the array it filled and handles empty arrays without consuming draws', () => {
    const random = new SeededRandom(1);
    const out = new Float64Array(4);
    expect(random.fillNormal(out)).toBe(out);
    const before = random.serialize();
    random.fillNormal(new Float64Array(0));
    expect(random.serialize()).toEqual(before);
  });
});

describe('SeededRandom.integer', () => {
  it('stays in [0, n) and is roughly uniform (chi-square)', () => {
    const random = new SeededRandom(3);
    const n = 7;
    const count = 140000;
    const counts = new Array<number>(n).fill(0);
    for (let i = 0; i < count; i++) {
      const k = random.integer(n);
      if (!(Number.isInteger(k) && k >= 0 && k < n)) throw new Error(`integer(7) gave ${k}`);
      counts[k]++;
    }
    const expected = count / n;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 6 degrees of freedom: P(chi2 > 27.9) = 1e-4.
    expect(chi2).toBeLessThan(27.9);
  });

  it('handles n = 1, non-powers of two near 2^32 and n above 2^32', () => {
    const random = new SeededRandom(11);
    for (let i = 0; i < 100; i++) expect(random.integer(1)).toBe(0);
    const big = 3 * 2 ** 30; // limit < 2^32: rejection sampling path
    let upperHalf = 0;
    for (let i = 0; i < 20000; i++) {
      const k = random.integer(big);
      if (!(k >= 0 && k < big && Number.isInteger(k))) throw new Error(`integer(${big}) gave ${k}`);
      if (k >= big / 2) upperHalf++;
    }
    expect(Math.abs(upperHalf / 20000 - 0.5)).toBeLessThan(0.03);
    const huge = 2 ** 40 + 3;
    for (let i = 0; i < 1000; i++) {
      const k = random.integer(huge);
      if (!(k >= 0 && k < huge && Number.isInteger(k))) throw new Error(`integer(${huge}) gave ${k}`);
    }
  });
});

describe('SeededRandom checkpoints and spawning', () => {
  it('continues the identical stream after serialize/restore through JSON', () => {
    const random = new SeededRandom(31337);
    for (let i = 0; i < 1234; i++) random.normal();
    const state = jsonRoundTrip(random.serialize());
    const restored = SeededRandom.fromState(state);
    const other = new SeededRandom(1);
    other.restore(state);
    const expected = Float64Array.from({ length: 5000 }, () => random.normal());
    expectBitwiseEqual(Float64Array.from({ length: 5000 }, () => restored.normal()), expected);
    expectBitwiseEqual(other.fillNormal(new Float64Array(5000)), expected);
  });

  it('rejects malformed states', () => {
    const random = new SeededRandom(1);
    expectConfigError(() => random.restore({ words: [1, 2, 3, 4] as unknown as RandomState['words'] }), 'checkpoint.random.words');
    expectConfigError(() => random.restore({ words: [1, 2, 3, 0.5, 0, 0] }), 'checkpoint.random.words');
    expectConfigError(() => random.restore({ words: [1, 2, 3, 4, 0, 5] }), 'checkpoint.random.words');
    expectConfigError(() => random.restore(undefined as never), 'checkpoint.random.words');
  });

  it('spawns deterministic children that differ from each other and from the parent', () => {
    const parentA = new SeededRandom(8);
    const parentB = new SeededRandom(8);
    const childrenA = [parentA.spawn(), parentA.spawn(), parentA.spawn()];
    const childrenB = [parentB.spawn(), parentB.spawn(), parentB.spawn()];
    const streams = childrenA.map((c) => draws(c, 64, (r) => r.nextUint32()));
    childrenB.forEach((c, i) => expect(draws(c, 64, (r) => r.nextUint32())).toEqual(streams[i]));
    const parentStream = draws(parentA, 64, (r) => r.nextUint32());
    expect(draws(parentB, 64, (r) => r.nextUint32())).toEqual(parentStream);
    const all = [...streams, parentStream];
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        const shared = all[i].filter((w) => all[j].includes(w)).length;
        expect(shared).toBe(0);
      }
    }
  });

  it('spawns children whose draws are uncorrelated with the parent and with each other', () => {
    const parent = new SeededRandom(21);
    const child = parent.spawn();
    const sibling = parent.spawn();
    const count = 100000;
    const x = Float64Array.from({ length: count }, () => parent.normal());
    const y = Float64Array.from({ length: count }, () => child.normal());
    const z = Float64Array.from({ length: count }, () => sibling.normal());
    const corr = (a: Float64Array, b: Float64Array) => {
      let s = 0;
      for (let i = 0; i < count; i++) s += a[i] * b[i];
      return s / count;
    };
    // sd of each correlation estimate: 1/sqrt(1e5) = 3.2e-3.
    expect(Math.abs(corr(x, y))).toBeLessThan(0.016);
    expect(Math.abs(corr(y, z))).toBeLessThan(0.016);
    expect(Math.abs(corr(x, z))).toBeLessThan(0.016);
  });
});

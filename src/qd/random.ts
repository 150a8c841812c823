import { QdConfigError } from './errors';
import { requireInteger } from './validation';

/**
 * Checkpointable state of a SeededRandom: the four 32-bit words of xoshiro128**, then the
 * ziggurat's pool of block indices (a word and how many 8-bit indices it still holds).
 */
export interface RandomState {
  words: [number, number, number, number, number, number];
}

const TWO_POW_32 = 4294967296;
const TWO_POW_MINUS_53 = 1 / 9007199254740992;
const TWO_POW_MINUS_31 = 1 / 2147483648;

// Ziggurat tables (Doornik's ZIGNOR, 128 blocks): block edges X[i] and ratios X[i+1]/X[i].
const ZIGGURAT_BLOCKS = 128;
const ZIGGURAT_R = 3.442619855899;
const ZIGGURAT_V = 9.91256303526217e-3;
const zigguratX = new Float64Array(ZIGGURAT_BLOCKS + 1);
const zigguratRatio = new Float64Array(ZIGGURAT_BLOCKS);
(function buildZigguratTables() {
  let f = Math.exp(-0.5 * ZIGGURAT_R * ZIGGURAT_R);
  zigguratX[0] = ZIGGURAT_V / f;
  zigguratX[1] = ZIGGURAT_R;
  zigguratX[ZIGGURAT_BLOCKS] = 0;
  for (let i = 2; i < ZIGGURAT_BLOCKS; i++) {
    zigguratX[i] = Math.sqrt(-2 * Math.log(ZIGGURAT_V / zigguratX[i - 1] + f));
    f = Math.exp(-0.5 * zigguratX[i] * zigguratX[i]);
  }
  for (let i = 0; i < ZIGGURAT_BLOCKS; i++) zigguratRatio[i] = zigguratX[i + 1] / zigguratX[i];
})();

/**
 * Seeded pseudo-random generator: xoshiro128** (Blackman & Vigna) for uniform 32-bit words,
 * 53-bit uniform doubles, and standard normals by Doornik's ZIGNOR ziggurat: in 98.8% of draws
 * one table lookup, one 32-bit word for the value (resolution 2^-31 of the block width) and a
 * quarter of a word for the block index, which is what makes high-dimensional mutation cheap.
 * Value and index bits never overlap (the flaw of the original Marsaglia-Tsang version). The
 * whole state is six integers, so checkpoints restore the exact stream.
 */
export class SeededRandom {
  // Kept in a typed array: as object fields, 32-bit words outside V8's small-integer range
  // would be boxed on every update. s[0..3]: xoshiro128**; s[4]: pool of ziggurat block
  // indices (one 32-bit word yields four, 7 bits of each byte); s[5]: indices left in it.
  private readonly s = new Int32Array(6);

  constructor(seed: number) {
    requireInteger('seed', seed, 0, Number.MAX_SAFE_INTEGER);
    // splitmix32 over the low 32 bits fills the state; the high bits (seeds up to 2^53) are
    // mixed into the third word by a bijective finaliser, so distinct seeds give distinct states.
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) | 0;
      return finalizeMix(x);
    };
    for (let i = 0; i < 4; i++) this.s[i] = next();
    this.s[2] ^= finalizeMix(Math.floor(seed / TWO_POW_32));
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  static fromState(state: RandomState): SeededRandom {
    const random = new SeededRandom(0);
    random.restore(state);
    return random;
  }

  /** Uniform unsigned 32-bit integer. */
  nextUint32(): number {
    const s = this.s;
    const s0 = s[0];
    const s1 = s[1];
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const s2 = s[2] ^ s0;
    const s3 = s[3] ^ s1;
    s[1] = s1 ^ s2;
    s[0] = s0 ^ s3;
    s[2] = s2 ^ t;
    s[3] = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) * TWO_POW_MINUS_53;
  }

  /** Uniform integer in [0, n) without modulo bias. */
  integer(n: number): number {
    if (n <= 1) return 0;
    if (n <= TWO_POW_32) {
      const limit = TWO_POW_32 - (TWO_POW_32 % n);
      for (;;) {
        const r = this.nextUint32();
        if (r < limit) return r % n;
      }
    }
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal N(0, 1). */
  normal(): number {
    const u = (this.nextUint32() | 0) * TWO_POW_MINUS_31;
    const block = this.nextBlock();
    if (Math.abs(u) < zigguratRatio[block]) return u * zigguratX[block];
    return this.finishNormal(u, block);
  }

  /** Next ziggurat block index from the pool (a fresh word every fourth call). */
  private nextBlock(): number {
    const s = this.s;
    if (s[5] === 0) {
      s[4] = this.nextUint32() | 0;
      s[5] = 4;
    }
    const block = s[4] & 127;
    s[4] >>>= 8;
    s[5] -= 1;
    return block;
  }

  /** The ziggurat's rejection path for a draw (u, block) outside the block's inner rectangle. */
  private finishNormal(u: number, block: number): number {
    for (;;) {
      if (block === 0) return this.normalTail(u < 0);
      const x = u * zigguratX[block];
      const f0 = Math.exp(-0.5 * (zigguratX[block] * zigguratX[block] - x * x));
      const f1 = Math.exp(-0.5 * (zigguratX[block + 1] * zigguratX[block + 1] - x * x));
      if (f1 + this.uniform() * (f0 - f1) < 1) return x;
      u = (this.nextUint32() | 0) * TWO_POW_MINUS_31;
      block = this.nextBlock();
      if (Math.abs(u) < zigguratRatio[block]) return u * zigguratX[block];
    }
  }

  /**
   * Fills `out` with independent N(mean, std^2) draws; the same stream as calling `normal()`
   * out.length times, with the generator inlined (the hot path of every mutation operator).
   */
  fillNormal(out: Float64Array, mean = 0, std = 1): Float64Array {
    const state = this.s;
    let s0 = state[0];
    let s1 = state[1];
    let s2 = state[2];
    let s3 = state[3];
    let pool = state[4];
    let left = state[5];
    for (let i = 0; i < out.length; i++) {
      // xoshiro128** step, inlined: the signed 32-bit output is u in [-1, 1).
      let m = Math.imul(s1, 5);
      const a = Math.imul((m << 7) | (m >>> 25), 9);
      let t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      if (left === 0) {
        m = Math.imul(s1, 5);
        pool = Math.imul((m << 7) | (m >>> 25), 9);
        t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        left = 4;
      }
      const block = pool & 127;
      pool >>>= 8;
      left -= 1;
      const u = a * TWO_POW_MINUS_31;
      if (Math.abs(u) < zigguratRatio[block]) {
        out[i] = u * zigguratX[block];
        continue;
      }
      // Rare path (about 1.2%): finish this draw on the shared state.
      state[0] = s0;
      state[1] = s1;
      state[2] = s2;
      state[3] = s3;
      state[4] = pool;
      state[5] = left;
      out[i] = this.finishNormal(u, block);
      s0 = state[0];
      s1 = state[1];
      s2 = state[2];
      s3 = state[3];
      pool = state[4];
      left = state[5];
    }
    state[0] = s0;
    state[1] = s1;
    state[2] = s2;
    state[3] = s3;
    state[4] = pool;
    state[5] = left;
    // Scaling in its own pass keeps the generator loop short (measured ~1 ns per draw).
    if (mean !== 0 || std !== 1) for (let i = 0; i < out.length; i++) out[i] = mean + std * out[i];
    return out;
  }

  /** A new generator whose stream is derived from (and independent of) this one's. */
  spawn(): SeededRandom {
    const child = new SeededRandom(0);
    for (let i = 0; i < 4; i++) child.s[i] = this.nextUint32();
    if ((child.s[0] | child.s[1] | child.s[2] | child.s[3]) === 0) child.s[0] = 1;
    // Decorrelate from the parent's outputs that seeded it.
    for (let i = 0; i < 8; i++) child.nextUint32();
    return child;
  }

  serialize(): RandomState {
    const s = this.s;
    return { words: [s[0], s[1], s[2], s[3], s[4], s[5]] };
  }

  restore(state: RandomState): void {
    const words = state?.words;
    if (!Array.isArray(words) || words.length !== 6 || !words.every(Number.isInteger) || !(words[5] >= 0 && words[5] <= 4)) {
      throw new QdConfigError('checkpoint.random.words', 'six 32-bit integers (generator state, then block-index pool and its count 0..4)', words);
    }
    for (let i = 0; i < 6; i++) this.s[i] = words[i];
  }

  private normalTail(negative: boolean): number {
    let x: number;
    let y: number;
    do {
      x = Math.log(1 - this.uniform()) / ZIGGURAT_R;
      y = Math.log(1 - this.uniform());
    } while (-2 * y < x * x);
    return negative ? x - ZIGGURAT_R : ZIGGURAT_R - x;
  }
}

/** murmur3's 32-bit finaliser: a bijection on 32-bit integers that maps 0 to 0. */
function finalizeMix(value: number): number {
  let z = value | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return z ^ (z >>> 16);
}

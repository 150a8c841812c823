import { Adam } from '../../src/qd/optimizers/adam';
import { GradientAscent } from '../../src/qd/optimizers/gradientAscent';
import { expectAllClose, expectBitwiseEqual, expectConfigError, jsonRoundTrip } from './helpers';

const f64 = (...values: number[]) => Float64Array.from(values);

describe('GradientAscent', () => {
  it('steps theta <- theta + lr * g', () => {
    const opt = new GradientAscent([1, 2], 0.1);
    opt.step(f64(3, -4));
    expectAllClose(opt.theta, [1.3, 1.6], 1e-15);
    opt.step(f64(-3, 4));
    expectAllClose(opt.theta, [1, 2], 1e-15);
    // With lr = 1 the step lands exactly on theta + g (the DQD emitters' theta <- mean).
    const unit = new GradientAscent([0.5, -1], 1);
    unit.step(f64(2, 3));
    expect(Array.from(unit.theta)).toEqual([2.5, 2]);
  });

  it('copies theta0, resets, and round-trips through JSON', () => {
    const start = f64(1, 1);
    const opt = new GradientAscent(start, 0.5);
    opt.step(f64(1, 2));
    expect(Array.from(start)).toEqual([1, 1]);
    const copy = new GradientAscent([0, 0], 0.5);
    copy.restore(jsonRoundTrip(opt.serialize()));
    expect(Array.from(copy.theta)).toEqual([1.5, 2]);
    opt.reset([7, 8]);
    expect(Array.from(opt.theta)).toEqual([7, 8]);
    expectConfigError(() => copy.restore({ kind: 'adam' }), 'checkpoint.gradientOptimizer.kind');
  });

  it('validates inputs', () => {
    expectConfigError(() => new GradientAscent([0], 0), 'learningRate', 'a finite number > 0');
    expectConfigError(() => new GradientAscent([Number.NaN], 1), 'theta0[0]');
    const opt = new GradientAscent([0, 0], 1);
    expectConfigError(() => opt.step(f64(1)), 'gradient', '2 values');
    expectConfigError(() => opt.reset([1]), 'theta', '2 values');
  });
});

describe('Adam', () => {
  /** Textbook Adam (Kingma & Ba, Algorithm 1), for ascent. */
  function referenceAdam(theta: number[], gradients: number[][], lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
    const m = theta.map(() => 0);
    const v = theta.map(() => 0);
    const out = [...theta];
    gradients.forEach((g, t) => {
      for (let i = 0; i < out.length; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        const mHat = m[i] / (1 - b1 ** (t + 1));
        const vHat = v[i] / (1 - b2 ** (t + 1));
        out[i] += (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    });
    return out;
  }

  it('first step moves each coordinate by lr * g / (|g| + eps), i.e. about lr * sign(g)', () => {
    const opt = new Adam([0, 0, 0, 1], { learningRate: 0.1 });
    opt.step(f64(2, -0.5, 0, 1e-3));
    // By hand: m_hat = g, v_hat = g^2, step = lr * g / (|g| + 1e-8).
    expectAllClose(opt.theta, [0.1 * (2 / (2 + 1e-8)), -0.1 * (0.5 / (0.5 + 1e-8)), 0, 1 + 0.1 * (1e-3 / (1e-3 + 1e-8))], 1e-14);
    expect(opt.theta[0]).toBeCloseTo(0.1, 8);
    expect(opt.theta[1]).toBeCloseTo(-0.1, 8);
    expect(opt.theta[3]).toBeCloseTo(1.1, 5);
  });

  it('second step matches the bias-corrected moments computed by hand', () => {
    const opt = new Adam([0, 0, 0], { learningRate: 0.1 });
    opt.step(f64(2, -0.5, 0));
    opt.step(f64(1, 1, 1));
    // m = [0.28, 0.055, 0.1], v = [0.004996, 0.00124975, 0.001];
    // m_hat = m / 0.19, v_hat = v / 0.001999.
    const m = [0.28, 0.055, 0.1];
    const v = [0.004996, 0.00124975, 0.001];
    const first = [0.1 * (2 / (2 + 1e-8)), -0.1 * (0.5 / (0.5 + 1e-8)), 0];
    const expected = first.map((t, i) => t + (0.1 * (m[i] / 0.19)) / (Math.sqrt(v[i] / 0.001999) + 1e-8));
    expectAllClose(opt.theta, expected, 1e-12);
    // 0.1 * 1.473684 / 1.580904 = 0.09322 for the first coordinate, for instance.
    expect(opt.theta[0] - first[0]).toBeCloseTo(0.093218, 5);
  });

  it('matches textbook Adam over many steps with custom hyperparameters', () => {
    const gradients = Array.from({ length: 50 }, (_, t) => [Math.sin(t), Math.cos(3 * t) * 10, 0.01 * t - 0.2]);
    const opt = new Adam([1, -1, 0.5], { learningRate: 0.03, beta1: 0.8, beta2: 0.99, epsilon: 1e-6 });
    for (const g of gradients) opt.step(Float64Array.from(g));
    expectAllClose(opt.theta, referenceAdam([1, -1, 0.5], gradients, 0.03, 0.8, 0.99, 1e-6), 1e-12);
  });

  it('reset() clears the moments, so the next step is again about lr * sign(g)', () => {
    const opt = new Adam([0, 0], { learningRate: 0.01 });
    for (let i = 0; i < 10; i++) opt.step(f64(5, -5));
    opt.reset([3, 4]);
    expect(Array.from(opt.theta)).toEqual([3, 4]);
    opt.step(f64(-0.2, 7));
    expectAllClose(opt.theta, [3 - 0.01, 4 + 0.01], 1e-9);
  });

  it('continues identically after serialize/restore through JSON', () => {
    const a = new Adam([1, 2], { learningRate: 0.05 });
    a.step(f64(1, -1));
    a.step(f64(0.3, 2));
    const b = new Adam([0, 0], { learningRate: 0.05 });
    b.restore(jsonRoundTrip(a.serialize()));
    for (const g of [f64(-1, 0.5), f64(2, 2), f64(0.1, -3)]) {
      a.step(g);
      b.step(g);
    }
    expectBitwiseEqual(b.theta, a.theta);
    expectConfigError(() => b.restore({ kind: 'gradient_ascent' }), 'checkpoint.gradientOptimizer.kind');
  });

  it('validates hyperparameters and gradients', () => {
    expectConfigError(() => new Adam([0], { learningRate: 0 }), 'learningRate', 'a finite number > 0');
    expectConfigError(() => new Adam([0], { beta1: 1 }), 'beta1', 'a number in [0, 1)');
    expectConfigError(() => new Adam([0], { beta1: -0.1 }), 'beta1', 'a number in [0, 1]');
    expectConfigError(() => new Adam([0], { beta2: 1 }), 'beta2', 'a number in [0, 1)');
    expectConfigError(() => new Adam([0], { epsilon: 0 }), 'epsilon');
    expectConfigError(() => new Adam([0, 0]).step(f64(1, 2, 3)), 'gradient', '2 values');
    expect(new Adam([0]).learningRate).toBe(0.001);
  });
});

import { ArmDomain } from '../../src/qd/domains/arm';
import type { Domain } from '../../src/qd/domains/domain';
import { SPHERE_BOUND, SPHERE_OPTIMUM, SphereDomain } from '../../src/qd/domains/sphere';
import { SeededRandom } from '../../src/qd/random';
import { expectAllClose, expectConfigError } from './helpers';

function evaluateOne(domain: Domain, x: ArrayLike<number>) {
  const n = domain.solutionDim;
  const objectives = new Float64Array(1);
  const measures = new Float64Array(domain.measureDim);
  const jacobian = new Float64Array((domain.measureDim + 1) * n);
  domain.evaluate(Float64Array.from(x), 1, objectives, measures, jacobian);
  return { f: objectives[0], m: Array.from(measures), jacobian };
}

/** Central finite differences of each output (f, m_1, ..., m_k): rows of the numerical Jacobian. */
function numericalJacobian(domain: Domain, x: number[], h = 1e-6): Float64Array {
  const n = x.length;
  const rows = domain.measureDim + 1;
  const out = new Float64Array(rows * n);
  for (let j = 0; j < n; j++) {
    const plus = [...x];
    const minus = [...x];
    plus[j] += h;
    minus[j] -= h;
    const p = evaluateOne(domain, plus);
    const m = evaluateOne(domain, minus);
    const outputsP = [p.f, ...p.m];
    const outputsM = [m.f, ...m.m];
    for (let r = 0; r < rows; r++) out[r * n + j] = (outputsP[r] - outputsM[r]) / (2 * h);
  }
  return out;
}

describe('SphereDomain (spec section 2)', () => {
  const B = 5.12;
  const s = 2.048;

  it('uses B = 5.12, s = 0.4 B and ranges +-n/2 B', () => {
    expect(SPHERE_BOUND).toBe(B);
    expect(SPHERE_OPTIMUM).toBeCloseTo(s, 15);
    expect(new SphereDomain(10).measureRanges).toEqual([
      [-25.6, 25.6],
      [-25.6, 25.6],
    ]);
    expect(new SphereDomain(100).measureRanges).toEqual([
      [-256, 256],
      [-256, 256],
    ]);
  });

  it('f = 100 at x = s, 0 at the corner -B, 100 (1 - 4/49) at the origin, below 0 beyond the corner', () => {
    const d = new SphereDomain(10);
    expect(evaluateOne(d, new Array(10).fill(SPHERE_OPTIMUM)).f).toBe(100);
    expect(evaluateOne(d, new Array(10).fill(-B)).f).toBeCloseTo(0, 12);
    // At 0: raw / worst = s^2 / (B + s)^2 = (2.048 / 7.168)^2 = (2/7)^2 = 4/49.
    expect(evaluateOne(d, new Array(10).fill(0)).f).toBeCloseTo((100 * 45) / 49, 12);
    expect(evaluateOne(d, new Array(10).fill(-20)).f).toBeLessThan(0);
    // A hand-computed point: raw = sum (x_i - s)^2 with x = (0, 1, ..., 9).
    const x = Array.from({ length: 10 }, (_, i) => i);
    const raw = x.reduce((acc, v) => acc + (v - 2.048) ** 2, 0); // 158.14304 + ...
    expect(evaluateOne(d, x).f).toBeCloseTo(100 * (1 - raw / (10 * 51.380224)), 12);
  });

  it('soft-clips coordinates outside [-B, B] to B / x for the measures only, B itself unclipped', () => {
    const d = new SphereDomain(4); // h = 2: m1 = c(x0) + c(x1), m2 = c(x2) + c(x3)
    expect(evaluateOne(d, [B, -B, 1, 2]).m).toEqual([0, 3]);
    expect(evaluateOne(d, [B, B, 0, 0]).m).toEqual([2 * B, 0]);
    const r = evaluateOne(d, [6, -10.24, 51.2, 0.5]);
    expect(r.m[0]).toBeCloseTo(B / 6 - 0.5, 14);
    expect(r.m[1]).toBeCloseTo(0.1 + 0.5, 14);
    // Large |x| maps close to 0, and the objective is not clipped.
    expect(evaluateOne(d, [1e6, 0, 0, 0]).m[0]).toBeCloseTo(5.12e-6, 12);
    expect(evaluateOne(d, [1e3, 0, 0, 0]).f).toBeLessThan(-1000);
  });

  it('splits measures at floor(n/2) for odd n', () => {
    const d = new SphereDomain(5); // h = 2
    expect(evaluateOne(d, [1, 2, 3, 4, 5]).m).toEqual([3, 12]);
    expect(d.measureRanges[0][1]).toBeCloseTo(2.5 * B, 12);
  });

  it('evaluates batches row by row', () => {
    const d = new SphereDomain(3);
    const objectives = new Float64Array(2);
    const measures = new Float64Array(4);
    d.evaluate(Float64Array.from([2.048, 2.048, 2.048, 1, 2, 3]), 2, objectives, measures);
    expect(objectives[0]).toBe(100);
    expect(Array.from(measures)).toEqual([2.048, 4.096, 1, 5]);
  });

  it('Jacobian: row 1 is -2 (x - s) (gradient of -raw), rows 2-3 match finite differences of the measures', () => {
    const n = 10;
    const d = new SphereDomain(n);
    const random = new SeededRandom(1);
    const worst = n * (B + s) ** 2;
    for (let trial = 0; trial < 5; trial++) {
      // Points inside and outside the box, away from the clip's kinks at +-B.
      const x = Array.from({ length: n }, (_, j) => (j % 3 === 0 ? 6 + 4 * random.uniform() : 4 * random.normal()));
      for (let j = 0; j < n; j++) if (Math.abs(Math.abs(x[j]) - B) < 1e-3) x[j] += 0.01;
      const { jacobian } = evaluateOne(d, x);
      expectAllClose(jacobian.subarray(0, n), x.map((v) => -2 * (v - s)), 1e-12);
      const numeric = numericalJacobian(d, x);
      // f's true gradient is row 1 scaled by 100 / worst.
      expectAllClose(numeric.subarray(0, n), Array.from(jacobian.subarray(0, n), (g) => (g * 100) / worst), 1e-6);
      expectAllClose(jacobian.subarray(n), numeric.subarray(n), 1e-6);
      // Measure rows are zero outside their half.
      for (let j = 0; j < n; j++) {
        if (j < 5) expect(jacobian[2 * n + j]).toBe(0);
        else expect(jacobian[n + j]).toBe(0);
      }
    }
    // Outside the box the measure slope is -B / x^2.
    const { jacobian } = evaluateOne(d, [8, 0, 0, 0, 0, -6.4, 0, 0, 0, 0]);
    expect(jacobian[n]).toBeCloseTo(-B / 64, 15);
    expect(jacobian[2 * n + 5]).toBeCloseTo(-B / 40.96, 15);
    expect(jacobian[n + 1]).toBe(1);
  });

  it('requires dimension >= 2', () => {
    expectConfigError(() => new SphereDomain(1), 'dim', 'an integer >= 2');
    expectConfigError(() => new SphereDomain(2.5), 'dim');
  });
});

describe('ArmDomain', () => {
  it('all-zero angles: the arm is stretched along x, f = 100', () => {
    const arm = new ArmDomain(4, 1.5);
    const r = evaluateOne(arm, [0, 0, 0, 0]);
    expect(r.f).toBe(100);
    expect(r.m).toEqual([6, 0]);
    expect(arm.measureRanges).toEqual([
      [-6, 6],
      [-6, 6],
    ]);
  });

  it('computes the end effector and the variance objective on hand-made angles', () => {
    const arm = new ArmDomain(3);
    // All links straight up: (0, 3); mean pi/6, var = pi^2 / 18, f = 100 (1 - 1/18).
    let r = evaluateOne(arm, [Math.PI / 2, 0, 0]);
    expectAllClose(r.m, [0, 3], 1e-15);
    expect(r.f).toBeCloseTo(100 * (17 / 18), 12);
    // Cumulative angles pi/2, 0, 0: (0 + 1 + 1, 1 + 0 + 0); var = pi^2 / 6.
    r = evaluateOne(arm, [Math.PI / 2, -Math.PI / 2, 0]);
    expectAllClose(r.m, [2, 1], 1e-15);
    expect(r.f).toBeCloseTo(100 * (5 / 6), 12);
    // Equal angles: f = 100 whatever the angle; a regular triangle closes the loop.
    r = evaluateOne(arm, [(2 * Math.PI) / 3, (2 * Math.PI) / 3, (2 * Math.PI) / 3]);
    expect(r.f).toBeCloseTo(100, 12);
    expectAllClose(r.m, [0, 0], 1e-14);
  });

  it('Jacobian rows match central finite differences', () => {
    const arm = new ArmDomain(7, 0.8);
    const random = new SeededRandom(2);
    for (let trial = 0; trial < 5; trial++) {
      const x = Array.from({ length: 7 }, () => Math.PI * (2 * random.uniform() - 1));
      const { jacobian } = evaluateOne(arm, x);
      expectAllClose(jacobian, numericalJacobian(arm, x), 1e-6);
      const mean = x.reduce((a, b) => a + b, 0) / 7;
      expectAllClose(jacobian.subarray(0, 7), x.map((v) => (-200 * (v - mean)) / (7 * Math.PI ** 2)), 1e-12);
    }
  });

  it('validates its parameters', () => {
    expectConfigError(() => new ArmDomain(0), 'dim', 'an integer >= 1');
    expectConfigError(() => new ArmDomain(3, 0), 'linkLength', 'a finite number > 0');
  });
});

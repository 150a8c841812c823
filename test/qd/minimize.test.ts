import { QdConfigError } from '../../src/qd/errors';
import { minimize } from '../../src/qd/optimizers/minimize';

function rastrigin(x: Float64Array): number {
  let s = 10 * x.length;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i] - 10 * Math.cos(2 * Math.PI * x[i]);
  return s;
}

describe('minimize (IPOP-CMA-ES)', () => {
  it('solves the sphere in one run', () => {
    const result = minimize((x) => x.reduce((s, v) => s + (v - 1) ** 2, 0), new Float64Array(8), { sigma0: 1, target: 1e-10, maxEvaluations: 10_000, seed: 3 });
    expect(result.reachedTarget).toBe(true);
    expect(result.runs).toBe(1);
    for (const v of result.best) expect(v).toBeCloseTo(1, 4);
  });

  it('needs restarts with growing populations to find the global optimum of the 5-D Rastrigin function', () => {
    let singleSuccesses = 0;
    let ipopSuccesses = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const options = { sigma0: 2, target: 1e-8, maxEvaluations: 200_000, seed };
      const single = minimize(rastrigin, new Float64Array(5).fill(3), { ...options, restarts: 0 });
      const ipop = minimize(rastrigin, new Float64Array(5).fill(3), options);
      singleSuccesses += Number(single.reachedTarget);
      ipopSuccesses += Number(ipop.reachedTarget);
      if (ipop.reachedTarget && !single.reachedTarget) expect(ipop.runs).toBeGreaterThan(1);
    }
    // Measured: 0 of 10 seeds for one run with the default population, 10 of 10 with IPOP.
    expect(singleSuccesses).toBeLessThanOrEqual(1);
    expect(ipopSuccesses).toBe(5);
  });

  it('respects the evaluation budget and rejects non-finite values and bad options', () => {
    const result = minimize(rastrigin, new Float64Array(5).fill(3), { sigma0: 2, maxEvaluations: 500, seed: 2 });
    expect(result.evaluations).toBeLessThan(500 + 4 * 64);
    expect(() => minimize(() => NaN, [0, 0], { sigma0: 1, maxEvaluations: 100 })).toThrow(QdConfigError);
    expect(() => minimize((x) => x[0], [0, 0], { sigma0: 0, maxEvaluations: 100 })).toThrow(/sigma0/);
    expect(() => minimize((x) => x[0], [], { sigma0: 1, maxEvaluations: 100 })).toThrow(/x0/);
  });
});

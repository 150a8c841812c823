import { AntitheticEvolutionStrategy, CentralDifferences, type GradientEstimator } from '../../../src/models/qdgs';

/** values of v(x) = [f, m1] at each perturbed row of `count` points */
function valuesAt(rows: Float64Array, n: number, functions: Array<(x: Float64Array) => number>): Float64Array {
  const count = rows.length / n;
  const values = new Float64Array(count * functions.length);
  for (let r = 0; r < count; r++) functions.forEach((fn, c) => (values[r * functions.length + c] = fn(rows.subarray(r * n, (r + 1) * n))));
  return values;
}

function estimate(estimator: GradientEstimator, points: Float64Array, n: number, functions: Array<(x: Float64Array) => number>, stream = 0): Float64Array {
  const count = points.length / n;
  const rows = new Float64Array(count * estimator.rowsPerPoint * n);
  estimator.perturb(points, count, n, rows, stream);
  const jacobians = new Float64Array(count * functions.length * n);
  estimator.jacobian(valuesAt(rows, n, functions), count, n, functions.length - 1, jacobians);
  return jacobians;
}

const quadratic = (x: Float64Array) => x[0] * x[0] + 3 * x[0] * x[1] - 2 * x[2] * x[2];
const linear = (x: Float64Array) => 2 * x[0] - x[1] + 0.5 * x[2];

describe('gradient estimators', () => {
  it('central differences are exact on quadratics, for every point of a batch', () => {
    const points = Float64Array.from([1, 2, 3, -1, 0.5, 2]);
    const jacobians = estimate(new CentralDifferences(3, 0.01), points, 3, [quadratic, linear]);
    const expected = (x: number[]) => [2 * x[0] + 3 * x[1], 3 * x[0], -4 * x[2], 2, -1, 0.5];
    [0, 1].forEach((p) => {
      const want = expected(Array.from(points.subarray(p * 3, p * 3 + 3)));
      want.forEach((value, i) => expect(jacobians[p * 6 + i]).toBeCloseTo(value, 8));
    });
  });

  it('antithetic ES is unbiased on a linear function and converges with many pairs', () => {
    const points = Float64Array.from([0.3, -0.2, 1]);
    const jacobians = estimate(new AntitheticEvolutionStrategy(20_000, 0.1, 7), points, 3, [linear]);
    [2, -1, 0.5].forEach((value, i) => expect(jacobians[i]).toBeCloseTo(value, 1));
  });

  it('antithetic ES draws the same noise for the same stream and other noise for another', () => {
    const estimator = new AntitheticEvolutionStrategy(3, 0.1, 7);
    const points = Float64Array.from([0.3, -0.2, 1]);
    const a = estimate(estimator, points, 3, [quadratic], 5);
    const b = estimate(new AntitheticEvolutionStrategy(3, 0.1, 7), points, 3, [quadratic], 5);
    const c = estimate(estimator, points, 3, [quadratic], 6);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });
});

import { ALGORITHMS, createScheduler, type AlgorithmName } from '../../src/qd/algorithms';
import type { CellArchive } from '../../src/qd/archives/cellArchive';
import { SphereDomain } from '../../src/qd/domains/sphere';
import { runOnDomain } from '../../src/qd/runOnDomain';
import type { Scheduler, SchedulerState } from '../../src/qd/schedulers/scheduler';
import { expectBitwiseEqual, jsonRoundTrip } from './helpers';

const dim = 10;
const domain = new SphereDomain(dim);

function build(algorithm: AlgorithmName, seed: number): Scheduler {
  return createScheduler({ algorithm, solutionDim: dim, dims: [20, 20], ranges: domain.measureRanges, seed });
}

function expectSameArchive(actual: CellArchive, expected: CellArchive): void {
  const [a, e] = [actual.elites(), expected.elites()];
  expect(a.count).toBe(e.count);
  expect(Array.from(a.cells)).toEqual(Array.from(e.cells));
  expectBitwiseEqual(a.solutions, e.solutions);
  expectBitwiseEqual(a.objectives, e.objectives);
  expectBitwiseEqual(a.measures, e.measures);
  expectBitwiseEqual(a.thresholds, e.thresholds);
  expect(Array.from(a.iterations)).toEqual(Array.from(e.iterations));
  expect(actual.stats()).toEqual(expected.stats());
}

describe.each(ALGORITHMS.map((a) => [a]))('checkpoint identity: %s', (algorithm) => {
  it('20 iterations straight == 10, serialize (JSON), fresh scheduler, restore, 10 more', () => {
    const straight = build(algorithm, 7);
    runOnDomain(straight, domain, 20);

    const first = build(algorithm, 7);
    runOnDomain(first, domain, 10);
    const checkpoint: SchedulerState = jsonRoundTrip(first.serialize());
    const resumed = build(algorithm, 7);
    resumed.restore(checkpoint);
    expect(resumed.iteration).toBe(10);
    runOnDomain(resumed, domain, 10);

    expect(resumed.iteration).toBe(20);
    expect(straight.stats().numElites).toBeGreaterThan(0);
    expectSameArchive(resumed.archive, straight.archive);
    if (straight.resultArchive) {
      expect(resumed.resultArchive).not.toBeNull();
      expectSameArchive(resumed.resultArchive as CellArchive, straight.resultArchive);
    }
    expect(resumed.stats()).toEqual(straight.stats());
    expect(resumed.emitters.map((e) => e.restarts)).toEqual(straight.emitters.map((e) => e.restarts));
    // The whole optimiser state (emitters, generators, archives) is identical.
    expect(JSON.stringify(resumed.serialize())).toBe(JSON.stringify(straight.serialize()));
  });

  it('restoring into a scheduler that has already run (another seed) overwrites all of its state', () => {
    const straight = build(algorithm, 7);
    runOnDomain(straight, domain, 16);
    const first = build(algorithm, 7);
    runOnDomain(first, domain, 8);
    const used = build(algorithm, 8);
    runOnDomain(used, domain, 13);
    used.restore(jsonRoundTrip(first.serialize()));
    runOnDomain(used, domain, 8);
    expectSameArchive(used.resultArchive ?? used.archive, straight.resultArchive ?? straight.archive);
    expect(JSON.stringify(used.serialize())).toBe(JSON.stringify(straight.serialize()));
  });

  it('same seed and config give an identical archive; another seed a different one', () => {
    const a = build(algorithm, 3);
    const b = build(algorithm, 3);
    const c = build(algorithm, 4);
    for (const s of [a, b, c]) runOnDomain(s, domain, 8);
    const result = (s: Scheduler) => s.resultArchive ?? s.archive;
    expectSameArchive(result(b), result(a));
    const [ea, ec] = [result(a).elites(), result(c).elites()];
    const same = ea.count === ec.count && Buffer.from(ea.solutions.buffer).equals(Buffer.from(ec.solutions.buffer));
    expect(same).toBe(false);
  });
});

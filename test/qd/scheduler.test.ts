import { GridArchive } from '../../src/qd/archives/gridArchive';
import type { DqdFeedback, EmitterFeedback } from '../../src/qd/emitters/emitter';
import { EvolutionStrategyEmitter } from '../../src/qd/emitters/evolutionStrategyEmitter';
import { GaussianEmitter } from '../../src/qd/emitters/gaussianEmitter';
import { GradientArborescenceEmitter } from '../../src/qd/emitters/gradientArborescenceEmitter';
import { Scheduler } from '../../src/qd/schedulers/scheduler';
import { SphereDomain } from '../../src/qd/domains/sphere';
import { expectBitwiseEqual, expectConfigError, jsonRoundTrip } from './helpers';

const n = 4;
const domain = new SphereDomain(n);

function grid(options: { seed?: number; annealing?: boolean } = {}): GridArchive {
  return new GridArchive({
    solutionDim: n,
    dims: [8, 8],
    ranges: domain.measureRanges,
    seed: options.seed ?? 1,
    ...(options.annealing ? { learningRate: 0.1, thresholdMin: 0 } : {}),
  });
}

function evaluate(solutions: Float64Array, count: number, withJacobians = false) {
  const objectives = new Float64Array(count);
  const measures = new Float64Array(count * 2);
  const jacobians = withJacobians ? new Float64Array(count * 3 * n) : undefined;
  domain.evaluate(solutions, count, objectives, measures, jacobians);
  return { objectives, measures, jacobians: jacobians ?? new Float64Array(0) };
}

describe('Scheduler (non-DQD)', () => {
  it('asks the concatenation of its emitters batches, in emitter order', () => {
    const archive = grid();
    const scheduler = new Scheduler({
      archive,
      emitters: [
        new GaussianEmitter({ archive, x0: [0, 0, 0, 0], sigma: 0.5, batchSize: 5, seed: 1 }),
        new GaussianEmitter({ archive, x0: [1, 1, 1, 1], sigma: 0.1, batchSize: 7, seed: 2 }),
      ],
    });
    expect(scheduler.batchSize).toBe(12);
    expect(scheduler.dqdBatchSize).toBe(0);
    expect(scheduler.isDqd).toBe(false);
    const x = scheduler.ask();
    expect(x.length).toBe(12 * n);
    const twinArchive = grid();
    const first = new GaussianEmitter({ archive: twinArchive, x0: [0, 0, 0, 0], sigma: 0.5, batchSize: 5, seed: 1 }).ask();
    const second = new GaussianEmitter({ archive: twinArchive, x0: [1, 1, 1, 1], sigma: 0.1, batchSize: 7, seed: 2 }).ask();
    expectBitwiseEqual(x.subarray(0, 5 * n), first);
    expectBitwiseEqual(x.subarray(5 * n), second);
  });

  it('inserts the whole batch once, then hands each emitter its own slice', () => {
    const archive = grid();
    const emitters = [
      new GaussianEmitter({ archive, x0: [0, 0, 0, 0], sigma: 2, batchSize: 3, seed: 1 }),
      new GaussianEmitter({ archive, x0: [0, 0, 0, 0], sigma: 2, batchSize: 4, seed: 2 }),
    ];
    const scheduler = new Scheduler({ archive, emitters });
    const seen: EmitterFeedback[][] = [[], []];
    emitters.forEach((e, i) => jest.spyOn(e, 'tell').mockImplementation((fb) => void seen[i].push(fb)));
    const add = jest.spyOn(archive, 'add');
    const x = scheduler.ask();
    const { objectives, measures } = evaluate(x, 7);
    const result = scheduler.tell(objectives, measures);
    expect(add).toHaveBeenCalledTimes(1);
    expect(add.mock.calls[0][0].length).toBe(7 * n);
    expect(result.status.length).toBe(7);
    expect(seen[0][0].count).toBe(3);
    expect(seen[1][0].count).toBe(4);
    expect(Array.from(seen[0][0].status)).toEqual(Array.from(result.status.subarray(0, 3)));
    expect(Array.from(seen[1][0].value)).toEqual(Array.from(result.value.subarray(3)));
    expectBitwiseEqual(seen[1][0].solutions, x.subarray(3 * n));
    expectBitwiseEqual(seen[1][0].objectives, objectives.subarray(3));
    expectBitwiseEqual(seen[1][0].measures, measures.subarray(6));
    expect(scheduler.iteration).toBe(1);
  });

  it('enforces the call order ask -> tell', () => {
    const archive = grid();
    const scheduler = new Scheduler({ archive, emitters: [new GaussianEmitter({ archive, x0: [0, 0, 0, 0], sigma: 1, batchSize: 2 })] });
    const { objectives, measures } = evaluate(new Float64Array(2 * n), 2);
    expectConfigError(() => scheduler.tell(objectives, measures), 'call order', 'ask next');
    expectConfigError(() => scheduler.askDqd(), 'askDqd', 'DQD emitters');
    scheduler.ask();
    expectConfigError(() => scheduler.ask(), 'call order', 'tell next');
    expectConfigError(() => scheduler.serialize(), 'call order', 'tell next');
    scheduler.tell(objectives, measures);
    expectConfigError(() => scheduler.tell(objectives, measures), 'call order', 'ask next');
    expect(scheduler.iteration).toBe(1);
  });

  it('rejects a bad batch before inserting anything, and can then be told the corrected batch', () => {
    const archive = grid();
    const resultArchive = grid({ seed: 3 });
    const scheduler = new Scheduler({ archive, resultArchive, emitters: [new GaussianEmitter({ archive, x0: [0, 0, 0, 0], sigma: 1, batchSize: 3 })] });
    const x = scheduler.ask();
    const { objectives, measures } = evaluate(x, 3);
    const bad = objectives.slice();
    bad[1] = Number.NaN;
    expectConfigError(() => scheduler.tell(bad, measures), 'objectives[1]', 'a finite number');
    expectConfigError(() => scheduler.tell(objectives.subarray(0, 2), measures.subarray(0, 4)), 'solutions');
    expect(archive.empty).toBe(true);
    expect(resultArchive.empty).toBe(true);
    scheduler.tell(objectives, measures);
    expect(archive.size).toBeGreaterThan(0);
    expect(resultArchive.stats()).toEqual(archive.stats());
  });

  it('feeds every batch, unchanged, to the result archive', () => {
    const archive = grid({ annealing: true });
    const resultArchive = grid({ seed: 2 });
    const mirror = grid({ seed: 2 });
    const scheduler = new Scheduler({
      archive,
      resultArchive,
      emitters: [0, 1, 2].map((i) => new EvolutionStrategyEmitter({ archive, x0: [0, 0, 0, 0], sigma0: 0.5, batchSize: 6, seed: i, ranker: 'imp', selectionRule: 'mu', restartRule: 'basic' })),
    });
    for (let it = 0; it < 15; it++) {
      const x = scheduler.ask().slice();
      const { objectives, measures } = evaluate(x, scheduler.batchSize);
      scheduler.tell(objectives, measures);
      mirror.add(x, objectives, measures, { iteration: it });
    }
    expect(JSON.stringify(resultArchive.serialize())).toBe(JSON.stringify(mirror.serialize()));
    expect(scheduler.stats()).toEqual(resultArchive.stats());
    // The annealing search archive keeps fewer high objectives than the elitist result archive.
    expect(resultArchive.stats().qdScore).toBeGreaterThanOrEqual(archive.stats().qdScore);
  });

  it('rejects inconsistent configurations', () => {
    const archive = grid();
    const other = grid();
    const emitter = new GaussianEmitter({ archive, x0: [0, 0, 0, 0], sigma: 1 });
    expectConfigError(() => new Scheduler({ archive, emitters: [] }), 'emitters', 'a non-empty list');
    expectConfigError(() => new Scheduler({ archive: other, emitters: [emitter] }), 'emitters[0].archive', "the scheduler's archive");
    expectConfigError(() => new Scheduler({ archive, emitters: [emitter], resultArchive: archive }), 'resultArchive', 'a separate archive');
    const wrongShape = new GridArchive({ solutionDim: 3, dims: [8, 8], ranges: domain.measureRanges });
    expectConfigError(() => new Scheduler({ archive, emitters: [emitter], resultArchive: wrongShape }), 'resultArchive');
    const dqd = new GradientArborescenceEmitter({ archive, x0: [0, 0, 0, 0], sigma0: 1, learningRate: 1 });
    expectConfigError(() => new Scheduler({ archive, emitters: [emitter, dqd] }), 'emitters', 'all DQD emitters or none');
  });
});

describe('Scheduler (DQD)', () => {
  function dqdScheduler() {
    const archive = grid();
    const emitters = [0, 1].map(
      (i) => new GradientArborescenceEmitter({ archive, x0: [i, 0, 0, 0], sigma0: 1, learningRate: 1, gradientOptimizer: 'gradient_ascent', batchSize: 5, seed: i, selectionRule: 'mu' }),
    );
    return { archive, emitters, scheduler: new Scheduler({ archive, emitters }) };
  }

  it('runs askDqd -> tellDqd -> ask -> tell with the right shapes', () => {
    const { scheduler, emitters, archive } = dqdScheduler();
    expect(scheduler.isDqd).toBe(true);
    expect(scheduler.dqdBatchSize).toBe(2);
    expect(scheduler.batchSize).toBe(10);
    const received: DqdFeedback[] = [];
    const original = emitters.map((e) => e.tellDqd.bind(e));
    emitters.forEach((e, i) =>
      jest.spyOn(e, 'tellDqd').mockImplementation((fb) => {
        received.push(fb);
        original[i](fb);
      }),
    );
    const points = scheduler.askDqd();
    expect(Array.from(points)).toEqual([0, 0, 0, 0, 1, 0, 0, 0]);
    const dqd = evaluate(points, 2, true);
    expect(dqd.jacobians.length).toBe(2 * 3 * n);
    const result = scheduler.tellDqd(dqd.objectives, dqd.measures, dqd.jacobians);
    expect(result.status.length).toBe(2);
    expect(archive.size).toBeGreaterThan(0); // the gradient points themselves enter the archive
    expect(received.map((fb) => fb.count)).toEqual([1, 1]);
    expectBitwiseEqual(received[1].jacobians, dqd.jacobians.subarray(3 * n));
    expect(scheduler.iteration).toBe(0);
    const x = scheduler.ask();
    expect(x.length).toBe(10 * n);
    const { objectives, measures } = evaluate(x, 10);
    scheduler.tell(objectives, measures);
    expect(scheduler.iteration).toBe(1);
  });

  it('enforces the DQD call order', () => {
    const { scheduler } = dqdScheduler();
    const dqd = evaluate(new Float64Array(2 * n), 2, true);
    expectConfigError(() => scheduler.tellDqd(dqd.objectives, dqd.measures, dqd.jacobians), 'call order', 'askDqd or ask next');
    const points = scheduler.askDqd();
    expectConfigError(() => scheduler.ask(), 'call order', 'tellDqd next');
    expectConfigError(() => scheduler.askDqd(), 'call order', 'tellDqd next');
    expectConfigError(() => scheduler.tellDqd(dqd.objectives, dqd.measures, dqd.jacobians.subarray(1)), 'jacobians', '2 x 3 x 4 values');
    const good = evaluate(points, 2, true);
    scheduler.tellDqd(good.objectives, good.measures, good.jacobians);
    scheduler.ask();
    expectConfigError(() => scheduler.tellDqd(good.objectives, good.measures, good.jacobians), 'call order', 'tell next');
  });

  it('rejects a non-finite Jacobian before inserting the gradient points', () => {
    const { scheduler, archive } = dqdScheduler();
    const points = scheduler.askDqd();
    const dqd = evaluate(points, 2, true);
    const bad = dqd.jacobians.slice();
    bad[3 * n + 5] = Number.POSITIVE_INFINITY;
    expect(() => scheduler.tellDqd(dqd.objectives, dqd.measures, bad)).toThrow(/Invalid jacobians/);
    expect(archive.empty).toBe(true);
    // The corrected Jacobians are then accepted.
    scheduler.tellDqd(dqd.objectives, dqd.measures, dqd.jacobians);
    expect(archive.size).toBeGreaterThan(0);
  });

  it('restores a checkpoint only into a matching configuration', () => {
    const { scheduler } = dqdScheduler();
    const state = jsonRoundTrip(scheduler.serialize());
    const archive = grid();
    const single = new Scheduler({ archive, emitters: [new GradientArborescenceEmitter({ archive, x0: [0, 0, 0, 0], sigma0: 1, learningRate: 1, batchSize: 5 })] });
    expectConfigError(() => single.restore(state), 'checkpoint.emitters', '1 emitter states');
    const withResult = dqdScheduler();
    const other = grid();
    const resultScheduler = new Scheduler({
      archive: other,
      resultArchive: grid(),
      emitters: [0, 1].map((i) => new GradientArborescenceEmitter({ archive: other, x0: [0, 0, 0, 0], sigma0: 1, learningRate: 1, batchSize: 5, seed: i })),
    });
    expectConfigError(() => resultScheduler.restore(jsonRoundTrip(withResult.scheduler.serialize())), 'checkpoint.resultArchive', 'a result archive');
  });
});

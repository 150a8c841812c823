import { createScheduler } from '../../src/qd/algorithms';
import { ArmDomain } from '../../src/qd/domains/arm';
import { SphereDomain } from '../../src/qd/domains/sphere';
import { runOnDomain, type DomainRunProgress } from '../../src/qd/runOnDomain';
import { expectConfigError } from './helpers';

describe('runOnDomain', () => {
  it('counts evaluations (540 per iteration, DQD included) and reports progress every k iterations', () => {
    const domain = new SphereDomain(6);
    for (const algorithm of ['map_elites', 'cma_mega'] as const) {
      const scheduler = createScheduler({ algorithm, solutionDim: 6, dims: [10, 10], ranges: domain.measureRanges, seed: 1 });
      const progress: DomainRunProgress[] = [];
      const result = runOnDomain(scheduler, domain, 5, { every: 2, onIteration: (p) => progress.push(p) });
      expect(result.iterations).toBe(5);
      expect(result.evaluations).toBe(5 * 540);
      expect(result.seconds).toBeGreaterThanOrEqual(result.evaluationSeconds);
      expect(progress.map((p) => p.iteration)).toEqual([2, 4, 5]);
      expect(progress.map((p) => p.evaluations)).toEqual([1080, 2160, 2700]);
      expect(progress[2]).toMatchObject(scheduler.stats());
      expect(scheduler.iteration).toBe(5);
    }
  });

  it('runs the arm domain with a DQD algorithm and improves coverage over iterations', () => {
    const domain = new ArmDomain(8);
    const scheduler = createScheduler({ algorithm: 'cma_maega', solutionDim: 8, dims: [20, 20], ranges: domain.measureRanges, seed: 2 });
    runOnDomain(scheduler, domain, 2);
    const early = scheduler.stats().numElites;
    runOnDomain(scheduler, domain, 20);
    expect(scheduler.stats().numElites).toBeGreaterThan(early);
    expect(scheduler.stats().objMax).toBeLessThanOrEqual(100);
  });

  it('rejects a domain of the wrong shape and bad iteration counts', () => {
    const scheduler = createScheduler({ algorithm: 'map_elites', solutionDim: 6, dims: [10, 10], ranges: [[-1, 1], [-1, 1]], seed: 1 });
    expectConfigError(() => runOnDomain(scheduler, new SphereDomain(5), 1), 'domain', '6 solution and 2 measure dimensions');
    expectConfigError(() => runOnDomain(scheduler, new SphereDomain(6), -1), 'iterations');
    expectConfigError(() => runOnDomain(scheduler, new SphereDomain(6), 1, { every: 0 }), 'every');
    expect(runOnDomain(scheduler, new SphereDomain(6), 0).evaluations).toBe(0);
  });
});

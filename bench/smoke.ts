import { createScheduler, ALGORITHMS, type AlgorithmName } from '../src/qd/algorithms';
import { SphereDomain } from '../src/qd/domains/sphere';
import { runOnDomain } from '../src/qd/runOnDomain';
const dim = Number(process.argv[2] ?? 100);
const iters = Number(process.argv[3] ?? 200);
const algs = (process.argv[4]?.split(',') ?? ALGORITHMS) as AlgorithmName[];
for (const algorithm of algs) {
  const domain = new SphereDomain(dim);
  const s = createScheduler({ algorithm, solutionDim: dim, dims: [100, 100], ranges: domain.measureRanges, seed: 1, variant: (process.env.VARIANT as any) ?? 'tutorial' });
  const r = runOnDomain(s, domain, iters);
  const st = s.stats();
  console.log(algorithm, r.seconds.toFixed(2), 's eval', r.evaluationSeconds.toFixed(2), 'normQD', st.normQdScore.toFixed(2), 'cov', st.coverage.toFixed(4), 'max', st.objMax.toFixed(2), 'restarts', s.emitters.reduce((a, e) => a + e.restarts, 0));
}
